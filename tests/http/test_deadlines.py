"""The shared deadline timer: cuts an attempt at (or just after) its deadline, never before, and
leaves a cancellation that is not its own alone."""

from __future__ import annotations

import asyncio

import pytest

from engagive_async._http._deadlines import _GRAIN, arm


async def _guarded(seconds: float, work: float) -> tuple[str, float]:
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = arm(seconds)
    try:
        await asyncio.sleep(work)
    except BaseException as error:
        if not deadline.passed(error):
            raise
        return "cut", loop.time() - started
    finally:
        deadline.disarm()
    return "done", loop.time() - started


async def test_an_attempt_past_its_deadline_is_cut_there() -> None:
    outcome, took = await _guarded(0.05, 5)
    assert outcome == "cut"
    assert 0.05 <= took < 0.05 + _GRAIN + 0.05


async def test_an_attempt_that_ends_in_time_is_not_cut_and_leaves_nothing_armed() -> None:
    assert (await _guarded(1, 0.01))[0] == "done"
    await asyncio.sleep(0)  # a cut after disarm would land here
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_many_attempts_each_get_their_own_deadline() -> None:
    results = await asyncio.gather(*(_guarded(0.05, 5 if n % 2 else 0.001) for n in range(200)))
    assert [r[0] for r in results] == ["done" if n % 2 == 0 else "cut" for n in range(200)]


async def test_a_cancellation_from_outside_is_not_taken_for_the_deadline() -> None:
    task = asyncio.ensure_future(_guarded(5, 5))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_outside_cancellation_at_the_cut_still_goes_on() -> None:
    """Cut and cancelled from outside together: the outside cancellation wins."""

    async def both() -> tuple[str, float]:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        loop.call_later(0.05, task.cancel)  # the application cancels at the deadline too
        return await _guarded(0.05, 5)

    runner = asyncio.ensure_future(both())
    with pytest.raises(asyncio.CancelledError):
        await runner
