"""PostgresPacing: one pace per WhatsApp number, shared by every worker through PostgreSQL.

Meta counts a number's throughput (80 messages per second by default), its pauses and its pair
limit per number, whichever process sends. Workers on several machines therefore share one
row per number (the *pacing key*) holding a GCRA schedule on the database's clock: the time the
next message may start (``next_slot``), and a pause that every worker honours (``paused_until``).

The database is not asked once per message. A worker collects the requests waiting in it and
*leases* slots for all of them in one statement: ``n`` consecutive slots of the shared schedule,
which it then hands out on its own clock. The same statement books the recipients of those
requests (one row per recipient with the time it is free again, for Meta's pair limit) and
reads the shared pause. A worker leases again only when its slots are about to run out, so in a
busy campaign one round trip serves a whole block; a block is what is waiting, capped at
``block`` (by default a tenth of a second's worth of the rate). A worker that dies holding a
lease wastes at most that one block of the number's capacity: nobody else sends in those slots.

A pause (a 429, or a Meta ``RETRY``/``SLOW_DOWN`` error) holds the pausing worker at once; it is
stored in the key's row and announced with ``NOTIFY``. Every worker listens on a second
connection, so the others hear it within milliseconds and drop the slots they hold inside the
pause; a worker that missed the announcement (its listening connection was down) still reads
the pause with its next lease, at most the slots it holds later. Checking for a pause costs
nothing per message: it is a comparison with a time in memory.

Works on asyncio (psycopg's async connection); needs the ``postgres`` extra. Each worker holds
two connections: one for leases and pauses, one listening.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import anyio
import attrs

from engagive_async._checks._arguments import check_at_least, check_name, check_positive
from engagive_async._errors import EngagiveError

if TYPE_CHECKING:
    import asyncio

    import psycopg

__all__ = ["PacingUnavailableError", "PostgresPacing"]

log = logging.getLogger("engagive_async")

#: Meta's pair limit allows about one message per 6 seconds between a number and one user
#: (bursts of 45 by borrowing, then 131056); spacing every message 6 s never borrows.
DEFAULT_RECIPIENT_SPACING = 6.0
#: The default block: this many seconds' worth of the rate per lease.
_LEASE_SECONDS = 0.1
#: Serialises the first creation of the tables between workers starting together.
_SCHEMA_LOCK = 0x656E6761  # "enga"
#: How many leases pass between two sweeps of recipients that are long free again.
_SWEEP_EVERY = 500
#: A statement that takes longer than this means the database is gone for this worker.
_STATEMENT_TIMEOUT = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS engagive_pacing (
    pacing_key   text PRIMARY KEY,
    next_slot    double precision NOT NULL DEFAULT 0,
    paused_until double precision NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS engagive_pacing_recipient (
    pacing_key text NOT NULL,
    recipient  text NOT NULL,
    free_at    double precision NOT NULL,
    PRIMARY KEY (pacing_key, recipient)
);
"""

# One round trip: book the recipients, lease one slot per request that may go now, read the
# pause. Times are seconds since the epoch on the database's clock, the one clock all workers
# share. A recipient starts at max(its free_at, now) and is free again `spacing` later; the
# lease starts after the last slot anyone took, and never inside a pause.
_LEASE = """
WITH clock AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS now),
booked AS (
    INSERT INTO engagive_pacing_recipient AS r (pacing_key, recipient, free_at)
    SELECT %(key)s, x, clock.now + %(spacing)s FROM unnest(%(recipients)s::text[]) AS x, clock
    ON CONFLICT (pacing_key, recipient) DO UPDATE
        SET free_at = greatest(r.free_at, EXCLUDED.free_at - %(spacing)s) + %(spacing)s
    RETURNING r.recipient, r.free_at - %(spacing)s AS start_at
),
ready AS (
    SELECT b.recipient, b.start_at, b.start_at <= clock.now + %(slack)s AS ready
    FROM booked AS b, clock
),
want AS (SELECT %(plain)s + count(*) FILTER (WHERE ready) AS n FROM ready),
lease AS (
    UPDATE engagive_pacing AS p
    SET next_slot = greatest(p.next_slot, clock.now, p.paused_until) + want.n * %(interval)s
    FROM clock, want
    WHERE p.pacing_key = %(key)s
    RETURNING p.next_slot - want.n * %(interval)s AS first_slot, p.paused_until, clock.now
)
SELECT lease.first_slot, lease.paused_until, lease.now,
       (SELECT coalesce(json_agg(json_build_array(recipient, start_at, ready)), '[]')
        FROM ready)::text
FROM lease
"""

