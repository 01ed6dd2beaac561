"""Checks run before a request leaves: bad input becomes a ``ValidationError`` naming the field.

Modules: ``_fields`` (recipients, path segments, template names, language codes, emoji,
template components on their wire form, carousel cards included), ``_messages`` (the limits
Meta documents for each send-single builder, and those only a typed component knows),
``_arguments`` (the SDK's own arguments: counts, rates, choices).
Pure functions, no I/O.

May import: ``models``, ``_errors``.
"""
