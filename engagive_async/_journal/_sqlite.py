"""SqliteJournal: the ``SendJournal`` that keeps a campaign in a SQLite file.

Each write (the claim before a send, the record after it) is one
``engagive.journal.write.duration`` measurement, its group commit included, when a meter
provider is set.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal, Self, TypeVar

import anyio

from engagive_async._checks._arguments import check_name
from engagive_async._journal import _sql as sql
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
from engagive_async._journal._worker import SqliteWorker
from engagive_async._observe import current, get_logger
from engagive_async.models.batch import SendItem, SendOutcome

__all__ = ["SqliteJournal"]

log = get_logger("journal")
R = TypeVar("R")


class SqliteJournal:
    """The SQLite ``SendJournal``: ``send_many(items, journal=SqliteJournal(path, "spring"))``.

    Use it as ``async with SqliteJournal(path, campaign="spring") as journal:`` (or call
    :meth:`open` and :meth:`aclose`). One file may hold many campaigns.

    Args:
        path: the SQLite file (created unless ``create=False``). WAL mode.
        campaign: the campaign name; rows are keyed by (campaign, row key).
        resend_unknown: send again rows left IN_FLIGHT or UNKNOWN by an earlier run. Their
            request may have reached Meta: choose this only when a duplicate is acceptable.
        synchronous: SQLite's ``synchronous`` setting. ``"FULL"`` (default) keeps a claimed
            row through a power loss; ``"NORMAL"`` is faster and keeps it through a crash of
            the process, not of the machine.
        create: create the file when missing (``False`` raises ``FileNotFoundError``).

    Raises:
        sqlite3.Error: the file is not a database or cannot be written.
    """

    def __init__(
        self,
        path: str | Path,
        campaign: str,
        *,
        resend_unknown: bool = False,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        create: bool = True,
    ) -> None:
        check_name(campaign, "campaign")
        self.path = Path(path)
        self.campaign = campaign
        self.resend_unknown = resend_unknown
        self._run_id = uuid.uuid4().hex
        self._db = SqliteWorker(
            self.path, schema=sql.SCHEMA, synchronous=synchronous, create=create
        )
        # Row keys claimed by before_send in this run and not yet recorded.
        self._claimed: set[str] = set()
        # The campaign had no row when the file was opened: no row can hold an earlier run's
        # state, so skip_reason need not ask the file (one commit wait less per row). A second
        # process writing the same campaign meanwhile is not guarded against, as before: two
        # runs of one campaign at once could each claim a row between the other's read and
        # claim.
        self._fresh = False

    async def open(self) -> None:
        """Open (and create) the file. Called by ``async with`` and by the first use."""
        await self._db.open()
        found = await self._db.call(
            lambda c: c.execute(
                "SELECT 1 FROM engagive_sends WHERE campaign = ? LIMIT 1", (self.campaign,)
            ).fetchone(),
            writes=False,
        )
        self._fresh = found is None
        if log.isEnabledFor(logging.DEBUG):
            log.debug("journal open, campaign %r", self.campaign, extra={"run_id": self._run_id})

    async def aclose(self) -> None:
        """Write what is queued and close the file. Safe to call twice."""
        self._fresh = False  # a closed journal answers nothing, not even for a fresh campaign
        await self._db.aclose()
        if log.isEnabledFor(logging.DEBUG):
            log.debug("journal closed", extra={"run_id": self._run_id})

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
            f"engagive_async.SqliteJournal(path={str(self.path)!r}, "
            f"campaign={self.campaign!r}, resend_unknown={self.resend_unknown})"
        )

    # --- the SendJournal protocol -----------------------------------------------------------

    async def skip_reasons(self, items: Sequence[tuple[int, SendItem]]) -> dict[int, str]:
        """Why some of these items must not be sent now (see the rules in ``_rules``)."""
        keyed = {row_key(index, item): (index, item) for index, item in items}
        # A campaign with no rows when the journal opened has nothing to skip; a row another
        # process wrote since is still caught by the claim, which reads it in its transaction.
        if not keyed or self._fresh:
            return {}
        marks = ", ".join("?" * len(keyed))
        rows = await self._db.call(
            lambda c: c.execute(
                "SELECT row_key, status, recipient, retryable, run_id FROM engagive_sends "  # noqa: S608 - placeholders only
                f"WHERE campaign = ? AND row_key IN ({marks})",
                (self.campaign, *keyed),
            ).fetchall(),
            writes=False,
        )
        return skip_reasons_for(
            keyed,
            ((*row, True) for row in rows),  # no claim age here: any IN_FLIGHT row is stale
            run_id=self._run_id,
            resend_unknown=self.resend_unknown,
        )

    async def claim(self, index: int, item: SendItem) -> str | None:
        """Take the row IN_FLIGHT for this run, unless it may not go; committed on return.

        Reading the row and writing the claim share one write transaction, so two processes
        on one file cannot both win a row.

        Raises:
            DuplicateRowKeyError: this run already holds the same row key.
        """
        key = row_key(index, item)
        now = _now()
        params = (self.campaign, key, index, recipient_of(item), self._run_id, now, now)

        def claim(conn: sqlite3.Connection) -> str | None:
            found = conn.execute(
                "SELECT status, recipient, retryable, run_id FROM engagive_sends "
                "WHERE campaign = ? AND row_key = ?",
                (self.campaign, key),
            ).fetchone()
            if found is not None:
                status, recipient, retryable, run_id = found
                if run_id == self._run_id:
                    raise DuplicateRowKeyError(f"row key {key!r} appears twice in this run")
                if status == IN_FLIGHT and not self.resend_unknown:
                    return HELD_ELSEWHERE
                reason = skip_reason_for(
                    status, recipient, bool(retryable), item, resend_unknown=self.resend_unknown
                )
                if reason is not None:
                    return reason
            conn.execute(sql.CLAIM, params)
            return None

        lost = await self._timed("claim", self._db.call(claim))
        if lost is None:
            self._claimed.add(key)
        return lost

    # The earlier one-item shape (``ItemJournal``), kept for code written against it.

    async def skip_reason(self, index: int, item: SendItem) -> str | None:
        """Why the item must not be sent now, or ``None``: ``skip_reasons`` for one item."""
        return (await self.skip_reasons([(index, item)])).get(index)

    async def before_send(self, index: int, item: SendItem) -> None:
        """Claim the row IN_FLIGHT whatever it holds; returns once that is committed.

        Raises:
            DuplicateRowKeyError: this run already claimed the same row key.
        """
        key = row_key(index, item)
        now = _now()
        params = (self.campaign, key, index, recipient_of(item), self._run_id, now, now)

        if await self._timed("claim", self._db.change(sql.CLAIM, params)) == 0:
            raise DuplicateRowKeyError(f"row key {key!r} appears twice in this run")
        self._claimed.add(key)

    async def record(self, outcome: SendOutcome) -> None:
        """Store the row's outcome: status, wamid, metaResponse, error, attempts, times.

        Committed with the next group (at the latest by :meth:`aclose`), not waited for.
        """
        write = record_write(outcome, self._claimed)
        if write is None:
            return
        key, kind = write
        statement = sql.RECORD_BY_WRITE[kind]
        status = outcome.status
        retryable = retryable_outcome(outcome)
        params = (
            self.campaign,
            key,
            outcome.index,
            recipient_of(outcome.item),
            status.name,
            self._run_id,
            outcome.wamid,
            meta_json(outcome),
            error_text(outcome.error),
            outcome.meta_error_code,
            int(retryable),
            outcome.attempts,
            outcome.reason,
            _now(),
        )
        # Only the claim must be durable before its request (before_send waits for its
        # commit). The outcome joins the next group commit, with the claims of rows starting
        # meanwhile, instead of holding its worker for a commit of its own; a crash before
        # that commit leaves the row IN_FLIGHT, which a rerun skips as MAYBE_SENT. Reads
        # through this journal see it at once (they queue behind it).
        # A row this run claimed is written by this record alone: it may run after the
        # group's claims (see _worker).
        await self._timed(
            "record", self._db.submit(statement, params, movable=statement is sql.RECORD)
        )

    async def _timed(self, operation: str, write: Awaitable[R]) -> R:
        """Await ``write``, measured as ``engagive.journal.write.duration`` when metrics are on."""
        telemetry = current()
        if not telemetry.metrics:
            return await write
        started = time.perf_counter()
        try:
            return await write
        finally:
            telemetry.record_journal_write(operation, time.perf_counter() - started)

    # --- reading ----------------------------------------------------------------------------

    async def entry(self, key: str | int) -> JournalEntry | None:
        """The campaign's row with this key, or ``None``."""
        found = await self._db.call(
            lambda c: c.execute(
                f"SELECT {sql.SELECT_COLUMNS} FROM engagive_sends "  # noqa: S608 - constant columns
                "WHERE campaign = ? AND row_key = ?",
                (self.campaign, str(key)),
            ).fetchone(),
            writes=False,
        )
        return entry_from_row(found) if found is not None else None

    async def summary(self) -> JournalSummary:
        """The campaign's rows by status, and FAILED/UNKNOWN rows by Meta error code."""

        def query(conn: sqlite3.Connection) -> JournalSummary:
            by_status = dict(
                conn.execute(
                    "SELECT status, count(*) FROM engagive_sends WHERE campaign = ? "
                    "GROUP BY status ORDER BY status",
                    (self.campaign,),
                ).fetchall()
            )
            codes = conn.execute(
                "SELECT meta_error_code, count(*), min(meta_response), min(error) "
                "FROM engagive_sends WHERE campaign = ? AND meta_error_code IS NOT NULL "
                "AND status IN ('FAILED', 'UNKNOWN') "
                "GROUP BY meta_error_code ORDER BY count(*) DESC, meta_error_code",
                (self.campaign,),
            ).fetchall()
            return summary_from_rows(self.campaign, by_status, codes)

        return await self._db.call(query, writes=False)

    async def campaigns(self) -> list[str]:
        """Every campaign name in the file, sorted."""
        rows = await self._db.call(
            lambda c: c.execute(
                "SELECT DISTINCT campaign FROM engagive_sends ORDER BY campaign"
            ).fetchall(),
            writes=False,
        )
        return [row[0] for row in rows]

    async def export_csv(self, dest: str | Path) -> int:
        """Write the campaign's rows (in input order) to a CSV file; returns the row count.

        Rows stream from the database to the file, so a large campaign is never in memory.
        """

        def export(conn: sqlite3.Connection) -> int:
            count = 0
            with Path(dest).open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(sql.EXPORT_COLUMNS)
                cursor = conn.execute(
                    f"SELECT {sql.SELECT_COLUMNS} FROM engagive_sends "  # noqa: S608 - constant columns
                    "WHERE campaign = ? ORDER BY row_index, row_key",
                    (self.campaign,),
                )
                for row in cursor:
                    writer.writerow(export_row(self.campaign, row))
                    count += 1
            return count

        return await self._db.call(export, writes=False)


_last_stamp: tuple[int, str] = (-1, "")


def _now() -> str:
    """The time in ISO 8601 to the millisecond; formatted once per millisecond, since a
    campaign stamps two rows per send, thousands a second."""
    global _last_stamp
    ms = time.time_ns() // 1_000_000
    if ms != _last_stamp[0]:
        moment = dt.datetime.fromtimestamp(ms // 1000, dt.UTC).replace(microsecond=ms % 1000 * 1000)
        stamp = moment.isoformat(timespec="milliseconds")
        _last_stamp = (ms, stamp)
    return _last_stamp[1]