# The pause is stored (for workers that start or reconnect later, and read at every lease)
# and announced on a channel every worker listens on, so it reaches them within milliseconds.
_PAUSE = """
WITH paused AS (
    UPDATE engagive_pacing
    SET paused_until = greatest(paused_until, extract(epoch FROM clock_timestamp()) + %(seconds)s)
    WHERE pacing_key = %(key)s
    RETURNING pacing_key, paused_until
)
SELECT pg_notify(%(channel)s, json_build_array(pacing_key, paused_until)::text) FROM paused
"""
#: The notification channel of pauses (payload: the key and the pause's end, as JSON).
_CHANNEL = "engagive_pacing_pause"
#: Seconds between attempts to listen again after the listening connection broke.
_LISTEN_RETRY = 1.0

_SWEEP = """
DELETE FROM engagive_pacing_recipient
WHERE pacing_key = %(key)s AND free_at < extract(epoch FROM clock_timestamp()) - 60
"""


class PacingUnavailableError(EngagiveError):
    """The shared pace could not be reached, so no request was started."""


@attrs.define(eq=False)
class _Waiter:
    """One request waiting for its start, and what the last lease said about it."""

    recipient: str | None
    answered: bool = False
    #: a slot of the shared rate is this waiter's (else it waits for its recipient only)
    has_slot: bool = False
    #: the local clock time it may start (or try again, without a slot)
    start_at: float = 0.0
    #: the pause generation the slot was leased in; a later pause voids the slot
    generation: int = 0


@attrs.define
class _ClockOffset:
    """The database's clock minus this process's, from the round trip that measured it best.

    A lease's slots are times on the database's clock; a worker whose event loop was busy when
    the answer came would, reading its clock then, place them late, on top of the next
    worker's slots. So, as NTP does, keep the sample with the shortest round trip (trusted a
    little less as it ages, since clocks drift apart).
    """

    offset: float = 0.0
    error: float = math.inf
    taken_at: float = 0.0

    def update(self, db_now: float, sent_at: float, answered_at: float) -> None:
        half = (answered_at - sent_at) / 2
        aged = self.error + (answered_at - self.taken_at) * 1e-3
        if half <= aged:
            self.offset = db_now - (sent_at + half)
            self.error = half
            self.taken_at = answered_at


