"""Tokens: who may call the fake, and on which accounts."""

from __future__ import annotations

from engagive_async.testing._auth import DEFAULT_TOKEN, Tokens


def test_default_grant_is_the_test_token_on_account_1() -> None:
    """Without grants, test-token may use account 1 only."""
    tokens = Tokens()
    assert tokens.refusal(f"Bearer {DEFAULT_TOKEN}", "1") is None
    assert tokens.refusal(f"Bearer {DEFAULT_TOKEN}", "2") == (403, "Not allowed for account 2")


def test_grants_compare_account_ids_as_text() -> None:
    """Integer and string account ids are the same account; allow() adds more."""
    tokens = Tokens({"t": [1, "2"]})
    assert tokens.refusal("Bearer t", "2") is None
    tokens.allow("t", 3)
    tokens.allow("u", 4)
    assert tokens.refusal("Bearer t", "3") is None
    assert tokens.refusal("Bearer u", "4") is None
    assert tokens.refusal("Bearer t", "4") == (403, "Not allowed for account 4")


def test_refusals_never_contain_the_token() -> None:
    """401 texts name the problem, not the value sent."""
    tokens = Tokens()
    for header in ("Bearer s3cret", "s3cret", "Token s3cret", "Bearer   "):
        refusal = tokens.refusal(header, "1")
        assert refusal is not None
        assert refusal[0] == 401
        assert "s3cret" not in refusal[1]
    assert tokens.refusal(None, "1") == (401, "Missing Authorization header (Bearer token)")
    assert tokens.refusal("Bearer  test-token ", "1") is None
