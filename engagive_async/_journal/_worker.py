"""One SQLite connection, used from a worker thread, with group commits.

sqlite3 blocks, so every operation runs in a worker thread, one at a time over one connection.
Operations arriving while a transaction is under way queue up and run together in the next one
(group commit): each caller still returns only once its operation is committed, but 64 sends in
flight share one commit instead of paying one each. The caller that finds nobody committing
becomes the committer and runs transactions until the queue is empty; the others wait on their
operation's own event, so a group of 64 costs one thread hop, not 64 turns of a lock.
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
    finished: anyio.Event = attrs.field(factory=anyio.Event)
    detached: bool = False  # submitted: nobody waits for its result
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
        self._committing = False
        self._lost: BaseException | None = None  # the first error of a submitted write
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
        if self._committing:
            await op.finished.wait()  # the committer runs it, with whatever else is queued
        if not op.done:  # nobody was committing (or the committer left early): commit now
            await self._commit_queued()
        if op.error is not None:
            raise op.error
        result: T = op.result
        return result

    async def submit(self, run: Callable[[sqlite3.Connection], object]) -> None:
        """Queue a write whose caller need not wait for its commit.

        While a group is being committed, the write joins the next one (the committer keeps
        going until the queue is empty) and this returns at once; otherwise it is committed
        now, as :meth:`call` would. An error of a write nobody waited for is raised by
        :meth:`aclose`.
        """
        op = _Op(run, True, detached=True)
        self._queue.append(op)
        if self._committing:
            return
        await self._commit_queued()
        if op.error is not None:
            raise op.error

    async def _commit_queued(self) -> None:
        """Run queued operations, a transaction per group, until none is left."""
        self._committing = True
        try:
            async with self._lock:  # only against open() and aclose()
                while self._queue:
                    batch, self._queue = self._queue, []
                    try:
                        await self._ensure_open()
                        assert self._conn is not None
                        # Not cancellable: the thread finishes the transaction either way, and
                        # its callers must learn how it ended.
                        await anyio.to_thread.run_sync(
                            _execute, self._conn, batch, limiter=self._thread
                        )
                    except BaseException as exc:
                        unrun = [op for op in batch if not op.done]
                        if isinstance(exc, Exception):  # the file could not be opened
                            for op in unrun:
                                op.result, op.error, op.done = None, exc, True
                        else:  # cancelled before the thread started: the next committer runs them
                            self._queue[:0] = unrun
                            batch = [op for op in batch if op.done]
                        raise
                    finally:
                        for op in batch:
                            op.finished.set()
                            if op.detached and op.error is not None and self._lost is None:
                                self._lost = op.error
        finally:
            self._committing = False
            # A caller left waiting (this committer was cancelled between groups) takes over.
            for op in self._queue[:1]:
                op.finished.set()

    async def aclose(self) -> None:
        """Run what is queued and close the connection. Safe to call twice.

        Raises:
            sqlite3.Error: a write submitted with :meth:`submit` failed.
        """
        async with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                batch, self._queue = self._queue, []
                try:
                    await anyio.to_thread.run_sync(
                        _drain_and_close, conn, batch, limiter=self._thread
                    )
                finally:
                    for op in batch:
                        op.finished.set()
            self._closed = True
        lost, self._lost = self._lost, None
        if lost is not None:
            raise lost

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


def _drain_and_close(conn: sqlite3.Connection, batch: list[_Op]) -> None:
    try:
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
