"""AsyncClient: configuration, lifecycle, and account-scoped handles."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs

from engagive_async import _config
from engagive_async._checks._fields import validate_account_id, validate_headers
from engagive_async._errors import ConfigurationError, ValidationError
from engagive_async._http import HttpPipeline, Limits, build_timeout, create_http_client
from engagive_async._http._auth import BearerToken
from engagive_async._http._retry import RetryPolicy
from engagive_async._http._transport import TransportKind, build_transport
from engagive_async._observe import refresh, setup_logging
from engagive_async._paging._page_info import PagingParams
from engagive_async.models.results import Envelope
from engagive_async.resources._base import call_options
from engagive_async.resources.messages import MessagesResource
from engagive_async.resources.templates import TemplatesResource

if TYPE_CHECKING:
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
            read and write 30 s, waiting for a pooled connection 30 s. A read timeout restarts
            with every byte; ``attempt_timeout`` and ``call_timeout`` bound the whole.
        attempt_timeout: seconds one attempt may take in all, from waiting for a connection
            to the last byte of the answer (default 60; ``None``: no bound).
        call_timeout: seconds one call may take in all, its retries and ``Retry-After`` waits
            included (default 180; ``None``: no bound). Per call: ``timeout=``.
        max_response_bytes: the largest answer body read, as received and decoded (default
            8 MiB); a larger one is a ``ResponseDecodeError`` and its connection is closed.
        max_retries: retries after the first attempt (shorthand for the retry policy's
            ``max_attempts - 1``).
        default_headers: header lines added to every request (not ``Authorization``).
        proxy: an ``http://`` proxy URL for every request, on either transport.
        trust_env: read ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` and ``NO_PROXY`` (once,
            for the base URL; loopback hosts never go through a proxy) and ``SSL_CERT_FILE``
            (default ``True``). ``proxy=`` wins over the environment.
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
        attempt_timeout: float | None = _config.DEFAULT_ATTEMPT_TIMEOUT,
        call_timeout: float | None = _config.DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = _config.DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
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
        limits = _limits(attempt_timeout, call_timeout, max_response_bytes)
        headers = {
            "Accept": "application/json",
            "User-Agent": _config.DEFAULT_USER_AGENT,
            **_checked_headers(default_headers, "default_headers"),
            "Authorization": self._token.header(),
        }
        if proxy is None and trust_env:
            proxy = _config.env_proxy_for(self.base_url)
        self._owns_http = http_client is None
        if http_client is None:
            if isinstance(transport, str):
                transport = build_transport(
                    transport,
                    max_connections=max_connections,
                    keepalive_expiry=keepalive_expiry,
                    verify=verify,
                    proxy=proxy,
                    trust_env=trust_env,
                    max_response_bytes=max_response_bytes,
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
            retry=_retry_policy(retry, max_retries),
            token_expires_at=self._token.expires_at,
            limits=limits,
        )
        self._is_copy = False

    def with_options(
        self,
        *,
        timeout: float | None = None,
        attempt_timeout: float | None = None,
        max_response_bytes: int | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> AsyncClient:
        """A copy with other settings that shares this client's connection pool (no I/O).

        Closing the copy leaves the pool open; closing this client closes the copy too.

        Args:
            timeout: seconds each call may take in all (the copy's ``call_timeout``).
            attempt_timeout: seconds each attempt may take in all.
            max_response_bytes: the largest answer body read (decoded; a transport built by
                this client still reads no more than its own cap as received).
            max_retries: retries after the first attempt.
            retry: the retry policy (``max_retries`` then adjusts it).
            default_headers: header lines added to every request, over this client's.

        Raises:
            ValidationError: a bad value.
        """
        current = self._pipeline.limits
        limits = _limits(
            attempt_timeout if attempt_timeout is not None else current.attempt_timeout,
            timeout if timeout is not None else current.call_timeout,
            max_response_bytes if max_response_bytes is not None else current.max_response_bytes,
        )
        base = retry or self._pipeline.retry
        pipeline = self._pipeline.copy(
            retry=_retry_policy(base, max_retries),
            limits=limits,
            headers=_checked_headers(default_headers, "default_headers") or None,
        )
        twin = object.__new__(AsyncClient)
        twin.__dict__.update(self.__dict__)
        twin._pipeline = pipeline
        twin._is_copy = True
        return twin

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._pipeline.state.closed

    def account(self, account_id: int | str) -> AccountClient:
        """A handle on one WhatsApp account (no I/O).

        Args:
            account_id: the account id from the business portal's HTTP API tab.

        Raises:
            ValidationError: not a positive integer (or a string of one).
        """
        validate_account_id(account_id)
        return AccountClient(self._pipeline, account_id, self.paging)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Envelope:
        """Call any endpoint the SDK does not cover yet, and get the decoded envelope.

        Args:
            method: HTTP method; GET, PUT and DELETE are retried on transient failures,
                POST only when the request provably did not reach Engagive, or on 429.
            path: the path after ``/api/business/public``, starting with ``/``.
            json: the JSON body.
            params: query parameters.
            timeout: seconds this call may take in all, retries included.
            extra_headers: header lines added to this call's requests.

        Raises:
            APIError: as for every call.
        """
        if not path.startswith("/"):
            raise ConfigurationError(f"path must start with '/', got {path!r}")
        return await self._pipeline.request(
            method.upper(),
            path,
            params=params,
            json=json,
            options=call_options(timeout, extra_headers),
        )

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in). Safe to call twice.

        On a copy from :meth:`with_options` this does nothing: the pool is the original's.
        """
        if self._pipeline.state.closed or self._is_copy:
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


def _limits(
    attempt_timeout: float | None, call_timeout: float | None, max_response_bytes: int
) -> Limits:
    for name, value in (("attempt_timeout", attempt_timeout), ("call_timeout", call_timeout)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0
        ):
            raise ValidationError(name, f"must be a positive number of seconds, got {value!r}")
    if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int):
        raise ValidationError("max_response_bytes", f"must be an int, got {max_response_bytes!r}")
    if max_response_bytes < 1:
        raise ValidationError("max_response_bytes", f"must be positive, got {max_response_bytes}")
    return Limits(
        attempt_timeout=attempt_timeout,
        call_timeout=call_timeout,
        max_response_bytes=max_response_bytes,
    )


def _retry_policy(retry: RetryPolicy | None, max_retries: int | None) -> RetryPolicy:
    policy = retry or RetryPolicy()
    if max_retries is None:
        return policy
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValidationError("max_retries", f"must be an int of 0 or more, got {max_retries!r}")
    return attrs.evolve(policy, max_attempts=max_retries + 1)


def _checked_headers(headers: Mapping[str, str] | None, field: str) -> dict[str, str]:
    return validate_headers(headers, field) if headers else {}


def _check_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL with a host, got {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(
            f"base_url is scheme and host only (the API prefix is added), got {url!r}"
        )
    if parts.scheme == "http" and not _config.is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing plain http:// to {parts.hostname}: the token would travel unencrypted "
            "(http is allowed only for loopback hosts such as 127.0.0.1)"
        )
    return f"{parts.scheme}://{parts.netloc}"
