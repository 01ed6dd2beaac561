"""Telemetry: the user's OpenTelemetry tracer and meter, and every span and instrument we emit.

The SDK depends on ``opentelemetry-api`` only through the optional ``otel`` extra, and costs
nothing without it: :func:`current` is a read of a module global, and the hot paths look at two
booleans (:attr:`Telemetry.tracing`, :attr:`Telemetry.metrics`) before doing anything else.
Which providers are in use is resolved by :func:`refresh`, which an :class:`AsyncClient` calls
when it is made and a batch or a page walk calls when it starts: a provider the application
sets later is picked up from then on. The API's default providers (the proxy that stands in
until one is set, and the no-op ones) count as "none": then nothing is created at all.

Privacy: attributes and metric labels are methods, route templates, statuses, error classes,
Meta codes, counts and the wamid. Never a number, a text, a parameter, a query string or a
token; error spans carry the error's class, not its message (which may quote the request).
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from engagive_async._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    ResponseDecodeError,
)
from engagive_async._observe import _names as n

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.metrics import Counter, Histogram, MeterProvider
    from opentelemetry.trace import Span, Tracer, TracerProvider

try:
    from opentelemetry import metrics as otel_metrics
    from opentelemetry import propagate as otel_propagate
    from opentelemetry import trace as otel_trace
    from opentelemetry.context import Context as _Context

    _AVAILABLE = True
    #: Measurements made outside any span's context: no exemplar is kept for them (linking a
    #: batch's every measurement to the batch span costs much and tells little).
    _NO_SPAN: Context | None = _Context()
    # API releases before exemplars take no context argument.
    _TAKES_CONTEXT = "context" in inspect.signature(otel_metrics.Histogram.record).parameters
except ImportError:  # the otel extra is not installed: telemetry stays OFF
    _AVAILABLE = False
    _NO_SPAN = None
    _TAKES_CONTEXT = False

__all__ = ["OFF", "Telemetry", "current", "error_type", "refresh", "retry_cause", "use_providers"]

_VERSION: str | None = None


class Telemetry:
    """The spans and instruments of one set of providers (``OFF``: none of them)."""

    __slots__ = (
        "_http_duration",
        "_journal_duration",
        "_paused",
        "_retries",
        "_send_duration",
        "_sends",
        "meter_provider",
        "metrics",
        "tracer",
        "tracer_provider",
        "tracing",
    )

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.tracer: Tracer | None = (
            tracer_provider.get_tracer(n.INSTRUMENTATION, _version())
            if tracer_provider is not None
            else None
        )
        #: Whether spans are made at all (a tracer provider is set).
        self.tracing = self.tracer is not None
        #: Whether instruments are recorded (a meter provider is set).
        self.metrics = meter_provider is not None
        self._http_duration: Histogram | None = None
        self._send_duration: Histogram | None = None
        self._journal_duration: Histogram | None = None
        self._sends: Counter | None = None
        self._retries: Counter | None = None
        self._paused: Counter | None = None
        if meter_provider is not None:
            meter = meter_provider.get_meter(n.INSTRUMENTATION, _version())
            self._http_duration = meter.create_histogram(
                n.HTTP_DURATION,
                unit="s",
                description="Duration of HTTP client requests (each attempt).",
                explicit_bucket_boundaries_advisory=n.DURATION_BUCKETS,
            )
            self._send_duration = meter.create_histogram(
                n.SEND_DURATION,
                unit="s",
                description="Duration of one message send, retries and pauses included.",
                explicit_bucket_boundaries_advisory=n.DURATION_BUCKETS,
            )
            self._journal_duration = meter.create_histogram(
                n.JOURNAL_DURATION,
                unit="s",
                description="Duration of a campaign journal write, commit included.",
                explicit_bucket_boundaries_advisory=n.JOURNAL_BUCKETS,
            )
            self._sends = meter.create_counter(
                n.SENDS, unit="{message}", description="Send outcomes, by status and Meta code."
            )
            self._retries = meter.create_counter(
                n.RETRIES, unit="{retry}", description="HTTP requests retried, by cause."
            )
            self._paused = meter.create_counter(
                n.PAUSED, unit="s", description="Seconds a throttle held sends back."
            )

    def __repr__(self) -> str:
        return f"Telemetry(tracing={self.tracing}, metrics={self.metrics})"

    def activate(self, span: Span | None) -> AbstractContextManager[object]:
        """Make ``span`` the current one inside a ``with`` block (which must not yield).

        Exceptions pass through untouched: the span records only their class (``end_*``),
        never their message, which may quote the request.
        """
        if span is None:
            return _NOTHING
        return otel_trace.use_span(
            span, end_on_exit=False, record_exception=False, set_status_on_exception=False
        )

    # --- HTTP calls ----------------------------------------------------------------------

    def start_call(self, method: str, template: str | None, url: str) -> Span | None:
        """The CLIENT span of one API call (all its attempts), or ``None`` when not tracing."""
        if self.tracer is None:
            return None
        host, port = _server(url)
        attributes: dict[str, Any] = {n.HTTP_METHOD: method, n.SERVER_ADDRESS: host}
        if port is not None:
            attributes[n.SERVER_PORT] = port
        if template is not None:
            attributes[n.URL_TEMPLATE] = template
        name = f"{method} {template}" if template is not None else method
        return self.tracer.start_span(name, kind=otel_trace.SpanKind.CLIENT, attributes=attributes)

    def trace_headers(self, span: Span | None) -> dict[str, str] | None:
        """W3C trace context headers for a request made under ``span``, when it records."""
        if span is None or not span.is_recording():
            return None
        carrier: dict[str, str] = {}
        otel_propagate.inject(carrier, context=otel_trace.set_span_in_context(span))
        return carrier or None

    def end_call(
        self, span: Span, *, attempts: int, status: int | None, error: BaseException | None
    ) -> None:
        """End a call's span with its final status code, resends and error class."""
        if attempts > 1:
            span.set_attribute(n.HTTP_RESEND_COUNT, attempts - 1)
        if status is not None:
            span.set_attribute(n.HTTP_STATUS, status)
        if error is not None:
            kind = error_type(error)
            span.set_attribute(n.ERROR_TYPE, kind)
            span.set_status(otel_trace.StatusCode.ERROR, kind)
        span.end()

    def record_attempt(
        self,
        method: str,
        template: str | None,
        url: str,
        seconds: float,
        *,
        status: int | None,
        error: BaseException | None,
        span: Span | None = None,
    ) -> None:
        """One attempt's ``http.client.request.duration`` (its exemplar names ``span``)."""
        if self._http_duration is None:
            return
        host, port = _server(url)
        attributes: dict[str, Any] = {n.HTTP_METHOD: method, n.SERVER_ADDRESS: host}
        if port is not None:
            attributes[n.SERVER_PORT] = port
        if template is not None:
            attributes[n.URL_TEMPLATE] = template
        if status is not None:
            attributes[n.HTTP_STATUS] = status
        if error is not None:
            attributes[n.ERROR_TYPE] = error_type(error)
        _observe(self._http_duration, seconds, attributes, span)

    def record_retry(
        self,
        span: Span | None,
        method: str,
        template: str | None,
        error: BaseException,
        delay: float,
    ) -> None:
        """A retry: counted by cause, and an event on the call's span."""
        cause = retry_cause(error)
        attributes: dict[str, Any] = {n.HTTP_METHOD: method, n.RETRY_CAUSE: cause}
        if template is not None:
            attributes[n.URL_TEMPLATE] = template
        code = _meta_code(error)
        if code is not None:
            attributes[n.META_ERROR_CODE] = code
        if self._retries is not None:
            _add(self._retries, 1, attributes, span)
        if span is not None:
            span.add_event(
                "retry",
                {n.RETRY_CAUSE: cause, n.RETRY_DELAY: delay, n.ERROR_TYPE: error_type(error)},
            )

    # --- sends ---------------------------------------------------------------------------

    def start_send(self, kind: str) -> Span | None:
        """The PRODUCER span of one message send, or ``None`` when not tracing."""
        if self.tracer is None:
            return None
        return self.tracer.start_span(
            n.SEND_SPAN,
            kind=otel_trace.SpanKind.PRODUCER,
            attributes={
                n.MESSAGING_SYSTEM: n.SYSTEM_NAME,
                n.MESSAGING_OPERATION: "send",
                n.MESSAGING_OPERATION_TYPE: "send",
                n.MESSAGE_KIND: kind,
            },
        )

    def end_send(
        self,
        span: Span | None,
        kind: str,
        status: str,
        seconds: float,
        *,
        wamid: str | None = None,
        error: BaseException | None = None,
    ) -> None:
        """A send ended: its span gets the wamid and outcome; its duration is recorded."""
        if span is not None:
            if wamid is not None:
                span.set_attribute(n.MESSAGE_ID, wamid)
            span.set_attribute(n.OUTCOME_STATUS, status)
            if error is not None:
                kind_of_error = error_type(error)
                span.set_attribute(n.ERROR_TYPE, kind_of_error)
                code = _meta_code(error)
                if code is not None:
                    span.set_attribute(n.META_ERROR_CODE, code)
                span.set_status(otel_trace.StatusCode.ERROR, kind_of_error)
            span.end()
        if self._send_duration is not None:
            attributes: dict[str, Any] = {n.MESSAGE_KIND: kind, n.OUTCOME_STATUS: status}
            if error is not None:
                attributes[n.ERROR_TYPE] = error_type(error)
            _observe(self._send_duration, seconds, attributes, span)

    def count_outcome(self, kind: str, status: str, meta_code: int | None, count: int = 1) -> None:
        """Send outcomes (every item of a batch has one, SKIPPED included)."""
        if self._sends is None:
            return
        attributes: dict[str, Any] = {n.MESSAGE_KIND: kind, n.OUTCOME_STATUS: status}
        if meta_code is not None:
            attributes[n.META_ERROR_CODE] = meta_code
        _add(self._sends, count, attributes)

    # --- batches, walks, pauses, journal writes -------------------------------------------

    def start_batch(self, *, concurrency: int, total: int | None) -> Span | None:
        """The span every send of one ``send_many`` hangs under."""
        if self.tracer is None:
            return None
        attributes: dict[str, Any] = {
            n.MESSAGING_SYSTEM: n.SYSTEM_NAME,
            n.MESSAGING_OPERATION: "send",
            n.MESSAGING_OPERATION_TYPE: "send",
            n.BATCH_CONCURRENCY: concurrency,
        }
        if total is not None:
            attributes[n.BATCH_TOTAL] = total
        return self.tracer.start_span(n.BATCH_SPAN, attributes=attributes)

    def end_batch(self, span: Span, by_status: Mapping[str, int], stop_reason: str | None) -> None:
        """End a batch's span with its outcome counts."""
        span.set_attribute(n.MESSAGING_BATCH_COUNT, sum(by_status.values()))
        for status, count in by_status.items():
            span.set_attribute(f"engagive.batch.{status.lower()}", count)
        if stop_reason is not None:
            span.set_attribute(n.BATCH_STOP_REASON, stop_reason)
        span.end()

    def start_walk(self, template: str | None) -> Span | None:
        """The span every page request of one walk hangs under."""
        if self.tracer is None:
            return None
        attributes = {n.URL_TEMPLATE: template} if template is not None else {}
        return self.tracer.start_span(n.WALK_SPAN, attributes=attributes)

    def end_walk(self, span: Span, *, pages: int | None, error: BaseException | None) -> None:
        """End a walk's span with the pages it read and the error that ended it, if any."""
        if pages is not None:
            span.set_attribute(n.PAGES, pages)
        if error is not None:
            kind = error_type(error)
            span.set_attribute(n.ERROR_TYPE, kind)
            span.set_status(otel_trace.StatusCode.ERROR, kind)
        span.end()

    def record_pause(self, seconds: float, reason: str) -> None:
        """Seconds a throttle held sends back: ``server`` (told to slow down) or ``rate``."""
        if self._paused is not None and seconds > 0:
            _add(self._paused, seconds, {n.PAUSE_REASON: reason})

    def record_journal_write(self, operation: str, seconds: float) -> None:
        """One journal write (``claim`` before a send, ``record`` after it), commit included."""
        if self._journal_duration is not None:
            _observe(self._journal_duration, seconds, {n.JOURNAL_OPERATION: operation}, None)


