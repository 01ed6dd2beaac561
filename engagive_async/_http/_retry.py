"""RetryPolicy: how many attempts, and how long to wait in between.

Whether an error may be retried at all is the at-most-once rule, asked of
``_policy._resend.may_retry``: reads are retried on every transient failure, sends only when the
server cannot have acted on them. Waits use the server's ``Retry-After`` when it gives one
(capped), else exponential backoff with full jitter.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

import attrs

from engagive_async._checks._arguments import at_least
from engagive_async._errors import APIStatusError, EngagiveError, RateLimitError
from engagive_async._policy._meta_codes import MetaErrorClass, classify_meta_code
from engagive_async._policy._resend import TRANSIENT_STATUSES, may_retry

__all__ = ["RetryPolicy", "parse_retry_after"]


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How many times to try, and how long to wait in between.

    Args:
        max_attempts: attempts in all, the first included (1 disables retries).
        initial_backoff: the first backoff ceiling, in seconds; it doubles per attempt.
        max_backoff: the largest backoff ceiling, in seconds.
        max_retry_after: a server's ``Retry-After`` is honoured up to this many seconds; a longer
            advice ends the retries (waiting minutes inside one call helps nobody).
        retry_statuses: statuses retried for idempotent requests.
    """

    max_attempts: int = attrs.field(default=4, validator=at_least(1))
    initial_backoff: float = attrs.field(default=0.25, validator=at_least(0))
    max_backoff: float = attrs.field(default=8.0, validator=at_least(0))
    max_retry_after: float = attrs.field(default=60.0, validator=at_least(0))
    retry_statuses: frozenset[int] = TRANSIENT_STATUSES

    def backoff(self, attempt: int) -> float:
        """Full-jitter backoff before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.max_backoff, self.initial_backoff * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)

    def delay_before_retry(
        self, error: EngagiveError, *, attempt: int, idempotent: bool
    ) -> float | None:
        """Seconds to wait before trying again after ``error``, or ``None`` not to retry.

        Args:
            error: what attempt number ``attempt`` ended with.
            attempt: how many attempts were made so far (1 after the first).
            idempotent: whether the request may be repeated without effect.
        """
        if attempt >= self.max_attempts or not self.is_retryable(error, idempotent=idempotent):
            return None
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return error.retry_after
        if isinstance(error, APIStatusError) and error.meta_error is not None:
            meta_class = classify_meta_code(error.meta_error.code)
            if meta_class is MetaErrorClass.RETRY_RECIPIENT:
                # Meta's advice for the pair limit: wait 4^X seconds, X from 0 (1, 4, 16 s),
                # within the same cap as a server's Retry-After.
                return float(min(self.max_retry_after, 4 ** (attempt - 1)))
        return self.backoff(attempt)

    def is_retryable(self, error: EngagiveError, *, idempotent: bool) -> bool:
        """Whether ``error`` may be retried at all (ignoring the attempt budget)."""
        return may_retry(error, idempotent=idempotent, retry_statuses=self.retry_statuses)


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; ``None`` when absent or bad."""
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
