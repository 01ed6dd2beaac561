"""In-memory OpenTelemetry for one test: a span exporter and a metric reader, then none again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from engagive_async._observe import use_providers


@attrs.define
class Otel:
    """What one test's telemetry exported."""

    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        """Finished spans, in the order they ended (only those called ``name``, if given)."""
        found = list(self.exporter.get_finished_spans())
        return [s for s in found if name is None or s.name == name]

    def points(self, metric: str) -> list[Any]:
        """Every data point of ``metric`` (its attributes at ``.attributes``)."""
        data = self.reader.get_metrics_data()
        found: list[Any] = []
        if data is None:
            return found
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for m in scope.metrics:
                    if m.name == metric:
                        found.extend(m.data.data_points)
        return found

    def total(self, metric: str, **attributes: Any) -> float:
        """The sum (counters) or count (histograms) of the points matching ``attributes``."""
        total = 0.0
        for point in self.points(metric):
            if all(point.attributes.get(k) == v for k, v in attributes.items()):
                total += point.count if hasattr(point, "count") else point.value
        return total


def make_otel(**tracer_options: Any) -> tuple[Otel, TracerProvider, MeterProvider]:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(**tracer_options)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    return Otel(exporter, reader), tracer_provider, meter_provider


@pytest.fixture
def otel() -> Iterator[Otel]:
    """Spans and metrics of this test, from the SDK's in-memory exporter and reader."""
    recorded, tracer_provider, meter_provider = make_otel()
    use_providers(tracer_provider, meter_provider)
    try:
        yield recorded
    finally:
        use_providers(restore=True)
        tracer_provider.shutdown()
        meter_provider.shutdown()
