"""The request pipeline: URL and auth, send, retry; answers are read by ``_answers``.

Each attempt goes through httpx's client, or, for a client the SDK built, through the
shortcut past it (``_shortcut``) whenever nothing could notice the difference.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
import attrs
import httpx

from engagive_async._errors import APIError, ClientClosedError, ConfigurationError
from engagive_async._http._answers import (
    connection_error,
    decode_error,
    plain_envelope,
    read_envelope,
    slow_everyone,
    undecodable_body,
)
from engagive_async._http._retry import IDEMPOTENT_METHODS, RetryPolicy
from engagive_async._http._shortcut import Shortcut, create_http_client
from engagive_async._pacing._protocol import Pacing
from engagive_async._wire._converter import DecodeFailure, structure
from engagive_async.models.results import Envelope

__all__ = ["CallTrace", "HttpPipeline", "PageFetcher", "build_timeout", "create_http_client"]

T = TypeVar("T")
PageFetcher = Callable[[Mapping[str, Any], str | None], Awaitable[Envelope]]

log = logging.getLogger("engagive_async")

_URL_CACHE_SIZE = 256


@attrs.define
class CallTrace:
    """Filled in by :meth:`HttpPipeline.request` for callers that report attempts."""

    attempts: int = 0


@attrs.define
class _ClientState:
    closed: bool = False


class HttpPipeline:
    """Sends requests for one :class:`~engagive_async.AsyncClient`.

    Args:
        http: the pooled httpx client (ours or the user's).
        root_url: base URL plus the API prefix, without a trailing slash.
        headers: headers to add per request (auth, user agent), or ``None`` when ``http``
            already carries them as defaults.
        retry: the retry policy.
        token_expires_at: the token's JWT ``exp`` (epoch seconds), to explain a 401.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        root_url: str,
        headers: Mapping[str, str] | None,
        retry: RetryPolicy,
        token_expires_at: float | None = None,
    ) -> None:
        self._http = http
        self._root_url = root_url
        self._origin = _origin(root_url)
        self._headers = dict(headers) if headers else None
        self.retry = retry
        self._token_expires_at = token_expires_at
        self.state = _ClientState()
        self._shortcut = Shortcut(http)
        self._parsed_urls: dict[str, httpx.URL] = {}

    # --- public to the package -----------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        pacing: Pacing | None = None,
        recipient: str | None = None,
        trace: CallTrace | None = None,
        retry: RetryPolicy | None = None,
    ) -> Envelope:
        """Send one call, retrying as the policy allows, and return the decoded envelope.

        Args:
            method: HTTP method.
            path: a path under the API prefix, or an absolute URL on the same origin (a
                server's ``next`` link).
            params: query parameters; ``None`` values are dropped.
            json: the JSON body, if any.
            pacing: a batch's shared pace: waited on before each attempt, and paused for
                everyone when the server says to slow down.
            recipient: the number a send goes to, for the pace's spacing per recipient. Only
                the first attempt is spaced: a retry follows a refusal, which delivered nothing.
            trace: receives the number of attempts made.
            retry: a policy for this call instead of the client's.

        Raises:
            APIError: the typed error of the last attempt.
            ClientClosedError: the client was closed.
        """
        if self.state.closed:
            raise ClientClosedError("this AsyncClient is closed; create a new one")
        url = self._url(path)
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        idempotent = method in IDEMPOTENT_METHODS
        policy = retry or self.retry
        attempt = 0
        while True:
            if pacing is not None:
                await pacing.acquire(recipient if attempt == 0 else None)
            attempt += 1
            if trace is not None:
                trace.attempts = attempt
            try:
                return await self._attempt(method, url, params, json)
            except APIError as error:
                delay = policy.delay_before_retry(error, attempt=attempt, idempotent=idempotent)
                if pacing is not None:
                    await slow_everyone(pacing, error, delay)
                if delay is None:
                    raise
                if log.isEnabledFor(logging.INFO):
                    log.info("retrying %s %s in %.2fs after: %s", method, url, delay, error)
                await anyio.sleep(delay)

    def decode(self, data: Any, cls: type[T], *, method: str, path: str) -> T:
        """Structure ``data`` into ``cls``; a mismatch becomes :class:`ResponseDecodeError`."""
        try:
            return structure(data, cls)
        except DecodeFailure as exc:
            raise decode_error(str(exc), data, method, self._url(path)) from exc

    def decode_list(self, data: Any, cls: type[T], *, method: str, path: str) -> list[T]:
        """Structure a JSON array into a list of ``cls`` (``None`` is an empty list)."""
        if data is None:
            return []
        if not isinstance(data, list):
            reason = f"expected a list in data, got {type(data).__name__}"
            raise decode_error(reason, data, method, self._url(path))
        return [self.decode(item, cls, method=method, path=path) for item in data]

    def page_fetcher(self, path: str, params: Mapping[str, Any] | None = None) -> PageFetcher:
        """A ``fetch(page_params, next_url)`` callable for :class:`AsyncPager`."""

        async def fetch(page_params: Mapping[str, Any], next_url: str | None) -> Envelope:
            if next_url is not None:
                return await self.request("GET", next_url)
            return await self.request("GET", path, params={**(params or {}), **page_params})

        return fetch

    async def aclose(self) -> None:
        self.state.closed = True

    # --- one attempt ---------------------------------------------------------------------

    async def _attempt(
        self, method: str, url: str, params: Mapping[str, Any] | None, body: Any
    ) -> Envelope:
        started = time.perf_counter()
        direct = self._shortcut.transport() if not params else None
        try:
            if direct is None:
                response = await self._http.request(
                    method, self._parsed(url), params=params, json=body, headers=self._headers
                )
            else:
                answer = await self._shortcut.send(direct, method, url, body)
                envelope = plain_envelope(answer)
                if envelope is not None:
                    _log_answer(method, url, answer.status, started)
                    return envelope
                response = self._shortcut.adopt(answer, method, url)
        except httpx.TransportError as exc:
            raise connection_error(exc, method, url) from exc
        except httpx.DecodingError as exc:
            raise undecodable_body(exc, method, url) from exc
        _log_answer(method, response.url, response.status_code, started)
        return read_envelope(
            response, method, str(response.url), token_expires_at=self._token_expires_at
        )

    def _parsed(self, url: str) -> httpx.URL:
        """``url`` parsed by httpx once: its parser is a good share of a request's CPU."""
        parsed = self._parsed_urls.get(url)
        if parsed is None:
            if len(self._parsed_urls) >= _URL_CACHE_SIZE:
                self._parsed_urls.clear()
            parsed = self._parsed_urls[url] = httpx.URL(url)
        return parsed

    def _url(self, path: str) -> str:
        if path.startswith("/"):
            return self._root_url + path
        if _origin(path) != self._origin:
            # A next-page link elsewhere would carry our bearer token to another host.
            raise ConfigurationError(f"refusing to follow a link to another origin: {path!r}")
        return path


def _log_answer(method: str, url: object, status: int, started: float) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s -> %s in %.1f ms", method, url, status, (time.perf_counter() - started) * 1000
        )


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def build_timeout(
    timeout: float | httpx.Timeout | None, *, connect: float, read: float, pool: float
) -> httpx.Timeout:
    """A float applies to every phase (httpx's rule); ``None`` means the documented defaults."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is not None:
        return httpx.Timeout(timeout)
    return httpx.Timeout(connect=connect, read=read, write=read, pool=pool)
