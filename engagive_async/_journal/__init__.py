"""A campaign's durable memory in SQLite, so that a rerun never sends a row twice.

:class:`SqliteJournal` implements the batch engine's ``SendJournal`` protocol. Each row of a
campaign (keyed by the item's ``key``, else its index) is claimed ``IN_FLIGHT`` and committed
before its request goes out, then updated with what became of it. A rerun with the same journal
and campaign skips what must not go again:

========== ==================================================================
SENT       always skipped
IN_FLIGHT  skipped (a crash left it: it may have been sent) unless resend_unknown
UNKNOWN    skipped (the request went out and no answer proved it was not relayed: a
           timeout, a drop, a 5xx without Meta's error) unless resend_unknown
FAILED     skipped unless its error was retryable (nothing can have been sent)
SKIPPED    sent (it was never attempted)
========== ==================================================================

Modules: ``_sqlite`` (the journal), ``_worker`` (one connection in a worker thread, with group
commits), ``_sql`` (the schema and statements), ``_models`` (what reads return). Which rows a
rerun may send again is decided by ``_policy._resend``.

May import: ``_sending`` (the protocol it implements), ``_policy``, ``_errors``, ``models``.
"""

from engagive_async._journal._models import DuplicateRowKeyError, JournalEntry, JournalSummary
from engagive_async._journal._sqlite import (
    ALREADY_SENT,
    FAILED_FINAL,
    MAYBE_SENT,
    OTHER_RECIPIENT,
    SqliteJournal,
)

__all__ = [
    "ALREADY_SENT",
    "FAILED_FINAL",
    "MAYBE_SENT",
    "OTHER_RECIPIENT",
    "DuplicateRowKeyError",
    "JournalEntry",
    "JournalSummary",
    "SqliteJournal",
]
