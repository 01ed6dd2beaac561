"""A chunk's journal: the chunk's rows indexed as rows of the whole campaign.

``send_many`` numbers a chunk's items from 0; the journal must see each row's place in the
campaign (its ``index`` column, and the key of a row without one), so chunks never collide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from engagive_async._sending._send_journal import SendJournal
from engagive_async.models.batch import SendItem, SendOutcome

__all__ = ["OffsetJournal"]


class OffsetJournal:
    """``journal`` seen by a batch over the campaign's rows ``offset``, ``offset + 1``, ..."""

    def __init__(self, journal: SendJournal, offset: int) -> None:
        self._journal = journal
        self._offset = offset

    async def skip_reasons(self, items: Sequence[tuple[int, SendItem]]) -> Mapping[int, str]:
        shifted = [(index + self._offset, item) for index, item in items]
        reasons = await self._journal.skip_reasons(shifted)
        return {index - self._offset: reason for index, reason in reasons.items()}

    async def claim(self, index: int, item: SendItem) -> str | None:
        return await self._journal.claim(index + self._offset, item)

    async def record(self, outcome: SendOutcome) -> None:
        await self._journal.record(attrs.evolve(outcome, index=outcome.index + self._offset))

    async def flush(self) -> None:
        flush = getattr(self._journal, "flush", None)
        if flush is not None:
            await flush()
