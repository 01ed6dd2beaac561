"""SendJournal: what a batch expects of a durable record of its outcomes.

What a journal may let go again on a rerun is the at-most-once rule's
(``_policy._resend.rerun_skip_reason``); this is only the shape a batch talks to.
"""

from __future__ import annotations

from typing import Protocol

from engagive_async.models.batch import SendItem, SendOutcome

__all__ = ["SendJournal"]


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
