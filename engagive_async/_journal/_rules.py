"""The rerun rules every journal applies, the reasons it gives, and what a row stores.

One place decides whether a row may be sent again and what an outcome leaves in its row, so
the SQLite and Postgres journals (and the claim statements, which mirror
:func:`skip_reason_for`) cannot drift apart.
"""

from __future__ import annotations

import json

from engagive_async._errors import AuthenticationError, PermissionDeniedError
from engagive_async._sending._outcomes import is_retryable_failure
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

#: Journal statuses: the outcome statuses, plus IN_FLIGHT for a row claimed and not answered.
IN_FLIGHT = "IN_FLIGHT"

#: Why a rerun skips a row (the SKIPPED outcome's ``reason``).
ALREADY_SENT = "already sent"
MAYBE_SENT = "may have been sent in an earlier run (unknown or in flight)"
FAILED_FINAL = "failed in an earlier run (not retryable)"
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
    if status == "SENT":
        return ALREADY_SENT
    if status in (IN_FLIGHT, "UNKNOWN") and not resend_unknown:
        return MAYBE_SENT
    if status == "FAILED" and not retryable:
        return FAILED_FINAL
    return None


def retryable_outcome(outcome: SendOutcome) -> bool:
    """Whether a FAILED outcome may be sent again without risk of a duplicate."""
    return outcome.status is OutcomeStatus.FAILED and (
        outcome.attempts == 0  # refused before any request (an invalid item)
        or is_retryable_failure(outcome.error)
        # Engagive turned the credentials away before acting: fixing them makes it safe.
        or isinstance(outcome.error, AuthenticationError | PermissionDeniedError)
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
