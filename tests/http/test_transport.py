"""The transports against small HTTP/1.1 servers on 127.0.0.1, and the exception table."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import gzip
import json
import socket
import ssl
import struct
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import attrs
import httpx
import pytest
import trio
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from engagive_async import ValidationError
from engagive_async._http._transport import (
    EXCEPTION_MAP,
    AiohttpTransport,
    AutoTransport,
    build_transport,
    map_exception,
)

TOKEN = "secret-token-abc"
CONNECT_FAMILY = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
KINDS = ["aiohttp", "httpx"]
FAST = httpx.Timeout(5.0, connect=0.5, read=0.5, pool=0.5)


@attrs.frozen(kw_only=True)
class Received:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


Handler = Callable[["Server", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """An asyncio server on 127.0.0.1 that runs ``handler`` per connection and records."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[Received] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self.got_request = asyncio.Event()

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        # Cancellation is our own teardown: asyncio 3.11 would log a cancelled handler.
        with contextlib.suppress(ConnectionError, EOFError, asyncio.CancelledError):
            try:
                await self.handler(self, reader, writer)
            finally:
                writer.close()
                await writer.wait_closed()
        self._tasks.discard(task)

    async def read_request(self, reader: asyncio.StreamReader) -> Received | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        line, *lines = head.decode("latin-1").split("\r\n")[:-2]
        method, target, _ = line.split(" ")
        headers = [(k.strip(), v.strip()) for k, v in (h.split(":", 1) for h in lines)]
        if ("Transfer-Encoding", "chunked") in headers:
            body = b""
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                body += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        else:
            size = sum(int(v) for k, v in headers if k.lower() == "content-length")
            body = await reader.readexactly(size)
        received = Received(method=method, target=target, headers=headers, body=body)
        self.requests.append(received)
        self.got_request.set()
        return received


