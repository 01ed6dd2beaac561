"""One SQLite connection, used from a worker thread, with group commits.

sqlite3 blocks, so every operation runs in a worker thread, one at a time over one connection.
Operations arriving while a transaction is under way queue up and run together in the next one
(group commit): each caller still returns only once its operation is committed, but 64 sends in
flight share one commit instead of paying one each.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import attrs

__all__ = ["SqliteWorker"]

T = TypeVar("T")


@attrs.define(eq=False)
class _Op:
    run: Callable[[sqlite3.Connection], Any]
    writes: bool
    done: bool = False
    result: Any = None
    error: BaseException | None = None


class SqliteWorker:
    """Runs operations on one connection to ``path``, opened on first use (WAL mode).

    Args:
        path: the database file.
        schema: a statement run once after connecting (``CREATE TABLE IF NOT EXISTS ...``).
        synchronous: SQLite's ``synchronous`` pragma.
        create: create the file when missing (else ``FileNotFoundError``).
    """

    def __init__(self, path: Path, *, schema: str, synchronous: str, create: bool) -> None:
        self.path = path
        self._schema = schema
        self._synchronous = synchronous
        self._create = create
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self._queue: list[_Op] = []
        self._lock = anyio.Lock()
        self._thread = anyio.CapacityLimiter(1)

    async def open(self) -> None:
        """Connect now rather than on first use."""
        async with self._lock:
            await self._ensure_open()

    async def call(self, run: Callable[[sqlite3.Connection], T], *, writes: bool = True) -> T:
        """Run ``run(connection)`` in a transaction; its result once committed.

        Args:
            run: the operation; its exception is raised here, without failing the group.
            writes: whether it writes (a group of reads takes no write lock).
        """
        op = _Op(run, writes)
        self._queue.append(op)
        async with self._lock:
            if not op.done:  # nobody ran it while we waited: run everything queued
                await self._ensure_open()
                batch, self._queue = self._queue, []
                assert self._conn is not None
                await anyio.to_thread.run_sync(_execute, self._conn, batch, limiter=self._thread)
        if op.error is not None:
            raise op.error
        result: T = op.result
        return result

    async def aclose(self) -> None:
        """Run what is queued and close the connection. Safe to call twice."""
        async with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                await anyio.to_thread.run_sync(self._drain_and_close, conn, limiter=self._thread)
            self._closed = True

    async def _ensure_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the journal {self.path} is closed")
        if self._conn is None:
            self._conn = await anyio.to_thread.run_sync(self._connect, limiter=self._thread)

    def _connect(self) -> sqlite3.Connection:
        if not self._create and not self.path.exists():
            raise FileNotFoundError(f"no journal at {self.path}")
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
            conn.execute(self._schema)
        except BaseException:
            conn.close()
            raise
        return conn

    def _drain_and_close(self, conn: sqlite3.Connection) -> None:
        try:
            batch, self._queue = self._queue, []
            if batch:
                _execute(conn, batch)
        finally:
            conn.close()


def _execute(conn: sqlite3.Connection, batch: list[_Op]) -> None:
    """Run queued operations in one transaction; their results count only once committed."""
    try:
        # Readers alone do not take the write lock, so a report never stalls a running campaign.
        conn.execute("BEGIN IMMEDIATE" if any(op.writes for op in batch) else "BEGIN")
        for op in batch:
            try:
                op.result = op.run(conn)
            except Exception as exc:  # noqa: BLE001 - the op's failure is its caller's, not the group's
                op.error = exc
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        for op in batch:
            op.result, op.error = None, exc
    finally:
        for op in batch:
            op.done = True