class PostgresPacing:
    """A pace shared through PostgreSQL by every worker that sends for one number.

    It implements :class:`~engagive_async.Pacing`: pass it as ``send_many(..., pacing=...)``.
    Each worker process opens its own (two connections: leases and pauses, and one listening
    for pauses); all of them with the same ``key`` and ``rate`` share one limit. Tables are
    created on first use.

    Args:
        dsn: a libpq connection string (``postgresql://user@host/db``).
        key: what the limit belongs to: the sending number (``"number:1065..."``) or an
            account; one schedule per key.
        rate: messages per second for the key, all workers together (Meta's default per number
            is 80).
        burst: how many may start back to back; default a tenth of a second's worth.
        recipient_spacing: seconds between two messages to one recipient, across all workers
            (Meta's pair limit, error 131056); ``None`` or ``0`` to book no recipients.
        block: the most slots one lease takes (default a tenth of a second's worth of the
            rate): larger blocks mean fewer round trips, and more of the number's capacity lost
            if a worker dies holding one (nobody else sends in its slots).

    Raises:
        ValidationError: a setting out of range (naming it), before any connection.

    Use it as ``async with PostgresPacing(...) as pacing:`` or call :meth:`aclose` at the end;
    it connects on first use.
    """

    def __init__(
        self,
        dsn: str,
        *,
        key: str,
        rate: float,
        burst: int | None = None,
        recipient_spacing: float | None = DEFAULT_RECIPIENT_SPACING,
        block: int | None = None,
    ) -> None:
        check_positive(rate, "rate")
        if burst is not None:
            check_at_least(burst, 1, "burst")
        if block is not None:
            check_at_least(block, 1, "block")
        if recipient_spacing is not None:
            check_at_least(recipient_spacing, 0, "recipient_spacing")
        check_name(key, "key")
        self._dsn = dsn
        self._key = key
        self._rate = rate
        self._interval = 1.0 / rate
        self._burst = burst if burst is not None else max(1, int(rate * _LEASE_SECONDS))
        self._tolerance = self._interval * (self._burst - 1)
        self._spacing = recipient_spacing or 0.0
        self._block = block if block is not None else max(1, math.ceil(rate * _LEASE_SECONDS))
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._open_lock = anyio.Lock()
        self._closed = False
        self._queue: list[_Waiter] = []
        self._leasing = False
        self._lease_done = anyio.Event()
        #: local clock time at which the last slot this worker leased ends
        self._slots_end = 0.0
        self._paused_until = 0.0
        self._generation = 0
        self._round_trips = 0
        self._leases = 0
        self._rtt = 0.001
        self._clock = _ClockOffset()
        self._last_call = (0.0, 0.0)  # when the last statement was sent, and answered

    def __repr__(self) -> str:
        return f"PostgresPacing(key={self._key!r}, rate={self._rate:g}/s, block={self._block})"

    @property
    def key(self) -> str:
        """What the limit belongs to."""
        return self._key

    @property
    def round_trips(self) -> int:
        """Statements this worker sent to the database (leases, pauses, sweeps, setup)."""
        return self._round_trips

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self._connection()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (idempotent). The shared schedule stays in the database."""
        self._closed = True
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(anyio.get_cancelled_exc_class()):
                await listener
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    # --- Pacing ----------------------------------------------------------------------------

    async def acquire(self, recipient: str | None = None) -> None:
        """Wait for a slot of the shared rate, past any shared pause and the recipient's spacing.

        Raises:
            PacingUnavailableError: the database could not be reached (nothing was started).
        """
        if not self._spacing:
            recipient = None
        while True:
            await self._wait_out_pause()
            waiter = _Waiter(recipient)
            self._queue.append(waiter)
            try:
                await self._until_answered(waiter)
            finally:
                if not waiter.answered:
                    self._queue.remove(waiter)
            await anyio.sleep_until(waiter.start_at)
            if not waiter.has_slot:
                recipient = None  # booked; its time has come: now a slot of the rate
                continue
            if waiter.generation == self._generation or waiter.start_at >= self._paused_until:
                return
            recipient = None  # a pause came after the lease over this slot: void, lease anew

    async def pause(self, seconds: float) -> None:
        """Hold every worker of this key for ``seconds`` from now (a longer pause wins).

        This worker stops at once; the others when the announcement reaches them (a few
        milliseconds), or at the latest at their next lease.
        """
        until = anyio.current_time() + seconds
        if until <= self._paused_until:
            return  # a pause as long is already set (many requests meet the same 429)
        self._paused_until = until
        self._generation += 1
        try:
            with anyio.CancelScope(shield=True):
                await self._execute(
                    _PAUSE, {"key": self._key, "seconds": seconds, "channel": _CHANNEL}
                )
        except PacingUnavailableError:
            # This worker holds still regardless; its next lease reports the database's state.
            log.warning("could not share a %.1fs pause for %r", seconds, self._key)

    # --- leasing ---------------------------------------------------------------------------

    async def _wait_out_pause(self) -> None:
        while True:  # a pause read meanwhile may extend it
            wait = self._paused_until - anyio.current_time()
            if wait <= 0:
                return
            await anyio.sleep(wait)

    async def _until_answered(self, waiter: _Waiter) -> None:
        # One lease at a time per worker; whoever finds none running runs the next one.
        while not waiter.answered:
            if self._leasing:
                await self._lease_done.wait()
                continue
            self._leasing = True
            try:
                await self._hold_until_slots_run_low()
                with anyio.CancelScope(shield=True):
                    await self._lease()
            finally:
                self._leasing = False
                done, self._lease_done = self._lease_done, anyio.Event()
                done.set()

    async def _hold_until_slots_run_low(self) -> None:
        # Lease again just before the slots already handed out run out: meanwhile more
        # requests join the queue, and the next lease serves them all in one round trip.
        # "Just before" is the burst window ahead: the schedule is then still ahead of the
        # clock, so the next slots follow on evenly instead of as one burst.
        if len(self._queue) < self._block:
            await anyio.sleep_until(self._slots_end - self._tolerance - 2 * self._rtt)

    async def _lease(self) -> None:
        batch: list[_Waiter] = []
        booking: set[str] = set()
        for waiter in self._queue:
            if len(batch) >= self._block:
                break
            if waiter.recipient is not None:
                if waiter.recipient in booking:
                    continue  # one booking per recipient and lease: the second waits its turn
                booking.add(waiter.recipient)
            batch.append(waiter)
        if not batch:
            return
        plain = sum(1 for waiter in batch if waiter.recipient is None)
        # A pause heard while the statement runs may fall over the slots it hands out.
        generation = self._generation
        row = await self._execute(
            _LEASE,
            {
                "key": self._key,
                "spacing": self._spacing,
                "recipients": list(booking),
                "slack": _LEASE_SECONDS,
                "plain": plain,
                "interval": self._interval,
            },
        )
        if row is None:
            raise PacingUnavailableError(f"no pacing row for key {self._key!r}")
        first_slot: float = row[0]
        paused_until: float = row[1]
        db_now: float = row[2]
        booked_json: str = row[3]
        now = anyio.current_time()
        self._clock.update(db_now, *self._last_call)
        offset = self._clock.offset

        def local(db_time: float) -> float:
            return db_time - offset

        if paused_until > db_now:
            self._heard_pause(paused_until)
        booked = {name: (start, ready) for name, start, ready in json.loads(booked_json)}
        slot = 0
        for waiter in batch:
            self._queue.remove(waiter)
            waiter.answered = True
            waiter.generation = generation
            recipient_start = db_now
            if waiter.recipient is not None:
                recipient_start, ready = booked[waiter.recipient]
                if not ready:
                    waiter.start_at = local(recipient_start)
                    continue
            waiter.has_slot = True
            start = first_slot + slot * self._interval - self._tolerance
            # Never inside a pause, not even by the burst's allowance.
            waiter.start_at = max(now, local(start), local(recipient_start), local(paused_until))
            slot += 1
        self._slots_end = local(first_slot + slot * self._interval)
        self._leases += 1
        if self._spacing and self._leases % _SWEEP_EVERY == 0:
            await self._execute(_SWEEP, {"key": self._key})

    def _heard_pause(self, db_until: float) -> None:
        """Another worker paused the key (until ``db_until`` on the database's clock)."""
        until = db_until - self._clock.offset
        if until > self._paused_until:
            self._paused_until = until
            self._generation += 1  # slots leased before that fall inside the pause are void

    async def _listen(self) -> None:
        """Hear the pauses other workers announce, on a connection of its own, until closed."""
        import psycopg

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {_CHANNEL}")
                    async for note in conn.notifies():
                        key, db_until = json.loads(note.payload)
                        if key == self._key:
                            self._heard_pause(float(db_until))
            except (psycopg.Error, OSError) as exc:
                # Pauses still arrive with every lease meanwhile; try to listen again soon.
                log.info("pause announcements for %r not heard: %s", self._key, exc)
                await anyio.sleep(_LISTEN_RETRY)

    # --- the database ----------------------------------------------------------------------

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        async with self._open_lock:
            if self._conn is not None and not self._conn.closed:
                return self._conn
            if self._closed:
                raise PacingUnavailableError("this PostgresPacing is closed")
            import psycopg  # the postgres extra; imported here so the SDK works without it

            conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                await conn.execute(_SCHEMA)
                await conn.execute(
                    "INSERT INTO engagive_pacing (pacing_key) VALUES (%s) ON CONFLICT DO NOTHING",
                    (self._key,),
                )
            # The first reading of the database's clock, before any pause is heard.
            sent_at = anyio.current_time()
            cursor = await conn.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
            clock = await cursor.fetchone()
            assert clock is not None
            self._clock.update(clock[0], sent_at, anyio.current_time())
            self._round_trips += 2
            self._conn = conn
            if self._listener is None:
                # A background task as psycopg_pool keeps its workers: it lives with this
                # object (started on first use, ended by aclose), not with one caller's scope.
                import asyncio  # this pace runs on asyncio (see the class); loaded by its loop

                self._listener = asyncio.get_running_loop().create_task(self._listen())
            return conn

    async def _execute(self, sql: str, params: dict[str, Any]) -> Any:
        """Run one statement, reconnecting once; its first row, or None."""
        import psycopg

        for attempt in (1, 2):
            try:
                conn = await self._connection()
                started = anyio.current_time()
                with anyio.fail_after(_STATEMENT_TIMEOUT):
                    cursor = await conn.execute(sql, params)
                    row = await cursor.fetchone() if cursor.description else None
                answered = anyio.current_time()
                self._round_trips += 1
                self._last_call = (started, answered)
                self._rtt = 0.8 * self._rtt + 0.2 * (answered - started)
                return row
            except (psycopg.OperationalError, TimeoutError, OSError) as exc:
                broken, self._conn = self._conn, None
                if broken is not None:
                    with anyio.CancelScope(shield=True):
                        await broken.close()
                if attempt == 2:
                    raise PacingUnavailableError(
                        f"the shared pacing for {self._key!r} is unreachable: {exc}"
                    ) from exc
        raise AssertionError("unreachable")  # pragma: no cover
