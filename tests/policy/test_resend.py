"""The at-most-once rule: what the pipeline may retry, what a failure's outcome is, what a rerun
may send again. The rows restate the errors guide's table, so a change here is deliberate."""

from __future__ import annotations

import pytest

from engagive_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    EngagiveError,
    InternalServerError,
    OutcomeStatus,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    UpstreamError,
    ValidationError,
)
from engagive_async._policy._resend import (
    ALREADY_SENT,
    FAILED_FINAL,
    IN_FLIGHT,
    MAYBE_SENT,
    may_retry,
    may_send_again,
    outcome_status_for,
    rerun_skip_reason,
    send_may_have_arrived,
)
from engagive_async.models.meta import MetaError
from tests.policy._support import KW, meta_error

NEVER_LEFT = APIConnectionError("refused", request_sent=False, **KW)
SENT_NO_ANSWER = APITimeoutError("read timeout", request_sent=True, **KW)
RATE_LIMITED = RateLimitError("429", status_code=429, body=None, retry_after=1.0, **KW)
SERVER_ERROR = InternalServerError("500", status_code=500, body=None, **KW)
GATEWAY_TIMEOUT = InternalServerError("504", status_code=504, body=None, **KW)
PROXY_PAGE = ResponseDecodeError("html", status_code=502, body="<html>", **KW)
BAD_REQUEST = BadRequestError("400", status_code=400, body=None, **KW)
UNAUTHORISED = AuthenticationError("401", status_code=401, body=None, **KW)
FORBIDDEN = PermissionDeniedError("403", status_code=403, body=None, **KW)

# (error, a read may retry, a send may retry, a failed send's outcome)
RULES: list[tuple[EngagiveError, bool, bool, OutcomeStatus]] = [
    (NEVER_LEFT, True, True, OutcomeStatus.FAILED),
    (SENT_NO_ANSWER, True, False, OutcomeStatus.UNKNOWN),
    (RATE_LIMITED, True, True, OutcomeStatus.FAILED),
    (meta_error(130429), True, True, OutcomeStatus.FAILED),  # Meta: throughput, not sent
    (meta_error(131056), True, True, OutcomeStatus.FAILED),  # Meta: pair rate limit
    (meta_error(131000), True, False, OutcomeStatus.FAILED),  # Meta: "something went wrong"
    (meta_error(131026), True, False, OutcomeStatus.FAILED),  # 502 is transient for reads
    (SERVER_ERROR, True, False, OutcomeStatus.UNKNOWN),  # a bare 5xx proves nothing
    (GATEWAY_TIMEOUT, True, False, OutcomeStatus.UNKNOWN),
    (PROXY_PAGE, True, False, OutcomeStatus.UNKNOWN),
    (BAD_REQUEST, False, False, OutcomeStatus.FAILED),
    (UNAUTHORISED, False, False, OutcomeStatus.FAILED),
]


@pytest.mark.parametrize(("error", "read", "send", "outcome"), RULES, ids=lambda v: repr(v)[:40])
def test_the_rule_for_each_failure(
    error: EngagiveError, read: bool, send: bool, outcome: OutcomeStatus
) -> None:
    """Reads retry every transient failure; sends only what cannot have been delivered."""
    assert may_retry(error, idempotent=True) is read
    assert may_retry(error, idempotent=False) is send
    assert outcome_status_for(error) is outcome


def test_a_read_retries_only_the_statuses_it_is_given() -> None:
    """``RetryPolicy(retry_statuses=...)`` narrows what a read retries."""
    assert not may_retry(SERVER_ERROR, idempotent=True, retry_statuses=frozenset({503}))


@pytest.mark.parametrize(
    ("error", "attempts", "sendable"),
    [
        (ValidationError("to", "is empty"), 0, True),  # refused before any request
        (NEVER_LEFT, 4, True),
        (RATE_LIMITED, 4, True),
        (meta_error(130429), 4, True),
        (UNAUTHORISED, 1, True),  # credentials refused before Engagive acted
        (FORBIDDEN, 1, True),
        (SERVER_ERROR, 1, False),  # Engagive may have acted
        (meta_error(131026), 1, False),
        (BAD_REQUEST, 1, False),
        (None, 1, False),
    ],
)
def test_which_failed_sends_a_rerun_may_send_again(
    error: BaseException | None, attempts: int, sendable: bool
) -> None:
    """A FAILED send goes again in a later run only when nothing can have been sent."""
    assert may_send_again(error, attempts=attempts) is sendable


@pytest.mark.parametrize(
    ("status", "sendable", "resend_unknown", "reason"),
    [
        ("SENT", True, True, ALREADY_SENT),
        (IN_FLIGHT, False, False, MAYBE_SENT),
        ("UNKNOWN", False, False, MAYBE_SENT),
        (IN_FLIGHT, False, True, None),
        ("UNKNOWN", False, True, None),
        ("FAILED", False, True, FAILED_FINAL),
        ("FAILED", True, False, None),
        ("SKIPPED", False, False, None),
    ],
)
def test_what_a_rerun_skips(
    status: str, sendable: bool, resend_unknown: bool, reason: str | None
) -> None:
    """SENT never goes again; unknown fates only on request; failures only when sendable."""
    got = rerun_skip_reason(status, sendable_failure=sendable, resend_unknown=resend_unknown)
    assert got == reason


def _status(cls: type[APIStatusError], status: int, meta_code: int | None = None) -> APIStatusError:
    meta = MetaError(code=meta_code) if meta_code is not None else None
    return cls("x", method="POST", url="u", status_code=status, body=None, meta_error=meta)


@pytest.mark.parametrize(
    ("error", "arrived"),
    [
        (_status(InternalServerError, 500), True),
        (_status(InternalServerError, 503), True),
        (_status(InternalServerError, 504), True),
        (_status(UpstreamError, 502), True),
        (_status(UpstreamError, 502, 131026), False),
        (_status(InternalServerError, 500, 131000), False),
        (_status(BadRequestError, 400), False),
        (_status(RateLimitError, 429), False),
        (APIConnectionError("x", method="POST", url="u", request_sent=True), True),
        (APIConnectionError("x", method="POST", url="u", request_sent=False), False),
        (ResponseDecodeError("x", method="POST", url="u", status_code=200, body=""), True),
    ],
)
def test_only_an_answer_that_says_no_proves_a_send_was_not_relayed(
    error: Exception, arrived: bool
) -> None:
    """A bare 5xx, a cut or unreadable answer may have been relayed; a 4xx or Meta's no not."""
    assert send_may_have_arrived(error) is arrived
