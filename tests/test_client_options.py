"""Client and per-call options: timeouts, headers, retries, proxies, with_options, response headers.

Each runs on both transports against a raw loopback server that records what arrived.
"""

from __future__ import annotations

import asyncio

import pytest

from engagive_async import (
    APIConnectionError,
    APIError,
    AsyncClient,
    NotFoundError,
    RetryPolicy,
    ValidationError,
    _config,
)
from tests.hostile._servers import OK_BODY, Connection, HostileServer

SEND = {"to": "923001234567", "template_name": "hello_world", "lang_code": "en_US"}


@pytest.fixture(params=["aiohttp", "httpx"])
def transport(request: pytest.FixtureRequest) -> str:
    """Our aiohttp transport (with its shortcut) and httpx's own pool."""
    kind: str = request.param
    return kind


def _answering(status: int = 200, body: bytes = OK_BODY, **headers: str) -> HostileServer:
    async def behaviour(conn: Connection) -> None:
        while await conn.read_request() is not None:
            await conn.answer(status, body, {"Content-Type": "application/json", **headers})

    return HostileServer(behaviour)


async def test_default_and_extra_headers_reach_the_server(transport: str) -> None:
    """default_headers go on every request, extra_headers on one call, over the defaults."""
    server = _answering()
    async with (
        server.running() as url,
        AsyncClient(
            "t",
            base_url=url,
            transport=transport,
            default_headers={"X-Team": "growth"},  # type: ignore[arg-type]
        ) as client,
    ):
        messages = client.account(1).messages
        await messages.send_template(**SEND)
        await messages.send_template(**SEND, extra_headers={"X-Trace": "abc", "X-Team": "ops"})
        await messages.send_template(**SEND)
    first, second, third = (r.headers for r in server.requests)
    assert first["x-team"] == "growth"
    assert "x-trace" not in first
    assert (second["x-team"], second["x-trace"]) == ("ops", "abc")
    assert "x-trace" not in third
    assert all(h["authorization"] == "Bearer t" for h in (first, second, third))


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer other"}, {"X-Bad": "a\r\nInjected: 1"}, {"Bad Name": "x"}],
)
async def test_extra_headers_that_would_change_auth_or_framing_are_refused(
    headers: dict[str, str],
) -> None:
    """A reserved name, CR/LF in a value or a bad name: ValidationError before any request."""
    server = _answering()
    async with server.running() as url, AsyncClient("t", base_url=url) as client:
        with pytest.raises(ValidationError) as caught:
            await client.account(1).messages.send_template(**SEND, extra_headers=headers)
        with pytest.raises(ValidationError):
            AsyncClient("t", base_url=url, default_headers=headers)
    assert caught.value.field.startswith("extra_headers[")
    assert server.requests == []


async def test_results_and_errors_carry_the_response_headers(transport: str) -> None:
    """SendResult.headers/request_id, and the same on an APIStatusError."""
    ok = _answering(**{"X-Request-Id": "req-1", "X-Rate": "9"})
    async with (
        ok.running() as url,
        AsyncClient("t", base_url=url, transport=transport) as client,  # type: ignore[arg-type]
    ):
        result = await client.account(1).messages.send_template(**SEND)
    assert result.request_id == "req-1"
    assert result.headers["x-rate"] == "9"
    missing = _answering(404, b'{"success": false, "error": "no"}', **{"X-Request-Id": "req-2"})
    async with (
        missing.running() as url,
        AsyncClient("t", base_url=url, transport=transport) as client,  # type: ignore[arg-type]
    ):
        with pytest.raises(NotFoundError) as caught:
            await client.account(1).templates.get("nope")
    assert caught.value.request_id == "req-2"
    assert caught.value.headers["x-request-id"] == "req-2"


