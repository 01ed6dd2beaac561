"""Results keep the answer's header lines and read them case-insensitively."""

from __future__ import annotations

import pickle

from engagive_async import SendResult, SubmitResult

RAW = ((b"X-Request-Id", b"req-7"), (b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"))


def test_headers_are_keyed_by_lower_case_name_and_repeats_are_joined() -> None:
    """headers: lower-case names; a repeated header's values joined with ', '."""
    result = SendResult(data={}, raw_headers=RAW)
    assert result.headers == {"x-request-id": "req-7", "set-cookie": "a=1, b=2"}
    assert result.request_id == "req-7"
    assert SubmitResult(data=None, raw_headers=RAW).request_id == "req-7"


def test_a_result_without_headers_has_none() -> None:
    """Built by hand (or by FakeEngagive users), a result has empty headers and no request id."""
    assert SendResult(data={}).headers == {}
    assert SendResult(data={}).request_id is None


def test_headers_do_not_change_equality_and_survive_pickling() -> None:
    """Two results that differ only in headers are equal; the lines pickle as bytes."""
    assert SendResult(data={}, raw_headers=RAW) == SendResult(data={})
    again = pickle.loads(pickle.dumps(SendResult(data={}, raw_headers=RAW)))  # noqa: S301 - our own bytes
    assert again.request_id == "req-7"
