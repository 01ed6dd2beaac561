"""``--otel``: ship the run's traces and metrics by OTLP, configured by the ``OTEL_*`` variables.

The exporter reads the standard variables itself (``OTEL_EXPORTER_OTLP_ENDPOINT``, default
``http://localhost:4318``; ``OTEL_EXPORTER_OTLP_HEADERS``; ``OTEL_TRACES_SAMPLER``;
``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES``). The providers are handed to the SDK
rather than installed as the process's globals, and are flushed and shut down when the
command ends, however it ends.
"""

from __future__ import annotations

from collections.abc import Callable

from engagive_async._cli.common import ExitCode, fail
from engagive_async._config import env_otel_service_name
from engagive_async._observe import use_providers

__all__ = ["MISSING_EXPORTER", "start_otel"]

MISSING_EXPORTER = (
    "--otel needs OpenTelemetry's SDK and OTLP exporter: pip install 'engagive_async[otel-export]'"
)
_SERVICE_NAME = "engagive-async-cli"


def start_otel() -> Callable[[], None]:
    """Install OTLP-exporting providers for the SDK; returns what flushes and removes them."""
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        fail(MISSING_EXPORTER, ExitCode.BAD_INPUT)
    # OTEL_SERVICE_NAME wins when set; Resource.create reads it and OTEL_RESOURCE_ATTRIBUTES.
    resource = Resource.create({} if env_otel_service_name() else {"service.name": _SERVICE_NAME})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    meter_provider = MeterProvider(
        resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]
    )
    use_providers(tracer_provider, meter_provider)

    def stop() -> None:
        use_providers(restore=True)
        tracer_provider.shutdown()  # exports what the batch processor still holds
        meter_provider.shutdown()  # and the metrics' last collection

    return stop
