"""What a campaign journal's reads return, and the reasons a rerun skips a row.

The journals themselves (``SqliteJournal``, ``PostgresJournal``, and the ``SendJournal``
protocol a journal of your own implements) are imported from ``engagive_async``; this module
holds what they hand back:
``JournalEntry`` (one row, from ``journal.entry(key)``), ``JournalSummary`` (``summary()``), and
the skip reasons a rerun (or a worker losing a claim, or a journal out of reach) puts on its
SKIPPED outcomes.
"""

from engagive_async._journal import (
    ALREADY_SENT,
    FAILED_FINAL,
    HELD_ELSEWHERE,
    MAYBE_SENT,
    OTHER_RECIPIENT,
    DuplicateRowKeyError,
    JournalEntry,
    JournalSummary,
)
from engagive_async._public import present as _present
from engagive_async._sending._send_journal import JOURNAL_UNAVAILABLE

__all__ = [
    "ALREADY_SENT",
    "FAILED_FINAL",
    "HELD_ELSEWHERE",
    "JOURNAL_UNAVAILABLE",
    "MAYBE_SENT",
    "OTHER_RECIPIENT",
    "DuplicateRowKeyError",
    "JournalEntry",
    "JournalSummary",
]

_present(__name__, globals(), __all__)
