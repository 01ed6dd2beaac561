"""Bulk sending: bounded concurrency, exactly one outcome per item, memory flat in the input.

Modules: ``_batch`` (the engine behind ``send_many``/``send_batch``), ``_source`` (the input,
pulled one item at a time), ``_delivery`` (how outcomes reach the consumer, in chunks),
``_send_journal`` (the ``SendJournal`` protocol a journal implements). What may be resent is
``_policy._resend``'s.
The pace all workers share is ``_pacing``'s.

May import: ``_http``, ``_pacing``, ``_policy``, ``_observe``, ``_errors``, ``_background``,
``models``.
"""
