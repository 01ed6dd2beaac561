"""The wire format: where each endpoint lives, and how models become JSON and back.

Modules: ``_routes`` (every endpoint's method and path, and the request bodies of the
provisional ones: the one place that knows an assumed shape), ``_converter`` (the one cattrs
converter, lenient on input, omit-if-default on output), ``_message_codec`` and
``_component_codec`` (Meta's shapes for the send-single builders and template components), and
``_codec_support`` (what those two share), ``_export`` (models as JSON-ready dicts for logs,
behind every ``to_dict()``; imported here so that the method works whatever was imported).

May import: ``models``, ``_errors``. Never httpx: nothing here does I/O.
"""

from engagive_async._wire import _export as _export  # installs to_dict()
