"""Pacing: what a batch asks of whatever decides when its next request may start.

The pipeline awaits :meth:`Pacing.acquire` before every attempt of a send and
:meth:`Pacing.pause` when an answer says the number or account must slow down (a 429, or a Meta
error of the ``RETRY`` or ``SLOW_DOWN`` class). One implementation keeps the pace in process
(:class:`~engagive_async.Throttle`, the default), another shares it through PostgreSQL between
every worker that sends for one number (:class:`~engagive_async.PostgresPacing`); a pace of your
own (Redis, a service) implements these two methods.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PacedAhead", "Pacing"]


class Pacing(Protocol):
    """When requests may start: a rate, a shared pause, and a spacing per recipient.

    ``acquire`` returns when the caller may start one request now; ``pause`` holds every
    caller sharing the pace, in every process that shares it, for at least ``seconds``.
    """

    async def acquire(self, recipient: str | None = None) -> None:
        """Wait until one request may start.

        Args:
            recipient: the number the request sends to, for a pace that spaces the messages to
                one recipient (Meta's pair limit); ``None`` for a retry of a request Meta
                refused, or a call that sends to nobody.
        """
        ...

    async def pause(self, seconds: float) -> None:
        """Hold everyone sharing this pace for ``seconds`` from now (a longer pause wins)."""
        ...


class PacedAhead:
    """A pace whose next acquisition was already made by the caller, then the pace itself.

    A batch with a journal waits for the pace *before* it claims a row, so that a row is in
    flight only while its request can start at once: a worker that dies leaves in doubt the
    requests it had out, not every row that was queueing for a slot.
    """

    __slots__ = ("_pacing", "_taken")

    def __init__(self, pacing: Pacing) -> None:
        self._pacing = pacing
        self._taken = True

    async def acquire(self, recipient: str | None = None) -> None:
        if self._taken:
            self._taken = False
            return
        await self._pacing.acquire(recipient)

    async def pause(self, seconds: float) -> None:
        await self._pacing.pause(seconds)