async def test_max_retries_sets_the_attempts(transport: str) -> None:
    """max_retries=1: a GET answered 503 is tried twice; with_options(max_retries=0) once."""
    server = _answering(503, b'{"success": false, "error": "busy"}')
    policy = RetryPolicy(initial_backoff=0, max_backoff=0)
    async with (
        server.running() as url,
        AsyncClient("t", base_url=url, transport=transport, retry=policy, max_retries=1) as client,  # type: ignore[arg-type]
    ):
        with pytest.raises(APIError):  # APIError
            await client.account(1).templates.get("x")
        assert len(server.requests) == 2
        with pytest.raises(APIError):
            await client.with_options(max_retries=0).account(1).templates.get("x")
        assert len(server.requests) == 3


async def test_with_options_is_a_cheap_copy_sharing_the_pool(transport: str) -> None:
    """The copy sends on the same connection; closing it keeps the original open, not reverse."""
    server = _answering()
    async with server.running() as url:
        client = AsyncClient("t", base_url=url, transport=transport)  # type: ignore[arg-type]
        copy = client.with_options(timeout=5, default_headers={"X-Copy": "1"})
        await client.account(1).messages.send_template(**SEND)
        await copy.account(1).messages.send_template(**SEND)
        await copy.aclose()
        assert not client.closed
        await client.account(1).messages.send_template(**SEND)
        await client.aclose()
        assert copy.closed
    assert server.connections == 1
    assert [("x-copy" in r.headers) for r in server.requests] == [False, True, False]


async def test_an_explicit_proxy_carries_every_request(transport: str) -> None:
    """proxy= sends the request to the proxy in absolute form."""
    proxy = _answering()
    async with (
        proxy.running() as proxy_url,
        AsyncClient(
            "t", base_url="http://127.0.0.1:9", transport=transport, proxy=proxy_url
        ) as client,  # type: ignore[arg-type]
    ):
        result = await client.account(1).messages.send_template(**SEND)
    assert result.wamid == "wamid.HOSTILE"
    (request,) = proxy.requests
    assert request.line.startswith("POST http://127.0.0.1:9/api/business/public/")


async def test_https_proxy_from_the_environment_is_used(
    transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTPS_PROXY is honoured on both transports: the proxy is asked to CONNECT to the host."""

    async def refuse_tunnel(conn: Connection) -> None:
        await conn.read_request()
        await conn.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        await asyncio.sleep(0)

    proxy = HostileServer(refuse_tunnel)
    async with proxy.running() as proxy_url:
        monkeypatch.setenv("HTTPS_PROXY", proxy_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with AsyncClient(
            "t",
            base_url="https://api.engagive.test",
            transport=transport,  # type: ignore[arg-type]
            retry=RetryPolicy(max_attempts=1),
        ) as client:
            with pytest.raises(APIConnectionError):
                await client.account(1).templates.get("x")
    assert [r.line for r in proxy.requests] == ["CONNECT api.engagive.test:443 HTTP/1.1"]


def test_no_proxy_and_loopback_bypass_the_environment_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """NO_PROXY exempts its hosts; loopback never goes through a proxy."""
    monkeypatch.setenv("HTTPS_PROXY", "proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    assert _config.env_proxy_for("https://api.engagive.io") == "http://proxy.corp:3128"
    assert _config.env_proxy_for("https://internal.example") is None
    assert _config.env_proxy_for("http://127.0.0.1:8000") is None
    client = AsyncClient(
        "t", base_url="https://api.engagive.io", transport="httpx", trust_env=False
    )
    assert client._pipeline is not None  # built without reading the proxy


@pytest.mark.parametrize("bad", [0, -1, "5", True])
async def test_a_per_call_timeout_must_be_positive(bad: object) -> None:
    """timeout= that is not a positive number is a ValidationError naming it."""
    async with AsyncClient("t", base_url="http://127.0.0.1:9") as client:
        with pytest.raises(ValidationError) as caught:
            await client.account(1).templates.get("x", timeout=bad)  # type: ignore[arg-type]
    assert caught.value.field == "timeout"
