"""How every journal applies the rerun rules to its rows, and what a row stores.

Whether a row may be sent again is the at-most-once rule's (``_policy._resend``); this module
adds what only a journal knows (a key that now names another recipient) and the row's stored
form, so the SQLite and Postgres journals (and the claim statements, which mirror
:func:`skip_reason_for`) cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from engagive_async._policy._resend import (
    ALREADY_SENT,
    FAILED_FINAL,
    IN_FLIGHT,
    MAYBE_SENT,
    may_send_again,
    rerun_skip_reason,
)
from engagive_async._sending._send_journal import DuplicateRowKeyError
from engagive_async.models.batch import OutcomeStatus, SendItem, SendOutcome

__all__ = [
    "ALREADY_SENT",
    "FAILED_FINAL",
    "HELD_ELSEWHERE",
    "IN_FLIGHT",
    "MAYBE_SENT",
    "OTHER_RECIPIENT",
    "RecordWrite",
    "error_text",
    "meta_json",
    "meta_message",
    "recipient_of",
    "record_write",
    "retryable_outcome",
    "row_key",
    "skip_reason_for",
    "skip_reasons_for",
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


def skip_reasons_for(
    keyed: Mapping[str, tuple[int, SendItem]],
    rows: Iterable[tuple[Any, ...]],
    *,
    run_id: str,
    resend_unknown: bool,
) -> dict[int, str]:
    """Why some items of a chunk must not be sent now, from the journal's rows for their keys.

    ``keyed`` maps each row key to its (index, item); each row is (row_key, status, recipient,
    retryable, run_id, stale), ``stale`` saying that an IN_FLIGHT row's claim is old enough for
    ``resend_unknown`` to take it over (a journal with no claim age passes ``True``). A row this
    run wrote is left to the claim, which refuses the duplicate key.
    """
    reasons: dict[int, str] = {}
    for key, status, recipient, retryable, row_run, stale in rows:
        if row_run == run_id:
            continue  # a duplicate key in this run: claim refuses it
        index, item = keyed[key]
        if status == IN_FLIGHT and resend_unknown and not stale:
            reasons[index] = HELD_ELSEWHERE
            continue
        reason = skip_reason_for(
            status, recipient, bool(retryable), item, resend_unknown=resend_unknown
        )
        if reason is not None:
            reasons[index] = reason
    return reasons


#: Which statement records an outcome: over this run's claim, the SKIPPED mark of a row never
#: claimed, or the outcome of a row this run did not claim (which must not undo another's).
RecordWrite = Literal["RECORD", "RECORD_SKIPPED", "RECORD_UNCLAIMED"]


def record_write(outcome: SendOutcome, claimed: set[str]) -> tuple[str, RecordWrite] | None:
    """The outcome's row key and the write that records it, or ``None`` to record nothing.

    Takes the key out of ``claimed`` (the keys this run claimed and has not yet recorded). An
    outcome refused as a duplicate key records nothing: the row is the first claimant's.
    """
    if isinstance(outcome.error, DuplicateRowKeyError):
        return None
    key = row_key(outcome.index, outcome.item)
    was_claimed = key in claimed
    claimed.discard(key)
    if outcome.status is OutcomeStatus.SKIPPED and not was_claimed:
        return key, "RECORD_SKIPPED"
    return key, "RECORD" if was_claimed else "RECORD_UNCLAIMED"


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
