"""The pipeline's shortcut past httpx's client, over real sockets on 127.0.0.1.

A client the SDK built, sending through its aiohttp transport, hands requests straight to that
transport instead of through ``httpx.AsyncClient.send``. These tests pin that nothing a user or
the server can see changes: the same bytes on the wire, the same errors, the same retries and
the same at-most-once rule, cookies and gzip as httpx handles them, and httpx's client back in
charge whenever something could notice the difference (event hooks, httpx's request log).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from engagive_async import (
    APIConnectionError,
    AsyncClient,
    BadRequestError,
    OutcomeStatus,
    ResponseDecodeError,
    RetryPolicy,
    TemplateSend,
)
from engagive_async._http._transport import AiohttpTransport
from tests.http.test_transport import Handler, Received, Server, answer, garbage, hang_up

Writer = asyncio.StreamWriter

TOKEN = "shortcut-secret-token"
SEND_PATH = "/api/business/public/channels/whatsapp/accounts/1/messages/send-template"
QUICK = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0, max_retry_after=1)
ENVELOPE = {
    "success": True,
    "message": "Template message sent successfully",
    "data": {"to": "923001234567", "message_type": "template"},
    "metaResponse": {"messages": [{"id": "wamid.abc", "message_status": "accepted"}]},
}


def envelope_bytes(**extra: object) -> bytes:
    return json.dumps({**ENVELOPE, **extra}).encode()


async def sent_ok(server: Server, reader: asyncio.StreamReader, w: Writer) -> None:
    while await server.read_request(reader) is not None:
        w.write(answer(envelope_bytes(), "Content-Type: application/json"))
        await w.drain()


def scripted(*answers: bytes) -> Handler:
    """A handler that gives ``answers`` in turn, one per request, then the success envelope."""
    queue: Iterator[bytes] = iter(answers)

    async def handler(
        server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> None:
        while await server.read_request(reader) is not None:
            w.write(next(queue, answer(envelope_bytes())))
            await w.drain()

    return handler


def sdk(url: str, **options: object) -> AsyncClient:
    options.setdefault("retry", QUICK)
    options.setdefault("timeout", 2.0)
    return AsyncClient(TOKEN, base_url=url, transport="aiohttp", **options)  # type: ignore[arg-type]


async def send_one(client: AsyncClient, to: str = "923001234567") -> object:
    return await client.account(1).messages.send_template(
        to=to, template_name="hello_world", lang_code="en_US"
    )


@pytest.fixture
def httpx_sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs ``httpx.AsyncClient.send`` was asked to send, to tell the two paths apart."""
    calls: list[str] = []
    original = httpx.AsyncClient.send

    async def spy(self: httpx.AsyncClient, request: httpx.Request, **kwargs: object) -> object:
        calls.append(str(request.url))
        return await original(self, request, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.AsyncClient, "send", spy)
    return calls


def wire(request: Received, url: str) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """The request as sent, its Host line checked against the server's and then blanked
    (each run has its own port)."""
    host = url.removeprefix("http://")
    headers = [(k, "<host>" if k == "Host" and v == host else v) for k, v in request.headers]
    return request.method, request.target, headers, request.body


async def test_shortcut_puts_the_same_bytes_on_the_wire_as_httpx(
    httpx_sends: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The same send through the shortcut and through httpx's client: identical request line,
    header lines (names, casing, order) and body; the answer decodes to the same result."""
    results = {}
    seen: dict[str, list[tuple[str, str, list[tuple[str, str]], bytes]]] = {}
    for path in ("shortcut", "httpx"):
        if path == "httpx":
            caplog.set_level(logging.INFO, logger="httpx")  # httpx's log must see the request
        async with Server(sent_ok) as server, sdk(server.url) as client:
            results[path] = [await send_one(client, to) for to in ("923001234567", "+4915112345")]
        seen[path] = [wire(r, server.url) for r in server.requests]
        caplog.set_level(logging.WARNING, logger="httpx")
    assert len(httpx_sends) == 2  # only the second client went through httpx.AsyncClient.send
    assert seen["shortcut"] == seen["httpx"]
    assert results["shortcut"] == results["httpx"]
    _, _, headers, body = seen["shortcut"][0]
    assert ("Host", "<host>") in headers
    assert ("Authorization", f"Bearer {TOKEN}") in headers
    assert ("Content-Type", "application/json") in headers
    assert json.loads(body)["to"] == "923001234567"


async def test_httpx_log_listeners_still_see_every_request(
    httpx_sends: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """With httpx's logger at INFO, requests go through httpx's client and are logged there."""
    caplog.set_level(logging.INFO, logger="httpx")
    async with Server(sent_ok) as server, sdk(server.url) as client:
        await send_one(client)
    assert len(httpx_sends) == 1
    assert any(r.name == "httpx" and "HTTP Request" in r.getMessage() for r in caplog.records)


async def test_a_users_client_with_event_hooks_sees_every_request(httpx_sends: list[str]) -> None:
    """A client passed in keeps its event hooks, even over the SDK's aiohttp transport."""
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.method)

    transport = AiohttpTransport(max_connections=2, keepalive_expiry=5.0)
    async with (
        Server(sent_ok) as server,
        httpx.AsyncClient(transport=transport, event_hooks={"request": [hook]}) as mine,
        AsyncClient(TOKEN, base_url=server.url, http_client=mine) as client,
    ):
        await send_one(client)
        await send_one(client)
    assert seen == ["POST", "POST"]
    assert len(httpx_sends) == 2


