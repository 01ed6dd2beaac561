"""How a batch's outcomes reach the consumer: in chunks, and in input order when asked.

The consumer's stream takes an event-loop turn per object it receives. Sending one outcome per
object would cap a batch at one answer per turn however many arrived in it, while the workers
sat blocked on a full stream instead of sending. So outcomes that complete while a chunk is on
its way queue up and travel together as the next chunk; :func:`one_by_one` unpacks them again.
The queue stays bounded: a worker waits while it holds ``capacity`` outcomes.

In ordered mode an outcome waits for every earlier index, and workers stop pulling new items
while ``capacity`` of them are waiting (:meth:`Delivery.wait_for_room`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

import anyio

from engagive_async._background import Producer
from engagive_async.models.batch import SendOutcome

__all__ = ["Delivery", "one_by_one"]


class Delivery:
    """The outcomes on their way to one consumer.

    Args:
        producer: the stream to the consumer; each object sent is a chunk of outcomes.
        ordered: hand outcomes over in input order (by ``index``).
        capacity: how many outcomes may wait, queued or held back for order.
        pulled: how many items the batch has pulled from its input so far.
    """

    def __init__(
        self,
        producer: Producer[list[SendOutcome]],
        *,
        ordered: bool,
        capacity: int,
        pulled: Callable[[], int],
    ) -> None:
        self._producer = producer
        self._pulled = pulled
        self._ordered = ordered
        self._capacity = capacity
        self._outbox: list[SendOutcome] = []
        self._flushing = False
        self._taken: anyio.Event | None = None  # made by the first worker that waits
        # Ordered mode: outcomes waiting for an earlier index, and the next index to hand over.
        self._held: dict[int, SendOutcome] = {}
        self._next_index = 0
        self._room = anyio.Event()

    async def put(self, outcome: SendOutcome) -> None:
        """Hand ``outcome`` over (in order, when ordered): returns once it is queued."""
        if not self._ordered:
            await self._queue(outcome)
            return
        self._held[outcome.index] = outcome
        while self._next_index in self._held:
            await self._queue(self._held.pop(self._next_index))
            self._next_index += 1
        self._room.set()
        self._room = anyio.Event()

    async def wait_for_room(self) -> None:
        """Ordered mode: wait while ``capacity`` pulled items are not yet handed over."""
        while self._pulled() - self._next_index >= self._capacity:
            await self._room.wait()

    async def _queue(self, outcome: SendOutcome) -> None:
        # The first worker to find the queue idle hands it over, chunk by chunk, until empty.
        self._outbox.append(outcome)
        if self._flushing:
            while self._flushing and len(self._outbox) >= self._capacity:
                if self._taken is None:
                    self._taken = anyio.Event()
                await self._taken.wait()
            return
        self._flushing = True
        try:
            while self._outbox:
                chunk, self._outbox = self._outbox, []
                self._wake_waiters()
                await self._producer.emit(chunk)
        finally:
            self._flushing = False
            self._wake_waiters()

    def _wake_waiters(self) -> None:
        if self._taken is not None:
            self._taken.set()
            self._taken = None


async def one_by_one(
    chunks: AsyncGenerator[list[SendOutcome], None],
) -> AsyncGenerator[SendOutcome, None]:
    """The outcomes of each chunk in turn; closing this closes the stream of chunks."""
    try:
        async for chunk in chunks:
            for outcome in chunk:
                yield outcome
    finally:
        await chunks.aclose()
