"""One campaign's trace and metrics, drawn: ``docs/images/observability.png``.

Runs a page walk and a 40-message campaign (with a journal) against FakeEngagive on 127.0.0.1,
answering in 30 ms with some 429s and Meta refusals, with OpenTelemetry's in-memory span
exporter and metric reader installed the way an application installs its own. Then it draws
the spans as a waterfall and the metrics as charts. Needs the ``otel-export`` and ``bench``
extras (the OpenTelemetry SDK, matplotlib).

``python examples/otel_picture.py [OUTPUT.png]``
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from engagive_async import AsyncClient, RetryPolicy, SqliteJournal, TemplateSend
from engagive_async.builders import body_text
from engagive_async.testing import FakeEngagive, Fault

TOKEN = "test-token"  # noqa: S105 - FakeEngagive's default token
OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "observability.png"
RECIPIENTS = 40
COLOURS = {
    "send_many": "#4c72b0",
    "page_walk": "#8172b2",
    "send": "#55a868",
    "http": "#dd8452",
    "error": "#c44e52",
}


def install_telemetry() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    """Global providers, as an application sets them up before it creates its clients."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(tracer_provider)
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    return exporter, reader


async def campaign(journal_path: Path) -> None:
    """A page walk, then the campaign, under one root span of the application's."""
    fake = FakeEngagive(latency=0.03)
    fake.seed_templates(50)
    fake.fault_mix(
        {
            Fault.status(429, retry_after=0.15): 0.08,
            Fault.meta_error(131026): 0.08,
            Fault.meta_error(130429): 0.05,
        },
        seed=3,
    )
    items = [
        TemplateSend(
            to=f"92300{i:07d}",
            template_name="order_shipped",
            lang_code="en",
            components=[body_text(f"Customer {i}")],
        )
        for i in range(RECIPIENTS)
    ]
    retry = RetryPolicy(max_attempts=3, initial_backoff=0.05, max_backoff=0.2)
    tracer = trace.get_tracer("campaign-app")
    async with fake.serve() as base_url:
        with tracer.start_as_current_span("spring campaign"):
            async with AsyncClient(TOKEN, base_url=base_url, retry=retry) as client:
                acct = client.account(1)
                await acct.templates.list(page_size=20).to_list()
                async with SqliteJournal(journal_path, campaign="spring") as journal:
                    async for _ in acct.messages.send_many(items, concurrency=8, journal=journal):
                        pass


def _kind(span: ReadableSpan) -> str:
    if span.status.status_code is StatusCode.ERROR:
        return "error"
    if span.name in ("send_many", "page_walk", "send"):
        return span.name
    return "http"


def draw_waterfall(ax: Any, spans: list[ReadableSpan]) -> None:
    """Every span as a bar from its start to its end, children under their parent."""
    by_parent: dict[int | None, list[ReadableSpan]] = defaultdict(list)
    ids = {s.context.span_id for s in spans}
    for span in spans:
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        by_parent[parent].append(span)
    ordered: list[tuple[ReadableSpan, int]] = []

    def visit(parent: int | None, depth: int) -> None:
        for child in sorted(by_parent[parent], key=lambda s: s.start_time or 0):
            ordered.append((child, depth))
            visit(child.context.span_id, depth + 1)

    visit(None, 0)
    origin = min(s.start_time or 0 for s in spans)
    for row, (span, depth) in enumerate(ordered):
        start = ((span.start_time or 0) - origin) / 1e6
        length = max(((span.end_time or 0) - (span.start_time or 0)) / 1e6, 0.3)
        ax.barh(row, length, left=start, height=0.75, color=COLOURS.get(_kind(span), "#999"))
        if span.name in ("send_many", "page_walk", "spring campaign") or row < 6:
            label = "  " * depth + span.name
            ax.text(start + length + 4, row, label, va="center", fontsize=7)
        for event in span.events:
            at = ((event.timestamp or 0) - origin) / 1e6
            ax.plot(at, row, marker="|", color="black", markersize=6)
    ax.set_ylim(len(ordered), -1)
    ax.set_yticks([])
    ax.set_xlabel("milliseconds since the campaign started")
    ax.set_title(
        f"Trace: {len(spans)} spans (application root > page_walk, send_many > send > HTTP call;"
        " red = error, | = retry)",
        fontsize=10,
        loc="left",
    )
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=k.replace("http", "HTTP call")) for k, c in COLOURS.items()]
    ax.legend(handles=handles, loc="lower right", fontsize=8)


