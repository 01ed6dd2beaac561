"""PostgresJournal: the ``SendJournal`` that many workers on many machines share.

Every row of a campaign is one row of ``engagive_sends`` keyed by (campaign, row key). A chunk
of input is checked in one ``SELECT``; a claim is one atomic upsert that takes the row only
where the rerun rules allow it and commits before it returns (each statement runs in
autocommit), so of two workers racing for a row exactly one wins, and a worker that dies
after its claim leaves the row ``IN_FLIGHT``: never sent again unless ``resend_unknown``.

psycopg is imported when a journal is made, so ``import engagive_async`` works without the
``postgres`` extra.
"""

from __future__ import annotations

import copy
import csv
import io
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio

from engagive_async._checks._arguments import check_name
from engagive_async._journal import _pg_sql as pg
from engagive_async._journal._models import (
    DuplicateRowKeyError,
    JournalEntry,
    JournalSummary,
    entry_from_row,
    export_row,
    summary_from_rows,
)
from engagive_async._journal._rules import (
    HELD_ELSEWHERE,
    IN_FLIGHT,
    error_text,
    meta_json,
    recipient_of,
    record_write,
    retryable_outcome,
    row_key,
    skip_reason_for,
    skip_reasons_for,
)
from engagive_async._journal._sql import EXPORT_COLUMNS
from engagive_async.models.batch import SendItem, SendOutcome

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg.sql import Composed
    from psycopg_pool import AsyncConnectionPool

__all__ = ["PostgresJournal", "is_postgres_dsn", "without_password"]

logger = logging.getLogger("engagive_async.journal")

_EXPORT_FLUSH = 2000  # rows written to the CSV file per thread hop


def is_postgres_dsn(target: str) -> bool:
    """Whether a ``--journal`` value names a Postgres database rather than a file."""
    return target.startswith(("postgresql://", "postgres://"))


