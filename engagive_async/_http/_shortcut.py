"""The shortcut past httpx's client, for clients the SDK built.

``httpx.AsyncClient.send`` (auth flow, redirect loop, cookie extraction, the Request and
Response models) costs most of a request's CPU. A client that :func:`create_http_client` built,
sending through our aiohttp transport, skips it: httpx prepares each request shape (method, URL,
headers, Host, timeouts) once, and every send hands its JSON body straight to the transport.
Whenever skipping could be noticed (event hooks, cookies in the jar, httpx's request log
enabled, query parameters, a user's own client or transport, trio), httpx's client sends as
before; both paths put the same bytes on the wire and fail with the same exceptions.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from engagive_async._http._answers import Answer
from engagive_async._http._body import ACCEPT_ENCODING, decode_body
from engagive_async._http._transport import direct_transport

if TYPE_CHECKING:  # aiohttp loads on first use (see _transport)
    from engagive_async._http._transport import AiohttpTransport, DirectAnswer, DirectTemplate

__all__ = ["Shortcut", "create_http_client"]

#: httpx's own JSON encoding (``httpx._content.encode_json``), byte for byte, built once.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
#: Clients built by :func:`create_http_client`, with the transport they were given.
_OWNED: weakref.WeakKeyDictionary[httpx.AsyncClient, httpx.AsyncBaseTransport] = (
    weakref.WeakKeyDictionary()
)
_HTTPX_LOG = logging.getLogger("httpx")
_TEMPLATE_CACHE_SIZE = 256


def create_http_client(
    *,
    transport: httpx.AsyncBaseTransport,
    timeout: float | httpx.Timeout,
    headers: Mapping[str, str],
) -> httpx.AsyncClient:
    """The pooled httpx client an :class:`AsyncClient` owns (one per AsyncClient)."""
    client = httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        # Only what the pipeline can undo within max_response_bytes (see _body).
        headers={"Accept-Encoding": ACCEPT_ENCODING, **headers},
        # Engagive answers with JSON, never with redirects a send should follow blindly.
        follow_redirects=False,
        # The client resolves proxies once and gives them to the transport (see _config).
        trust_env=False,
    )
    _OWNED[client] = transport
    return client


class Shortcut:
    """The shortcut for one pipeline's httpx client (inert for a client we did not build)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._transport = _OWNED.get(http)
        self._templates: dict[tuple[str, str, bool, Any], DirectTemplate] = {}

    def transport(self) -> AiohttpTransport | None:
        """Our aiohttp transport when going around httpx's client changes nothing observable.

        Only for a client built by :func:`create_http_client` (no auth, mounts, proxies,
        redirects or base URL: we set it up) whose transport is our aiohttp one, and only
        while it has no event hooks, no cookies, is open, and nobody listens to httpx's
        request log. Otherwise httpx's client sends, as it always may.
        """
        transport = self._transport
        if transport is None:
            return None
        http = self._http
        hooks = http.event_hooks
        if (
            hooks["request"]
            or hooks["response"]
            or http.cookies
            or http.is_closed
            or _HTTPX_LOG.isEnabledFor(logging.INFO)
        ):
            return None
        return direct_transport(transport)

    async def send(
        self,
        transport: AiohttpTransport,
        method: str,
        url: str,
        body: Any,
        headers: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> DirectAnswer:
        """Send ``body`` (JSON-encoded as httpx would) to ``url``; read the answer whole.

        ``headers`` (a call's own) are added to the client's, as httpx's client would add them,
        and become part of the prepared shape; ``extra_headers`` (a W3C ``traceparent``, new
        for every request) go after the prepared ones.
        """
        key = (method, url, body is not None, tuple(headers.items()) if headers else None)
        template = self._templates.get(key)
        if template is None:
            if len(self._templates) >= _TEMPLATE_CACHE_SIZE:
                self._templates.clear()
            # httpx prepares the request once (headers, Host, timeout); sends reuse the shape.
            shape = self._http.build_request(
                method, url, json={} if body is not None else None, headers=headers
            )
            template = self._templates[key] = transport.template(shape)
        data = _JSON_ENCODER.encode(body).encode() if body is not None else None
        return await transport.send_template(template, data, extra_headers)

    def adopt(self, answer: DirectAnswer, method: str, url: str, limit: int) -> Answer:
        """An answer that needs more reading (an error, an encoded body, a cookie).

        Raises:
            httpx.DecodingError: an encoding that cannot be undone, or a decoded body past
                ``limit`` (:class:`ResponseTooLarge`).
        """
        content = decode_body(answer.content, answer.headers.get("content-encoding"), limit)
        if "set-cookie" in answer.headers:
            # As httpx's client would have: the jar then sends them, through httpx's client.
            self._http.cookies.extract_cookies(answer.to_httpx(httpx.Request(method, url)))
        return Answer(answer.status, answer.headers, answer.raw_headers, content, answer.reason)
