"""What became of a send, and what may be done about it: the outcome rules in one place.

:func:`outcome_status_for` reads a failure as FAILED (an answer said no, or nothing was sent)
or UNKNOWN (the request may have arrived and no intelligible answer came back);
:func:`is_retryable_failure` says whether a FAILED item may go again without risk of a
duplicate; :class:`SendJournal` is what a batch expects of a durable record of outcomes (shared by
many workers), :class:`ItemJournal` the earlier one-item shape it still accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from engagive_async._errors import (
    APIConnectionError,
    APIStatusError,
    EngagiveError,
    ResponseDecodeError,
)
from engagive_async._http._retry import RetryPolicy
from engagive_async.models.batch import OutcomeStatus, SendItem, SendOutcome

__all__ = [
    "JOURNAL_UNAVAILABLE",
    "DuplicateRowKeyError",
    "ItemJournal",
    "SendJournal",
    "as_send_journal",
    "is_retryable_failure",
    "outcome_status_for",
]

#: Statuses of a gateway that gave up waiting on Engagive: the send may have gone through.
_NO_ANSWER_STATUSES = frozenset({504})


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


def outcome_status_for(error: BaseException) -> OutcomeStatus:
    """FAILED when the server or Meta answered no (or the item was invalid); UNKNOWN when the
    request may have gone out and no intelligible answer came back."""
    if isinstance(error, APIConnectionError):
        return OutcomeStatus.UNKNOWN if error.request_sent else OutcomeStatus.FAILED
    if isinstance(error, ResponseDecodeError):
        return OutcomeStatus.UNKNOWN
    if isinstance(error, APIStatusError) and error.status_code in _NO_ANSWER_STATUSES:
        return OutcomeStatus.UNKNOWN
    return OutcomeStatus.FAILED


def is_retryable_failure(error: BaseException | None) -> bool:
    """Whether a FAILED item may be sent again without risk of a duplicate (journal reruns)."""
    return isinstance(error, EngagiveError) and RetryPolicy().is_retryable(error, idempotent=False)
