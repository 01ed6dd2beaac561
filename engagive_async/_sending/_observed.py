"""How sends show in traces, metrics and logs: one place for a batch's items and single sends.

Each send is a ``send`` PRODUCER span (its HTTP call under it) carrying the wamid as
``messaging.message.id``, and one ``engagive.send.duration`` measurement; each outcome counts
once in ``engagive.sends`` by status and Meta error code. A batch's per-send spans can be
sampled (``send_many(trace_sends=0.01)``) or switched off (``trace_sends=False``) for big
campaigns: the batch's own span and every metric stay.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable

import anyio

from engagive_async._errors import ValidationError
from engagive_async._http import CallTrace
from engagive_async._observe import Telemetry, current, error_type, get_logger
from engagive_async._pacing._throttle import Throttle
from engagive_async._policy._resend import outcome_status_for
from engagive_async.models.batch import (
    OutcomeStatus,
    ReactionSend,
    SendItem,
    SendOutcome,
    SingleSend,
    TemplateSend,
)
from engagive_async.models.results import SendResult

__all__ = ["OutcomeCounts", "Sampler", "log", "message_kind", "note_outcome", "sampler", "send_one"]

log = get_logger("sending")

#: Decides from an item's index whether its send gets spans.
Sampler = Callable[[int], bool]


_KINDS: dict[type, str] = {TemplateSend: "template", ReactionSend: "reaction", SingleSend: "single"}


def message_kind(item: SendItem) -> str:
    """``engagive.message.kind``: which send endpoint the item goes to (a batch may be handed
    other objects: they fail validation, and count as ``unknown``)."""
    return _KINDS.get(type(item), "unknown")


def sampler(trace_sends: bool | float) -> Sampler:
    """Every item (``True``), none (``False``), or an evenly spread share (``0.0`` to ``1.0``).

    The share is deterministic (every ``1/ratio``-th item by index), so a rerun traces the
    same rows and the share holds over any stretch of the campaign.

    Raises:
        ValidationError: a ratio outside 0..1.
    """
    if trace_sends is True:
        return _always
    if trace_sends is False:
        return _never
    ratio = float(trace_sends)
    if not 0.0 <= ratio <= 1.0 or math.isnan(ratio):
        raise ValidationError(
            "trace_sends", f"must be a bool or a ratio from 0 to 1, got {trace_sends}"
        )
    if ratio == 1.0:
        return _always
    if ratio == 0.0:
        return _never

    def every_nth(index: int) -> bool:
        return math.floor((index + 1) * ratio) > math.floor(index * ratio)

    return every_nth


def _always(index: int) -> bool:
    return True


def _never(index: int) -> bool:
    return False


class OutcomeCounts:
    """A batch's outcome counts, added to ``engagive.sends`` in bulk.

    Each ``Counter.add`` costs the OpenTelemetry SDK several microseconds (it cleans and
    hashes the attributes), a third of what metrics cost per send: adding up locally and
    flushing every ``_FLUSH_EVERY`` outcomes or ``_FLUSH_SECONDS`` keeps the counter as fresh
    as any exporter reads it for a fraction of that.
    """

    _FLUSH_EVERY = 256
    _FLUSH_SECONDS = 1.0

    def __init__(self, telemetry: Telemetry) -> None:
        self._telemetry = telemetry
        self._counts: dict[tuple[str, str, int | None], int] = {}
        self._pending = 0
        self._flushed_at = time.monotonic()

    def add(self, outcome: SendOutcome) -> None:
        key = (message_kind(outcome.item), outcome.status.value, outcome.meta_error_code)
        self._counts[key] = self._counts.get(key, 0) + 1
        self._pending += 1
        if self._pending >= self._FLUSH_EVERY or (
            time.monotonic() - self._flushed_at >= self._FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        for (kind, status, code), count in self._counts.items():
            self._telemetry.count_outcome(kind, status, code, count)
        self._counts.clear()
        self._pending = 0
        self._flushed_at = time.monotonic()


def note_outcome(counts: OutcomeCounts | None, outcome: SendOutcome) -> None:
    """Count an outcome and log it at DEBUG (index, status, codes: never the recipient)."""
    if counts is not None:
        counts.add(outcome)
    if log.isEnabledFor(logging.DEBUG):
        error = outcome.error
        log.debug(
            "item %d %s after %d attempt(s)",
            outcome.index,
            outcome.status.value,
            outcome.attempts,
            extra={
                "item_index": outcome.index,
                "outcome_status": outcome.status.value,
                "attempts": outcome.attempts,
                "elapsed_s": outcome.elapsed,
                "error_type": error_type(error) if error is not None else None,
                "meta_error_code": outcome.meta_error_code,
                "reason": outcome.reason,
            },
        )


async def send_one(
    item: SendItem, send: Callable[[Throttle, CallTrace], Awaitable[SendResult]]
) -> SendResult:
    """One send outside a batch (``send_template`` and friends), observed as an item would be."""
    telemetry = current()
    if not (telemetry.tracing or telemetry.metrics):
        return await send(Throttle(), CallTrace())
    kind = message_kind(item)
    trace = CallTrace()
    span = telemetry.start_send(kind)
    started = anyio.current_time()
    try:
        with telemetry.activate(span):
            result = await send(Throttle(), trace)
    except BaseException as exc:
        if isinstance(exc, anyio.get_cancelled_exc_class()):
            status = OutcomeStatus.UNKNOWN if trace.attempts else OutcomeStatus.SKIPPED
        else:
            status = outcome_status_for(exc)
        telemetry.end_send(span, kind, status.value, anyio.current_time() - started, error=exc)
        if telemetry.metrics:
            telemetry.count_outcome(kind, status.value, _meta_code(exc))
        raise
    telemetry.end_send(
        span, kind, OutcomeStatus.SENT.value, anyio.current_time() - started, wamid=result.wamid
    )
    if telemetry.metrics:
        telemetry.count_outcome(kind, OutcomeStatus.SENT.value, None)
    return result


def _meta_code(error: BaseException) -> int | None:
    code = getattr(getattr(error, "meta_error", None), "code", None)
    return code if isinstance(code, int) else None
