"""The bearer token wrapper: secrecy and JWT expiry."""

from __future__ import annotations

import base64
import json

import pytest

from engagive_async import ExpiredTokenError
from engagive_async._http._auth import BearerToken


def _jwt(claims: object) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


def test_repr_and_str_hide_the_value() -> None:
    """Neither repr nor str shows the token; the header does."""
    token = BearerToken("abc123")
    assert "abc123" not in repr(token)
    assert "abc123" not in str(token)
    assert token.header() == "Bearer abc123"


@pytest.mark.parametrize(
    ("value", "expiry"),
    [
        (_jwt({"exp": 1_700_000_000}), 1_700_000_000.0),
        (_jwt({"exp": 1.5e9}), 1.5e9),
        (_jwt({"sub": "no exp"}), None),
        (_jwt({"exp": "soon"}), None),
        (_jwt({"exp": True}), None),
        (_jwt(["not", "an", "object"]), None),
        ("a.b", None),
        ("a.!!!.c", None),
        ("plain-token", None),
    ],
)
def test_expiry_is_read_from_the_claim_only_when_well_formed(
    value: str, expiry: float | None
) -> None:
    """exp is read from a JWT payload; anything else means 'unknown expiry'."""
    assert BearerToken(value).expires_at == expiry


def test_check_not_expired() -> None:
    """Past exp raises with the time; future or unknown passes."""
    BearerToken(_jwt({"exp": 2000})).check_not_expired(now=1999)
    BearerToken("opaque").check_not_expired(now=1e12)
    with pytest.raises(ExpiredTokenError, match="1970-01-01 00:33:20 UTC"):
        BearerToken(_jwt({"exp": 2000})).check_not_expired(now=2001)
