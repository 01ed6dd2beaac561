"""The bearer token: kept out of every repr, and its JWT expiry read without verification."""

from __future__ import annotations

import base64
import binascii
import json
import time

from engagive_async._errors import ExpiredTokenError

__all__ = ["BearerToken"]


class BearerToken:
    """An API token that never shows itself in ``repr`` or ``str``."""

    __slots__ = ("_value", "expires_at")

    def __init__(self, value: str) -> None:
        self._value = value
        #: The JWT ``exp`` claim (epoch seconds), or ``None`` when the token is not a JWT.
        self.expires_at = _jwt_expiry(value)

    def header(self) -> str:
        """The ``Authorization`` header value."""
        return f"Bearer {self._value}"

    def check_not_expired(self, *, now: float | None = None) -> None:
        """Raise when the token's ``exp`` is already past.

        Raises:
            ExpiredTokenError: naming the expiry time and where to get a new token.
        """
        if self.expires_at is None:
            return
        if self.expires_at <= (time.time() if now is None else now):
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.expires_at))
            raise ExpiredTokenError(
                f"the Engagive API token expired at {when}; generate a new one in the business "
                "portal under Profile -> API access token"
            )

    def __repr__(self) -> str:
        return "BearerToken('***')"

    __str__ = __repr__


def _jwt_expiry(token: str) -> float | None:
    # Only the claim is read; the signature is the server's business, not ours.
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None
