"""The at-most-once rule: what may be sent again, and by whom. Every resend asks here.

Three places resend, and each asks one question of this module:

* the **pipeline** retrying a call (:func:`may_retry`): a read (an idempotent method) is retried
  on every transient failure; a send only when the server cannot have acted on it: the
  connection was never made, a 429, or a Meta refusal for pace (``_meta_codes``). A timeout or
  a dropped connection after the request went out, a 5xx, any other Meta error: final;
* the **batch** naming what became of a failed send (:func:`outcome_status_for`): FAILED when an
  answer said no or nothing was sent, UNKNOWN when nothing proves the message was not relayed
  (:func:`send_may_have_arrived`: a request cut after it went out, an answer that is not
  Engagive's envelope, a 5xx without Meta's error);
* the **journal** on a rerun (:func:`rerun_skip_reason`): SENT rows never go again, IN_FLIGHT and
  UNKNOWN rows only when the user accepts duplicates, FAILED rows only when
  :func:`may_send_again` said nothing can have been sent.

Pure: no I/O, no clock, no state.
"""

from __future__ import annotations

from engagive_async._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
)
from engagive_async._policy._meta_codes import is_not_sent_retryable
from engagive_async.models.batch import OutcomeStatus

__all__ = [
    "ALREADY_SENT",
    "FAILED_FINAL",
    "IDEMPOTENT_METHODS",
    "IN_FLIGHT",
    "MAYBE_SENT",
    "TRANSIENT_STATUSES",
    "may_retry",
    "may_send_again",
    "outcome_status_for",
    "rerun_skip_reason",
    "send_may_have_arrived",
]

#: Methods whose repetition leaves the server as one call would (RFC 9110 section 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Statuses that may pass: retried for idempotent requests (``RetryPolicy.retry_statuses``).
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

#: A journal row claimed before its request went out and not yet answered.
IN_FLIGHT = "IN_FLIGHT"

#: Why a rerun skips a row (the SKIPPED outcome's ``reason``).
ALREADY_SENT = "already sent"
MAYBE_SENT = "may have been sent in an earlier run (unknown or in flight)"
FAILED_FINAL = "failed in an earlier run (not retryable)"


def may_retry(
    error: BaseException,
    *,
    idempotent: bool,
    retry_statuses: frozenset[int] = TRANSIENT_STATUSES,
) -> bool:
    """Whether the call that failed with ``error`` may be made again (budget aside).

    Args:
        error: what the attempt ended with.
        idempotent: whether the request may be repeated without effect (a read, a PUT).
        retry_statuses: statuses that may pass, for idempotent requests.
    """
    if isinstance(error, APIConnectionError):
        return idempotent or not error.request_sent
    if isinstance(error, RateLimitError):
        return True  # Engagive refused before acting
    if isinstance(error, APIStatusError):
        if error.meta_error is not None and is_not_sent_retryable(error.meta_error.code):
            return True
        return idempotent and error.status_code in retry_statuses
    if isinstance(error, ResponseDecodeError):
        return idempotent and error.status_code in retry_statuses
    return False


def send_may_have_arrived(error: BaseException) -> bool:
    """Whether a send that ended with ``error`` may still have been relayed to Meta.

    ``False`` only when an answer said no (a 4xx, Meta's error) or nothing was sent. A request
    cut after it went out (a read timeout, a dropped connection, an attempt or call deadline),
    an answer that is not Engagive's envelope (a proxy page, a body past the size cap) and a 5xx
    without Meta's error all leave it open: Engagive may have relayed the message first.
    """
    if isinstance(error, APIConnectionError):
        return error.request_sent
    if isinstance(error, ResponseDecodeError):
        return True
    if isinstance(error, APIStatusError):
        # Meta's error in the body says it refused; a bare 5xx proves nothing either way.
        return error.status_code >= 500 and error.meta_error is None
    return False


def outcome_status_for(error: BaseException) -> OutcomeStatus:
    """UNKNOWN when the send may have been relayed (:func:`send_may_have_arrived`), else FAILED:
    the server or Meta answered no, or the item was invalid."""
    return OutcomeStatus.UNKNOWN if send_may_have_arrived(error) else OutcomeStatus.FAILED


def may_send_again(error: BaseException | None, *, attempts: int) -> bool:
    """Whether a FAILED send may go again in a later run without risk of a duplicate.

    True when nothing can have been sent: the item was refused before any request
    (``attempts == 0``, an invalid item), its error was one a send is retried on (the retries
    ran out), or Engagive turned the credentials away before acting (401, 403: fixing them
    makes it safe).
    """
    if attempts == 0:
        return True
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return True
    return error is not None and may_retry(error, idempotent=False)


def rerun_skip_reason(status: str, *, sendable_failure: bool, resend_unknown: bool) -> str | None:
    """Why a journal row left by an earlier run must not be sent now, or ``None`` to send it.

    Args:
        status: the row's status: an :class:`OutcomeStatus` name, or :data:`IN_FLIGHT`.
        sendable_failure: for a FAILED row, what :func:`may_send_again` said of it.
        resend_unknown: the user accepts duplicates of rows whose fate is unknown.
    """
    if status == OutcomeStatus.SENT.name:
        return ALREADY_SENT
    if status in (IN_FLIGHT, OutcomeStatus.UNKNOWN.name) and not resend_unknown:
        return MAYBE_SENT
    if status == OutcomeStatus.FAILED.name and not sendable_failure:
        return FAILED_FINAL
    return None
