"""Request and send records: complete, frozen, and never showing a token."""

from __future__ import annotations

import attrs
import pytest

from engagive_async.testing import RecordedRequest, SentMessage


def make_request(**headers: str) -> RecordedRequest:
    """A recorded request with these headers."""
    return RecordedRequest(
        method="GET",
        path="/p",
        route=None,
        params={},
        query={},
        headers=headers,
        json=None,
        at=1.0,
    )


def test_repr_hides_credentials() -> None:
    """Authorization and cookie values are masked in the repr; other headers show."""
    request = make_request(authorization="Bearer s3cret-token", cookie="sid=abc", accept="x/y")
    text = repr(request)
    assert "s3cret-token" not in text
    assert "sid=abc" not in text
    assert "'authorization': '<redacted>'" in text
    assert "'accept': 'x/y'" in text
    assert request.headers["authorization"] == "Bearer s3cret-token"  # still there to assert on


def test_records_are_frozen() -> None:
    """Records cannot be changed after the fact."""
    sent = SentMessage(route="r", account_id="1", to="9", body={}, wamid="w", reply_to=None, at=0.0)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sent.to = "other"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        make_request().route = "x"  # type: ignore[misc]
