"""One SQLite connection, used from a worker thread, with group commits.

sqlite3 blocks, so every operation runs in a worker thread, one at a time over one connection.
Operations arriving while a transaction is under way queue up and run together in the next one
(group commit): each caller still returns only once its operation is committed, but 64 sends in
flight share one commit instead of paying one each. The caller that finds nobody committing
becomes the committer and runs transactions until the queue is empty; the others wait on their
operation's own event, so a group of 64 costs one thread hop, not 64 turns of a lock.

Inside a group, consecutive rows of one statement go to SQLite in one ``executemany`` (under a
savepoint, redone row by row when a row changed nothing, so that each caller learns its own row
count): sqlite3 releases the GIL around every statement, and a thread that must win the GIL back
64 times from a busy event loop waits most of a group's time for it. Outcome writes that may
move (``movable``: a row this run claimed, which no other queued write touches) run after the
group's other writes, so the claims form one run and the outcomes another; a read or any other
operation is a barrier that nothing moves past.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio

__all__ = ["SqliteWorker"]

T = TypeVar("T")


class _Op:
    """One queued operation. A plain slotted class: two are made per journaled send."""

    __slots__ = (
        "detached",
        "done",
        "error",
        "finished",
        "movable",
        "params",
        "result",
        "run",
        "statement",
        "writes",
    )

    def __init__(
        self,
        run: Callable[[sqlite3.Connection], Any] | None,
        writes: bool,
        *,
        detached: bool = False,
        statement: str | None = None,
        params: tuple[object, ...] = (),
        movable: bool = False,
    ) -> None:
        self.run = run
        self.writes = writes
        self.statement = statement  # a write statement run with params (instead of run)
        self.params = params
        self.movable = movable
        self.detached = detached  # submitted: nobody waits for its result
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        # Made only by a caller that waits for a committer: most operations never need one.
        self.finished: anyio.Event | None = None

    def wake(self) -> None:
        if self.finished is not None:
            self.finished.set()


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
        result: T = await self._wait(_Op(run, writes))
        return result

    async def _wait(self, op: _Op) -> Any:
        """Queue ``op`` and return its result once committed (or raise its error)."""
        self._queue.append(op)
        if self._committing:
            op.finished = anyio.Event()
            await op.finished.wait()  # the committer runs it, with whatever else is queued
        if not op.done:  # nobody was committing (or the committer left early): commit now
            await self._commit_queued()
        if op.error is not None:
            raise op.error
        return op.result

    async def change(self, statement: str, params: tuple[object, ...]) -> int:
        """Run one write statement; the number of rows it changed, once committed."""
        changed: int = await self._wait(_Op(None, True, statement=statement, params=params))
        return changed

    async def submit(
        self, statement: str, params: tuple[object, ...], *, movable: bool = False
    ) -> None:
        """Queue a write statement whose caller need not wait for its commit.

        While a group is being committed, the write joins the next one (the committer keeps
        going until the queue is empty) and this returns at once; otherwise it is committed
        now, as :meth:`call` would. An error of a write nobody waited for is raised by
        :meth:`aclose`.

        Args:
            statement: the SQL statement.
            params: its parameters.
            movable: no other queued write touches its row, so it may run after them.
        """
        op = _Op(None, True, detached=True, statement=statement, params=params, movable=movable)
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
                            op.wake()
                            if op.detached and op.error is not None and self._lost is None:
                                self._lost = op.error
        finally:
            self._committing = False
            # A caller left waiting (this committer was cancelled between groups, or failed to
            # open the file) takes over; submitted writes alone wait for the next call or aclose.
            waiting = next((op for op in self._queue if not op.detached), None)
            if waiting is not None:
                waiting.wake()

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
                        op.wake()
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
        for run in _plan(batch):
            _run(conn, run)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        for op in batch:
            op.result, op.error = None, exc
    finally:
        for op in batch:
            op.done = True


def _plan(batch: list[_Op]) -> list[list[_Op]]:
    """The group in runs to execute in turn: an operation with a callable alone, else the
    consecutive rows of one statement; movable writes after the others, never past a barrier."""
    plan: list[list[_Op]] = []
    fixed: list[_Op] = []
    movable: list[_Op] = []

    def flush() -> None:
        for op in (*fixed, *movable):
            if plan and plan[-1][0].statement is not None and plan[-1][0].statement == op.statement:
                plan[-1].append(op)
            else:
                plan.append([op])
        fixed.clear()
        movable.clear()

    for op in batch:
        if op.statement is None:
            flush()
            plan.append([op])
        else:
            (movable if op.movable else fixed).append(op)
    flush()
    return plan


def _run(conn: sqlite3.Connection, run: list[_Op]) -> None:
    """One run of :func:`_plan`; each operation's failure is its caller's, not the group's."""
    first = run[0]
    if first.statement is None:
        assert first.run is not None
        try:
            first.result = first.run(conn)
        except Exception as exc:  # noqa: BLE001 - the op's failure is its caller's
            first.error = exc
        return
    if len(run) > 1:
        conn.execute("SAVEPOINT engagive_run")
        try:
            changed = conn.executemany(first.statement, [op.params for op in run]).rowcount
        except sqlite3.Error:
            changed = -1
        if changed == len(run):  # every row changed one row: each caller's count is 1
            conn.execute("RELEASE engagive_run")
            for op in run:
                op.result = 1
            return
        # A row changed nothing (a duplicate claim) or failed: undo, and learn which, row by row.
        conn.execute("ROLLBACK TO engagive_run")
        conn.execute("RELEASE engagive_run")
    for op in run:
        try:
            op.result = conn.execute(op.statement, op.params).rowcount  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - the op's failure is its caller's
            op.error = exc
