"""RetryPolicy: what is retried, how long to wait, and the at-most-once rule for sends.

The decision depends on what the server can have done, not only on what went wrong:

* **Idempotent requests** (GET, PUT, DELETE) are retried on every transient failure: connection
  errors and timeouts, 429, 5xx, and non-JSON answers from a proxy with a 5xx status.
* **Sends and other POSTs** are retried only when the server cannot have acted on them: the
  connection was never made (``APIConnectionError.request_sent`` is false), a 429, or a Meta
  error that means "refused for pace, not sent" (see ``_meta_codes``). A timeout or a dropped
  connection after the request went out is final: the message may have been delivered, and
  sending it again could deliver it twice.

Waits use the server's ``Retry-After`` when it gives one (capped), else exponential backoff with
full jitter.

:func:`send_may_have_arrived` is the other half of the same judgement, for what a batch reports:
a send whose failure cannot prove that nothing was relayed is UNKNOWN, never FAILED. That holds
for a request cut after it went out (a read timeout, a dropped connection, an attempt or call
deadline), an answer that is not Engagive's envelope (a proxy page, a body past the size cap),
and any 5xx without Meta's error in it: Engagive may have relayed the message before failing.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

import attrs

from engagive_async._errors import (
    APIConnectionError,
    APIStatusError,
    EngagiveError,
    RateLimitError,
    ResponseDecodeError,
)
from engagive_async._policy._meta_codes import (
    MetaErrorClass,
    classify_meta_code,
    is_not_sent_retryable,
)

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy", "parse_retry_after", "send_may_have_arrived"]

#: Methods whose repetition leaves the server as one call would (RFC 9110 section 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

_TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


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

    max_attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    initial_backoff: float = attrs.field(default=0.25, validator=attrs.validators.ge(0))
    max_backoff: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    max_retry_after: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    retry_statuses: frozenset[int] = _TRANSIENT_STATUSES

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
        if isinstance(error, APIConnectionError):
            return idempotent or not error.request_sent
        if isinstance(error, RateLimitError):
            return True
        if isinstance(error, APIStatusError):
            if error.meta_error is not None and is_not_sent_retryable(error.meta_error.code):
                return True
            return idempotent and error.status_code in self.retry_statuses
        if isinstance(error, ResponseDecodeError):
            return idempotent and error.status_code in self.retry_statuses
        return False


def send_may_have_arrived(error: BaseException) -> bool:
    """Whether a send that ended with ``error`` may still have been relayed to Meta.

    ``False`` only when an answer said no (a 4xx, Meta's error), or nothing was sent.
    """
    if isinstance(error, APIConnectionError):
        return error.request_sent
    if isinstance(error, ResponseDecodeError):
        return True
    if isinstance(error, APIStatusError):
        # Meta's error in the body says it refused; a bare 5xx proves nothing either way.
        return error.status_code >= 500 and error.meta_error is None
    return False


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
