"""One module per noun; each method is a path, its parameters and a model."""
