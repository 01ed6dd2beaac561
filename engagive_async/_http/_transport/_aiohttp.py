"""The aiohttp transport: httpx stays the client API while aiohttp's pool does the I/O.

Why not the ``httpx-aiohttp`` package: it reports ``aiohttp.ClientConnectionError`` (which
includes ``ServerDisconnectedError``, raised after the request was written) as
``httpx.ConnectTimeout``. The SDK resends a message only when the request provably never left,
so that mapping would send a customer the same WhatsApp message twice. Ours keeps the contract
drawn in ``_exceptions``.

:meth:`AiohttpTransport.send_direct` is the one place that calls aiohttp. httpx's client reaches
it through ``handle_async_request``; the pipeline of a client the SDK built reaches it through
:meth:`AiohttpTransport.send_template`, with headers httpx prepared once (see ``_http``).

Timeouts come from httpx's per-request ``timeout`` extension: ``connect`` bounds opening a
socket (aiohttp's ``sock_connect``), ``read`` each socket read (``sock_read``), and ``pool``
bounds waiting for a pooled connection plus connecting (aiohttp's ``connect``). aiohttp has no
write timeout; our request bodies are small enough to fit the socket buffer at once.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
from aiohttp.http import HttpVersion
from multidict import CIMultiDict
from yarl import URL

from engagive_async import _config
from engagive_async._checks._arguments import check_at_least
from engagive_async._http._transport._exceptions import map_exception
from engagive_async._http._transport._too_large import ResponseTooLarge

__all__ = ["AiohttpTransport", "DirectAnswer", "DirectTemplate", "aiohttp_headers"]

# Headers aiohttp adds when a request lacks them. httpx leaves one out only on purpose (a
# bytes body is not application/octet-stream unless the caller says so), so aiohttp is told to
# skip exactly those: asking per request keeps aiohttp on its fast path in the usual case.
_AUTO_HEADERS: tuple[tuple[bytes, str], ...] = (
    (b"accept", "Accept"),
    (b"accept-encoding", "Accept-Encoding"),
    (b"user-agent", "User-Agent"),
)
_TYPED_METHODS = frozenset({"POST", "PUT", "PATCH"})  # aiohttp types even an empty body
_HTTP_VERSIONS: dict[HttpVersion | None, bytes] = {
    aiohttp.HttpVersion11: b"HTTP/1.1",
    aiohttp.HttpVersion10: b"HTTP/1.0",
}
_TIMEOUT_CACHE_SIZE = 32


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends through one aiohttp connection pool (asyncio only).

    The aiohttp session is created on the first request, inside the running event loop, and
    stays bound to that loop. Response bodies are read whole (Engagive answers with small JSON),
    never past ``max_response_bytes`` (the connection of a larger one is closed), and left
    encoded, so the pipeline decodes them once, within the same cap.

    Args:
        max_connections: the pool's size (aiohttp's ``limit``), at least 1.
        keepalive_expiry: seconds an idle connection is kept; ``None`` keeps it until the
            server closes it.
        verify: ``True`` (the same CA bundle as httpx), ``False``, or an ``ssl.SSLContext``.
        trust_env: read ``SSL_CERT_FILE`` from the environment (proxies are resolved once by
            the client and given as ``proxy``, so that no request reads the environment).
        proxy: the ``http://`` proxy every request goes through, or ``None``.
        max_response_bytes: the largest body read, as received.

    Raises:
        ValidationError: ``max_connections`` is below 1.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        keepalive_expiry: float | None,
        verify: bool | ssl.SSLContext = True,
        trust_env: bool = False,
        proxy: str | None = None,
        max_response_bytes: int = _config.DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        check_at_least(max_connections, 1, "max_connections")
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl: bool | ssl.SSLContext = (
            httpx.create_ssl_context(verify=True, trust_env=trust_env) if verify is True else verify
        )
        self._proxy = URL(proxy) if proxy else None
        self._max_body = max_response_bytes
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, Any, Any], aiohttp.ClientTimeout] = {}
        self._closed = False

    def _open_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this transport is closed")
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=self._ssl,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            # httpx owns cookies and decoding; aiohttp doing them too would do them twice.
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            # The client resolved the environment's proxy once (see _config.env_proxy_for).
            trust_env=False,
            requote_redirect_url=False,
        )
        # aiohttp resends an idempotent request once when a kept-alive connection drops; its
        # second try can then fail to connect and look "never sent". aiohttp's own test client
        # switches it off the same way; our retry policy decides what is resent.
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        self._session = session
        return session

    def client_timeout(self, timeout: Mapping[str, Any] | None) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for httpx's per-request ``timeout`` extension (cached)."""
        timeout = timeout or {}
        key = (timeout.get("connect"), timeout.get("read"), timeout.get("pool"))
        cached = self._timeouts.get(key)
        if cached is None:
            if len(self._timeouts) >= _TIMEOUT_CACHE_SIZE:
                self._timeouts.clear()
            connect, read, pool = key
            cached = aiohttp.ClientTimeout(
                total=None, connect=pool, sock_connect=connect, sock_read=read
            )
            self._timeouts[key] = cached
        return cached

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the complete response.

        Raises:
            httpx.TransportError: as drawn in ``_exceptions``' docstring.
            RuntimeError: the transport was closed.
        """
        extensions = request.extensions
        raw = request.headers.raw
        try:
            body: bytes | None = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
            # httpx framed the stream as chunked; read whole, it goes out with a Content-Length.
            raw = [(k, v) for k, v in raw if k.lower() != b"transfer-encoding"]
        headers, skip = aiohttp_headers(raw, request.headers.encoding, request.method, bool(body))
        answer = await self.send_direct(
            request.method,
            URL(str(request.url), encoded=True),
            headers,
            body,
            timeouts=self.client_timeout(extensions.get("timeout")),
            skip_auto_headers=skip,
            server_hostname=extensions.get("sni_hostname"),
            request=request,
        )
        return answer.to_httpx(request)

    async def send_direct(
        self,
        method: str,
        url: URL,
        headers: CIMultiDict[str] | list[tuple[str, str]],
        body: bytes | None,
        *,
        timeouts: aiohttp.ClientTimeout,
        skip_auto_headers: tuple[str, ...] | None = None,
        server_hostname: str | None = None,
        request: httpx.Request | None = None,
    ) -> DirectAnswer:
        """Send one request whose headers are final and read its answer whole.

        :meth:`handle_async_request` and the pipeline's shortcut past httpx's client (taken
        only for a client the SDK built, see ``_http``) both send through here, so they put
        the same bytes on the wire and fail with the same exceptions.

        Args:
            method: the HTTP method.
            url: the encoded URL.
            headers: every header line, as httpx would send it (see :func:`aiohttp_headers`).
            body: the request body, if any.
            timeouts: from :meth:`client_timeout`.
            skip_auto_headers: headers aiohttp must not add.
            server_hostname: the TLS SNI name, when it differs from the host.
            request: the httpx request to attach to an exception (built from ``method`` and
                ``url`` when absent: on failure only, and without the headers).

        Raises:
            httpx.TransportError: as drawn in ``_exceptions``' docstring.
            RuntimeError: the transport was closed.
        """
        session = self._session or self._open_session()
        try:
            response = await session.request(
                method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,
                skip_auto_headers=skip_auto_headers,
                timeout=timeouts,
                server_hostname=server_hostname,
                proxy=self._proxy,
            )
            try:
                content = await _read_within(response, self._max_body)
            except BaseException:
                # close(), not release(): a connection with a body left unread is never reused.
                response.close()
                raise
            response.release()
        except (aiohttp.ClientError, OSError) as exc:
            failed = request if request is not None else httpx.Request(method, str(url))
            raise map_exception(exc, failed) from exc
        return DirectAnswer(response, content)

    def template(self, request: httpx.Request) -> DirectTemplate:
        """A :class:`DirectTemplate` of ``request`` (whose body must have been built whole)."""
        return DirectTemplate(request, self.client_timeout(request.extensions.get("timeout")))

    async def send_template(
        self,
        template: DirectTemplate,
        body: bytes | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> DirectAnswer:
        """Send ``template`` with ``body`` (see :meth:`send_direct`), plus ``extra_headers``."""
        return await self.send_direct(
            template.method,
            template.url,
            template.headers_for(body, extra_headers),
            body,
            timeouts=template.timeouts,
            skip_auto_headers=template.skip,
        )

    async def aclose(self) -> None:
        """Close the aiohttp session and its pool; calling it again does nothing."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


