"""Bounded concurrent sends: exactly one outcome per item, memory flat in the input size.

``concurrency`` workers pull items lazily from the input (a list, a generator, an async
iterator), send each through the pipeline (whose retry policy applies the at-most-once rule),
and hand one :class:`SendOutcome` per item to the consumer through a bounded stream, in chunks of
the outcomes that completed meanwhile. The input is never materialised and a few times
``concurrency`` outcomes at most wait for the consumer, so a million-item campaign holds about as
much memory as a hundred-item one.

With a journal, the input is read a chunk of ``concurrency`` items at a time, and the journal
checks the whole chunk at once; each item is then claimed just before its request (a lost claim
is SKIPPED), and a journal that fails stops the batch (see ``SendJournal``).

Stopping: a deadline, ``stop_on``, or the consumer leaving all stop the pulling of new items;
items pulled but not started are reported SKIPPED, and so is the rest of a sized input (a list);
an open-ended input (a generator, an async iterator) is left where it stopped, unread. Items in
flight get ``grace`` seconds for their answer and are then cancelled and reported UNKNOWN
(their request may have been delivered).

A batch is one ``send_many`` span with every item's ``send`` span under it (``trace_sends``
samples those or switches them off), and every outcome counts in the metrics (``_observed``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sized

import anyio
import sniffio
from anyio.abc import TaskGroup

from engagive_async._background import Producer, stream_from_background
from engagive_async._checks._fields import validate_recipient
from engagive_async._http import CallTrace
from engagive_async._observe import OFF, refresh
from engagive_async._pacing._protocol import PacedAhead, Pacing
from engagive_async._policy._resend import outcome_status_for
from engagive_async._sending._delivery import Delivery, one_by_one
from engagive_async._sending._observed import (
    OutcomeCounts,
    Sampler,
    log,
    message_kind,
    note_outcome,
    sampler,
)
from engagive_async._sending._options import BatchOptions
from engagive_async._sending._send_journal import (
    JOURNAL_UNAVAILABLE,
    DuplicateRowKeyError,
    ItemJournal,
    SendJournal,
    as_send_journal,
)
from engagive_async._sending._source import CheckedSource, Items, ItemSource
from engagive_async.models.batch import (
    BatchProgress,
    OutcomeStatus,
    SendItem,
    SendOutcome,
)
from engagive_async.models.results import SendResult

SENT, FAILED, UNKNOWN, SKIPPED = (
    OutcomeStatus.SENT,
    OutcomeStatus.FAILED,
    OutcomeStatus.UNKNOWN,
    OutcomeStatus.SKIPPED,
)

__all__ = ["BatchOptions", "ItemJournal", "Items", "Prepare", "SendJournal", "Sender", "run_batch"]

#: Sends one prepared item: given the batch's pace, and a trace to count attempts in.
Sender = Callable[[Pacing, CallTrace], Awaitable[SendResult]]
#: Validates an item (raising ValidationError) and returns its sender; no I/O.
Prepare = Callable[[SendItem], Sender]

_NO_SCOPE = contextlib.nullcontext()


def run_batch(
    items: Items, prepare: Prepare, options: BatchOptions
) -> AsyncGenerator[SendOutcome, None]:
    """The outcomes of sending ``items``; see :meth:`MessagesResource.send_many`."""
    run = _BatchRun(items, prepare, options)
    return one_by_one(
        stream_from_background(
            run.produce, buffer=0, on_consumer_exit=run.consumer_left, exit_grace=options.grace
        )
    )


class _BatchRun:
    def __init__(self, items: Items, prepare: Prepare, options: BatchOptions) -> None:
        self._prepare = prepare
        self._o = options
        self._pacing = options.pace()
        self._journal = as_send_journal(options.journal) if options.journal is not None else None
        self._total = len(items) if isinstance(items, Sized) else None
        self._traced: Sampler = sampler(options.trace_sends)
        # With a journal, the input is read a chunk at a time (one skip check per chunk).
        self._source = CheckedSource(ItemSource(items), self._journal, options.concurrency)
        self._journal_failed = False
        self._stop_reason: str | None = None
        self._in_flight: set[anyio.CancelScope] = set()
        self._unscoped = 0  # items in flight without a scope of their own
        # Only a deadline or stop_on cuts items off one by one (after the grace); without
        # either, no scope per item is needed.
        self._scoped = options.deadline is not None or options.stop_on is not None
        self._watchers: TaskGroup | None = None
        self._by_status = dict.fromkeys(OutcomeStatus, 0)
        self._started = 0.0
        self._clock = anyio.current_time
        self._delivery: Delivery | None = None  # made when produce() starts
        self._telemetry = OFF  # resolved when produce() starts
        self._counts: OutcomeCounts | None = None  # made then, when metrics are on

    def consumer_left(self) -> None:
        self._stop("cancelled")

    async def produce(self, producer: Producer[list[SendOutcome]]) -> None:
        self._delivery = Delivery(
            producer,
            ordered=self._o.ordered,
            capacity=self._o.concurrency,
            pulled=lambda: self._source.pulled,
        )
        self._clock = _clock()
        self._started = self._clock()
        telemetry = self._telemetry = refresh()
        if telemetry.metrics:
            self._counts = OutcomeCounts(telemetry)
        span = telemetry.start_batch(concurrency=self._o.concurrency, total=self._total)
        if log.isEnabledFor(logging.INFO):
            log.info(
                "batch started: %s items, concurrency %d",
                self._total if self._total is not None else "open-ended",
                self._o.concurrency,
                extra={"batch_total": self._total, "concurrency": self._o.concurrency},
            )
        try:
            with telemetry.activate(span):  # the background task's own context: no yields
                await self._run()
        finally:
            if self._counts is not None:
                self._counts.flush()
            if span is not None:
                by_status = {status.value: count for status, count in self._by_status.items()}
                telemetry.end_batch(span, by_status, self._stop_reason)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "batch ended: %s",
                    ", ".join(f"{k.value} {v}" for k, v in self._by_status.items()),
                    extra={
                        "by_status": {k.value: v for k, v in self._by_status.items()},
                        "stop_reason": self._stop_reason,
                        "elapsed_s": self._clock() - self._started,
                    },
                )
        if self._source.error is not None:
            raise self._source.error

    async def _run(self) -> None:
        try:
            async with anyio.create_task_group() as watchers:
                self._watchers = watchers
                if self._o.deadline is not None:
                    watchers.start_soon(self._watch_deadline, _deadline_at(self._o.deadline))
                async with anyio.create_task_group() as workers:
                    for _ in range(self._o.concurrency):
                        workers.start_soon(self._worker)
                watchers.cancel_scope.cancel()  # every worker is done: nothing left to watch
        finally:
            # A stop never pulls more from an open-ended input: a generator may be endless, or
            # a cursor its owner still wants. A sized input (a list) is already in memory, so
            # its items never pulled get their SKIPPED outcome, even while being torn down.
            # Items read ahead into a journal's chunk are reported SKIPPED too; from an
            # open-ended input they leave no journal row, like the rows never read.
            sized = self._total is not None
            with anyio.CancelScope(shield=True):
                for index, item in self._source.take_buffered():
                    skipped = SendOutcome(
                        index=index, item=item, status=SKIPPED, reason=self._stop_reason
                    )
                    await self._emit(skipped, record=sized)
                if sized:
                    await self._skip_the_rest()
                await self._flush_journal()

    async def _flush_journal(self) -> None:
        # A journal that writes outcomes in groups (it has ``flush``) writes the last group
        # before the batch ends, so a rerun right after sees every row as it is.
        flush = getattr(self._journal, "flush", None)
        if flush is None or self._journal_failed:
            return
        with contextlib.suppress(Exception):  # unwritten rows stay in flight: never resent
            await flush()

    async def _skip_the_rest(self) -> None:
        while (pulled := await self._source.next_unchecked()) is not None:
            index, item = pulled
            await self._emit(
                SendOutcome(index=index, item=item, status=SKIPPED, reason=self._stop_reason)
            )

    def _stop(self, reason: str) -> None:
        if self._stop_reason is not None:
            return
        self._stop_reason = reason
        # A consumer that left is handled by the stream: it cancels the whole run after grace.
        if reason != "cancelled" and self._watchers is not None:
            self._watchers.start_soon(self._cut_off_after_grace)

    async def _watch_deadline(self, deadline_at: float) -> None:
        await anyio.sleep_until(deadline_at)
        self._stop("deadline")

    async def _cut_off_after_grace(self) -> None:
        await anyio.sleep(self._o.grace)
        for scope in list(self._in_flight):
            scope.cancel()

    async def _worker(self) -> None:
        while self._stop_reason is None:
            if self._o.ordered:
                await self._out.wait_for_room()
            pulled = await self._source.next()
            if pulled is None:
                return
            index, item, skip = pulled
            stopped_while_pulling = self._current_stop()  # the pull awaited: a stop may have come
            if stopped_while_pulling is not None:
                await self._emit(
                    SendOutcome(
                        index=index, item=item, status=SKIPPED, reason=stopped_while_pulling
                    )
                )
                return
            await self._send(index, item, skip)

    @property
    def _out(self) -> Delivery:
        assert self._delivery is not None  # produce() makes it before starting any worker
        return self._delivery

    def _current_stop(self) -> str | None:
        # A method, not the attribute, so type checkers do not carry a narrowing across awaits.
        return self._stop_reason

    async def _skip(self, index: int, item: SendItem, reason: str) -> None:
        # The journal's word (or its failure): the row is not this run's to write.
        await self._emit(
            SendOutcome(index=index, item=item, status=SKIPPED, reason=reason), record=False
        )
        if reason == JOURNAL_UNAVAILABLE:
            self._journal_down()

    def _journal_down(self) -> None:
        self._journal_failed = True
        self._stop(JOURNAL_UNAVAILABLE)

    async def _claim(self, journal: SendJournal, index: int, item: SendItem) -> str | None:
        """None once the row is durably this run's; else why the item is not sent."""
        if self._journal_failed:
            return JOURNAL_UNAVAILABLE
        lost: str | None = JOURNAL_UNAVAILABLE
        try:
            with anyio.CancelScope(shield=True):
                lost = await journal.claim(index, item)
        except DuplicateRowKeyError:
            raise  # the item's own fault: it becomes FAILED
        except Exception:  # noqa: BLE001 - no durable claim, no send: stop the batch
            return JOURNAL_UNAVAILABLE
        return lost

    async def _send(self, index: int, item: SendItem, skip: str | None) -> None:
        journal = self._journal
        if skip is not None:
            await self._skip(index, item, skip)
            return
        try:
            send = self._prepare(item)
        except Exception as exc:  # noqa: BLE001 - invalid item: FAILED, the batch goes on
            await self._emit(SendOutcome(index=index, item=item, status=FAILED, error=exc))
            return
        telemetry = self._telemetry
        kind = message_kind(item)
        traced = telemetry.tracing and self._traced(index)
        trace = CallTrace(spans=traced)
        span = telemetry.start_send(kind) if traced else None
        started = self._clock()
        scope = anyio.CancelScope() if self._scoped else None
        if scope is not None:
            self._in_flight.add(scope)
        else:
            self._unscoped += 1
        result: SendResult | None = None
        error: BaseException | None = None
        reason: str | None = None
        lost: str | None = None  # why the journal did not give this run the row
        pacing = self._pacing
        try:
            with scope if scope is not None else _NO_SCOPE, telemetry.activate(span):
                if journal is not None:
                    # The pace first, then the claim: see PacedAhead.
                    await pacing.acquire(_recipient(item))
                    pacing = PacedAhead(pacing)
                    lost = await self._claim(journal, index, item)
                if lost is None:
                    result = await send(pacing, trace)
            status = SENT if result is not None else _cancelled_status(trace)
            reason = None if result is not None else self._stop_reason
        except anyio.get_cancelled_exc_class():
            # The whole batch is being torn down: still account for this item, then go.
            elapsed = self._clock() - started
            status = _cancelled_status(trace)
            if span is not None or telemetry.metrics:
                telemetry.end_send(span, kind, status.value, elapsed)
            with anyio.CancelScope(shield=True):
                await self._emit(
                    SendOutcome(
                        index=index,
                        item=item,
                        status=status,
                        reason="cancelled",
                        attempts=trace.attempts,
                        elapsed=elapsed,
                    )
                )
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes this item's outcome
            status, error = outcome_status_for(exc), exc
        finally:
            if scope is not None:
                self._in_flight.discard(scope)
            else:
                self._unscoped -= 1
        elapsed = self._clock() - started
        if lost is not None:
            if span is not None:
                telemetry.end_send(span, kind, SKIPPED.value, elapsed, wamid=None, error=None)
            await self._skip(index, item, lost)
            return
        if span is not None or telemetry.metrics:
            wamid = result.wamid if result is not None else None
            telemetry.end_send(span, kind, status.value, elapsed, wamid=wamid, error=error)
        await self._emit(
            SendOutcome(
                index=index,
                item=item,
                status=status,
                result=result,
                error=error,
                reason=reason,
                attempts=trace.attempts,
                elapsed=elapsed,
            )
        )

    async def _emit(self, outcome: SendOutcome, *, record: bool = True) -> None:
        self._by_status[outcome.status] += 1
        note_outcome(self._counts, outcome)
        # After a journal failure, an item never started adds nothing worth another try; an
        # answered one is still offered (the journal may be back), its row in flight if not.
        unstarted = outcome.status is SKIPPED and outcome.attempts == 0
        if record and self._journal is not None and not (self._journal_failed and unstarted):
            try:
                with anyio.CancelScope(shield=True):
                    await self._journal.record(outcome)
            except Exception:  # noqa: BLE001 - the row stays in flight (never resent); stop
                self._journal_down()
        if self._o.on_progress is not None:
            self._o.on_progress(self._progress())
        if self._o.stop_on is not None and self._o.stop_on(outcome):
            self._stop("stop_on")
        await self._out.put(outcome)

    def _progress(self) -> BatchProgress:
        return BatchProgress(
            done=sum(self._by_status.values()),
            total=self._total,
            by_status=dict(self._by_status),
            in_flight=len(self._in_flight) + self._unscoped,
            elapsed=self._clock() - self._started,
        )


def _clock() -> Callable[[], float]:
    """anyio's clock, resolved once: ``anyio.current_time`` asks which loop runs on every call."""
    if sniffio.current_async_library() == "asyncio":
        # Imported here, once per batch: asyncio is a twentieth of the package's import time,
        # and a trio program never needs it.
        import asyncio

        return asyncio.get_running_loop().time  # what anyio's asyncio backend returns
    return anyio.current_time


def _recipient(item: SendItem) -> str:
    # The item passed its checks (prepare ran): this is the number its request goes to.
    return validate_recipient(item.to)


def _cancelled_status(trace: CallTrace) -> OutcomeStatus:
    # Cancelled before its first request: never sent. After: it may have been delivered.
    return UNKNOWN if trace.attempts else SKIPPED


def _deadline_at(deadline: float | dt.datetime) -> float:
    """A deadline (seconds from now, or an aware datetime: ``BatchOptions`` checked it) on
    anyio's clock."""
    if isinstance(deadline, dt.datetime):
        seconds = deadline.timestamp() - time.time()
    else:
        seconds = float(deadline)
    return anyio.current_time() + max(0.0, seconds)
