"""The request pipeline: URL and auth, send, retry, deadlines; answers are read by ``_answers``.

Each attempt goes through httpx's client, or, for a client the SDK built, through the
shortcut past it (``_shortcut``) whenever nothing could notice the difference. Either way the
body is read within ``max_response_bytes`` (``_body``), each attempt within the attempt
deadline and the whole call, waits between attempts included, within the call deadline. What
may be retried, and what a failure says about whether the request arrived, is the at-most-once
rule's (``_policy._resend``, asked through the retry policy). Each call is one HTTP client span
(when a tracer provider is set) and each attempt one ``http.client.request.duration``
measurement (when a meter provider is set); with neither, the call looks at two booleans and
nothing more.
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
import sniffio

from engagive_async._config import (
    DEFAULT_ATTEMPT_TIMEOUT,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
)
from engagive_async._errors import APIError, APITimeoutError, ClientClosedError, ConfigurationError
from engagive_async._http._answers import (
    Answer,
    connection_error,
    decode_error,
    plain_envelope,
    read_envelope,
    slow_everyone,
    undecodable_body,
)
from engagive_async._http._body import read_body
from engagive_async._http._retry import RetryPolicy
from engagive_async._http._shortcut import Shortcut, create_http_client
from engagive_async._observe import current, error_type, get_logger
from engagive_async._pacing._protocol import Pacing
from engagive_async._policy._resend import IDEMPOTENT_METHODS
from engagive_async._wire._converter import DecodeFailure, structure
from engagive_async.models.results import Envelope

__all__ = [
    "CallOptions",
    "CallTrace",
    "HttpPipeline",
    "Limits",
    "PageFetcher",
    "build_timeout",
    "create_http_client",
]

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


@attrs.frozen(kw_only=True)
class Limits:
    """What bounds every call of a client: deadlines and the size of an answer.

    Args:
        attempt_timeout: seconds one attempt may take in all, or ``None`` for no bound.
        call_timeout: seconds one call may take, its retries and waits included, or ``None``.
        max_response_bytes: the largest body read, as received and decoded.
    """

    attempt_timeout: float | None = DEFAULT_ATTEMPT_TIMEOUT
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT
    max_response_bytes: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_BYTES, validator=attrs.validators.ge(1)
    )


@attrs.frozen(kw_only=True)
class CallOptions:
    """What one call asks for beyond the client's settings.

    Args:
        timeout: seconds this call may take in all (its attempts and the waits between them);
            each attempt also stays within the client's ``attempt_timeout``.
        headers: header lines added to this call's requests.
    """

    timeout: float | None = None
    headers: Mapping[str, str] | None = None


NO_OPTIONS = CallOptions()


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
        limits: deadlines and the answer size cap.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        root_url: str,
        headers: Mapping[str, str] | None,
        retry: RetryPolicy,
        token_expires_at: float | None = None,
        limits: Limits | None = None,
    ) -> None:
        self._http = http
        self._root_url = root_url
        self._origin = _origin(root_url)
        self._headers = dict(headers) if headers else None
        self.retry = retry
        self.limits = limits or Limits()
        self._token_expires_at = token_expires_at
        self.state = _ClientState()
        self._shortcut = Shortcut(http)
        self._parsed_urls: dict[str, httpx.URL] = {}

    def copy(
        self,
        *,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpPipeline:
        """A pipeline on the same pool and state with other settings (no I/O).

        Args:
            retry: replaces the retry policy.
            limits: replaces the limits.
            headers: added to (or replacing, name by name) the headers of every request.
        """
        twin = object.__new__(HttpPipeline)
        twin.__dict__.update(self.__dict__)
        if retry is not None:
            twin.retry = retry
        if limits is not None:
            twin.limits = limits
        if headers:
            twin._headers = {**(self._headers or {}), **headers}
        return twin

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
        options: CallOptions = NO_OPTIONS,
        template: str | None = None,
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
            options: this call's deadline and extra headers.
            template: the route's path template (``url.template`` of the call's span and
                metrics; never the path itself, which carries ids).

        Raises:
            APIError: the typed error of the last attempt; :class:`APITimeoutError` when an
                attempt or the call ran out of time.
            ClientClosedError: the client was closed.
        """
        if self.state.closed:
            raise ClientClosedError("this AsyncClient is closed; create a new one")
        url = self._url(path)
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        headers = self._headers
        if options.headers:
            headers = {**(headers or {}), **options.headers}
        idempotent = method in IDEMPOTENT_METHODS
        policy = retry or self.retry
        limits = self.limits
        call_budget = options.timeout if options.timeout is not None else limits.call_timeout
        deadline: float | None = None
        telemetry = current()
        span = None
        if telemetry.tracing and (trace is None or trace.spans):
            span = telemetry.start_call(method, template, url)
        trace_headers = telemetry.trace_headers(span) if span is not None else None
        timed = telemetry.metrics
        attempt = 0
        waited = 0.0
        status: int | None = None
        failure: BaseException | None = None
        try:
            while True:
                if pacing is not None:
                    await pacing.acquire(recipient if attempt == 0 else None)
                now = anyio.current_time()
                if deadline is None and call_budget is not None:
                    deadline = now + call_budget  # the batch's pace is not the call's time
                budget = limits.attempt_timeout
                if deadline is not None:
                    budget = deadline - now if budget is None else min(budget, deadline - now)
                attempt += 1
                if trace is not None:
                    trace.attempts = attempt
                started = time.perf_counter() if timed else 0.0
                try:
                    envelope = await self._attempt_within(
                        budget, method, url, params, json, headers, trace_headers
                    )
                except APIError as error:
                    status = _status_of(error)
                    if timed:
                        seconds = time.perf_counter() - started
                        telemetry.record_attempt(
                            method, template, url, seconds, status=status, error=error, span=span
                        )
                    delay = policy.delay_before_retry(error, attempt=attempt, idempotent=idempotent)
                    if pacing is not None:
                        await slow_everyone(pacing, error, delay)
                    if delay is None or (
                        deadline is not None and anyio.current_time() + delay >= deadline
                    ):
                        # No attempt left, or no time for one: the last answer stands.
                        error.attempts, error.waited = attempt, waited
                        raise
                    if span is not None or timed:
                        telemetry.record_retry(span, method, template, error, delay)
                    if log.isEnabledFor(logging.INFO):
                        _log_retry(method, url, template, attempt, delay, error)
                    await anyio.sleep(delay)
                    waited += delay
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
        options: CallOptions = NO_OPTIONS,
        *,
        template: str | None = None,
    ) -> PageFetcher:
        """A ``fetch(page_params, next_url)`` callable for :class:`AsyncPager`."""

        async def fetch(page_params: Mapping[str, Any], next_url: str | None) -> Envelope:
            if next_url is not None:
                return await self.request("GET", next_url, options=options, template=template)
            return await self.request(
                "GET",
                path,
                params={**(params or {}), **page_params},
                options=options,
                template=template,
            )

        return fetch

    async def aclose(self) -> None:
        self.state.closed = True

    # --- one attempt ---------------------------------------------------------------------

    async def _attempt_within(
        self,
        budget: float | None,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        trace_headers: Mapping[str, str] | None,
    ) -> Envelope:
        """One attempt, cut at ``budget`` seconds (``None``: no bound) with APITimeoutError."""
        if budget is None:
            return await self._attempt(method, url, params, body, headers, trace_headers)
        if sniffio.current_async_library() == "asyncio":
            # asyncio's own timeout is one timer handle; anyio's cancel scope costs about
            # 9 µs per attempt on asyncio, a fifteenth of a send's whole CPU. Same semantics:
            # the attempt is cancelled at the deadline, wherever it is.
            import asyncio  # loaded already (it runs this task); not at import: ~10 ms

            timeout = asyncio.timeout(budget)
            try:
                async with timeout:
                    return await self._attempt(method, url, params, body, headers, trace_headers)
            except TimeoutError:
                if not timeout.expired():
                    raise
        else:
            with anyio.move_on_after(budget):
                return await self._attempt(method, url, params, body, headers, trace_headers)
        raise _out_of_time(method, url, budget, attempt_bound=budget == self.limits.attempt_timeout)

    async def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        trace_headers: Mapping[str, str] | None,
    ) -> Envelope:
        started = time.perf_counter()
        limit = self.limits.max_response_bytes
        # The shortcut is only for a client we built, whose own headers are its defaults: what
        # is in ``headers`` then is extra (with_options, extra_headers), folded into a template.
        direct = self._shortcut.transport() if not params else None
        try:
            if direct is None:
                if trace_headers is not None:
                    headers = {**(headers or {}), **trace_headers}
                answer, url = await self._send_via_httpx(method, url, params, body, headers, limit)
            else:
                direct_answer = await self._shortcut.send(
                    direct, method, url, body, headers, trace_headers
                )
                envelope = plain_envelope(direct_answer)
                if envelope is not None:
                    _log_answer(method, url, direct_answer.status, started)
                    return envelope
                answer = self._shortcut.adopt(direct_answer, method, url, limit)
        except httpx.TransportError as exc:
            raise connection_error(exc, method, url) from exc
        except httpx.DecodingError as exc:
            raise undecodable_body(exc, method, url, getattr(exc, "status", 0)) from exc
        _log_answer(method, url, answer.status, started)
        return read_envelope(answer, method, url, token_expires_at=self._token_expires_at)

    async def _send_via_httpx(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        limit: int,
    ) -> tuple[Answer, str]:
        request = self._http.build_request(
            method, self._parsed(url), params=params, json=body, headers=headers
        )
        response = await self._http.send(request, stream=True)
        try:
            content = await read_body(response, limit)
        except httpx.DecodingError as exc:
            raise undecodable_body(exc, method, url, response.status_code) from exc
        finally:
            # Closed before its body was read whole, the connection is dropped, not pooled;
            # shielded so that a deadline's cancellation still lets it close.
            with anyio.CancelScope(shield=True):
                await response.aclose()
        answer = Answer(
            response.status_code,
            response.headers,
            response.headers.raw,
            content,
            response.reason_phrase,
        )
        return answer, str(request.url)

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


def _out_of_time(method: str, url: str, budget: float, *, attempt_bound: bool) -> APITimeoutError:
    which = "the attempt deadline" if attempt_bound else "the call deadline"
    return APITimeoutError(
        f"{method} {url}: no complete answer within {budget:.3g} s ({which}; "
        "the request may have reached the server)",
        method=method,
        url=url,
        # Cut anywhere from waiting for a connection to reading the answer: it may have gone.
        request_sent=True,
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
