"""Background producers behind async for: order, errors, and nothing left running."""

from __future__ import annotations

import asyncio
import gc
from contextlib import aclosing

import anyio
import pytest
import trio

from engagive_async._background import Producer, stream_from_background


def _background_tasks() -> set[asyncio.Task[object]]:
    current = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not current and not t.done()}


async def _count(producer: Producer[int], n: int, started: list[int]) -> None:
    for i in range(n):
        started.append(i)
        await producer.emit(i)


async def test_items_arrive_in_emission_order() -> None:
    """What the producer emits is what the consumer sees, in order."""
    started: list[int] = []
    got = [i async for i in stream_from_background(lambda p: _count(p, 50, started), buffer=4)]
    assert got == list(range(50))


async def test_buffer_bounds_how_far_the_producer_runs_ahead() -> None:
    """With buffer 2, the producer is at most buffer + 2 items ahead of the consumer."""
    started: list[int] = []
    async with aclosing(stream_from_background(lambda p: _count(p, 100, started), buffer=2)) as s:
        async for item in s:
            await anyio.sleep(0.001)
            assert len(started) - item <= 4
            if item == 10:
                break


async def test_producer_error_reaches_the_consumer_after_earlier_items() -> None:
    """An exception in the producer is raised to the consumer, after what came before it."""

    async def produce(producer: Producer[int]) -> None:
        await producer.emit(1)
        raise LookupError("boom")

    got: list[int] = []

    async def consume() -> None:
        async for item in stream_from_background(produce):
            got.append(item)

    with pytest.raises(LookupError, match="boom"):
        await consume()
    assert got == [1]


async def test_break_cancels_the_producer_and_its_children() -> None:
    """Breaking out stops the producer's task group; no task is left once the stream closes."""
    cancelled = anyio.Event()

    async def produce(producer: Producer[int]) -> None:
        async with anyio.create_task_group() as tg:

            async def child() -> None:
                try:
                    await anyio.sleep_forever()
                finally:
                    cancelled.set()

            tg.start_soon(child)
            for i in range(1000):
                await producer.emit(i)

    async with aclosing(stream_from_background(produce)) as stream:
        async for item in stream:
            if item == 3:
                break
    assert cancelled.is_set()
    assert _background_tasks() == set()


async def test_exception_in_loop_body_leaves_nothing_running() -> None:
    """An error in the consumer's body still stops the producer (via the generator's close)."""
    started: list[int] = []

    async def consume() -> None:
        async for item in stream_from_background(lambda p: _count(p, 10**6, started)):
            if item == 5:
                1 / 0  # noqa: B018

    with pytest.raises(ZeroDivisionError):
        await consume()
    gc.collect()
    for _ in range(5):
        await asyncio.sleep(0)
    assert _background_tasks() == set()


async def test_cancelling_the_consumer_cancels_the_producer() -> None:
    """Cancellation while waiting for an item stops the producer before the scope exits."""
    stopped = anyio.Event()

    async def produce(producer: Producer[int]) -> None:
        try:
            await anyio.sleep_forever()
        finally:
            stopped.set()

    with anyio.move_on_after(0.05):
        async with aclosing(stream_from_background(produce)) as stream:
            async for _ in stream:
                pass
    assert stopped.is_set()
    assert _background_tasks() == set()


async def test_consumer_exit_hook_and_grace_let_in_flight_work_finish() -> None:
    """on_consumer_exit runs first; the producer gets exit_grace to finish before cancel."""
    log: list[str] = []
    stop = anyio.Event()

    async def produce(producer: Producer[int]) -> None:
        await producer.emit(0)
        await stop.wait()
        await anyio.sleep(0.02)  # "in flight" work that finishes within the grace
        log.append("finished")

    stream = stream_from_background(produce, on_consumer_exit=stop.set, exit_grace=1.0)
    async with aclosing(stream):
        async for _ in stream:
            break
    assert log == ["finished"]


def test_works_on_trio() -> None:
    """The same producer runs under trio (system task instead of an asyncio task)."""

    async def main() -> list[int]:
        started: list[int] = []
        return [i async for i in stream_from_background(lambda p: _count(p, 20, started))]

    assert trio.run(main) == list(range(20))
