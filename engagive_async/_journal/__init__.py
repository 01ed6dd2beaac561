"""A campaign's durable memory, so that a rerun (or another worker) never sends a row twice.

:class:`SqliteJournal` (a local file) and :class:`PostgresJournal` (shared by many workers)
implement the batch engine's ``SendJournal`` protocol. Each row of a
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

Modules: ``_rules`` (how the rerun rule of ``_policy._resend`` applies to a row, and what a row
stores), ``_sqlite`` (the SQLite journal), ``_worker`` (one connection in a worker thread, with
group commits), ``_sql`` (its schema and statements), ``_postgres`` and ``_pg_sql`` (the Postgres
journal and its statements; psycopg is imported only there), ``_open`` (a journal from a URL or
a path), ``_models`` (what reads return).

May import: ``_sending`` and the layers below it; psycopg only in ``_postgres`` and ``_open``.
"""

from engagive_async._journal._models import DuplicateRowKeyError, JournalEntry, JournalSummary
from engagive_async._journal._open import describe_journal, journal_errors, open_journal
from engagive_async._journal._postgres import PostgresJournal
from engagive_async._journal._rules import (
    ALREADY_SENT,
    FAILED_FINAL,
    HELD_ELSEWHERE,
    MAYBE_SENT,
    OTHER_RECIPIENT,
)
from engagive_async._journal._sqlite import SqliteJournal

__all__ = [
    "ALREADY_SENT",
    "FAILED_FINAL",
    "HELD_ELSEWHERE",
    "MAYBE_SENT",
    "OTHER_RECIPIENT",
    "DuplicateRowKeyError",
    "JournalEntry",
    "JournalSummary",
    "PostgresJournal",
    "SqliteJournal",
    "describe_journal",
    "journal_errors",
    "open_journal",
]
