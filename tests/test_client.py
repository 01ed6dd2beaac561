"""AsyncClient: configuration, lifecycle and the account handle."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
import respx

from engagive_async import (
    AccountClient,
    AsyncClient,
    ClientClosedError,
    ConfigurationError,
    ExpiredTokenError,
    ValidationError,
)
from tests.conftest import BASE, TOKEN

LIST = "/channels/whatsapp/accounts/1/templates"


def _jwt(exp: float) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"exp": exp, "sub": "u"}).encode()).decode()
    return f"eyJhbGciOiJIUzI1NiJ9.{claims.rstrip('=')}.c2ln"


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"success": True, "data": []})


def test_missing_token_names_both_ways_to_give_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """No argument and no environment variable: a clear error naming both."""
    monkeypatch.delenv("ENGAGIVE_API_TOKEN", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        AsyncClient()
    assert "token=" in str(caught.value)
    assert "ENGAGIVE_API_TOKEN" in str(caught.value)


async def test_token_and_base_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ENGAGIVE_API_TOKEN and ENGAGIVE_BASE_URL are used when no argument is given."""
    monkeypatch.setenv("ENGAGIVE_API_TOKEN", "env-token")
    monkeypatch.setenv("ENGAGIVE_BASE_URL", "https://env.example")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _ok(request)

    async with AsyncClient(transport=httpx.MockTransport(handler)) as client:
        await client.request("GET", LIST)
    assert seen[0].headers["authorization"] == "Bearer env-token"
    assert str(seen[0].url) == f"https://env.example/api/business/public{LIST}"


def test_default_base_url_is_the_documented_stage_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without argument or environment, the stage host is used."""
    monkeypatch.delenv("ENGAGIVE_BASE_URL", raising=False)
    client = AsyncClient(TOKEN, transport=httpx.MockTransport(_ok))
    assert client.base_url == "https://stage.api.engagive.io"


@pytest.mark.parametrize(
    "url", ["http://api.example.com", "http://10.0.0.5:8000", "ftp://x", "https://h/path", "nohost"]
)
def test_insecure_or_malformed_base_urls_are_refused(url: str) -> None:
    """Plain http to a non-loopback host, other schemes and URLs with a path are refused."""
    with pytest.raises(ConfigurationError):
        AsyncClient(TOKEN, base_url=url, transport=httpx.MockTransport(_ok))


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:9"])
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    """Loopback hosts may use plain http (FakeEngagive on a socket)."""
    assert AsyncClient(TOKEN, base_url=url, transport=httpx.MockTransport(_ok)).base_url == url


def test_expired_jwt_is_refused_at_construction() -> None:
    """A JWT whose exp is past raises ExpiredTokenError saying when, without showing it."""
    token = _jwt(time.time() - 3600)
    with pytest.raises(ExpiredTokenError, match="expired at") as caught:
        AsyncClient(token, transport=httpx.MockTransport(_ok))
    assert token not in str(caught.value)


def test_valid_jwt_and_opaque_tokens_are_accepted() -> None:
    """A JWT in the future and a token that is not a JWT both construct."""
    AsyncClient(_jwt(time.time() + 3600), transport=httpx.MockTransport(_ok))
    AsyncClient("opaque.not-base64!.token", transport=httpx.MockTransport(_ok))


def test_repr_hides_the_token() -> None:
    """The client's repr names the public module and never the token."""
    client = AsyncClient("super-secret", base_url=BASE, transport=httpx.MockTransport(_ok))
    assert "super-secret" not in repr(client)
    assert repr(client).startswith("engagive_async.AsyncClient(")


async def test_account_handle_makes_no_request() -> None:
    """client.account(id) is a plain handle: no I/O happens."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return _ok(request)

    async with AsyncClient(TOKEN, transport=httpx.MockTransport(handler)) as client:
        account = client.account(1)
        account.templates.contents("order_shipped")
        assert isinstance(account, AccountClient)
        assert account.account_id == 1
    assert calls == []


@pytest.mark.parametrize("bad", ["", "  ", True, 0, -1, "12a", "1/2", "..", 1.5, "1" * 30])
def test_account_id_must_be_a_positive_integer(bad: object) -> None:
    """An account id that is not a positive integer is a ValidationError naming it."""
    client = AsyncClient(TOKEN, transport=httpx.MockTransport(_ok))
    with pytest.raises(ValidationError) as caught:
        client.account(bad)  # type: ignore[arg-type]
    assert caught.value.field == "account_id"


async def test_aclose_is_idempotent_and_use_after_close_is_clear() -> None:
    """aclose twice is fine; a request afterwards raises ClientClosedError."""
    client = AsyncClient(TOKEN, transport=httpx.MockTransport(_ok))
    await client.aclose()
    await client.aclose()
    assert client.closed
    with pytest.raises(ClientClosedError):
        await client.request("GET", LIST)
    with pytest.raises(ClientClosedError):
        await client.account(1).templates.get("x")


async def test_user_http_client_is_used_and_never_closed(router: respx.MockRouter) -> None:
    """An http_client passed in carries our auth per request and stays open after aclose."""
    route = router.get(LIST).mock(return_value=httpx.Response(200, json={"success": True}))
    mine = httpx.AsyncClient(transport=httpx.MockTransport(router.async_handler))
    async with AsyncClient(TOKEN, base_url=BASE, http_client=mine) as client:
        await client.request("GET", LIST)
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    assert not mine.is_closed
    await mine.aclose()


async def test_request_escape_hatch_needs_a_rooted_path() -> None:
    """client.request takes a path after the API prefix, starting with '/'."""
    async with AsyncClient(TOKEN, transport=httpx.MockTransport(_ok)) as client:
        with pytest.raises(ConfigurationError):
            await client.request("GET", "channels/whatsapp")


@pytest.mark.parametrize("kind", ["auto", "aiohttp", "httpx"])
async def test_transport_kinds_construct_and_close(kind: str) -> None:
    """Each named transport kind builds a client that closes cleanly without using it."""
    client = AsyncClient(TOKEN, transport=kind)  # type: ignore[arg-type]
    await client.aclose()
    assert client.closed