async def _read_within(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body as received, read no further than ``limit`` bytes."""
    length = response.content_length
    if length is not None:
        if length > limit:
            raise ResponseTooLarge(limit, status=response.status)
        return await response.read()  # aiohttp reads exactly Content-Length
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(limit, status=response.status)
        chunks.append(chunk)
    return b"".join(chunks)


def aiohttp_headers(
    raw: list[tuple[bytes, bytes]], encoding: str, method: str, has_body: bool
) -> tuple[list[tuple[str, str]], tuple[str, ...] | None]:
    """httpx's header lines as aiohttp takes them, and the headers aiohttp must not add.

    Args:
        raw: ``request.headers.raw`` (it keeps the caller's name casing; multi_items does not).
        encoding: ``request.headers.encoding``.
        method: the HTTP method.
        has_body: whether a non-empty body goes out.
    """
    headers = [(k.decode(encoding), v.decode(encoding)) for k, v in raw]
    names = {k.lower() for k, _ in raw}
    skip = [name for key, name in _AUTO_HEADERS if key not in names]
    if b"content-type" not in names and (has_body or method in _TYPED_METHODS):
        skip.append("Content-Type")
    return headers, tuple(skip) or None


class DirectAnswer:
    """An answer read whole by :meth:`AiohttpTransport.send_direct`, still encoded.

    Attributes:
        status: the HTTP status.
        headers: the response headers (case-insensitive).
        raw_headers: the header lines as received.
        content: the body as received (``Content-Encoding`` not undone).
    """

    __slots__ = ("_response", "content", "headers", "raw_headers", "status")

    def __init__(self, response: aiohttp.ClientResponse, content: bytes) -> None:
        self._response = response
        self.status = response.status
        self.headers = response.headers
        self.raw_headers = response.raw_headers
        self.content = content

    @property
    def reason(self) -> str:
        """The status line's reason phrase."""
        return self._response.reason or ""

    def to_httpx(self, request: httpx.Request) -> httpx.Response:
        """The answer as httpx's response to ``request``; httpx decodes the body once read."""
        response = self._response
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            # stream=, not content=: content= would add a Content-Length the server never sent.
            stream=httpx.ByteStream(self.content),
            request=request,
            extensions={
                "http_version": _HTTP_VERSIONS.get(response.version, b"HTTP/1.1"),
                "reason_phrase": (response.reason or "").encode("ascii", "replace"),
            },
        )


class DirectTemplate:
    """One request shape for :meth:`AiohttpTransport.send_template`: all but the body fixed.

    Built from an httpx request that the client prepared (URL, default headers, Host,
    Content-Type, timeout extension), so a request sent from the template carries the same
    header lines in the same order as that request would; only Content-Length follows the body.
    """

    __slots__ = ("headers", "method", "skip", "timeouts", "url")

    def __init__(self, request: httpx.Request, timeouts: aiohttp.ClientTimeout) -> None:
        content = request.content
        headers, self.skip = aiohttp_headers(
            request.headers.raw, request.headers.encoding, request.method, bool(content)
        )
        self.method = request.method
        self.url = URL(str(request.url), encoded=True)
        self.headers = CIMultiDict(headers)
        self.timeouts = timeouts

    def headers_for(
        self, body: bytes | None, extra: Mapping[str, str] | None = None
    ) -> CIMultiDict[str]:
        """The header lines for ``body``: the template's, with its length when it has one,
        then ``extra`` (added last, as httpx merges per-request headers)."""
        if not body and not extra:
            return self.headers
        headers = self.headers.copy()  # C-level copy; setting keeps the line's position
        if body:
            headers["Content-Length"] = str(len(body))
        if extra:
            for name, value in extra.items():
                headers[name] = value
        return headers
