"""What observability costs: CPU per request of ``send_many`` with and without OpenTelemetry.

Each configuration runs in a fresh process against the canned server at latency 0
(concurrency 64), measuring the process's CPU time (every thread, so a span processor's
export thread counts) over a timed stretch after a warm-up:

* ``no_otel``: ``opentelemetry`` cannot be imported (the SDK without the ``otel`` extra);
* ``no_provider``: the API is installed, no provider is set (the zero-cost promise);
* ``metrics``: a meter provider only (an in-memory reader, collected at the end);
* ``traces_1pct``: both providers, ``trace_sends=0.01`` (the knob for big campaigns);
* ``traces_all``: both providers, a span per send and per call (``BatchSpanProcessor`` to an
  exporter that discards), plus the metrics.

``python -m benchmarks.otel_overhead`` and ``make bench`` (a phase of it) print the table and
write ``results/otel_overhead.json`` and ``results/otel_overhead.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._common import LANG_CODE, TEMPLATE_NAME, TOKEN, recipient
from benchmarks._procs import ROOT, Server

__all__ = ["MODES", "run", "table", "write"]

RESULTS = Path(__file__).resolve().parent / "results"

MODES = ("no_otel", "no_provider", "metrics", "traces_1pct", "traces_all")
_CONCURRENCY = 64


def run(count: int = 20_000, reps: int = 3, log: Any = None) -> dict[str, Any]:
    """Every mode ``reps`` times (interleaved, so drift hits all alike); medians per mode."""
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    with Server("canned", 0.0, None) as server:
        for rep in range(reps):
            for mode in MODES:
                result = _child(mode, server.url, count)
                runs[mode].append(result)
                if log is not None:
                    log(
                        f"otel: {mode:12} rep {rep + 1}: {result['cpu_us_per_request']:.1f} us "
                        f"CPU/request, {result['requests_per_s']:,.0f} req/s"
                    )
    summary = {
        mode: {
            "cpu_us_per_request": statistics.median(r["cpu_us_per_request"] for r in results),
            "requests_per_s": statistics.median(r["requests_per_s"] for r in results),
            "spread_us": max(r["cpu_us_per_request"] for r in results)
            - min(r["cpu_us_per_request"] for r in results),
        }
        for mode, results in runs.items()
    }
    base = summary["no_otel"]["cpu_us_per_request"]
    for values in summary.values():
        values["overhead_pct"] = 100.0 * (values["cpu_us_per_request"] - base) / base
    return {"count": count, "reps": reps, "concurrency": _CONCURRENCY, "summary": summary}


def table(data: dict[str, Any]) -> str:
    """The summary as a Markdown table."""
    lines = [
        "| configuration | CPU per request | vs no otel | requests/s |",
        "|---|---:|---:|---:|",
    ]
    for mode, v in data["summary"].items():
        lines.append(
            f"| {mode} | {v['cpu_us_per_request']:.1f} us (±{v['spread_us'] / 2:.1f}) "
            f"| {v['overhead_pct']:+.1f}% | {v['requests_per_s']:,.0f} |"
        )
    return "\n".join(lines)


def write(data: dict[str, Any], results: Path = RESULTS) -> None:
    """``otel_overhead.json`` and the table as ``otel_overhead.md``."""
    results.mkdir(parents=True, exist_ok=True)
    (results / "otel_overhead.json").write_text(json.dumps(data, indent=2) + "\n")
    (results / "otel_overhead.md").write_text(table(data) + "\n")


def _child(mode: str, url: str, count: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.otel_overhead", "--child", mode, url, str(count)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the child process --------------------------------------------------------------------


def _setup(mode: str) -> tuple[Any, bool | float]:
    """Configure telemetry for ``mode``; returns (what to collect at the end, trace_sends)."""
    if mode == "no_otel":
        sys.modules["opentelemetry"] = None  # type: ignore[assignment]  # import fails
        return None, True
    if mode == "no_provider":
        return None, True
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    from engagive_async._observe import use_providers

    class Discard(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    if mode == "metrics":
        use_providers(None, meter_provider)
        return reader, True
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(Discard()))
    use_providers(tracer_provider, meter_provider)
    return (reader, tracer_provider), (0.01 if mode == "traces_1pct" else True)


async def _measure(url: str, count: int, trace_sends: bool | float) -> tuple[float, float]:
    from engagive_async import AsyncClient, TemplateSend

    def items(n: int) -> Any:
        for i in range(n):
            yield TemplateSend(to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE)

    async with AsyncClient(TOKEN, base_url=url, max_connections=_CONCURRENCY) as client:
        messages = client.account(1).messages
        async for _ in messages.send_many(items(count // 5), concurrency=_CONCURRENCY):
            pass  # warm-up: connections open, caches full
        cpu, wall = time.process_time(), time.perf_counter()
        sent = 0
        async for outcome in messages.send_many(
            items(count), concurrency=_CONCURRENCY, trace_sends=trace_sends
        ):
            sent += outcome.status.value == "sent"
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if sent != count:
        raise RuntimeError(f"only {sent} of {count} sent")
    return cpu, wall


def _child_main(mode: str, url: str, count: int) -> None:
    import asyncio

    collect, trace_sends = _setup(mode)
    cpu, wall = asyncio.run(_measure(url, count, trace_sends))
    if collect is not None:
        reader = collect[0] if isinstance(collect, tuple) else collect
        assert reader.get_metrics_data() is not None  # the metrics were recorded
        if isinstance(collect, tuple):
            collect[1].shutdown()
    print(json.dumps({"cpu_us_per_request": cpu / count * 1e6, "requests_per_s": count / wall}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.otel_overhead")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "URL", "COUNT"))
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    if args.child:
        mode, url, count = args.child
        _child_main(mode, url, int(count))
        return
    data = run(args.count, args.reps, log=lambda m: print(m, file=sys.stderr, flush=True))
    write(data)
    print(table(data))


if __name__ == "__main__":
    main()
