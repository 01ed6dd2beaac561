"""Throttle: the shared pause and the client-side rate."""

from __future__ import annotations

import anyio
import pytest

from engagive_async._pacing._throttle import Throttle


async def test_rate_spaces_requests() -> None:
    """At 50/s with no burst, 11 acquisitions take at least 0.2 s."""
    throttle = Throttle(50)
    start = anyio.current_time()
    for _ in range(11):
        await throttle.acquire()
    assert anyio.current_time() - start >= 0.19


async def test_burst_lets_the_first_requests_through_at_once() -> None:
    """With burst 5, five acquisitions do not wait."""
    throttle = Throttle(1, burst=5)
    with anyio.fail_after(0.5):
        for _ in range(5):
            await throttle.acquire()


async def test_concurrent_callers_share_one_rate() -> None:
    """Ten concurrent acquirers at 100/s take about 0.09 s in all, not 0.01 s each in parallel."""
    throttle = Throttle(100)
    start = anyio.current_time()
    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(throttle.acquire)
    assert anyio.current_time() - start >= 0.085


async def test_pause_holds_every_caller() -> None:
    """A pause makes every acquirer wait it out; a shorter pause does not shorten it."""
    throttle = Throttle()
    await throttle.pause(0.2)
    await throttle.pause(0.05)
    start = anyio.current_time()
    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(throttle.acquire)
    assert anyio.current_time() - start >= 0.19


def test_invalid_settings_are_refused() -> None:
    """A non-positive rate or a burst below 1 is an error."""
    with pytest.raises(ValueError, match="rate"):
        Throttle(0)
    with pytest.raises(ValueError, match="burst"):
        Throttle(1, burst=0)
    with pytest.raises(ValueError, match="recipient_spacing"):
        Throttle(recipient_spacing=-1)


async def test_recipient_spacing_holds_one_recipient_only() -> None:
    """Two messages to one recipient start the spacing apart; another recipient goes at once."""
    throttle = Throttle(recipient_spacing=0.2)
    start = anyio.current_time()
    await throttle.acquire("923001111111")
    await throttle.acquire("923002222222")
    assert anyio.current_time() - start < 0.1
    await throttle.acquire("923001111111")
    assert anyio.current_time() - start >= 0.19


async def test_without_spacing_the_recipient_is_ignored() -> None:
    """The default Throttle does not space recipients (the pipeline passes them anyway)."""
    throttle = Throttle()
    with anyio.fail_after(0.1):
        for _ in range(3):
            await throttle.acquire("923001111111")