def answer(body: bytes, *extra: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def echo_json(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    while await server.read_request(reader) is not None:
        w.write(answer(json.dumps({"ok": True, "n": len(server.requests)}).encode()))
        await w.drain()


async def cookie(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    while await server.read_request(reader) is not None:
        w.write(answer(b"{}", "Set-Cookie: sid=abc; Path=/"))
        await w.drain()


async def gzipped(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await server.read_request(reader)
    w.write(answer(gzip.compress(b'{"hello": "world"}'), "Content-Encoding: gzip"))
    await w.drain()


async def hang_up(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await server.read_request(reader)


async def silent(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await server.read_request(reader)
    await asyncio.Event().wait()


async def partial(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await server.read_request(reader)
    w.write(answer(b"0123456789")[:-5].replace(b"Length: 10", b"Length: 99"))
    await w.drain()


async def reset(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await server.read_request(reader)
    w.write(b"HTTP/1.1 200 OK\r\nContent-Le")
    await w.drain()
    await asyncio.sleep(0.05)
    # Linger 0 turns the close into a TCP reset.
    w.get_extra_info("socket").setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
    )
    w.transport.abort()


async def garbage(server: Server, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await server.read_request(reader)
    w.write(b"HTTP/1.1 abc nonsense\r\n\r\n")
    await w.drain()


@contextlib.asynccontextmanager
async def client_for(kind: str, max_connections: int = 4) -> AsyncIterator[httpx.AsyncClient]:
    transport = build_transport(kind, max_connections=max_connections, keepalive_expiry=5.0)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, timeout=FAST) as client:
        yield client


@pytest.mark.parametrize("kind", KINDS)
async def test_get_round_trip(kind: str) -> None:
    """Method, encoded path and query and the Authorization header arrive as httpx built them."""
    async with Server(echo_json) as server, client_for(kind) as client:
        response = await client.get(
            server.url + "/api/a%2Fb/templates",
            params={"search": "order shipped & co", "page": 2},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.json() == {"ok": True, "n": 1}
    assert response.reason_phrase == "OK"
    assert response.http_version == "HTTP/1.1"
    [req] = server.requests
    assert req.method == "GET"
    assert req.target == response.request.url.raw_path.decode()
    assert req.target == "/api/a%2Fb/templates?search=order+shipped+%26+co&page=2"
    assert [v for k, v in req.headers if k.lower() == "authorization"] == [f"Bearer {TOKEN}"]


@pytest.mark.parametrize("kind", KINDS)
async def test_post_json_round_trip(kind: str) -> None:
    """A JSON body arrives byte for byte, with one Content-Type and the right length."""
    payload = {"to": "923001234567", "template": {"name": "hello_world", "lang": "en_US"}}
    async with Server(echo_json) as server, client_for(kind) as client:
        response = await client.post(server.url + "/send?x=1", json=payload)
    assert response.status_code == 200
    [req] = server.requests
    assert (req.method, req.target) == ("POST", "/send?x=1")
    assert req.body == response.request.content
    assert json.loads(req.body) == payload
    assert [v for k, v in req.headers if k.lower() == "content-type"] == ["application/json"]


async def test_aiohttp_sends_exactly_the_headers_httpx_sends() -> None:
    """aiohttp adds no header of its own: the same request carries the same header lines."""
    seen: dict[str, list[tuple[str, str]]] = {}

    async def body() -> AsyncIterator[bytes]:
        yield b"raw "
        yield b"bytes"

    for kind in KINDS:
        async with Server(echo_json) as server, client_for(kind) as client:
            await client.post(server.url + "/x", content=b"raw bytes")
            await client.get(server.url + "/x", headers={"X-Twice": "1, 2"})
        seen[kind] = [h for r in server.requests for h in r.headers if h[0].lower() != "host"]
        assert [r.body for r in server.requests] == [b"raw bytes", b""]
    assert seen["aiohttp"] == seen["httpx"]
    assert not any(k.lower() == "content-type" for k, _ in seen["aiohttp"])


async def test_streamed_body_is_sent_whole_with_a_length() -> None:
    """A streamed request body is read first and sent with Content-Length, not chunked."""

    async def body() -> AsyncIterator[bytes]:
        yield b'{"to": '
        yield b'"1"}'

    async with Server(echo_json) as server, client_for("aiohttp") as client:
        response = await client.post(server.url + "/x", content=body())
    assert response.status_code == 200
    [req] = server.requests
    assert req.body == b'{"to": "1"}'
    names = [k.lower() for k, _ in req.headers]
    assert "transfer-encoding" not in names
    assert ("content-length", "11") in [(k.lower(), v) for k, v in req.headers]


@pytest.mark.parametrize("kind", KINDS)
async def test_cookies_are_handled_by_httpx_alone(kind: str) -> None:
    """A cookie the server sets comes back once, from httpx's jar, not twice."""
    async with Server(cookie) as server, client_for(kind) as client:
        await client.get(server.url + "/a")
        await client.get(server.url + "/b")
    cookies = [[v for k, v in r.headers if k.lower() == "cookie"] for r in server.requests]
    assert cookies == [[], ["sid=abc"]]


@pytest.mark.parametrize("kind", KINDS)
async def test_gzip_body_is_decoded_once(kind: str) -> None:
    """A gzip-encoded answer reaches the caller decoded, exactly once."""
    async with Server(gzipped) as server, client_for(kind) as client:
        response = await client.get(server.url + "/")
    assert response.headers["content-encoding"] == "gzip"
    assert response.json() == {"hello": "world"}


@pytest.mark.parametrize("kind", KINDS)
async def test_connection_refused_is_connect_error(kind: str) -> None:
    """Nobody listening raises httpx.ConnectError."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with client_for(kind) as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(f"http://127.0.0.1:{port}/send", json={})


@pytest.mark.parametrize("kind", KINDS)
async def test_connect_timeout_is_connect_family(kind: str) -> None:
    """A listener whose accept queue is full never completes the handshake: ConnectTimeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        address = listener.getsockname()
        fillers = [socket.socket() for _ in range(4)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(address)
            async with client_for(kind) as client:
                started = asyncio.get_running_loop().time()
                with pytest.raises(CONNECT_FAMILY) as caught:
                    await client.post(
                        f"http://127.0.0.1:{address[1]}/",
                        json={},
                        timeout=httpx.Timeout(5.0, connect=0.2, pool=0.3),
                    )
        finally:
            for filler in fillers:
                filler.close()
    assert isinstance(caught.value, httpx.TimeoutException)
    assert asyncio.get_running_loop().time() - started < 3


@pytest.mark.parametrize("kind", KINDS)
async def test_pool_exhausted_is_connect_family(kind: str) -> None:
    """With the one connection busy, waiting past the pool timeout raises a connect timeout."""
    async with Server(silent) as server, client_for(kind, max_connections=1) as client:
        busy = asyncio.create_task(client.get(server.url + "/slow", timeout=5.0))
        await server.got_request.wait()
        with pytest.raises((httpx.ConnectTimeout, httpx.PoolTimeout)):
            await client.post(server.url + "/send", json={}, timeout=httpx.Timeout(5.0, pool=0.1))
        busy.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await busy
    assert server.connections == 1
    assert [r.target for r in server.requests] == ["/slow"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_disconnect_after_request_is_not_connect_family(kind: str, method: str) -> None:
    """A server that reads the request and hangs up gives RemoteProtocolError, sent once."""
    async with Server(hang_up) as server, client_for(kind) as client:
        with pytest.raises(httpx.TransportError) as caught:
            await client.request(method, server.url + "/send", json={"to": "1"})
    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert not isinstance(caught.value, CONNECT_FAMILY)
    assert len(server.requests) == 1
    assert server.connections == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_no_answer_is_read_timeout(kind: str) -> None:
    """A server that never answers raises ReadTimeout once the read timeout passes."""
    async with Server(silent) as server, client_for(kind) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(server.url + "/send", json={}, timeout=httpx.Timeout(5.0, read=0.2))
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_partial_body_is_read_or_protocol_error(kind: str) -> None:
    """A body cut short by the server is a ReadError or RemoteProtocolError, not connect."""
    async with Server(partial) as server, client_for(kind) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as caught:
            await client.post(server.url + "/send", json={})
    assert not isinstance(caught.value, CONNECT_FAMILY)


@pytest.mark.parametrize("kind", KINDS)
async def test_reset_while_reading_is_read_error(kind: str) -> None:
    """A TCP reset in the middle of the answer is httpx.ReadError."""
    async with Server(reset) as server, client_for(kind) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as caught:
            await client.post(server.url + "/send", json={})
    if kind == "aiohttp":
        assert type(caught.value) is httpx.ReadError
        assert isinstance(caught.value.__cause__, aiohttp.ClientOSError)


@pytest.mark.parametrize("kind", KINDS)
async def test_malformed_answer_is_protocol_error_without_the_token(kind: str) -> None:
    """A garbled status line is RemoteProtocolError; nothing in the chain shows the token."""
    async with Server(garbage) as server, client_for(kind) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.post(
                server.url + "/s", json={}, headers={"Authorization": f"Bearer {TOKEN}"}
            )
    chain: list[BaseException] = []
    error: BaseException | None = caught.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    for link in chain:
        assert TOKEN not in str(link)
        assert TOKEN not in repr(link)
        assert TOKEN not in repr(link.args)


@pytest.mark.parametrize("kind", KINDS)
async def test_keep_alive_reuses_one_connection(kind: str) -> None:
    """Sequential requests travel over one kept-alive connection."""
    async with Server(echo_json) as server, client_for(kind) as client:
        for _ in range(3):
            (await client.post(server.url + "/send", json={})).raise_for_status()
    assert len(server.requests) == 3
    assert server.connections == 1


async def test_aclose_twice_leaves_no_warnings() -> None:
    """aclose is idempotent, closes the aiohttp session, and nothing warns at collection."""
    transport = AiohttpTransport(max_connections=2, keepalive_expiry=5.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with Server(echo_json) as server:
            async with httpx.AsyncClient(transport=transport) as client:
                await client.get(server.url + "/")
                session = transport._session
            await transport.aclose()
        assert session is not None
        assert session.closed
        assert transport._session is None
        with pytest.raises(RuntimeError, match="closed"):
            await transport.handle_async_request(httpx.Request("GET", server.url))
        del transport, client
        gc.collect()
        await asyncio.sleep(0)
    assert [str(w.message) for w in caught] == []


async def test_closing_an_unused_transport_is_fine() -> None:
    """A transport that never sent anything closes twice without building a session."""
    for kind in ["auto", "aiohttp", "httpx"]:
        transport = build_transport(kind, max_connections=1, keepalive_expiry=None)  # type: ignore[arg-type]
        await transport.aclose()
        await transport.aclose()
        assert getattr(transport, "_session", None) is None
        assert getattr(transport, "inner", None) is None


async def test_auto_picks_aiohttp_on_asyncio() -> None:
    """Under asyncio the auto transport builds and delegates to AiohttpTransport."""
    transport = build_transport("auto", max_connections=2, keepalive_expiry=5.0)
    assert isinstance(transport, AutoTransport)
    before = transport.inner
    async with Server(echo_json) as server, httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(server.url + "/")).json()["ok"] is True
        chosen = transport.inner
    assert before is None
    assert isinstance(chosen, AiohttpTransport)
    assert chosen._session is None  # closed along with the auto transport


def test_auto_picks_httpx_pool_on_trio() -> None:
    """Under trio the auto transport builds httpx's own pool and a request round-trips."""

    async def handle(stream: trio.SocketStream) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = await stream.receive_some()
            if not chunk:
                return
            data += chunk
        await stream.send_all(answer(b"trio ok", "Connection: close"))
        await stream.aclose()

    async def main() -> tuple[str, object]:
        async with trio.open_nursery() as nursery:
            serve = functools.partial(trio.serve_tcp, handle, 0, host="127.0.0.1")
            listeners = await nursery.start(serve)
            port = listeners[0].socket.getsockname()[1]
            transport = build_transport("auto", max_connections=2, keepalive_expiry=5.0)
            assert isinstance(transport, AutoTransport)
            async with httpx.AsyncClient(transport=transport) as client:
                text = (await client.get(f"http://127.0.0.1:{port}/")).text
                inner = transport.inner
            nursery.cancel_scope.cancel()
        return text, inner

    text, inner = trio.run(main)
    assert text == "trio ok"
    assert isinstance(inner, httpx.AsyncHTTPTransport)


def test_build_transport_kinds_and_bad_input() -> None:
    """'httpx' is httpx's own pool, 'aiohttp' ours; unknown kinds and empty pools are refused."""
    assert isinstance(
        build_transport("httpx", max_connections=3, keepalive_expiry=1.0), httpx.AsyncHTTPTransport
    )
    assert isinstance(
        build_transport("aiohttp", max_connections=3, keepalive_expiry=1.0), AiohttpTransport
    )
    with pytest.raises(ValidationError, match="transport: must be one of 'auto'"):
        build_transport("curl", max_connections=3, keepalive_expiry=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="max_connections: must be at least 1"):
        AiohttpTransport(max_connections=0, keepalive_expiry=1.0)
    context = ssl.create_default_context()
    assert (
        AiohttpTransport(max_connections=1, keepalive_expiry=None, verify=context)._ssl is context
    )


def test_timeouts_map_to_aiohttp_fields_and_are_cached() -> None:
    """httpx's connect/read/pool become sock_connect/sock_read/connect, built once per tuple."""
    transport = AiohttpTransport(max_connections=1, keepalive_expiry=None, verify=False)
    first = transport.client_timeout({"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0})
    again = transport.client_timeout({"connect": 1.0, "read": 2.0, "write": 9.0, "pool": 4.0})
    assert first is again
    assert (first.total, first.sock_connect, first.sock_read, first.connect) == (
        None,
        1.0,
        2.0,
        4.0,
    )
    assert transport.client_timeout(None).sock_read is None


def _key() -> Any:
    return aiohttp.client_reqrep.ConnectionKey("h", 443, True, True, None, None, None)


def _info() -> aiohttp.RequestInfo:
    headers = CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {TOKEN}"}))
    return aiohttp.RequestInfo(URL("https://h/x"), "POST", headers, URL("https://h/x"))


_CASES: list[tuple[BaseException, type[httpx.TransportError]]] = [
    (aiohttp.ConnectionTimeoutError("pool or connect"), httpx.ConnectTimeout),
    (
        aiohttp.ClientConnectorCertificateError(_key(), ssl.SSLCertVerificationError("bad")),
        httpx.ConnectError,
    ),
    (aiohttp.ClientConnectorSSLError(_key(), ssl.SSLError("handshake")), httpx.ConnectError),
    (aiohttp.ClientConnectorDNSError(_key(), OSError(-2, "Name unknown")), httpx.ConnectError),
    (aiohttp.ClientProxyConnectionError(_key(), OSError(111, "refused")), httpx.ConnectError),
    (
        aiohttp.ClientConnectorError(_key(), ConnectionRefusedError(111, "refused")),
        httpx.ConnectError,
    ),
    (aiohttp.ServerFingerprintMismatch(b"a", b"b", "h", 443), httpx.ConnectError),
    (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError("legacy read"), httpx.ReadTimeout),
    (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
    (aiohttp.ClientConnectionResetError("Cannot write to closing transport"), httpx.WriteError),
    (aiohttp.client_exceptions.UploadAbortedError("aborted"), httpx.WriteError),
    (aiohttp.ClientOSError(32, "Can not write request body for https://h/x"), httpx.WriteError),
    (aiohttp.ClientOSError(104, "Connection reset by peer"), httpx.ReadError),
    (aiohttp.ClientPayloadError("Response payload is not completed"), httpx.RemoteProtocolError),
    (aiohttp.ClientHttpProxyError(_info(), (), status=407), httpx.ProxyError),
    (
        aiohttp.ClientResponseError(_info(), (), status=400, message="bad status"),
        httpx.RemoteProtocolError,
    ),
    (aiohttp.NonHttpUrlClientError("ftp://h"), httpx.UnsupportedProtocol),
    (aiohttp.InvalidUrlClientError("http://"), httpx.UnsupportedProtocol),
    (aiohttp.ServerConnectionError("?"), httpx.NetworkError),
    (aiohttp.ClientConnectionError("Connection lost"), httpx.NetworkError),
    (aiohttp.ClientError("new in a later aiohttp"), httpx.NetworkError),
    (TimeoutError(), httpx.TimeoutException),
    (ConnectionResetError(104, "reset"), httpx.NetworkError),
]


@pytest.mark.parametrize(
    ("exc", "expected"),
    _CASES,
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None,
)
def test_exception_table(exc: BaseException, expected: type[httpx.TransportError]) -> None:
    """Each aiohttp failure maps to exactly its httpx class, message free of the token."""
    request = httpx.Request("POST", "https://h/x", headers={"Authorization": f"Bearer {TOKEN}"})
    mapped = map_exception(exc, request)
    assert type(mapped) is expected
    assert mapped.request is request
    assert str(mapped).startswith(type(exc).__name__)
    assert TOKEN not in str(mapped)
    assert TOKEN not in repr(exc)


def _all_aiohttp_errors() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    pending: list[type[BaseException]] = [aiohttp.ClientError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


@pytest.mark.parametrize("cls", _all_aiohttp_errors(), ids=lambda c: c.__name__)
def test_only_pre_write_failures_map_to_the_connect_family(cls: type[BaseException]) -> None:
    """Every aiohttp error class maps into the connect family only if raised before writing."""
    before_writing = (
        aiohttp.ClientConnectorError,
        aiohttp.ConnectionTimeoutError,
        aiohttp.ServerFingerprintMismatch,
    )
    target = next((EXCEPTION_MAP[k] for k in cls.__mro__ if k in EXCEPTION_MAP), None)
    assert target is not None
    assert issubclass(target, CONNECT_FAMILY) == issubclass(cls, before_writing)
