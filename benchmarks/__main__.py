"""``python -m benchmarks`` (``make bench``): run every benchmark, write benchmarks/results/.

Phases, each recorded even when another fails: which server keeps up (FakeEngagive or the canned
one), throughput and CPU per request for every client, memory while streaming through
``send_many``, a profile of the SDK's hot path, the pagination walk
(``benchmarks/pagination.py``) and what OpenTelemetry costs per request
(``benchmarks/otel_overhead.py``). Then the JSON files, throughput.png and RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import _chart, _report, _throughput
from benchmarks._common import CLIENTS, LANG_CODE, TEMPLATE_NAME, recipient, template_body
from benchmarks._machine import describe
from benchmarks._procs import ROOT, Server, Worker
from benchmarks._settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, with the minutes elapsed."""
    elapsed = time.monotonic() - _STARTED
    print(f"[{elapsed / 60:5.1f} min] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> Settings:
    """Settings from the command line; ``--quick`` shrinks everything for a smoke run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 3)")
    parser.add_argument("--stream-count", type=int, help="items streamed for the memory run")
    parser.add_argument("--server", choices=["auto", "fake", "canned"], default="auto")
    parser.add_argument("--clients", help=f"comma-separated subset of {','.join(CLIENTS)}")
    parser.add_argument("--concurrency", help="comma-separated levels (default 1,8,64,256)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated phases to skip: throughput,memory,profile,pagination,otel",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.quick:
        settings = Settings(
            reps=1,
            durations={0.0: 0.5, 0.05: 0.8},
            warmup=0.15,
            stream_count=20_000,
            profile_count=3_000,
            quick=True,
        )
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    changes: dict[str, Any] = {"server": args.server, "pin": not args.no_pin}
    if args.reps:
        changes["reps"] = args.reps
    if args.stream_count is not None:
        changes["stream_count"] = args.stream_count
    if args.clients:
        changes["clients"] = tuple(c.strip() for c in args.clients.split(","))
    if args.concurrency:
        changes["concurrencies"] = tuple(int(c) for c in args.concurrency.split(","))
    if "memory" in skip:
        changes["stream_count"] = 0
    if "profile" in skip:
        changes["profile_count"] = 0
    if "pagination" in skip:
        changes["pagination"] = False
    if "otel" in skip:
        changes["otel"] = False
    if "throughput" in skip:
        changes["concurrencies"] = ()
    return Settings(**{**settings.__dict__, **changes})


def sdk_problem() -> str | None:
    """Why the SDK cannot be benchmarked yet, or ``None`` when it can."""
    try:
        from engagive_async import AsyncClient  # noqa: F401
        from engagive_async._wire._routes import send_template_body
    except Exception as exc:
        return f"the SDK does not import: {type(exc).__name__}: {exc}"
    to = recipient(7)
    if send_template_body(to, TEMPLATE_NAME, LANG_CODE, None) != template_body(to):
        return "the raw clients' body differs from the SDK's: fix benchmarks/_common.py"
    return None


def run_memory(settings: Settings, server_kind: str) -> dict[str, Any]:
    """Stream ``settings.stream_count`` items through ``send_many`` in a fresh process."""
    client_core, server_core = _throughput.cores(settings)
    log(
        f"memory: streaming {settings.stream_count:,} items (concurrency "
        f"{settings.stream_concurrency}, latency 0)"
    )
    with Server(server_kind, 0.0, server_core) as server, Worker(client_core) as worker:
        result = worker.call(
            {
                "op": "stream",
                "url": server.url,
                "count": settings.stream_count,
                "concurrency": settings.stream_concurrency,
            }
        )
        result["server_rss_mb_at_end"] = server.rss_mb()
    log(
        f"memory: {result['items_per_s']:,.0f} items/s, peak RSS growth "
        f"{result['peak_rss_growth_mb']:.1f} MB"
    )
    return result


def run_profile(settings: Settings, server_kind: str) -> dict[str, Any]:
    """Profile the SDK at latency 0; writes profile.txt."""
    client_core, server_core = _throughput.cores(settings)
    log(f"profile: {settings.profile_count:,} sends, three passes")
    with Server(server_kind, 0.0, server_core) as server, Worker(client_core) as worker:
        result = worker.call(
            {"op": "profile", "url": server.url, "count": settings.profile_count, "concurrency": 64}
        )
    (RESULTS / "profile.txt").write_text(result.pop("text"))
    return result


def run_pagination(settings: Settings) -> dict[str, Any]:
    """The pagination walk (``benchmarks/pagination.py``); 20 pages, one walk each, if quick."""
    from benchmarks import pagination

    pages, repetitions = (20, 1) if settings.quick else (100, settings.reps)
    log(f"pagination: {pages} pages x 50 items at 50 ms, {repetitions} walk(s) per client")
    data = pagination.run(pages=pages, repetitions=repetitions)
    _write_json("pagination.json", data)
    log(
        f"pagination: look-ahead {data['ratios']['sequential_over_lookahead']:.2f}x faster "
        "than sequential"
    )
    return data


def run_otel(settings: Settings) -> dict[str, Any]:
    """CPU per request with and without OpenTelemetry (``benchmarks/otel_overhead.py``)."""
    from benchmarks import otel_overhead

    count, repetitions = (3_000, 1) if settings.quick else (20_000, settings.reps)
    log(f"otel: {count:,} sends per configuration, {repetitions} repetition(s)")
    data = otel_overhead.run(count=count, reps=repetitions, log=log)
    otel_overhead.write(data, RESULTS)
    return data


def _guarded(name: str, phase: Any, *args: Any) -> Any:
    try:
        return phase(*args)
    except Exception as exc:  # one phase failing must not lose the others' figures
        log(f"{name} failed: {type(exc).__name__}: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}"}


def _write_json(name: str, data: Any) -> None:
    (RESULTS / name).write_text(json.dumps(data, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; exit status 1 only when nothing could be measured."""
    settings = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    problem = sdk_problem()
    if problem is not None:
        log(f"SDK unavailable ({problem}): raw clients only, no memory or profile run")
        settings = Settings(
            **{
                **settings.__dict__,
                "clients": tuple(c for c in settings.clients if not c.startswith("sdk")),
                "stream_count": 0,
                "profile_count": 0,
            }
        )
    machine = describe(ROOT)
    log(f"machine: {machine['cpu_model']}, {machine['logical_cores']} cores, {machine['python']}")
    check = _throughput.choose_server(settings, log)
    server_kind = check["chosen"]
    rows = _guarded("throughput", _throughput.run_matrix, settings, server_kind, log)
    if isinstance(rows, dict):
        rows = []
    summary = _throughput.summarise(rows)
    memory = (
        _guarded("memory", run_memory, settings, server_kind) if settings.stream_count else None
    )
    profile = (
        _guarded("profile", run_profile, settings, server_kind) if settings.profile_count else None
    )
    pagination = _guarded("pagination", run_pagination, settings) if settings.pagination else None
    otel = _guarded("otel", run_otel, settings) if settings.otel and not problem else None
    results: dict[str, Any] = {
        "settings": settings.to_json(),
        "machine": machine,
        "sdk_problem": problem,
        "server_check": check,
        "throughput": {"rows": rows, "summary": summary},
        "memory": memory,
        "profile": profile,
        "pagination": pagination,
        "otel_overhead": otel,
        "targets": _report.evaluate_targets(
            summary, memory if memory and "error" not in memory else None, pagination
        ),
        "elapsed_s": time.monotonic() - _STARTED,
    }
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _write_json(
        "throughput.json",
        {k: results[k] for k in ("settings", "machine", "server_check", "throughput")},
    )
    _write_json("memory.json", memory)
    _write_json("profile.json", profile)
    _write_json("summary.json", {k: v for k, v in results.items() if k != "throughput"})
    if summary:
        _chart.draw(
            summary,
            RESULTS / "throughput.png",
            f"{machine['cpu_model']}, {machine['logical_cores']} cores, {machine['python']}",
        )
    (RESULTS / "RESULTS.md").write_text(_report.render(results))
    for target in results["targets"]:
        log(f"target: {target['target']}: {target['shown']}")
    log(f"done: results in {RESULTS.relative_to(ROOT)}")
    return 0 if summary or memory else 1


if __name__ == "__main__":
    sys.exit(main())
