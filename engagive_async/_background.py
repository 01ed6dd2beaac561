"""Concurrent producers behind a plain ``async for``, without yielding inside a task group.

A batch (and a look-ahead pager) runs many requests at once and hands results to a consumer
that writes ``async for x in ...``. Structured concurrency forbids the easy way: yielding from
inside a task group hands the consumer's body our cancel scope, and breaking out of the loop
would exit that scope from the event loop's finaliser task. So the task group lives in a task of
its own, hosted by the event loop (asyncio) or trio's system nursery, and the consumer reads
from a bounded memory stream. The consumer-side generator's ``finally`` cancels the producer and
waits (shielded) until it has finished, so break, an exception in the loop body and cancellation
all leave nothing running. Closing the generator explicitly (``aclose()``, or
``contextlib.aclosing``) makes that cleanup happen at a known point; without it, the event loop's
async-generator finaliser runs it at the next opportunity.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import anyio
import sniffio
from anyio.abc import ObjectSendStream

__all__ = ["Producer", "stream_from_background"]

T = TypeVar("T")


class _Failure:
    """Carries the producer's exception through the stream, to be raised by the consumer."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Producer(Generic[T]):
    """What the background task is given: a way to emit items and a stop request."""

    def __init__(self, send: ObjectSendStream[T | _Failure], scope: anyio.CancelScope) -> None:
        self._send = send
        self.scope = scope
        #: True once the consumer stopped reading; emitting is then a no-op.
        self.consumer_gone = False

    async def emit(self, item: T) -> None:
        """Hand one item to the consumer (waits while the buffer is full)."""
        if self.consumer_gone:
            return
        try:
            await self._send.send(item)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            self.consumer_gone = True


async def stream_from_background(
    produce: Callable[[Producer[T]], Awaitable[None]],
    *,
    buffer: int = 0,
    on_consumer_exit: Callable[[], None] | None = None,
    exit_grace: float = 0.0,
) -> AsyncGenerator[T, None]:
    """Run ``produce`` in a background task and yield what it emits, in emission order.

    Args:
        produce: the producer; it may run a task group. Its exception is re-raised here.
        buffer: items held between producer and consumer beyond the one in hand.
        on_consumer_exit: called (synchronously) when the consumer stops early, before the
            producer is cancelled; a batch uses it to stop starting new work.
        exit_grace: seconds the producer may go on after the consumer stopped early, to finish
            what it has in flight, before it is cancelled.
    """
    send, receive = anyio.create_memory_object_stream[Any](buffer)
    scope = anyio.CancelScope()
    finished = anyio.Event()

    async def host() -> None:
        try:
            with scope:
                async with send:
                    try:
                        await produce(Producer(send, scope))
                    except anyio.get_cancelled_exc_class():
                        raise
                    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, not lost here
                        try:
                            send.send_nowait(_Failure(exc))
                        except (anyio.WouldBlock, anyio.BrokenResourceError):
                            await send.send(_Failure(exc))
        except anyio.BrokenResourceError:
            pass  # the consumer left; nothing to hand over
        finally:
            finished.set()

    _spawn(host)
    completed = False
    try:
        async with receive:
            async for item in receive:
                if isinstance(item, _Failure):
                    raise item.error
                yield item
        completed = True
    finally:
        if not completed and on_consumer_exit is not None:
            on_consumer_exit()
        with anyio.CancelScope(shield=True):
            if not completed and exit_grace > 0:
                with anyio.move_on_after(exit_grace):
                    await finished.wait()
            scope.cancel()
            await finished.wait()


_background_tasks: set[Any] = set()


def _spawn(host: Callable[[], Awaitable[None]]) -> None:
    library = sniffio.current_async_library()
    if library == "trio":
        import trio

        trio.lowlevel.spawn_system_task(host)
        return
    import asyncio

    task: asyncio.Task[None] = asyncio.get_running_loop().create_task(host())  # type: ignore[arg-type]
    # The loop keeps only a weak reference to tasks: hold one until the task is done.
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
