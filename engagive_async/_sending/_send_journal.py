"""SendJournal: what a batch expects of a durable record of its outcomes, shared by many workers.

:class:`SendJournal` is the many-owner shape (a chunk's skip checks in one round trip, atomic
claims); :class:`ItemJournal` the earlier one-item shape the batch still accepts. What a journal
may let go again on a rerun is the at-most-once rule's (``_policy._resend``); this is only the
shape a batch talks to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from engagive_async.models.batch import SendItem, SendOutcome

__all__ = [
    "JOURNAL_UNAVAILABLE",
    "DuplicateRowKeyError",
    "ItemJournal",
    "SendJournal",
    "as_send_journal",
]


class DuplicateRowKeyError(ValueError):
    """Two items of one run share a row key; the second is not sent (it is FAILED)."""


#: The reason on SKIPPED outcomes when the journal could not be reached: the batch stops.
JOURNAL_UNAVAILABLE = "the journal is unavailable"


@runtime_checkable
class SendJournal(Protocol):
    """Durable memory of a campaign, shared by any number of workers, so no item goes twice.

    For every chunk of input the batch pulls, it asks :meth:`skip_reasons` once (one round
    trip for the chunk); for every item it then means to send it calls :meth:`claim`, which
    must atomically and durably take the row for this worker, and only when the claim is won
    does the request go out; last, :meth:`record` stores the item's outcome.

    A journal that raises (a lost connection) stops the batch: the item whose claim failed,
    and every item not yet started, are reported SKIPPED with :data:`JOURNAL_UNAVAILABLE`.

    A journal may also have ``async def flush()`` (it writes outcomes in groups): the batch
    calls it once at its end.
    """

    async def skip_reasons(self, items: Sequence[tuple[int, SendItem]]) -> Mapping[int, str]:
        """For ``(index, item)`` pairs, why some must not be sent: ``{index: reason}``.

        Indexes absent from the answer may be sent (subject to winning :meth:`claim`).
        """
        ...

    async def claim(self, index: int, item: SendItem) -> str | None:
        """Take the row for this worker, atomically and durably, before its request.

        Returns ``None`` when this worker won the row (it is in flight and committed when
        this returns), else why not (another worker holds it, or it is already final): the
        item is then SKIPPED with that reason and nothing is recorded for it.
        """
        ...

    async def record(self, outcome: SendOutcome) -> None:
        """Store the item's outcome."""
        ...


class ItemJournal(Protocol):
    """The earlier, one-item-at-a-time journal shape; the batch still accepts it.

    ``skip_reason`` is asked per item and ``before_send`` marks the item in flight; neither
    can say that another worker holds the row, so use it for one worker only.
    """

    async def skip_reason(self, index: int, item: SendItem) -> str | None:
        """Why this item must not be sent again (e.g. ``"already sent"``), or ``None``."""
        ...

    async def before_send(self, index: int, item: SendItem) -> None:
        """Mark the item as in flight."""
        ...

    async def record(self, outcome: SendOutcome) -> None:
        """Store the item's outcome."""
        ...


class _ItemJournalAdapter:
    """An :class:`ItemJournal` seen as a :class:`SendJournal` (one question per item)."""

    def __init__(self, journal: ItemJournal) -> None:
        self._journal = journal

    async def skip_reasons(self, items: Sequence[tuple[int, SendItem]]) -> Mapping[int, str]:
        reasons: dict[int, str] = {}
        for index, item in items:
            reason = await self._journal.skip_reason(index, item)
            if reason is not None:
                reasons[index] = reason
        return reasons

    async def claim(self, index: int, item: SendItem) -> str | None:
        await self._journal.before_send(index, item)
        return None

    async def record(self, outcome: SendOutcome) -> None:
        await self._journal.record(outcome)

    async def flush(self) -> None:
        flush = getattr(self._journal, "flush", None)
        if flush is not None:
            await flush()


def as_send_journal(journal: SendJournal | ItemJournal) -> SendJournal:
    """The journal in the many-owner shape, adapting the earlier one-item shape."""
    if isinstance(journal, SendJournal):
        return journal
    return _ItemJournalAdapter(journal)
