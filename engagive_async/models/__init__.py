"""attrs models: plain data, no I/O, no httpx. The converter does all wire work."""
