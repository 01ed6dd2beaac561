"""A journal from what a user typed: a ``postgresql://`` URL or a file path.

The command line takes either for ``--journal``; this is the one place that tells them apart,
shows them without a password, and knows which errors mean "this journal cannot be used".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engagive_async._journal._postgres import PostgresJournal, is_postgres_dsn, without_password
from engagive_async._journal._sqlite import SqliteJournal

__all__ = ["describe_journal", "is_postgres_dsn", "journal_errors", "open_journal"]


def open_journal(
    target: str | Path, campaign: str, *, resend_unknown: bool = False, create: bool = True
) -> SqliteJournal | PostgresJournal:
    """The journal ``target`` names (not yet opened)."""
    if isinstance(target, str) and is_postgres_dsn(target):
        return PostgresJournal(target, campaign, resend_unknown=resend_unknown)
    return SqliteJournal(Path(target), campaign, resend_unknown=resend_unknown, create=create)


def describe_journal(target: str | Path) -> str:
    """``target`` for messages: a path as is, a database URL without its password."""
    if isinstance(target, str) and is_postgres_dsn(target):
        return without_password(target)
    return str(target)


def journal_errors() -> tuple[type[BaseException], ...]:
    """The exceptions of a journal that cannot be used (file or database)."""
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the postgres extra is part of dev
        return errors
    return (*errors, psycopg.Error)
