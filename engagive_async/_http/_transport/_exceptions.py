"""How aiohttp's failures read as httpx's: the contract the pipeline's retries rely on.

The contract: ``httpx.ConnectError``, ``httpx.ConnectTimeout`` and ``httpx.PoolTimeout`` (the
"connect family") are raised only when nothing was written to any socket. aiohttp's own retry
of idempotent requests on a dropped keep-alive connection is switched off for the same reason:
its second attempt could fail to connect after the first one was written.

aiohttp exception (most specific first)      httpx exception           written?
-------------------------------------------  ------------------------  --------
ConnectionTimeoutError (pool wait, connect)  ConnectTimeout            no
ClientConnectorCertificateError              ConnectError              no
ClientConnectorSSLError, ClientSSLError      ConnectError              no
ClientConnectorDNSError                      ConnectError              no
ClientProxyConnectionError                   ConnectError              no
ClientConnectorError (refused, unreachable)  ConnectError              no
ServerFingerprintMismatch (at TLS connect)   ConnectError              no
SocketTimeoutError (sock_read elapsed)       ReadTimeout               maybe
ServerTimeoutError (older sock_read name)    ReadTimeout               maybe
ServerDisconnectedError                      RemoteProtocolError       maybe
ClientConnectionResetError (writing)         WriteError                maybe
UploadAbortedError                           WriteError                maybe
ClientOSError "Can not write request body"   WriteError                maybe
ClientOSError (reset while reading)          ReadError                 maybe
ClientPayloadError (body cut short)          RemoteProtocolError       maybe
ClientHttpProxyError                         ProxyError                maybe
ClientResponseError (malformed answer)       RemoteProtocolError       maybe
NonHttpUrlClientError                        UnsupportedProtocol       no
InvalidURL, InvalidUrlClientError            UnsupportedProtocol       no
ServerConnectionError, ClientConnectionError NetworkError              maybe
ClientError (anything else from aiohttp)     NetworkError              maybe
TimeoutError (phase unknown)                 TimeoutException          maybe
OSError                                      NetworkError              maybe

The original exception is always the ``__cause__``. Messages name the aiohttp class and its
text, never request headers; a ``ClientResponseError`` has its request headers (the bearer
token) stripped before it is chained.
"""

from __future__ import annotations

import aiohttp
import httpx
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["EXCEPTION_MAP", "map_exception"]

#: aiohttp exception -> httpx exception; looked up along the raised class's MRO, so the most
#: specific entry wins. The module docstring draws the same table.
EXCEPTION_MAP: dict[type[BaseException], type[httpx.TransportError]] = {
    aiohttp.ConnectionTimeoutError: httpx.ConnectTimeout,
    aiohttp.ClientConnectorCertificateError: httpx.ConnectError,
    aiohttp.ClientConnectorSSLError: httpx.ConnectError,
    aiohttp.ClientSSLError: httpx.ConnectError,
    aiohttp.ClientConnectorDNSError: httpx.ConnectError,
    aiohttp.ClientProxyConnectionError: httpx.ConnectError,
    aiohttp.ClientConnectorError: httpx.ConnectError,
    aiohttp.ServerFingerprintMismatch: httpx.ConnectError,
    aiohttp.SocketTimeoutError: httpx.ReadTimeout,
    aiohttp.ServerTimeoutError: httpx.ReadTimeout,
    aiohttp.ServerDisconnectedError: httpx.RemoteProtocolError,
    aiohttp.ClientConnectionResetError: httpx.WriteError,
    aiohttp.client_exceptions.UploadAbortedError: httpx.WriteError,
    aiohttp.ClientOSError: httpx.ReadError,
    aiohttp.ClientPayloadError: httpx.RemoteProtocolError,
    aiohttp.ClientHttpProxyError: httpx.ProxyError,
    aiohttp.ClientResponseError: httpx.RemoteProtocolError,
    aiohttp.NonHttpUrlClientError: httpx.UnsupportedProtocol,
    aiohttp.InvalidURL: httpx.UnsupportedProtocol,
    aiohttp.ServerConnectionError: httpx.NetworkError,
    aiohttp.ClientConnectionError: httpx.NetworkError,
    aiohttp.ClientError: httpx.NetworkError,
    TimeoutError: httpx.TimeoutException,
    OSError: httpx.NetworkError,
}


# aiohttp reports a failed body write as ClientOSError too; this text is how it says so.
_BODY_WRITE_FAILED = "Can not write request body"
_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())


def _target(cls: type[BaseException]) -> type[httpx.TransportError]:
    for klass in cls.__mro__:
        target = EXCEPTION_MAP.get(klass)
        if target is not None:
            return target
    return httpx.NetworkError


def map_exception(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception that stands for an aiohttp (or socket) failure of ``request``.

    Args:
        exc: what aiohttp raised; chain it as the ``__cause__`` of the result.
        request: the httpx request being sent.
    """
    target = _target(type(exc))
    if isinstance(exc, aiohttp.ClientResponseError):
        _strip_request_headers(exc)
    elif target is httpx.ReadError and _BODY_WRITE_FAILED in str(exc):
        target = httpx.WriteError
    return target(f"{type(exc).__name__}: {exc}", request=request)


def _strip_request_headers(exc: aiohttp.ClientResponseError) -> None:
    # Its repr shows request_info, headers included: that would put the token in the chain.
    info = exc.request_info
    exc.request_info = aiohttp.RequestInfo(info.url, info.method, _NO_HEADERS, info.real_url)
    exc.args = (exc.request_info, exc.history)
