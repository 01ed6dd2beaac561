"""One timer for every attempt's deadline on an event loop, instead of one per attempt.

A deadline per attempt is a timer per request: with ``asyncio.timeout`` each attempt pushes a
timer handle onto the loop's heap and cancels it when the answer comes, which cost about 8 µs
of CPU per send at 64 in flight and 13 µs at 256 (the heap grows with them). Here attempts
join a bucket of deadlines 10 ms wide and leave it when they end; one loop timer wakes at the
earliest bucket that still holds an attempt and cancels what is in it. The price is that an
attempt is cut up to 10 ms after its deadline, never before.

The cut follows ``asyncio.timeout``'s rule: the task is cancelled, and the cancellation counts
as the deadline's only if nobody else (an enclosing cancel scope, the application) cancelled the
task meanwhile; otherwise it propagates as it came.
"""

from __future__ import annotations

import heapq
import math
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # asyncio is loaded by whoever runs the loop; not on import: ~10 ms
    import asyncio

__all__ = ["arm"]

#: Width of a bucket of deadlines, in seconds: how late a cut may come.
_GRAIN = 0.01


class _Watchdog:
    """Every watched attempt of one loop, by deadline bucket, and the one timer that cuts them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._buckets: dict[int, set[_Deadline]] = {}
        #: A heap of bucket keys, each once (``_queued``); it may hold keys of emptied buckets,
        #: at most one per 10 ms of the longest deadline.
        self._keys: list[int] = []
        self._queued: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_key: int | None = None

    def add(self, watch: _Deadline, deadline: float) -> int:
        key = math.ceil(deadline / _GRAIN)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = set()
            if key not in self._queued:
                self._queued.add(key)
                heapq.heappush(self._keys, key)
            if self._timer_key is None or key < self._timer_key:
                self._schedule(key)
        bucket.add(watch)
        return key

    def discard(self, watch: _Deadline, key: int) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.discard(watch)
            if not bucket:
                del self._buckets[key]  # its key leaves the heap when the timer reaches it

    def _schedule(self, key: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_key = key
        self._timer = self._loop.call_at(key * _GRAIN, self._fire)

    def _fire(self) -> None:
        self._timer = self._timer_key = None
        now = self._loop.time()
        keys = self._keys
        while keys and keys[0] * _GRAIN <= now:
            key = heapq.heappop(keys)
            self._queued.discard(key)
            for watch in self._buckets.pop(key, ()):
                watch.cut()
        while keys and keys[0] not in self._buckets:
            self._queued.discard(heapq.heappop(keys))  # emptied before their time
        if keys:
            self._schedule(keys[0])


_WATCHDOGS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watchdog] = (
    weakref.WeakKeyDictionary()
)


class _Deadline:
    """One attempt's deadline: armed by :func:`arm`, read by :meth:`passed`, then disarmed."""

    __slots__ = ("_cancelling", "_cut", "_key", "_task", "_watchdog")

    def __init__(self, task: asyncio.Task[object], watchdog: _Watchdog, deadline: float) -> None:
        self._task = task
        self._cancelling = task.cancelling()
        self._cut = False
        self._watchdog = watchdog
        self._key = watchdog.add(self, deadline)

    def cut(self) -> None:
        self._cut = True
        self._task.cancel()

    def passed(self, error: BaseException) -> bool:
        """Whether ``error`` is this deadline's cut (then the task's cancellation is undone).

        A cancellation someone else asked for too (an enclosing cancel scope, the
        application) is theirs: ``False``, and it goes on.
        """
        if not self._cut:
            return False
        import asyncio  # only for a cut attempt

        return isinstance(error, asyncio.CancelledError) and (
            self._task.uncancel() <= self._cancelling
        )

    def disarm(self) -> None:
        self._watchdog.discard(self, self._key)


def arm(seconds: float) -> _Deadline:
    """Cut the running task ``seconds`` from now (up to 10 ms later) unless disarmed first.

    Use as::

        deadline = arm(seconds)
        try:
            ...
        except BaseException as error:
            if not deadline.passed(error):
                raise
            ...  # the deadline passed
        finally:
            deadline.disarm()
    """
    import asyncio  # the running loop's: already loaded

    loop = asyncio.get_running_loop()
    watchdog = _WATCHDOGS.get(loop)
    if watchdog is None:
        watchdog = _WATCHDOGS[loop] = _Watchdog(loop)
    task = asyncio.current_task()
    if task is None:  # pragma: no cover - a coroutine always runs in a task here
        raise RuntimeError("a deadline needs a task to cancel")
    return _Deadline(task, watchdog, loop.time() + seconds)