async def test_error_answers_keep_status_message_and_request_id(httpx_sends: list[str]) -> None:
    """A 400 through the shortcut is BadRequestError with the server's text and request id."""
    refused = answer(
        json.dumps({"success": False, "error": "template not approved"}).encode(),
        "X-Request-Id: req-42",
        status="400 Bad Request",
    )
    async with Server(scripted(refused)) as server, sdk(server.url) as client:
        with pytest.raises(BadRequestError) as caught:
            await send_one(client)
    assert caught.value.status_code == 400
    assert caught.value.request_id == "req-42"
    assert "template not approved" in str(caught.value)
    assert len(server.requests) == 1  # a send refused with 400 is not retried
    assert httpx_sends == []


async def test_429_with_retry_after_is_retried_through_the_shortcut() -> None:
    """A 429 (never acted on) is retried after the server's Retry-After, then succeeds."""
    slow_down = answer(
        json.dumps({"success": False, "error": "slow down"}).encode(),
        "Retry-After: 0",
        status="429 Too Many Requests",
    )
    async with Server(scripted(slow_down)) as server, sdk(server.url) as client:
        result = await send_one(client)
    assert result.wamid == "wamid.abc"  # type: ignore[attr-defined]
    assert len(server.requests) == 2


async def test_gzip_answers_are_decoded_once() -> None:
    """A gzip-encoded envelope is decoded exactly once, as httpx's client would do it."""
    zipped = answer(gzip.compress(envelope_bytes()), "Content-Encoding: gzip")
    async with Server(scripted(zipped)) as server, sdk(server.url) as client:
        result = await send_one(client)
    assert result.wamid == "wamid.abc"  # type: ignore[attr-defined]


async def test_a_cookie_the_server_sets_comes_back_on_the_next_request() -> None:
    """Set-Cookie on an answer lands in httpx's jar; the next request carries the cookie."""
    with_cookie = answer(envelope_bytes(), "Set-Cookie: lb=node-3; Path=/")
    async with Server(scripted(with_cookie)) as server, sdk(server.url) as client:
        await send_one(client)
        await send_one(client)
    cookies = [[v for k, v in r.headers if k.lower() == "cookie"] for r in server.requests]
    assert cookies == [[], ["lb=node-3"]]


async def test_a_body_that_is_not_the_envelope_is_a_decode_error() -> None:
    """A 200 whose body is not JSON is ResponseDecodeError with an excerpt; sends are final."""
    html = answer(b"<html>maintenance</html>", "Content-Type: text/html")
    async with Server(scripted(html)) as server, sdk(server.url) as client:
        with pytest.raises(ResponseDecodeError) as caught:
            await send_one(client)
    assert "maintenance" in caught.value.body
    assert len(server.requests) == 1


async def test_a_disconnect_after_the_send_is_unknown_and_never_resent() -> None:
    """The server reads the send and hangs up: UNKNOWN, request_sent, one request only."""
    item = TemplateSend(to="923001234567", template_name="hello_world", lang_code="en_US")
    async with Server(hang_up) as server, sdk(server.url) as client:
        report = await client.account(1).messages.send_batch([item])
    [outcome] = report.outcomes
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, APIConnectionError)
    assert outcome.error.request_sent
    assert len(server.requests) == 1


async def test_no_connection_is_not_sent_and_retried() -> None:
    """Nothing listening: the send provably never left, so it is retried, then FAILED."""
    async with Server(sent_ok) as server:
        url = server.url  # the port is closed once the server stops
    item = TemplateSend(to="923001234567", template_name="hello_world", lang_code="en_US")
    async with sdk(url) as client:
        report = await client.account(1).messages.send_batch([item])
    [outcome] = report.outcomes
    assert outcome.status is OutcomeStatus.FAILED
    assert isinstance(outcome.error, APIConnectionError)
    assert not outcome.error.request_sent
    assert outcome.attempts == QUICK.max_attempts


async def test_a_garbled_answer_leaks_no_token_anywhere_in_the_chain() -> None:
    """A malformed status line: an APIConnectionError whose whole chain omits the token."""
    async with Server(garbage) as server, sdk(server.url) as client:
        with pytest.raises(APIConnectionError) as caught:
            await send_one(client)
    error: BaseException | None = caught.value
    while error is not None:
        assert TOKEN not in str(error)
        assert TOKEN not in repr(error)
        assert TOKEN not in repr(error.args)
        error = error.__cause__ or error.__context__
