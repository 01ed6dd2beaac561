"""What each Meta error code means for a sender: the one classification table.

Meta publishes codes, not a retry policy; the classes below are ours, built from Meta's error
table as collected in ``shared/meta-cloud-api/ERROR-CODES.md``. Meta's advice is to branch on
``code``, never on the title or the HTTP status (throughput errors arrive as HTTP 400, and
Engagive relays them as 502).

The at-most-once rule reads only one thing from here: :func:`is_not_sent_retryable`. Every code
in a retryable class is one for which Meta answered with an error and no wamid *and* the error
itself says the message was refused for pace, so sending the same request again cannot deliver
it twice. ``TRANSIENT`` codes (131000 "something went wrong", 2 "service", ...) also come without
a wamid, but Meta does not promise the attempt had no effect, so they are final.
"""

from __future__ import annotations

import enum

__all__ = [
    "META_ERROR_CLASSES",
    "MetaErrorClass",
    "classify_meta_code",
    "is_not_sent_retryable",
    "pauses_everyone",
]


class MetaErrorClass(enum.Enum):
    """How a sender should treat a Meta error code."""

    #: Not sent; the same request may go again after a backoff (throughput limits).
    RETRY = "retry"
    #: Not sent; this recipient is rate-limited (pair limit), others are not.
    RETRY_RECIPIENT = "retry_recipient"
    #: Not sent; the number or account is being limited: slow everyone down, then retry.
    SLOW_DOWN = "slow_down"
    #: A Meta-side failure that Meta says may pass. Final under the at-most-once rule.
    TRANSIENT = "transient"
    #: The request itself is wrong (payload, template, configuration); resending fails again.
    FIX_REQUEST = "fix_request"
    #: Permanent for this recipient now (not on WhatsApp, opted out, 24 h window closed, ...).
    RECIPIENT = "recipient"
    #: Account, token, policy or billing problem: every further send will fail too.
    STOP = "stop"
    #: Not in our table: treated as final.
    UNKNOWN = "unknown"


_C = MetaErrorClass

#: code -> class. Sources per code are in ERROR-CODES.md (reviewed against it code by code, and
#: against pywa's grouping: its throttling group is 4, 80007, 130429, 131048 and 131056). Codes
#: that are no send error are left out and classify as UNKNOWN (final): registration and
#: two-step PIN codes (133005-133009, 133015, 133016) and 131052, which is about media a *user*
#: sent.
META_ERROR_CLASSES: dict[int, MetaErrorClass] = {
    # Throughput: refused for pace, not sent.
    130429: _C.RETRY,  # Cloud API messages-per-second limit of the number
    131057: _C.RETRY,  # account in maintenance mode (throughput upgrade, up to a minute)
    131056: _C.RETRY_RECIPIENT,  # (business, consumer) pair rate limit
    4: _C.SLOW_DOWN,  # app-level API call rate limit
    80007: _C.SLOW_DOWN,  # WhatsApp Business Account rate limit
    # Spam rate limit: sends from this number are restricted because earlier messages were
    # blocked or flagged. Not sent, and no quick retry: the whole number pauses.
    131048: _C.SLOW_DOWN,
    17: _C.SLOW_DOWN,  # user-level too many calls (Graph)
    341: _C.SLOW_DOWN,  # application limit reached (Graph)
    613: _C.SLOW_DOWN,  # call rate limit (Graph)
    # Meta-side failures without a promise that nothing happened.
    1: _C.TRANSIENT,
    2: _C.TRANSIENT,
    131000: _C.TRANSIENT,
    131016: _C.TRANSIENT,
    133004: _C.TRANSIENT,
    # The request must change.
    100: _C.FIX_REQUEST,
    131008: _C.FIX_REQUEST,
    131009: _C.FIX_REQUEST,
    131021: _C.FIX_REQUEST,
    131030: _C.FIX_REQUEST,
    131051: _C.FIX_REQUEST,
    131053: _C.FIX_REQUEST,
    131062: _C.FIX_REQUEST,
    131063: _C.FIX_REQUEST,
    132000: _C.FIX_REQUEST,
    132001: _C.FIX_REQUEST,
    132005: _C.FIX_REQUEST,
    132007: _C.FIX_REQUEST,
    132008: _C.FIX_REQUEST,
    132012: _C.FIX_REQUEST,
    132015: _C.FIX_REQUEST,
    132016: _C.FIX_REQUEST,
    132068: _C.FIX_REQUEST,
    132069: _C.SLOW_DOWN,  # a throttled Flow: not sent, fine again later
    135000: _C.FIX_REQUEST,
    137000: _C.FIX_REQUEST,
    # This recipient, now.
    130472: _C.RECIPIENT,
    130497: _C.RECIPIENT,
    131026: _C.RECIPIENT,
    131047: _C.RECIPIENT,
    131049: _C.RECIPIENT,
    131050: _C.RECIPIENT,
    470: _C.RECIPIENT,
    # The account, token or policy.
    0: _C.STOP,
    102: _C.STOP,  # Graph "API session": the token expired or was revoked, as 190
    3: _C.STOP,
    10: _C.STOP,
    33: _C.STOP,
    190: _C.STOP,
    368: _C.STOP,
    131005: _C.STOP,
    131031: _C.STOP,
    131037: _C.STOP,
    131042: _C.STOP,
    131045: _C.STOP,
    131064: _C.STOP,
    133000: _C.STOP,  # an earlier deregistration failed: the number cannot send until fixed
    133010: _C.STOP,
}

_NOT_SENT_RETRYABLE = frozenset({_C.RETRY, _C.RETRY_RECIPIENT, _C.SLOW_DOWN})
_PAUSES_EVERYONE = frozenset({_C.RETRY, _C.SLOW_DOWN})


def classify_meta_code(code: int | None) -> MetaErrorClass:
    """The class of a Meta error code; Graph permission codes 200-299 are STOP."""
    if code is None:
        return _C.UNKNOWN
    if 200 <= code <= 299:
        return _C.STOP
    return META_ERROR_CLASSES.get(code, _C.UNKNOWN)


def is_not_sent_retryable(code: int | None) -> bool:
    """True when Meta refused the message for pace: resending cannot duplicate it."""
    return classify_meta_code(code) in _NOT_SENT_RETRYABLE


def pauses_everyone(code: int | None) -> bool:
    """True for limits on the number or account (not one recipient): a batch pauses as one."""
    return classify_meta_code(code) in _PAUSES_EVERYONE