_NOTHING = contextlib.nullcontext()

#: No providers: every method is inert and the booleans are false.
OFF = Telemetry()

_current = OFF
#: Providers chosen with :func:`use_providers` instead of the global ones.
_override: tuple[TracerProvider | None, MeterProvider | None] | None = None


def _context(span: Span | None) -> Context | None:
    """Where a measurement's exemplar (when the SDK keeps one) points: ``span``, or nowhere."""
    return otel_trace.set_span_in_context(span) if span is not None else _NO_SPAN


def _observe(histogram: Histogram, value: float, attributes: Any, span: Span | None) -> None:
    if _TAKES_CONTEXT:
        histogram.record(value, attributes, context=_context(span))
    else:
        histogram.record(value, attributes)


def _add(counter: Counter, value: float, attributes: Any, span: Span | None = None) -> None:
    if _TAKES_CONTEXT:
        counter.add(value, attributes, context=_context(span))
    else:
        counter.add(value, attributes)


def current() -> Telemetry:
    """The telemetry in use (as of the last :func:`refresh`)."""
    return _current


def refresh() -> Telemetry:
    """Look at the providers again (cheap when they did not change) and return the result."""
    global _current
    if _override is not None:
        tracer_provider, meter_provider = _override
    elif not _AVAILABLE:
        return OFF
    else:
        tracer_provider, meter_provider = _real_tracer_provider(), _real_meter_provider()
    previous = _current
    if previous.tracer_provider is tracer_provider and previous.meter_provider is meter_provider:
        return previous
    if tracer_provider is None and meter_provider is None:
        _current = OFF
    else:
        _current = Telemetry(tracer_provider, meter_provider)
    return _current


