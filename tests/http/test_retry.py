"""RetryPolicy: what may be retried, and how long to wait."""

from __future__ import annotations

import email.utils

import pytest

from engagive_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    UpstreamError,
)
from engagive_async._http._retry import parse_retry_after, send_may_have_arrived
from engagive_async._wire._converter import parse_meta_error
from engagive_async.models.meta import MetaError

KW = {"method": "POST", "url": "https://x/y"}


def _meta(code: int) -> UpstreamError:
    meta = {"error": {"code": code}}
    return UpstreamError(
        "meta",
        status_code=502,
        body=None,
        meta_response=meta,
        meta_error=parse_meta_error(meta),
        **KW,
    )


def test_connection_errors_retry_for_sends_only_when_not_sent() -> None:
    """A send whose request may have gone out is never retried; one that never left is."""
    policy = RetryPolicy()
    never = APIConnectionError("x", request_sent=False, **KW)
    maybe = APITimeoutError("x", request_sent=True, **KW)
    assert policy.is_retryable(never, idempotent=False)
    assert not policy.is_retryable(maybe, idempotent=False)
    assert policy.is_retryable(maybe, idempotent=True)


@pytest.mark.parametrize(
    ("code", "retryable"),
    [(130429, True), (131056, True), (80007, True), (4, True), (131026, False), (131000, False)],
)
def test_meta_codes_decide_send_retries(code: int, retryable: bool) -> None:
    """Only Meta's "refused for pace" codes make a send retryable."""
    assert RetryPolicy().is_retryable(_meta(code), idempotent=False) is retryable


def test_server_errors_retry_reads_not_sends() -> None:
    """5xx and proxy pages are retried for reads only."""
    policy = RetryPolicy()
    err = InternalServerError("x", status_code=503, body=None, **KW)
    page = ResponseDecodeError("x", status_code=502, body="<html>", **KW)
    assert policy.is_retryable(err, idempotent=True)
    assert not policy.is_retryable(err, idempotent=False)
    assert policy.is_retryable(page, idempotent=True)
    assert not policy.is_retryable(page, idempotent=False)


def test_backoff_is_full_jitter_under_a_doubling_ceiling() -> None:
    """Each backoff lies in [0, min(max_backoff, initial * 2^(n-1))]."""
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=3)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        samples = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2  # jittered, not always tiny


def test_delay_uses_retry_after_and_stops_at_the_budget() -> None:
    """Retry-After wins over backoff; no delay once max_attempts is reached."""
    policy = RetryPolicy(max_attempts=3)
    limited = RateLimitError("x", retry_after=7.0, status_code=429, body=None, **KW)
    assert policy.delay_before_retry(limited, attempt=1, idempotent=False) == 7.0
    assert policy.delay_before_retry(limited, attempt=3, idempotent=False) is None


def test_pair_limit_waits_four_to_the_power_of_the_attempt() -> None:
    """Meta's pair-rate advice: 1, 4, 16 seconds."""
    policy = RetryPolicy(max_attempts=5)
    waits = [
        policy.delay_before_retry(_meta(131056), attempt=n, idempotent=False) for n in (1, 2, 3)
    ]
    assert waits == [1.0, 4.0, 16.0]


def test_policy_rejects_nonsense() -> None:
    """max_attempts below 1 is refused."""
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("soon", None), ("nan", None)],
)
def test_parse_retry_after_seconds(value: str, expected: float | None) -> None:
    """Delta-seconds parse; garbage is ignored; negatives clamp to zero."""
    assert parse_retry_after({"retry-after": value}) == expected


def test_parse_retry_after_http_date() -> None:
    """An HTTP date is turned into seconds from now."""
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(90, abs=1)
    assert parse_retry_after({}) is None


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
