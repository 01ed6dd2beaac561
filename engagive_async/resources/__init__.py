"""One module per noun of the API: templates, lookups, contents, messages.

Each method is a few lines: validate the arguments (``_checks``), name the route and its body
(``_wire``), call the pipeline (``_http``), decode the model. Paging and bulk sends hand over to
``_paging`` and ``_sending``.

May import: every layer below the client; never the client itself.
"""