def use_providers(
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    *,
    restore: bool = False,
) -> Telemetry:
    """Use these providers instead of the global ones (``restore=True``: the global ones again).

    For tests and for applications that keep their providers out of the globals.
    """
    global _override
    _override = None if restore else (tracer_provider, meter_provider)
    return refresh()


def _real_tracer_provider() -> TracerProvider | None:
    provider = otel_trace.get_tracer_provider()
    if isinstance(provider, otel_trace.ProxyTracerProvider | otel_trace.NoOpTracerProvider):
        return None
    return provider


def _real_meter_provider() -> MeterProvider | None:
    provider = otel_metrics.get_meter_provider()
    # The stand-in before one is set is private to the API: recognised by name.
    if isinstance(provider, otel_metrics.NoOpMeterProvider) or (
        type(provider).__name__ == "_ProxyMeterProvider"
    ):
        return None
    return provider


def _version() -> str | None:
    global _VERSION
    if _VERSION is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _VERSION = version("engagive_async")
        except PackageNotFoundError:
            _VERSION = "0"
    return _VERSION


_SERVERS: dict[str, tuple[str, int | None]] = {}


def _server(url: str) -> tuple[str, int | None]:
    """``server.address`` and ``server.port`` of ``url`` (cached per origin-ish prefix)."""
    key = url[: url.find("/", 8)] if url.find("/", 8) > 0 else url
    found = _SERVERS.get(key)
    if found is None:
        parts = urlsplit(key)
        default = 443 if parts.scheme == "https" else 80
        port = parts.port if parts.port is not None and parts.port != default else None
        found = (parts.hostname or "", port)
        if len(_SERVERS) < 64:
            _SERVERS[key] = found
    return found


def error_type(error: BaseException) -> str:
    """``error.type``: the HTTP status for an error status, else the exception's class name."""
    if isinstance(error, APIStatusError) and error.status_code >= 400:
        return str(error.status_code)
    return type(error).__name__


def retry_cause(error: BaseException) -> str:
    """Why a request is tried again, in a word that makes a good metric label."""
    if isinstance(error, APITimeoutError):
        return "timeout"
    if isinstance(error, APIConnectionError):
        return "connection"
    if isinstance(error, RateLimitError):
        return "rate_limited"
    if isinstance(error, APIStatusError):
        return "meta_pace" if error.meta_error is not None else "server_error"
    if isinstance(error, ResponseDecodeError):
        return "bad_answer"
    return "other"


def _meta_code(error: BaseException) -> int | None:
    if isinstance(error, APIStatusError) and error.meta_error is not None:
        return error.meta_error.code
    return None