def _points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    data = reader.get_metrics_data()
    if data is None:
        return found
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name].extend(metric.data.data_points)
    return found


def draw_metrics(axes: list[Any], reader: InMemoryMetricReader) -> None:
    """Sends by outcome, call latency, retries and pauses, journal write latency."""
    points = _points(reader)
    sends, retries, paused = axes[0], axes[1], axes[3]
    labels, values = [], []
    for p in sorted(points["engagive.sends"], key=lambda p: -p.value):
        code = p.attributes.get("engagive.meta.error_code")
        labels.append(p.attributes["engagive.outcome.status"] + (f"\n{code}" if code else ""))
        values.append(p.value)
    sends.bar(labels, values, color=COLOURS["send"])
    sends.set_title("engagive.sends by status and Meta code", fontsize=9)

    latency = axes[2]
    for p in points["http.client.request.duration"]:
        status = p.attributes.get("http.response.status_code")
        bounds = [b * 1000 for b in p.explicit_bounds]
        counts = list(p.bucket_counts)[: len(bounds)]
        method = p.attributes.get("http.request.method")
        latency.step(bounds, counts, where="post", label=f"{method} {status} (n={p.count})")
    latency.set_xscale("log")
    latency.set_xlabel("ms (bucket upper bound)")
    latency.set_title("http.client.request.duration", fontsize=9)
    latency.legend(fontsize=7)

    causes = {
        p.attributes["engagive.retry.cause"]: p.value for p in points["engagive.http.retries"]
    }
    pauses = {
        f"paused ({p.attributes['engagive.throttle.reason']}), s": p.value
        for p in points["engagive.throttle.paused"]
    }
    retries.bar(list(causes), list(causes.values()), color=COLOURS["http"])
    retries.set_title("engagive.http.retries by cause", fontsize=9)
    journal = points["engagive.journal.write.duration"]
    text = [f"{k}: {v:.2f}" for k, v in pauses.items()]
    for p in journal:
        mean = p.sum / p.count * 1000 if p.count else 0
        text.append(f"journal {p.attributes['engagive.journal.operation']}: {mean:.2f} ms mean")
    sends_duration = points["engagive.send.duration"]
    for p in sends_duration:
        mean = p.sum / p.count * 1000 if p.count else 0
        status = p.attributes["engagive.outcome.status"]
        text.append(f"send {status}: {p.count} sends, {mean:.0f} ms mean")
    paused.axis("off")
    paused.text(0, 1, "\n".join(text), va="top", fontsize=9, family="monospace")
    paused.set_title("throttle, journal, send.duration", fontsize=9, loc="left")


def render(spans: list[ReadableSpan], reader: InMemoryMetricReader, output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(14, 15))
    grid = fig.add_gridspec(3, 2, height_ratios=[3.2, 1, 1])
    draw_waterfall(fig.add_subplot(grid[0, :]), spans)
    draw_metrics(
        [
            fig.add_subplot(grid[1, 0]),
            fig.add_subplot(grid[1, 1]),
            fig.add_subplot(grid[2, 0]),
            fig.add_subplot(grid[2, 1]),
        ],
        reader,
    )
    fig.suptitle(
        f"One campaign against FakeEngagive: a page walk, {RECIPIENTS} template sends "
        "(concurrency 8, 30 ms latency, 429s and Meta refusals)",
        fontsize=11,
    )
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=90)
    plt.close(fig)


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    exporter, reader = install_telemetry()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(campaign(Path(tmp) / "journal.sqlite"))
    spans = list(exporter.get_finished_spans())
    render(spans, reader, output)
    print(f"{len(spans)} spans drawn to {output}")


if __name__ == "__main__":
    main()
