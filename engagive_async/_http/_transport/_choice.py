"""Which httpx transport carries requests: chosen by name, or by the running async library.

``"auto"`` (the default) is :class:`AutoTransport`: aiohttp's pool on asyncio, httpx's own pool
on trio, where aiohttp cannot run. :func:`direct_transport` tells the pipeline whether a client
it built sends through our aiohttp transport, so it may take the shortcut past httpx's client.
"""

from __future__ import annotations

import ssl
import sys
from typing import TYPE_CHECKING, Any, Literal, cast

import httpx
import sniffio

from engagive_async import _config
from engagive_async._checks._arguments import check_at_least, check_choice

if TYPE_CHECKING:
    # Imported when first needed: aiohttp is a third of the package's import time.
    from engagive_async._http._transport._aiohttp import AiohttpTransport

__all__ = ["AutoTransport", "TransportKind", "build_transport", "direct_transport"]

TransportKind = Literal["auto", "aiohttp", "httpx"]
_AIOHTTP_MODULE = "engagive_async._http._transport._aiohttp"


def direct_transport(transport: httpx.AsyncBaseTransport) -> AiohttpTransport | None:
    """The :class:`AiohttpTransport` that ``transport`` sends through, if it is one of ours."""
    if type(transport) is AutoTransport:
        transport = transport.choose()
    # Asked per request, so no import statement here: a transport of ours exists only once
    # its module (loaded on first use, see the package docstring) is in sys.modules.
    module = sys.modules.get(_AIOHTTP_MODULE)
    if module is None or type(transport) is not module.AiohttpTransport:
        return None
    return cast("AiohttpTransport", transport)


class AutoTransport(httpx.AsyncBaseTransport):
    """Chooses on its first request: :class:`AiohttpTransport` on asyncio, httpx's pool on trio.

    Takes the settings of :func:`build_transport` and delegates every request once it chose.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        keepalive_expiry: float | None,
        verify: bool | ssl.SSLContext = True,
        **options: Any,
    ) -> None:
        self._settings: dict[str, Any] = {
            "max_connections": max_connections,
            "keepalive_expiry": keepalive_expiry,
            "verify": verify,
            **options,
        }
        self._inner: httpx.AsyncBaseTransport | None = None
        self._closed = False

    @property
    def inner(self) -> httpx.AsyncBaseTransport | None:
        """The transport chosen on the first request, or ``None`` before it."""
        return self._inner

    def choose(self) -> httpx.AsyncBaseTransport:
        """The transport for the running async library, built on the first call.

        Raises:
            RuntimeError: the transport was closed.
        """
        if self._inner is not None:
            return self._inner
        if self._closed:
            raise RuntimeError("this transport is closed")
        kind: TransportKind = "aiohttp" if sniffio.current_async_library() == "asyncio" else "httpx"
        self._inner = build_transport(kind, **self._settings)
        return self._inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the chosen transport."""
        inner = self._inner or self.choose()
        return await inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close whichever transport was built; calling it again does nothing."""
        self._closed = True
        inner, self._inner = self._inner, None
        if inner is not None:
            await inner.aclose()


def build_transport(
    kind: TransportKind,
    *,
    max_connections: int,
    keepalive_expiry: float | None,
    verify: bool | ssl.SSLContext = True,
    proxy: str | None = None,
    trust_env: bool = False,
    max_response_bytes: int = _config.DEFAULT_MAX_RESPONSE_BYTES,
) -> httpx.AsyncBaseTransport:
    """The transport an :class:`~engagive_async.AsyncClient` sends through.

    Args:
        kind: ``"aiohttp"`` (asyncio only), ``"httpx"`` (httpx's own pool, any async library),
            or ``"auto"``: aiohttp on asyncio, httpx's pool on trio, decided on first use.
        max_connections: the pool's size.
        keepalive_expiry: seconds an idle connection is kept (``None``: no expiry).
        verify: TLS verification: ``True``, ``False`` or an ``ssl.SSLContext``.
        proxy: the proxy URL every request goes through, or ``None``.
        trust_env: read ``SSL_CERT_FILE``/``SSL_CERT_DIR`` from the environment.
        max_response_bytes: the aiohttp transport reads no body past this many bytes (httpx's
            pool streams, and the pipeline counts; see ``_body``).

    Raises:
        ValidationError: an unknown ``kind`` (the field ``transport``), or ``max_connections``
            below 1.
    """
    check_choice(kind, ("auto", "aiohttp", "httpx"), "transport")
    check_at_least(max_connections, 1, "max_connections")
    if kind == "aiohttp":
        from engagive_async._http._transport._aiohttp import AiohttpTransport

        return AiohttpTransport(
            max_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            verify=verify,
            proxy=proxy,
            trust_env=trust_env,
            max_response_bytes=max_response_bytes,
        )
    if kind == "httpx":
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
        )
        return httpx.AsyncHTTPTransport(
            limits=limits, verify=verify, trust_env=trust_env, proxy=proxy
        )
    return AutoTransport(
        max_connections=max_connections,
        keepalive_expiry=keepalive_expiry,
        verify=verify,
        proxy=proxy,
        trust_env=trust_env,
        max_response_bytes=max_response_bytes,
    )
