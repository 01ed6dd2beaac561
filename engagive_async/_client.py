"""AsyncClient: configuration, lifecycle, and account-scoped handles."""

from __future__ import annotations

import ipaddress
import ssl
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from engagive_async import _config
from engagive_async._errors import ConfigurationError
from engagive_async._http import HttpPipeline, build_timeout, create_http_client
from engagive_async._http._auth import BearerToken
from engagive_async._http._retry import RetryPolicy
from engagive_async._http._transport import TransportKind, build_transport
from engagive_async._observe import refresh, setup_logging
from engagive_async._paging._page_info import PagingParams
from engagive_async.models.results import Envelope
from engagive_async.resources.messages import MessagesResource
from engagive_async.resources.templates import TemplatesResource

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Self

    import httpx

__all__ = ["AccountClient", "AsyncClient"]


class AsyncClient:
    """One pooled connection to Engagive's public API.

    Open it once per process (or per worker) and share it: every call reuses its connection
    pool. Use it as ``async with AsyncClient() as client:`` or call :meth:`aclose`.

    Traces and metrics go to the OpenTelemetry providers set when a client is created or a
    batch or page walk starts (the ``otel`` extra; none set: nothing is recorded). Logs go
    to the ``engagive_async`` logger tree; ``ENGAGIVE_LOG=debug|info|warning`` prints them.

    Args:
        token: the API access token (a JWT from the business portal). Defaults to the
            ``ENGAGIVE_API_TOKEN`` environment variable.
        base_url: scheme and host, e.g. ``https://stage.api.engagive.io`` (the default, also
            read from ``ENGAGIVE_BASE_URL``). The ``/api/business/public`` prefix is added.
            Plain ``http://`` is accepted only for loopback hosts.
        timeout: seconds for every phase, or an ``httpx.Timeout``. Default: connect 10 s,
            read and write 30 s, waiting for a pooled connection 30 s.
        max_connections: size of the connection pool (default 100).
        keepalive_expiry: seconds an idle connection is kept (default 15).
        retry: the :class:`RetryPolicy` (default: 4 attempts, full-jitter backoff).
        transport: ``"auto"`` (default: aiohttp-backed on asyncio, httpx's pool on trio),
            ``"aiohttp"``, ``"httpx"``, or any ``httpx.AsyncBaseTransport`` (respx, a mock,
            ``httpx.ASGITransport(FakeEngagive().app)``).
        http_client: an ``httpx.AsyncClient`` of yours to send through. It is never closed by
            us; pool, timeout and transport settings are then yours.
        verify: TLS verification: ``True``, ``False`` or an ``ssl.SSLContext``.
        paging: the query parameter names sent to ask for a page.

    Raises:
        ConfigurationError: no token, a bad base URL, or ``http://`` to a non-loopback host.
        ExpiredTokenError: the token is a JWT whose ``exp`` is already past.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_connections: int = _config.DEFAULT_MAX_CONNECTIONS,
        keepalive_expiry: float | None = _config.DEFAULT_KEEPALIVE_EXPIRY,
        retry: RetryPolicy | None = None,
        transport: TransportKind | httpx.AsyncBaseTransport = "auto",
        http_client: httpx.AsyncClient | None = None,
        verify: bool | ssl.SSLContext = True,
        paging: PagingParams | None = None,
    ) -> None:
        setup_logging()
        refresh()
        raw_token = token if token is not None else _config.env_token()
        if not raw_token or not raw_token.strip():
            raise ConfigurationError(
                "no Engagive API token: pass AsyncClient(token=...) or set the "
                f"{_config.ENV_TOKEN} environment variable"
            )
        self._token = BearerToken(raw_token.strip())
        self._token.check_not_expired()
        self.base_url = _check_base_url(
            base_url or _config.env_base_url() or _config.DEFAULT_BASE_URL
        )
        self.paging = paging or PagingParams()
        headers = {
            "Authorization": self._token.header(),
            "Accept": "application/json",
            "User-Agent": _config.DEFAULT_USER_AGENT,
        }
        self._owns_http = http_client is None
        if http_client is None:
            if isinstance(transport, str):
                transport = build_transport(
                    transport,
                    max_connections=max_connections,
                    keepalive_expiry=keepalive_expiry,
                    verify=verify,
                )
            http_client = create_http_client(
                transport=transport,
                timeout=build_timeout(
                    timeout,
                    connect=_config.DEFAULT_CONNECT_TIMEOUT,
                    read=_config.DEFAULT_READ_TIMEOUT,
                    pool=_config.DEFAULT_POOL_TIMEOUT,
                ),
                headers=headers,
            )
        self._http_client = http_client
        self._pipeline = HttpPipeline(
            http=http_client,
            root_url=self.base_url + _config.API_PREFIX,
            # A client of the user's carries its own defaults: ours go on each request.
            headers=None if self._owns_http else headers,
            retry=retry or RetryPolicy(),
            token_expires_at=self._token.expires_at,
        )

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._pipeline.state.closed

    def account(self, account_id: int | str) -> AccountClient:
        """A handle on one WhatsApp account (no I/O).

        Args:
            account_id: the account id from the business portal's HTTP API tab.
        """
        if isinstance(account_id, bool) or str(account_id).strip() == "":
            raise ConfigurationError(f"account_id must be a non-empty id, got {account_id!r}")
        return AccountClient(self._pipeline, account_id, self.paging)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Envelope:
        """Call any endpoint the SDK does not cover yet, and get the decoded envelope.

        Args:
            method: HTTP method; GET, PUT and DELETE are retried on transient failures,
                POST only when the request provably did not reach Engagive, or on 429.
            path: the path after ``/api/business/public``, starting with ``/``.
            json: the JSON body.
            params: query parameters.

        Raises:
            APIError: as for every call.
        """
        if not path.startswith("/"):
            raise ConfigurationError(f"path must start with '/', got {path!r}")
        return await self._pipeline.request(method.upper(), path, params=params, json=json)

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in). Safe to call twice."""
        if self._pipeline.state.closed:
            return
        await self._pipeline.aclose()
        if self._owns_http:
            await self._http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"engagive_async.AsyncClient(base_url={self.base_url!r}, token='***', {state})"


class AccountClient:
    """Everything under one account: ``templates`` and ``messages``."""

    def __init__(self, pipeline: HttpPipeline, account_id: int | str, paging: PagingParams) -> None:
        self.account_id = account_id
        self.templates = TemplatesResource(pipeline, account_id, paging)
        self.messages = MessagesResource(pipeline, account_id, paging)

    def __repr__(self) -> str:
        return f"engagive_async.AccountClient(account_id={self.account_id!r})"


def _check_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(
            f"base_url is scheme and host only (the API prefix is added), got {url!r}"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing plain http:// to {parts.hostname}: the token would travel unencrypted "
            "(http is allowed only for loopback hosts such as 127.0.0.1)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
