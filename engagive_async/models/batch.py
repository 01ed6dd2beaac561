"""Batch sends: what is asked (the items) and what became of each (the outcomes)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from engagive_async.models._export import JsonReady
from engagive_async.models.messages import Message
from engagive_async.models.results import SendResult

__all__ = [
    "BatchProgress",
    "BatchReport",
    "OutcomeStatus",
    "ReactionSend",
    "SendItem",
    "SendOutcome",
    "SingleSend",
    "TemplateSend",
]


@attrs.frozen(kw_only=True)
class TemplateSend(JsonReady):
    """Send an approved template. ``key`` is yours: it travels to the outcome (and journal)."""

    to: str
    template_name: str
    lang_code: str
    components: Sequence[Any] | None = None
    key: str | None = None


@attrs.frozen(kw_only=True)
class SingleSend(JsonReady):
    """Send a text, media, location, contacts or interactive message (provisional endpoint).

    ``reply_to`` is the parent wamid when the message answers one in thread.
    """

    to: str
    message: Message
    reply_to: str | None = None
    key: str | None = None


@attrs.frozen(kw_only=True)
class ReactionSend(JsonReady):
    """React to a message with an emoji (``""`` removes the reaction)."""

    to: str
    whatsapp_message_id: str
    emoji: str
    key: str | None = None


SendItem = TemplateSend | SingleSend | ReactionSend


class OutcomeStatus(enum.Enum):
    """What became of one item of a batch."""

    #: Engagive accepted it (and Meta, when it answered): ``result`` holds the answer.
    SENT = "sent"
    #: The server or Meta said no, or the item was invalid: ``error`` says why.
    FAILED = "failed"
    #: The request went out and no answer came (timeout, disconnect): it may have been sent.
    UNKNOWN = "unknown"
    #: Never attempted (deadline, cancellation, ``stop_on``, or already done per the journal).
    SKIPPED = "skipped"


@attrs.frozen(kw_only=True)
class SendOutcome(JsonReady):
    """Exactly one per input item.

    Attributes:
        index: the item's position in the input (0-based).
        item: the item as given.
        status: see :class:`OutcomeStatus`.
        result: the :class:`SendResult` when SENT.
        error: the exception when FAILED or UNKNOWN.
        reason: why it was SKIPPED (``"deadline"``, ``"cancelled"``, ``"stop_on"``, or the
            journal's word), or why an in-flight item became UNKNOWN.
        attempts: requests made for this item (0 when none was).
        elapsed: seconds from the item's first attempt to its outcome.
    """

    index: int
    item: SendItem
    status: OutcomeStatus
    result: SendResult | None = None
    error: BaseException | None = None
    reason: str | None = None
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def key(self) -> str | None:
        """The item's ``key``, when it has one."""
        return self.item.key

    @property
    def meta_response(self) -> Mapping[str, Any] | None:
        """Meta's payload, from the result or from the error, exactly as received."""
        if self.result is not None:
            return self.result.meta_response
        meta = getattr(self.error, "meta_response", None)
        return meta if isinstance(meta, Mapping) else None

    @property
    def wamid(self) -> str | None:
        """The WhatsApp message id when SENT and Meta gave one."""
        return self.result.wamid if self.result is not None else None

    @property
    def meta_error_code(self) -> int | None:
        """Meta's error ``code`` when the error carries one."""
        meta_error = getattr(self.error, "meta_error", None)
        code = getattr(meta_error, "code", None)
        return code if isinstance(code, int) else None


@attrs.frozen(kw_only=True)
class BatchProgress(JsonReady):
    """A snapshot of a running batch, handed to ``on_progress``.

    Attributes:
        done: outcomes so far.
        total: the number of items when known (a sized input), else ``None``.
        by_status: outcomes so far per status.
        in_flight: items being sent now.
        elapsed: seconds since the batch started.
    """

    done: int
    total: int | None
    by_status: Mapping[OutcomeStatus, int]
    in_flight: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Outcomes per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


@attrs.frozen(kw_only=True)
class BatchReport(JsonReady):
    """Everything ``send_batch`` gathered: the outcomes in input order, and their counts."""

    outcomes: list[SendOutcome]
    by_status: Mapping[OutcomeStatus, int]
    by_meta_error: Mapping[int, int]
    elapsed: float

    def of(self, status: OutcomeStatus) -> list[SendOutcome]:
        """The outcomes with this status, in input order."""
        return [o for o in self.outcomes if o.status is status]
