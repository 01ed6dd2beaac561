"""The input of a batch, pulled one item at a time by every worker.

Any iterable or async iterable of send items: a list, a generator over a file, a database
cursor. Nothing is read ahead, so a million-row input costs the memory of one row.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

import anyio

from engagive_async.models.batch import SendItem

__all__ = ["ItemSource", "Items"]

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
