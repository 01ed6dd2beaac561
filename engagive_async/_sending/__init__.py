"""Bulk sending: bounded concurrency, exactly one outcome per item, memory flat in the input.

Modules: ``_batch`` (the engine behind ``send_many``/``send_batch``), ``_source`` (the input,
Modules: ``_batch`` (the engine behind ``send_many``/``send_batch``), ``_options`` (the batch's
options as one value), ``_source`` (the input, pulled one item at a time, or a chunk at a time
checked with the journal), ``_delivery`` (how outcomes reach the consumer, in chunks),
``_send_journal`` (the ``SendJournal`` protocol a journal implements, and its earlier
``ItemJournal`` shape), ``_observed`` (what a batch tells OpenTelemetry and the logs). What may
be resent is ``_policy._resend``'s.
The pace all workers share is ``_pacing``'s.

May import: ``_http``, ``_pacing``, ``_policy``, ``_observe``, ``_errors``, ``_background``,
``models``.
"""