class PostgresJournal:
    """The Postgres ``SendJournal``: ``send_many(items, journal=PostgresJournal(dsn, "spring"))``.

    Any number of workers (tasks, processes, machines) may use the same database and campaign
    at once: each row is sent by at most one of them. Use it as ``async with
    PostgresJournal(dsn, campaign="spring") as journal:`` (or :meth:`open` and :meth:`aclose`).
    The tables are created on first use, in ``schema``, with their version recorded.

    Args:
        dsn: a libpq connection string or URI (``postgresql://user@host/db``).
        campaign: the campaign name; rows are keyed by (campaign, row key).
        resend_unknown: send again rows left UNKNOWN, or IN_FLIGHT for longer than
            ``in_flight_timeout`` seconds (their worker died). Their request may have reached
            Meta: choose this only when a duplicate is acceptable.
        in_flight_timeout: with ``resend_unknown``, how old an IN_FLIGHT claim must be before
            another worker may take it over (a live worker's claim is never that old).
        schema: the Postgres schema holding the tables.
        max_connections: the size of the journal's connection pool.
        record_batch: outcomes written together in one statement (1 writes each at once).
            An outcome not yet written when the process dies leaves its row IN_FLIGHT:
            never resent, reported as maybe sent.
        record_delay: seconds an outcome may wait for its group to fill.

    Raises:
        ValidationError: an empty ``campaign``.
        ImportError: psycopg is missing (``pip install 'engagive_async[postgres]'``).
    """

    def __init__(
        self,
        dsn: str,
        campaign: str,
        *,
        resend_unknown: bool = False,
        in_flight_timeout: float = 300.0,
        schema: str = "public",
        max_connections: int = 10,
        record_batch: int = 64,
        record_delay: float = 0.05,
    ) -> None:
        check_name(campaign, "campaign")
        try:
            from psycopg import sql
            from psycopg_pool import AsyncConnectionPool
        except ImportError as missing:  # pragma: no cover - the extra is part of dev
            raise ImportError(
                "PostgresJournal needs psycopg: pip install 'engagive_async[postgres]'"
            ) from missing
        self.campaign = campaign
        self.resend_unknown = resend_unknown
        self.in_flight_timeout = in_flight_timeout
        self.schema = schema
        self.record_batch = max(1, record_batch)
        self.record_delay = record_delay
        self._dsn = dsn
        self._run_id = uuid.uuid4().hex
        self._sql = sql
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=max_connections,
            kwargs={"autocommit": True},
            open=False,
            # A dead server must stop a campaign soon, not after the pool's 30 s default.
            timeout=10.0,
            name="engagive-journal",
        )
        self._opened = False
        self._closed = False
        self._owns_pool = True
        self._open_lock = anyio.Lock()
        self._statements: dict[str, Composed] = {}
        # Row keys claimed in this run and not yet recorded.
        self._claimed: set[str] = set()
        # Outcomes waiting to be written as one group: (statement, row).
        self._pending: list[tuple[str, tuple[Any, ...]]] = []
        self._pending_since = 0.0
        self._flush_lock = anyio.Lock()

    def new_run(self, campaign: str | None = None) -> PostgresJournal:
        """A journal on these connections with a run of its own, e.g. one per chunk job.

        Rows this journal claimed count as another run's for the new one, exactly as if
        another worker held them. Closing the new journal leaves the connections open; they
        close with this one.
        """
        run = copy.copy(self)
        run.campaign = campaign or self.campaign
        run._run_id = uuid.uuid4().hex
        run._claimed = set()
        run._pending = []
        run._flush_lock = anyio.Lock()
        run._owns_pool = False
        return run

    async def open(self) -> None:
        """Connect and create the tables when missing. Called by ``async with`` and first use."""
        async with self._open_lock:
            if self._closed:
                raise RuntimeError("the journal is closed")
            if self._opened:
                return
            # The schema on a connection of its own first: a server that refuses connections
            # fails here at once, where the pool would keep trying until its timeout.
            await self._create_schema()
            await self._pool.open(wait=True, timeout=10.0)
            self._opened = True

    async def aclose(self) -> None:
        """Write the outcomes still waiting, and close the connections. Safe to call twice.

        Outcomes that cannot be written (the database is gone) are dropped with a warning:
        their rows stay IN_FLIGHT, so a rerun never resends them.
        """
        if self._pending and not self._closed:
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the rows stay in flight: never resent
                logger.warning("outcomes of %d rows could not be written", len(self._pending))
                self._pending.clear()
        self._closed = True
        if self._owns_pool and not self._pool.closed:
            await self._pool.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with anyio.CancelScope(shield=True):
            await self.aclose()

    def __repr__(self) -> str:
        return (
            f"engagive_async.PostgresJournal(dsn={without_password(self._dsn)!r}, "
            f"campaign={self.campaign!r}, resend_unknown={self.resend_unknown})"
        )

    # --- the SendJournal protocol -----------------------------------------------------------

    async def skip_reasons(self, items: Sequence[tuple[int, SendItem]]) -> dict[int, str]:
        """Why some of these items must not be sent now: one query for the whole chunk."""
        keyed = {row_key(index, item): (index, item) for index, item in items}
        if not keyed:
            return {}
        rows = await self._fetch(
            pg.SKIP_CHECK,
            {"campaign": self.campaign, "keys": list(keyed), "stale": self.in_flight_timeout},
        )
        return skip_reasons_for(
            keyed, rows, run_id=self._run_id, resend_unknown=self.resend_unknown
        )

    async def claim(self, index: int, item: SendItem) -> str | None:
        """Take the row IN_FLIGHT for this run in one atomic statement; committed on return.

        Returns ``None`` when won, else why not (:data:`HELD_ELSEWHERE` when another worker
        took it first, or the rerun rule's reason).

        Raises:
            DuplicateRowKeyError: this run already holds the same row key.
        """
        if self._pending_too_old():
            await self.flush()
        key = row_key(index, item)
        rows = await self._fetch(
            pg.CLAIM,
            {
                "campaign": self.campaign,
                "key": key,
                "index": index,
                "recipient": recipient_of(item),
                "run": self._run_id,
                "resend": self.resend_unknown,
                "stale": self.in_flight_timeout,
            },
        )
        won, status, recipient, retryable, run_id = rows[0]
        if won:
            self._claimed.add(key)
            return None
        if run_id == self._run_id:
            raise DuplicateRowKeyError(f"row key {key!r} appears twice in this run")
        if status is None or status == IN_FLIGHT:
            return HELD_ELSEWHERE
        reason = skip_reason_for(
            status, recipient, retryable, item, resend_unknown=self.resend_unknown
        )
        # The rule allowed it when the statement began, yet the upsert did not take the row:
        # a worker changed it in between.
        return reason or HELD_ELSEWHERE

    async def record(self, outcome: SendOutcome) -> None:
        """Store the row's outcome: status, wamid, metaResponse, error, attempts, times.

        Outcomes are written in groups (see ``record_batch``); a group is written when full,
        when its oldest outcome is ``record_delay`` seconds old at the next call, before every
        read, and by :meth:`flush` and :meth:`aclose`.
        """
        write = record_write(outcome, self._claimed)
        if write is None:
            return
        key, kind = write
        statement = pg.RECORD_BY_WRITE[kind]
        row = (
            key,
            outcome.index,
            recipient_of(outcome.item),
            outcome.status.name,
            outcome.wamid,
            meta_json(outcome),
            error_text(outcome.error),
            outcome.meta_error_code,
            retryable_outcome(outcome),
            outcome.attempts,
            outcome.reason,
        )
        if not self._pending:
            self._pending_since = time.monotonic()
        self._pending.append((statement, row))
        if len(self._pending) >= self.record_batch or self._pending_too_old():
            await self.flush()

    async def flush(self) -> None:
        """Write the outcomes waiting in the group now."""
        async with self._flush_lock:
            while self._pending:
                group, self._pending = self._pending, []
                await self._write_group(group)

    async def _write_group(self, group: list[tuple[str, tuple[Any, ...]]]) -> None:
        # One statement per kind of record; a key already in a statement starts the next one.
        statements: list[tuple[str, list[tuple[Any, ...]]]] = []
        seen: list[set[str]] = []
        for statement, row in group:
            for (pending, rows), keys in zip(statements, seen, strict=True):
                if pending == statement and row[0] not in keys:
                    rows.append(row)
                    keys.add(row[0])
                    break
            else:
                statements.append((statement, [row]))
                seen.append({row[0]})
        for statement, rows in statements:
            columns = list(zip(*rows, strict=True))
            params: dict[str, Any] = dict(zip(pg.RECORD_FIELDS, map(list, columns), strict=True))
            await self._execute(
                statement, {**params, "campaign": self.campaign, "run": self._run_id}
            )

    def _pending_too_old(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._pending_since >= self.record_delay

    # --- reading ----------------------------------------------------------------------------

    async def entry(self, key: str | int) -> JournalEntry | None:
        """The campaign's row with this key, or ``None``."""
        await self.flush()
        rows = await self._fetch(
            f"SELECT {pg.SELECT_COLUMNS} FROM {{s}}.engagive_sends "  # noqa: S608 - constant columns
            "WHERE campaign = %(campaign)s AND row_key = %(key)s",
            {"campaign": self.campaign, "key": str(key)},
        )
        return entry_from_row(rows[0]) if rows else None

    async def summary(self) -> JournalSummary:
        """The campaign's rows by status, and FAILED/UNKNOWN rows by Meta error code."""
        await self.flush()
        by_status = dict(
            await self._fetch(
                "SELECT status, count(*) FROM {s}.engagive_sends WHERE campaign = %(campaign)s "
                "GROUP BY status ORDER BY status",
                {"campaign": self.campaign},
            )
        )
        codes = await self._fetch(
            "SELECT meta_error_code, count(*), min(meta_response), min(error) "
            "FROM {s}.engagive_sends WHERE campaign = %(campaign)s "
            "AND meta_error_code IS NOT NULL AND status IN ('FAILED', 'UNKNOWN') "
            "GROUP BY meta_error_code ORDER BY count(*) DESC, meta_error_code",
            {"campaign": self.campaign},
        )
        return summary_from_rows(self.campaign, by_status, codes)

    async def campaigns(self) -> list[str]:
        """Every campaign name in the schema, sorted."""
        await self.flush()
        rows = await self._fetch(
            "SELECT DISTINCT campaign FROM {s}.engagive_sends ORDER BY campaign", {}
        )
        return [row[0] for row in rows]

    async def export_csv(self, dest: str | Path) -> int:
        """Write the campaign's rows (in input order) to a CSV file; returns the row count.

        Rows stream from the server (``cursor.stream``), so a large campaign is never in memory.
        """
        await self._ready()
        await self.flush()
        query = self._compose(
            f"SELECT {pg.SELECT_COLUMNS} FROM {{s}}.engagive_sends "  # noqa: S608 - constant columns
            "WHERE campaign = %(campaign)s ORDER BY row_index, row_key"
        )
        count = 0
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        async with (
            await anyio.open_file(dest, "w", encoding="utf-8", newline="") as out,
            self._pool.connection() as conn,
            conn.cursor() as cursor,
        ):
            async for row in cursor.stream(query, {"campaign": self.campaign}):
                writer.writerow(export_row(self.campaign, row))
                count += 1
                if count % _EXPORT_FLUSH == 0:
                    await out.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
            await out.write(buffer.getvalue())
        return count

    # --- plumbing ---------------------------------------------------------------------------

    def _compose(self, statement: str) -> Composed:
        composed = self._statements.get(statement)
        if composed is None:
            sql = self._sql
            # The statements are this package's constants; only the schema is the caller's,
            # and it goes in as a quoted identifier.
            template = sql.SQL(statement)
            composed = template.format(s=sql.Identifier(self.schema))
            self._statements[statement] = composed
        return composed

    async def _ready(self) -> None:
        if self._closed:
            raise RuntimeError("the journal is closed")
        if not self._opened:
            await self.open()

    async def _fetch(self, statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        await self._ready()
        async with self._pool.connection() as conn:
            cursor = await conn.execute(self._compose(statement), params)
            return await cursor.fetchall()

    async def _execute(self, statement: str, params: dict[str, Any]) -> None:
        await self._ready()
        async with self._pool.connection() as conn:
            await conn.execute(self._compose(statement), params)

    async def _create_schema(self) -> None:
        from psycopg import AsyncConnection

        connection = await AsyncConnection.connect(self._dsn, autocommit=True)
        async with connection as conn, conn.transaction():
            # Workers starting together would race on CREATE TABLE IF NOT EXISTS.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('engagive_journal'))")
            for statement in pg.SCHEMA:
                await conn.execute(self._compose(statement), {"version": pg.SCHEMA_VERSION})
            cursor = await conn.execute(
                self._compose("SELECT max(version) FROM {s}.engagive_journal_version")
            )
            found = await cursor.fetchone()
        newest = found[0] if found is not None else None
        if newest is not None and newest > pg.SCHEMA_VERSION:
            raise RuntimeError(
                f"the journal's tables are at version {newest}; this engagive_async knows "
                f"up to {pg.SCHEMA_VERSION}: upgrade engagive_async"
            )


def without_password(dsn: str) -> str:
    """The DSN without its password, for reprs and messages."""
    try:
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        parts = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - an unreadable DSN is shown as nothing rather than leaked
        return "<dsn>"
    parts.pop("password", None)
    return make_conninfo("", **{k: v for k, v in parts.items() if v is not None})
