"""The request pipeline: URL and auth, send, retry; answers are read by ``_answers``.

Each attempt goes through httpx's client, or, for a client the SDK built, through the
shortcut past it (``_shortcut``) whenever nothing could notice the difference. Each call is
one HTTP client span (when a tracer provider is set) and each attempt one
``http.client.request.duration`` measurement (when a meter provider is set); with neither, the
call looks at two booleans and nothing more.
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
from engagive_async._observe import current, error_type, get_logger
from engagive_async._pacing._throttle import Throttle
from engagive_async._wire._converter import DecodeFailure, structure
from engagive_async.models.results import Envelope

__all__ = ["CallTrace", "HttpPipeline", "PageFetcher", "build_timeout", "create_http_client"]

T = TypeVar("T")
PageFetcher = Callable[[Mapping[str, Any], str | None], Awaitable[Envelope]]

log = get_logger("http")

_URL_CACHE_SIZE = 256


@attrs.define
class CallTrace:
    """Filled in by :meth:`HttpPipeline.request` for callers that report attempts.

    ``spans=False`` keeps the call out of the trace (a batch's sends not sampled); its metrics
    are recorded all the same.
    """

    attempts: int = 0
    spans: bool = True


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
        throttle: Throttle | None = None,
        trace: CallTrace | None = None,
        retry: RetryPolicy | None = None,
        template: str | None = None,
    ) -> Envelope:
        """Send one call, retrying as the policy allows, and return the decoded envelope.

        Args:
            method: HTTP method.
            path: a path under the API prefix, or an absolute URL on the same origin (a
                server's ``next`` link).
            params: query parameters; ``None`` values are dropped.
            json: the JSON body, if any.
            throttle: a batch's shared pace: waited on before each attempt, and paused for
                everyone when the server says to slow down.
            trace: receives the number of attempts made.
            retry: a policy for this call instead of the client's.
            template: the route's path template (``url.template`` of the call's span and
                metrics; never the path itself, which carries ids).

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
        telemetry = current()
        span = None
        if telemetry.tracing and (trace is None or trace.spans):
            span = telemetry.start_call(method, template, url)
        headers = telemetry.trace_headers(span) if span is not None else None
        timed = telemetry.metrics
        attempt = 0
        status: int | None = None
        failure: BaseException | None = None
        try:
            while True:
                if throttle is not None:
                    await throttle.acquire()
                attempt += 1
                if trace is not None:
                    trace.attempts = attempt
                started = time.perf_counter() if timed else 0.0
                try:
                    envelope = await self._attempt(method, url, params, json, headers)
                except APIError as error:
                    status = _status_of(error)
                    if timed:
                        seconds = time.perf_counter() - started
                        telemetry.record_attempt(
                            method, template, url, seconds, status=status, error=error, span=span
                        )
                    delay = policy.delay_before_retry(error, attempt=attempt, idempotent=idempotent)
                    if throttle is not None:
                        slow_everyone(throttle, error, delay)
                    if delay is None:
                        raise
                    if span is not None or timed:
                        telemetry.record_retry(span, method, template, error, delay)
                    if log.isEnabledFor(logging.INFO):
                        _log_retry(method, url, template, attempt, delay, error)
                    await anyio.sleep(delay)
                else:
                    status = envelope.http_status
                    if timed:
                        seconds = time.perf_counter() - started
                        telemetry.record_attempt(
                            method, template, url, seconds, status=status, error=None, span=span
                        )
                    return envelope
        except BaseException as exc:
            failure = exc
            raise
        finally:
            if span is not None:
                telemetry.end_call(span, attempts=attempt, status=status, error=failure)

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

    def page_fetcher(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        template: str | None = None,
    ) -> PageFetcher:
        """A ``fetch(page_params, next_url)`` callable for :class:`AsyncPager`."""

        async def fetch(page_params: Mapping[str, Any], next_url: str | None) -> Envelope:
            if next_url is not None:
                return await self.request("GET", next_url, template=template)
            return await self.request(
                "GET", path, params={**(params or {}), **page_params}, template=template
            )

        return fetch

    async def aclose(self) -> None:
        self.state.closed = True

    # --- one attempt ---------------------------------------------------------------------

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        body: Any,
        trace_headers: Mapping[str, str] | None,
    ) -> Envelope:
        started = time.perf_counter()
        direct = self._shortcut.transport() if not params else None
        try:
            if direct is None:
                headers = self._headers
                if trace_headers is not None:
                    headers = {**(headers or {}), **trace_headers}
                response = await self._http.request(
                    method, self._parsed(url), params=params, json=body, headers=headers
                )
            else:
                answer = await self._shortcut.send(direct, method, url, body, trace_headers)
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
        elapsed = time.perf_counter() - started
        log.debug(
            "%s %s -> %s in %.1f ms",
            method,
            url,
            status,
            elapsed * 1000,
            extra={"http_method": method, "status_code": status, "duration_s": elapsed},
        )


def _log_retry(
    method: str, url: str, template: str | None, attempt: int, delay: float, error: APIError
) -> None:
    log.info(
        "retrying %s %s in %.2fs after: %s",
        method,
        url,
        delay,
        error,
        extra={
            "http_method": method,
            "url_template": template,
            "attempt": attempt,
            "retry_delay_s": delay,
            "error_type": error_type(error),
        },
    )


def _status_of(error: APIError) -> int | None:
    status = getattr(error, "status_code", None)
    return status if isinstance(status, int) else None


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
