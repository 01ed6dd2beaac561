"""Checks run before a request leaves: bad input becomes a ``ValidationError`` naming the field.

Modules: ``_fields`` (recipients, path segments, template names, language codes, emoji,
template components), ``_messages`` (the limits Meta documents for each send-single builder),
``_arguments`` (the SDK's own arguments: counts, rates, choices).
Pure functions, no I/O.

May import: ``models``, ``_errors``.
"""
