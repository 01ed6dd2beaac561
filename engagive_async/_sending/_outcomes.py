"""What became of a send, and what may be done about it: the outcome rules in one place.

:func:`outcome_status_for` reads a failure as FAILED (an answer said no, or nothing was sent)
or UNKNOWN (the request may have arrived and no answer proves it was not relayed);
:func:`is_retryable_failure` says whether a FAILED item may go again without risk of a
duplicate; :class:`SendJournal` is what a batch expects of a durable record of outcomes.
"""

from __future__ import annotations

from typing import Protocol

from engagive_async._errors import EngagiveError
from engagive_async._http._retry import RetryPolicy, send_may_have_arrived
from engagive_async.models.batch import OutcomeStatus, SendItem, SendOutcome

__all__ = ["SendJournal", "is_retryable_failure", "outcome_status_for"]


class SendJournal(Protocol):
    """Durable memory of a campaign, so that a rerun never sends an item twice.

    The batch calls ``skip_reason`` before an item, ``before_send`` just before its first
    request (the record must be durable when it returns), and ``record`` with its outcome.
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


def outcome_status_for(error: BaseException) -> OutcomeStatus:
    """FAILED when the server or Meta answered no (or the item was invalid); UNKNOWN when the
    request may have gone out and nothing proves it was not relayed (the rule is the retry
    policy's :func:`send_may_have_arrived`: a timeout or drop after sending, an answer that is not
    the envelope, a 5xx without Meta's error)."""
    return OutcomeStatus.UNKNOWN if send_may_have_arrived(error) else OutcomeStatus.FAILED


def is_retryable_failure(error: BaseException | None) -> bool:
    """Whether a FAILED item may be sent again without risk of a duplicate (journal reruns)."""
    return isinstance(error, EngagiveError) and RetryPolicy().is_retryable(error, idempotent=False)
