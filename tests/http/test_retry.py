"""RetryPolicy: what may be retried, and how long to wait."""

from __future__ import annotations

import email.utils

import pytest

from engagive_async import (
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
)
from engagive_async._http._retry import parse_retry_after
from tests.policy._support import KW, meta_error


def test_the_policy_asks_the_at_most_once_rule_with_its_own_statuses() -> None:
    """What may be retried is the rule's (tests/policy/test_resend.py); the policy only passes
    its ``retry_statuses`` on, for reads."""
    sent = APITimeoutError("x", request_sent=True, **KW)
    assert not RetryPolicy().is_retryable(sent, idempotent=False)
    assert RetryPolicy().is_retryable(sent, idempotent=True)
    err = InternalServerError("x", status_code=503, body=None, **KW)
    assert RetryPolicy().is_retryable(err, idempotent=True)
    assert not RetryPolicy(retry_statuses=frozenset({500})).is_retryable(err, idempotent=True)
    assert RetryPolicy().is_retryable(meta_error(130429), idempotent=False)


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
        policy.delay_before_retry(meta_error(131056), attempt=n, idempotent=False)
        for n in (1, 2, 3)
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
