"""Throttle: one pace for every worker of a batch, in process.

When Engagive answers 429, or Meta says the number is over its throughput, every worker of the
batch waits out the same pause instead of each one hammering on. An optional client-side rate
(messages per second) keeps a batch under Meta's per-number throughput in the first place, and
an optional spacing per recipient keeps it under Meta's pair limit (131056).

The seconds it holds sends back go to the ``engagive.throttle.paused`` counter: a server's
"slow down" as the wall-clock time the whole batch was held (``reason=server``), the rate's
waits as the sum of each request's wait (``reason=rate``).
"""

from __future__ import annotations

import logging

import anyio

from engagive_async._checks._arguments import check_at_least, check_positive
from engagive_async._observe import current, get_logger

__all__ = ["Throttle"]

log = get_logger("pacing")

#: Prune the recipient memory when it holds this many entries (most of them long expired).
_PRUNE_AT = 10_000


class Throttle:
    """A shared pause plus an optional rate limit (a GCRA token bucket), in one process.

    The default pace of ``send_many``; it implements :class:`~engagive_async.Pacing`.

    Args:
        rate: requests per second allowed to start; ``None`` for no limit.
        burst: how many requests may start back to back before the rate applies.
        recipient_spacing: seconds between two messages to one recipient; ``None`` for none.
    """

    def __init__(
        self, rate: float | None = None, *, burst: int = 1, recipient_spacing: float | None = None
    ) -> None:
        if rate is not None:
            check_positive(rate, "rate")
        check_at_least(burst, 1, "burst")
        if recipient_spacing is not None:
            check_at_least(recipient_spacing, 0, "recipient_spacing")
        self._interval = 1.0 / rate if rate else 0.0
        self._burst_window = self._interval * (burst - 1)
        #: GCRA's theoretical arrival time of the next request.
        self._next_start = 0.0
        self._paused_until = 0.0
        self._spacing = recipient_spacing or 0.0
        #: recipient -> the earliest time its next message may start.
        self._recipient_free_at: dict[str, float] = {}

    def __repr__(self) -> str:
        rate = f"{1 / self._interval:g}/s" if self._interval else "unlimited"
        return f"Throttle(rate={rate})"

    @property
    def paused_until(self) -> float:
        """The anyio clock time until which every worker waits (0 when never paused)."""
        return self._paused_until

    async def pause(self, seconds: float) -> None:
        """Hold every worker for ``seconds`` from now (a longer pause already set wins)."""
        now = anyio.current_time()
        until = now + seconds
        if until <= self._paused_until:
            return
        added = until - max(self._paused_until, now)
        self._paused_until = until
        current().record_pause(added, "server")
        if log.isEnabledFor(logging.INFO):
            log.info("pausing sends for %.2fs", seconds, extra={"pause_s": seconds})

    async def acquire(self, recipient: str | None = None) -> None:
        """Wait for the recipient's spacing, the shared pause, then a slot under the rate."""
        if recipient is not None and self._spacing:
            await self._space_recipient(recipient)
        if not self._paused_until and not self._interval:
            return  # never paused and no rate: nothing to wait for, and no clock to read
        while True:
            wait = self._paused_until - anyio.current_time()
            if wait <= 0:
                break
            await anyio.sleep(wait)
        if not self._interval:
            return
        now = anyio.current_time()
        start = max(now, self._next_start - self._burst_window)
        # Reserve the slot before sleeping, so concurrent callers queue up behind each other.
        self._next_start = max(now, self._next_start) + self._interval
        if start > now:
            current().record_pause(start - now, "rate")
            await anyio.sleep(start - now)

    async def _space_recipient(self, recipient: str) -> None:
        now = anyio.current_time()
        if len(self._recipient_free_at) >= _PRUNE_AT:
            self._recipient_free_at = {r: t for r, t in self._recipient_free_at.items() if t > now}
        start = max(now, self._recipient_free_at.get(recipient, now))
        # Reserved before sleeping: a second message to the same recipient queues behind it.
        self._recipient_free_at[recipient] = start + self._spacing
        if start > now:
            await anyio.sleep(start - now)
