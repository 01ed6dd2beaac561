"""The input of a batch, pulled one item at a time by every worker.

Any iterable or async iterable of send items: a list, a generator over a file, a database
cursor. Nothing is read ahead, so a million-row input costs the memory of one row.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable, Iterable

import anyio

from engagive_async._sending._send_journal import JOURNAL_UNAVAILABLE, SendJournal
from engagive_async.models.batch import SendItem

__all__ = ["CheckedSource", "ItemSource", "Items"]

Items = Iterable[SendItem] | AsyncIterable[SendItem]


class ItemSource:
    """Pulls ``(index, item)`` pairs lazily; an input that raises ends the input."""

    def __init__(self, items: Items) -> None:
        self.error: BaseException | None = None
        self._index = 0
        self._sync = iter(items) if not isinstance(items, AsyncIterable) else None
        self._async = aiter(items) if isinstance(items, AsyncIterable) else None
        self._lock = anyio.Lock()
        self._exhausted = False

    @property
    def pulled(self) -> int:
        return self._index

    async def next(self) -> tuple[int, SendItem] | None:
        if self._exhausted:
            return None
        try:
            if self._sync is not None:
                item = next(self._sync)
            else:
                assert self._async is not None
                async with self._lock:  # an async generator cannot be advanced concurrently
                    item = await anext(self._async)
        except (StopIteration, StopAsyncIteration):
            self._exhausted = True
            return None
        except Exception as exc:  # noqa: BLE001 - the input's own failure, re-raised at the end
            self.error = exc
            self._exhausted = True
            return None
        index = self._index
        self._index += 1
        return index, item


class CheckedSource:
    """An :class:`ItemSource` read in chunks, each checked with the journal in one call.

    Workers take ``(index, item, skip_reason)`` one at a time; when the buffer is empty, the
    next ``chunk`` items are pulled and the journal's ``skip_reasons`` is asked about all of
    them at once. Should the journal fail, the chunk's items carry
    :data:`JOURNAL_UNAVAILABLE` and the batch stops. ``pulled`` counts items handed out.
    """

    def __init__(self, source: ItemSource, journal: SendJournal | None, chunk: int) -> None:
        self._source = source
        self._journal = journal
        self._chunk = max(1, chunk)
        self._buffer: deque[tuple[int, SendItem, str | None]] = deque()
        self._lock = anyio.Lock()
        self._handed = 0

    @property
    def error(self) -> BaseException | None:
        return self._source.error

    @property
    def pulled(self) -> int:
        return self._handed if self._journal is not None else self._source.pulled

    async def next(self) -> tuple[int, SendItem, str | None] | None:
        if self._journal is None:
            pulled = await self._source.next()
            return None if pulled is None else (*pulled, None)
        async with self._lock:
            if not self._buffer:
                await self._refill(self._journal)
            if not self._buffer:
                return None
            self._handed += 1
            return self._buffer.popleft()

    async def next_unchecked(self) -> tuple[int, SendItem] | None:
        """The next item without asking the journal (to report it SKIPPED after a stop)."""
        if self._buffer:
            index, item, _ = self._buffer.popleft()
            self._handed += 1
            return index, item
        return await self._source.next()

    def take_buffered(self) -> list[tuple[int, SendItem]]:
        """Items read from the input and not yet handed out (reported SKIPPED after a stop)."""
        taken = [(index, item) for index, item, _ in self._buffer]
        self._handed += len(taken)
        self._buffer.clear()
        return taken

    async def _refill(self, journal: SendJournal) -> None:
        chunk: list[tuple[int, SendItem]] = []
        while len(chunk) < self._chunk and (pulled := await self._source.next()) is not None:
            chunk.append(pulled)
        if not chunk:
            return
        try:
            with anyio.CancelScope(shield=True):
                reasons = await journal.skip_reasons(chunk)
        except Exception:  # noqa: BLE001 - any journal failure stops the batch, nothing is lost
            reasons = dict.fromkeys((index for index, _ in chunk), JOURNAL_UNAVAILABLE)
        self._buffer.extend((index, item, reasons.get(index)) for index, item in chunk)
