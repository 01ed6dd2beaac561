"""The Meta error classification table: one test per code class, and the rules built on it."""

from __future__ import annotations

import pytest

from engagive_async._policy._meta_codes import (
    META_ERROR_CLASSES,
    MetaErrorClass,
    classify_meta_code,
    is_not_sent_retryable,
    pauses_everyone,
)

C = MetaErrorClass

# Expected class per code, restated from ERROR-CODES.md so that a change to the table is a
# deliberate, reviewed change to this list too.
EXPECTED = {
    130429: C.RETRY, 131057: C.RETRY, 131056: C.RETRY_RECIPIENT, 4: C.SLOW_DOWN,
    80007: C.SLOW_DOWN, 131048: C.SLOW_DOWN, 17: C.SLOW_DOWN, 341: C.SLOW_DOWN, 613: C.SLOW_DOWN,
    132069: C.SLOW_DOWN,
    1: C.TRANSIENT, 2: C.TRANSIENT, 131000: C.TRANSIENT, 131016: C.TRANSIENT, 133004: C.TRANSIENT,
    100: C.FIX_REQUEST, 131008: C.FIX_REQUEST, 131009: C.FIX_REQUEST, 131021: C.FIX_REQUEST,
    131030: C.FIX_REQUEST, 131051: C.FIX_REQUEST, 131053: C.FIX_REQUEST, 131062: C.FIX_REQUEST,
    131063: C.FIX_REQUEST, 132000: C.FIX_REQUEST, 132001: C.FIX_REQUEST, 132005: C.FIX_REQUEST,
    132007: C.FIX_REQUEST, 132008: C.FIX_REQUEST, 132012: C.FIX_REQUEST, 132015: C.FIX_REQUEST,
    132016: C.FIX_REQUEST, 132068: C.FIX_REQUEST, 135000: C.FIX_REQUEST, 137000: C.FIX_REQUEST,
    130472: C.RECIPIENT, 130497: C.RECIPIENT, 131026: C.RECIPIENT, 131047: C.RECIPIENT,
    131049: C.RECIPIENT, 131050: C.RECIPIENT, 470: C.RECIPIENT,
    0: C.STOP, 102: C.STOP, 3: C.STOP, 10: C.STOP, 33: C.STOP, 190: C.STOP, 368: C.STOP,
    131005: C.STOP, 131031: C.STOP, 131037: C.STOP, 131042: C.STOP, 131045: C.STOP, 131064: C.STOP,
    133000: C.STOP, 133010: C.STOP,
}  # fmt: skip


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED.items()))
def test_each_code_has_its_class(code: int, expected: MetaErrorClass) -> None:
    """The table classifies every code of ERROR-CODES.md as documented there."""
    assert classify_meta_code(code) is expected


def test_table_and_expectations_cover_the_same_codes() -> None:
    """No code is in the table without a test, or tested without being in the table."""
    assert set(META_ERROR_CLASSES) == set(EXPECTED)


#: Codes of ERROR-CODES.md that are no send error (registration, two-step PIN, media a user
#: sent): deliberately not in the table, so they are final and never pause anyone.
NOT_SEND_ERRORS = (131052, 133005, 133006, 133007, 133008, 133009, 133015, 133016)


@pytest.mark.parametrize("code", NOT_SEND_ERRORS)
def test_codes_that_are_no_send_error_stay_unknown(code: int) -> None:
    """Admin and inbound-media codes are UNKNOWN: final, no retry, no pause."""
    assert code not in META_ERROR_CLASSES
    assert classify_meta_code(code) is C.UNKNOWN
    assert not is_not_sent_retryable(code)
    assert not pauses_everyone(code)


def test_spam_rate_limit_pauses_the_number() -> None:
    """131048 (spam rate limit) is a pause of the number: not sent, retried, everyone waits."""
    assert classify_meta_code(131048) is C.SLOW_DOWN
    assert is_not_sent_retryable(131048)
    assert pauses_everyone(131048)


@pytest.mark.parametrize("code", [200, 250, 299])
def test_graph_permission_range_is_stop(code: int) -> None:
    """Graph's 200-299 permission codes stop the batch."""
    assert classify_meta_code(code) is C.STOP


def test_unknown_and_missing_codes_are_unknown_and_final() -> None:
    """A code we do not know is never retried."""
    for code in (None, 999_999):
        assert classify_meta_code(code) is C.UNKNOWN
        assert not is_not_sent_retryable(code)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_only_pace_codes_are_retryable_and_only_number_limits_pause_all(code: int) -> None:
    """Retryable = refused for pace; a batch-wide pause = a limit on the number, not a pair."""
    cls = EXPECTED[code]
    assert is_not_sent_retryable(code) is (cls in {C.RETRY, C.RETRY_RECIPIENT, C.SLOW_DOWN})
    assert pauses_everyone(code) is (cls in {C.RETRY, C.SLOW_DOWN})
