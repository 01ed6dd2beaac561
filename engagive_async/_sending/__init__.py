"""Bulk sending: bounded concurrency, exactly one outcome per item, memory flat in the input.

Modules: ``_batch`` (the engine behind ``send_many``/``send_batch``), ``_source`` (the input,
pulled one item at a time, or a chunk at a time checked with the journal), ``_delivery`` (how
outcomes reach the consumer, in chunks), ``_outcomes`` (what became of a send: FAILED or
UNKNOWN; the ``SendJournal`` protocol and its earlier ``ItemJournal`` shape).
The pace all workers share is ``_pacing``'s.

May import: ``_http``, ``_pacing``, ``_policy``, ``_errors``, ``_background``, ``models``.
"""
