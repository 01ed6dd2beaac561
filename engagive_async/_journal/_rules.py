"""How every journal applies the rerun rules to its rows, and what a row stores.

Whether a row may be sent again is the at-most-once rule's (``_policy._resend``); this module
adds what only a journal knows (a key that now names another recipient) and the row's stored
form, so the SQLite and Postgres journals (and the claim statements, which mirror
:func:`skip_reason_for`) cannot drift apart.
"""

from __future__ import annotations

import json

from engagive_async._policy._resend import (
    ALREADY_SENT,
    FAILED_FINAL,
    IN_FLIGHT,
    MAYBE_SENT,
    may_send_again,
    rerun_skip_reason,
)
from engagive_async.models.batch import OutcomeStatus, SendItem, SendOutcome

__all__ = [
    "ALREADY_SENT",
    "FAILED_FINAL",
    "HELD_ELSEWHERE",
    "IN_FLIGHT",
    "MAYBE_SENT",
    "OTHER_RECIPIENT",
    "error_text",
    "meta_json",
    "meta_message",
    "recipient_of",
    "retryable_outcome",
    "row_key",
    "skip_reason_for",
]

#: Why a journal skips a row besides the rerun rule's reasons (the SKIPPED outcome's ``reason``).
OTHER_RECIPIENT = "the journal holds another recipient under this row key"
#: A claim lost to a worker that took the row between the chunk's check and the claim.
HELD_ELSEWHERE = "another worker holds this row"


def row_key(index: int, item: SendItem) -> str:
    """The row's key in the journal: the item's ``key``, else its index."""
    return item.key if item.key is not None else str(index)


def recipient_of(item: SendItem) -> str:
    """The recipient as stored: "+92300..." and "92300..." are one recipient."""
    return item.to.strip().removeprefix("+")


def skip_reason_for(
    status: str, recipient: str, retryable: bool, item: SendItem, *, resend_unknown: bool
) -> str | None:
    """Why a row already in the journal must not be sent now, or ``None``.

    ========== ==================================================================
    SENT       always skipped
    IN_FLIGHT  skipped (a worker holds it, or died holding it) unless resend_unknown
    UNKNOWN    skipped (the request went out, no answer came) unless resend_unknown
    FAILED     skipped unless its error was retryable (nothing can have been sent)
    SKIPPED    sent (it was never attempted)
    ========== ==================================================================

    A row whose key now names another recipient is never sent (the input changed).
    """
    if recipient != recipient_of(item):
        return OTHER_RECIPIENT
    return rerun_skip_reason(status, sendable_failure=retryable, resend_unknown=resend_unknown)


def retryable_outcome(outcome: SendOutcome) -> bool:
    """Whether a FAILED outcome may be sent again without risk of a duplicate."""
    return outcome.status is OutcomeStatus.FAILED and may_send_again(
        outcome.error, attempts=outcome.attempts
    )


def meta_json(outcome: SendOutcome) -> str | None:
    """Meta's payload as stored: JSON text, or ``None``."""
    meta = outcome.meta_response
    return json.dumps(dict(meta), ensure_ascii=False, default=str) if meta is not None else None


def meta_message(meta_response: str | None) -> str | None:
    """Meta's own words for an error (``error.message``), from a stored metaResponse."""
    try:
        message = json.loads(meta_response or "null")["error"]["message"]
    except (ValueError, TypeError, KeyError):
        return None
    return message if isinstance(message, str) else None


def error_text(error: BaseException | None) -> str | None:
    if error is None:
        return None
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
