"""``python -m benchmarks`` (``make bench``): run every benchmark, write benchmarks/results/.

Phases, each recorded even when another fails: which server keeps up (FakeEngagive or the canned
one), throughput and CPU per request for every client, campaigns (``send_many`` with and
without a ``SqliteJournal``, and the CLI), memory while streaming (the SDK and raw aiohttp), a
profile of the SDK's hot path, the pagination walk (``benchmarks/pagination.py``), start-up
(import, first request) and what OpenTelemetry costs per request
(``benchmarks/otel_overhead.py``). Then the JSON files, throughput.png, RESULTS.md and
docs/performance-results.md. The default run is sized to finish in under five minutes on two
cores; ``--full`` keeps the depth of the long run (about a quarter of an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import _campaign, _chart, _report, _startup, _throughput
from benchmarks._common import CLIENTS, LANG_CODE, TEMPLATE_NAME, recipient, template_body
from benchmarks._machine import describe
from benchmarks._procs import ROOT, Server, Worker
from benchmarks._settings import FULL, QUICK, Settings

RESULTS = Path(__file__).resolve().parent / "results"
DOCS_PAGE = ROOT / "docs" / "performance-results.md"
_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr, with the minutes elapsed."""
    elapsed = time.monotonic() - _STARTED
    print(f"[{elapsed / 60:5.1f} min] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> Settings:
    """Settings from the command line; ``--quick`` shrinks everything for a smoke run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    parser.add_argument(
        "--full", action="store_true", help="the long run's depth (about a quarter of an hour)"
    )
    parser.add_argument("--reps", type=int, help="repetitions per measurement (default 3)")
    parser.add_argument("--stream-count", type=int, help="items streamed for the memory run")
    parser.add_argument("--server", choices=["auto", "fake", "canned"], default="auto")
    parser.add_argument("--clients", help=f"comma-separated subset of {','.join(CLIENTS)}")
    parser.add_argument("--concurrency", help="comma-separated levels (default 64,256)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated phases to skip: "
        "throughput,campaign,memory,profile,pagination,startup,otel",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.full:
        settings = Settings(**FULL)
    if args.quick:
        settings = Settings(**QUICK)
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
    if "campaign" in skip:
        changes["campaign_reps"] = 0
    if "startup" in skip:
        changes["startup_runs"] = 0
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
    """Stream ``settings.stream_count`` sends through the SDK, then raw aiohttp, each fresh."""
    client_core, server_core = _throughput.cores(settings)
    results: dict[str, Any] = {}
    with Server(server_kind, 0.0, server_core) as server:
        for client in ("sdk", "aiohttp"):
            log(
                f"memory: {client} streaming {settings.stream_count:,} sends (concurrency "
                f"{settings.stream_concurrency}, latency 0)"
            )
            with Worker(client_core) as worker:
                result = worker.call(
                    {
                        "op": "stream",
                        "client": client,
                        "url": server.url,
                        "count": settings.stream_count,
                        "concurrency": settings.stream_concurrency,
                    }
                )
            results[client] = result
            log(
                f"memory: {client} {result['items_per_s']:,.0f} sends/s, "
                f"{result['cpu_per_send_us']:,.0f} us CPU/send, peak RSS growth "
                f"{result['peak_rss_growth_mb']:.1f} MB"
            )
        results["server_rss_mb_at_end"] = server.rss_mb()
    return results


def run_campaign(settings: Settings, server_kind: str) -> dict[str, Any]:
    """Plain ``send_many``, with a ``SqliteJournal``, and the CLI, at c=64, per latency."""
    client_core, server_core = _throughput.cores(settings)
    concurrency = 64
    by_latency: dict[str, Any] = {}
    with Worker(client_core) as worker:
        for latency in settings.latencies:
            count = settings.campaign_count(latency)
            runs: dict[str, list[dict[str, Any]]] = {"plain": [], "journal": [], "cli": []}
            with Server(server_kind, latency, server_core) as server:
                for rep in range(settings.campaign_reps):
                    order = ["plain", "journal", "cli"]
                    for kind in order if rep % 2 == 0 else reversed(order):
                        if kind == "cli":
                            row = _campaign.cli_campaign(
                                server.url, count, concurrency, client_core
                            )
                        else:
                            row = worker.call(
                                {
                                    "op": "campaign",
                                    "url": server.url,
                                    "count": count,
                                    "concurrency": concurrency,
                                    "journal": kind == "journal",
                                }
                            )
                        runs[kind].append(row)
                        log(
                            f"campaign: latency {latency * 1000:3.0f} ms  {kind:<8s} "
                            f"{row['rps']:8,.0f} sends/s"
                        )
            medians = {k: statistics.median(r["rps"] for r in v) for k, v in runs.items()}
            by_latency[str(latency)] = {
                "count": count,
                "concurrency": concurrency,
                "rps_median": medians,
                "journal_over_plain": medians["journal"] / medians["plain"],
                "cli_over_plain": medians["cli"] / medians["plain"],
                "runs": runs,
            }
    return by_latency


def run_startup(settings: Settings, server_kind: str) -> dict[str, Any]:
    """Import time and a fresh client's first request (``benchmarks._startup``)."""
    _, server_core = _throughput.cores(settings)
    with Server("fake", 0.0, server_core) as server:
        result = _startup.measure(server.url, settings.startup_runs)
    log(
        f"startup: import {result['import_ms']:.0f} ms (of which httpx's CLI "
        f"{result['httpx_cli_ms']:.0f} ms), first request {result['first_request_ms']:.0f} ms, "
        f"second {result['second_request_ms']:.1f} ms"
    )
    return result


def run_profile(settings: Settings, server_kind: str) -> dict[str, Any]:
    """Profile the SDK at latency 0; writes profile.txt."""
    client_core, server_core = _throughput.cores(settings)
    log(f"profile: {settings.profile_count:,} sends, three passes")
    with Server(server_kind, 0.0, server_core) as server, Worker(client_core) as worker:
        result = worker.call(
            {
                "op": "profile",
                "url": server.url,
                "count": settings.profile_count,
                "concurrency": 64,
                "layer_count": settings.layer_count,
                "layer_samples": settings.layer_samples,
            }
        )
    (RESULTS / "profile.txt").write_text(result.pop("text"))
    return result


def run_pagination(settings: Settings) -> dict[str, Any]:
    """The pagination walk (``benchmarks/pagination.py``), FakeEngagive in its own process."""
    from benchmarks import pagination

    _, server_core = _throughput.cores(settings)
    pages, repetitions = settings.pagination_pages, settings.pagination_reps
    log(f"pagination: {pages} pages x 50 items at 50 ms, {repetitions} walk(s) per client")
    data = pagination.run(
        pages=pages, repetitions=repetitions, raw=settings.pagination_raw, core=server_core
    )
    _write_json("pagination.json", data)
    log(
        f"pagination: look-ahead {data['ratios']['sequential_over_lookahead']:.2f}x faster "
        "than sequential"
    )
    return data


def run_otel(settings: Settings) -> dict[str, Any]:
    """CPU per request with and without OpenTelemetry (``benchmarks/otel_overhead.py``)."""
    from benchmarks import otel_overhead

    # 10,000 sends a configuration measure the overhead within noise and keep the default run
    # under five minutes; --full takes twice as many.
    if settings.quick:
        count, repetitions = 3_000, 1
    else:
        count, repetitions = (20_000 if settings.full else 10_000), settings.reps
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


def _ok(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A phase's figures, or ``None`` when it was skipped or failed."""
    return data if data and "error" not in data else None


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
    campaign = (
        _guarded("campaign", run_campaign, settings, server_kind)
        if settings.campaign_reps
        else None
    )
    memory = (
        _guarded("memory", run_memory, settings, server_kind) if settings.stream_count else None
    )
    profile = (
        _guarded("profile", run_profile, settings, server_kind) if settings.profile_count else None
    )
    pagination = _guarded("pagination", run_pagination, settings) if settings.pagination else None
    otel = _guarded("otel", run_otel, settings) if settings.otel and not problem else None
    startup = (
        _guarded("startup", run_startup, settings, server_kind) if settings.startup_runs else None
    )
    results: dict[str, Any] = {
        "settings": settings.to_json(),
        "machine": machine,
        "sdk_problem": problem,
        "server_check": check,
        "throughput": {"rows": rows, "summary": summary},
        "campaign": campaign,
        "memory": memory,
        "profile": profile,
        "pagination": pagination,
        "otel_overhead": otel,
        "startup": startup,
        "targets": _report.evaluate_targets(
            summary,
            _ok(memory),
            _ok(pagination),
            campaign=_ok(campaign),
            startup=_ok(startup),
            profile=_ok(profile),
            full=settings.full,
        ),
        "elapsed_s": time.monotonic() - _STARTED,
    }
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _write_json(
        "throughput.json",
        {k: results[k] for k in ("settings", "machine", "server_check", "throughput")},
    )
    _write_json("memory.json", memory)
    _write_json("campaign.json", campaign)
    _write_json("startup.json", startup)
    _write_json("profile.json", profile)
    _write_json("summary.json", {k: v for k, v in results.items() if k != "throughput"})
    if summary:
        _chart.draw(
            summary,
            RESULTS / "throughput.png",
            f"{machine['cpu_model']}, {machine['logical_cores']} cores, {machine['python']}",
        )
    (RESULTS / "RESULTS.md").write_text(_report.render(results))
    # The site only serves files under docs/, so its page shows a copy of the chart.
    (DOCS_PAGE.parent / "images").mkdir(parents=True, exist_ok=True)
    if (RESULTS / "throughput.png").exists():
        shutil.copyfile(RESULTS / "throughput.png", DOCS_PAGE.parent / "images" / "throughput.png")
    DOCS_PAGE.write_text(_report.render(results, images="images/"))
    for target in results["targets"]:
        log(f"target: {target['target']}: {target['shown']}")
    log(f"done: results in {RESULTS.relative_to(ROOT)}")
    measured = [summary, memory, campaign, profile, pagination, startup]
    return 0 if any(_ok(x) if isinstance(x, dict) else x for x in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
