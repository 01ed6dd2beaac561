"""What the journal's reads return, built from rows the same way by every journal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from engagive_async._journal._rules import meta_message
from engagive_async._sending._send_journal import DuplicateRowKeyError

__all__ = [
    "DuplicateRowKeyError",
    "JournalEntry",
    "JournalSummary",
    "entry_from_row",
    "export_row",
    "summary_from_rows",
]


@attrs.frozen(kw_only=True)
class JournalEntry:
    """One row of a campaign as the journal holds it.

    Attributes:
        key: the row key (the item's ``key``, else its index).
        index: the item's position in the input of the run that last wrote the row.
        to: the recipient.
        status: ``IN_FLIGHT``, ``SENT``, ``FAILED``, ``UNKNOWN`` or ``SKIPPED``.
        wamid: the WhatsApp message id when SENT.
        meta_response: Meta's payload as received (the answer, or its error).
        error: the error's type and text when FAILED or UNKNOWN.
        meta_error_code: Meta's error ``code`` when the error carried one.
        retryable: whether a FAILED row may be sent again without risk of a duplicate.
        attempts: requests made for the row over all runs.
        reason: why the row was SKIPPED or became UNKNOWN.
        first_attempt_at: ISO 8601 UTC time the row was first claimed.
        updated_at: ISO 8601 UTC time of the last change.
    """

    key: str
    index: int
    to: str
    status: str
    wamid: str | None
    meta_response: Mapping[str, Any] | None
    error: str | None
    meta_error_code: int | None
    retryable: bool
    attempts: int
    reason: str | None
    first_attempt_at: str | None
    updated_at: str


@attrs.frozen(kw_only=True)
class JournalSummary:
    """A campaign's rows counted by status, and its FAILED/UNKNOWN rows by Meta error code.

    ``meta_error_examples`` holds one stored error text per code, to say what the code meant.
    """

    campaign: str
    total: int
    by_status: Mapping[str, int]
    by_meta_error: Mapping[int, int]
    meta_error_examples: Mapping[int, str] = attrs.field(factory=dict)


def entry_from_row(row: tuple[Any, ...]) -> JournalEntry:
    """A JournalEntry from a row of ``SELECT_COLUMNS``."""
    (key, index, to, status, wamid, code, retryable, attempts, reason, error, first, updated,
     meta) = row  # fmt: skip
    return JournalEntry(
        key=key,
        index=index,
        to=to,
        status=status,
        wamid=wamid,
        meta_response=json.loads(meta) if meta else None,
        error=error,
        meta_error_code=code,
        retryable=bool(retryable),
        attempts=attempts,
        reason=reason,
        first_attempt_at=first,
        updated_at=updated,
    )


def summary_from_rows(
    campaign: str,
    by_status: Mapping[str, int],
    codes: Iterable[tuple[int, int, str | None, str | None]],
) -> JournalSummary:
    """A JournalSummary from the count per status and the rows of the per-code query.

    ``codes`` holds (meta_error_code, count, a stored metaResponse, a stored error) per code,
    most frequent first, as both journals' summary statements select them.
    """
    codes = list(codes)
    return JournalSummary(
        campaign=campaign,
        total=sum(by_status.values()),
        by_status=dict(by_status),
        by_meta_error={code: count for code, count, _, _ in codes},
        meta_error_examples={
            code: meta_message(meta) or error or "" for code, _, meta, error in codes
        },
    )


def export_row(campaign: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A CSV line of ``EXPORT_COLUMNS`` from a row of ``SELECT_COLUMNS`` (NULL as empty)."""
    return (campaign, *("" if v is None else v for v in row))
