"""The data the SDK speaks in: attrs classes only, no I/O, no httpx, no serialisation.

Where a class is defined, not where it is imported from: users import these from
``engagive_async`` (results, templates, batch items), ``engagive_async.builders`` (messages and
components) and ``engagive_async.meta`` (Meta's payloads). The one converter in ``_wire`` turns
them into JSON and back; ``to_dict()`` on results, outcomes and models delegates to it
(``_export`` holds the hook the wire layer fills in).

May import: nothing else of the package.
"""
