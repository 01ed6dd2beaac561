"""Who may call FakeEngagive: bearer tokens and the accounts each one may use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["DEFAULT_TOKEN", "Tokens"]

#: The token a FakeEngagive accepts (for account 1) unless told otherwise.
DEFAULT_TOKEN = "test-token"  # noqa: S105 - the fake's published test token, not a secret


class Tokens:
    """Token -> the account ids (as strings) it may use.

    Args:
        grants: token -> account ids (default: ``{"test-token": [1]}``).
    """

    def __init__(self, grants: Mapping[str, Iterable[int | str]] | None = None) -> None:
        self._accounts: dict[str, set[str]] = {}
        for token, accounts in (grants or {DEFAULT_TOKEN: [1]}).items():
            self.allow(token, *accounts)

    def allow(self, token: str, *account_ids: int | str) -> None:
        """Accept ``token`` for these accounts, in addition to those it had."""
        self._accounts.setdefault(token, set()).update(str(a) for a in account_ids)

    def refusal(self, authorization: str | None, account_id: str) -> tuple[int, str] | None:
        """The 401 or 403 status and text for this request, or ``None`` when it may go on.

        The texts name the problem, never the token.
        """
        if authorization is None:
            return 401, "Missing Authorization header (Bearer token)"
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return 401, "Malformed Authorization header; use Bearer <token>"
        accounts = self._accounts.get(token)
        if accounts is None:
            return 401, "Invalid or expired token"
        if account_id not in accounts:
            return 403, f"Not allowed for account {account_id}"
        return None
