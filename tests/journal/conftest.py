"""A journal factory over both journals, so one contract suite runs against each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engagive_async import PostgresJournal, SqliteJournal

#: Makes a journal on the test's own storage: ``make(campaign="c1", resend_unknown=False)``.
MakeJournal = Callable[..., SqliteJournal | PostgresJournal]


@pytest.fixture(params=["sqlite", "postgres"])
def make_journal(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[..., SqliteJournal | PostgresJournal]:
    """Journals of one kind sharing one store (a file, or a Postgres schema of this test)."""
    if request.param == "sqlite":

        def make_sqlite(campaign: str = "c1", **kw: Any) -> SqliteJournal:
            return SqliteJournal(tmp_path / "j.sqlite", campaign, **kw)

        return make_sqlite
    dsn: str = request.getfixturevalue("postgres_server")
    schema: str = request.getfixturevalue("pg_schema")

    def make_postgres(campaign: str = "c1", **kw: Any) -> PostgresJournal:
        # A dead worker's claim may be taken over at once: the rule under test, not the clock.
        kw.setdefault("in_flight_timeout", 0)
        return PostgresJournal(dsn, campaign, schema=schema, max_connections=4, **kw)

    return make_postgres
