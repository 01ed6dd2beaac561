"""Targets, RESULTS.md and docs/performance-results.md, from the figures of one run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmarks._chart import LABELS

__all__ = ["evaluate_targets", "render"]

_FULL_STREAM = 1_000_000
_FULL_WALK = 100  # pages, as issue 13 asks
_WALKS = {
    "lookahead": "look-ahead pager (default: ramps from 2 to prefetch={prefetch})",
    "sequential": "sequential pager (prefetch=0)",
    "raw_httpx": "hand-written raw httpx loop",
}
_IMPORT_BUDGET_MS = 150.0


def _median(
    summary: Sequence[dict[str, Any]], latency: float, c: int, client: str, key: str
) -> Any:
    for row in summary:
        if row["latency"] == latency and row["concurrency"] == c and row["client"] == client:
            return row[key]
    return None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _target(
    name: str, value: float | None, goal: str, low: float | None, high: float | None
) -> dict[str, Any]:
    met = None
    if value is not None:
        met = (low is None or value >= low) and (high is None or value <= high)
    return {
        "target": name,
        "goal": goal,
        "value": value,
        "shown": f"{value:.2f}x" if value is not None else "not measured",
        "met": met,
    }


def evaluate_targets(
    summary: Sequence[dict[str, Any]],
    memory: dict[str, Any] | None,
    pagination: dict[str, Any] | None = None,
    *,
    campaign: dict[str, Any] | None = None,
    startup: dict[str, Any] | None = None,
    profile: dict[str, Any] | None = None,
    full: bool = False,
) -> list[dict[str, Any]]:
    """Issue 13's targets, each measured in this run and judged."""

    def rps(latency: float, c: int, client: str) -> float | None:
        return _median(summary, latency, c, client, "rps_median")  # type: ignore[no-any-return]

    def cpu(client: str) -> float | None:
        return _median(summary, 0.0, 64, client, "cpu_per_request_us_median")  # type: ignore[no-any-return]

    targets = [
        _target(
            "SDK CPU per request at latency 0 (c=64) <= 1.1x raw aiohttp + semaphore",
            _ratio(cpu("sdk"), cpu("aiohttp")),
            "<= 1.1x",
            None,
            1.1,
        )
    ]
    for latency in (0.0, 0.05):
        for c in (64, 256):
            targets.append(
                _target(
                    f"SDK send_many at c={c}, {latency * 1000:.0f} ms >= 0.95x raw aiohttp",
                    _ratio(rps(latency, c, "sdk"), rps(latency, c, "aiohttp")),
                    ">= 0.95x",
                    0.95,
                    None,
                )
            )
    for latency, goal in ((0.05, 0.9), (0.0, 0.8)):
        ratio = None
        if campaign is not None and str(latency) in campaign:
            ratio = campaign[str(latency)]["journal_over_plain"]
        targets.append(
            _target(
                f"send_many with SqliteJournal at c=64, {latency * 1000:.0f} ms >= {goal}x "
                "without a journal",
                ratio,
                f">= {goal}x",
                goal,
                None,
            )
        )
    targets.append(_walk_target(pagination))
    targets.append(_memory_target(memory, full))
    targets.append(_import_target(startup))
    return targets


def _memory_target(memory: dict[str, Any] | None, full: bool) -> dict[str, Any]:
    sdk = (memory or {}).get("sdk") or {}
    growth, count = sdk.get("peak_rss_growth_mb"), sdk.get("count")
    met = None
    shown = "not measured"
    if growth is not None:
        shown = f"{growth:.1f} MB over {count:,} sends"
        if count == _FULL_STREAM:
            met = growth < 100
        else:
            shown += " (the full 1,000,000 runs with --full: no verdict)"
    return {
        "target": "SDK peak RSS growth streaming 1,000,000 sends at c=256 < 100 MB",
        "goal": "< 100 MB",
        "value": growth,
        "shown": shown,
        "met": met,
    }


def _import_target(startup: dict[str, Any] | None) -> dict[str, Any]:
    if not startup:
        return {
            "target": "import engagive_async < 150 ms",
            "goal": "< 150 ms",
            "value": None,
            "shown": "not measured",
            "met": None,
        }
    total, cli = startup["import_ms"], startup["httpx_cli_ms"]
    shown = f"{total:.0f} ms"
    if cli:
        shown += f" ({startup['import_ms_without_httpx_cli']:.0f} ms without httpx's CLI)"
    return {
        "target": "import engagive_async < 150 ms (python -X importtime, median)",
        "goal": "< 150 ms",
        "value": total,
        "shown": shown,
        "met": total < _IMPORT_BUDGET_MS,
    }


def _walk_target(pagination: dict[str, Any] | None) -> dict[str, Any]:
    speedup = None
    shown = "not measured"
    met = None
    if pagination and "error" not in pagination:
        speedup = pagination["ratios"]["sequential_over_lookahead"]
        pages = pagination["pages"]
        shown = f"{speedup:.2f}x over {pages} pages"
        if pages == _FULL_WALK:
            met = speedup >= 8.0
        else:
            shown += f" (not the full {_FULL_WALK}: no verdict)"
    return {
        "target": "pagination: default walk of 100 pages at 50 ms >= 8x the sequential walk",
        "goal": ">= 8x",
        "value": speedup,
        "shown": shown,
        "met": met,
    }


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not judged"}[met]


def _table_start(
    summary: Sequence[dict[str, Any]], latency: float
) -> tuple[list[dict[str, Any]], list[int], list[str], list[str]]:
    """The rows at ``latency``, their concurrencies and clients, and the table's header."""
    rows = [r for r in summary if r["latency"] == latency]
    concurrencies = sorted({r["concurrency"] for r in rows})
    clients = [c for c in LABELS if any(r["client"] == c for r in rows)]
    lines = [
        "| client | " + " | ".join(f"c={c}" for c in concurrencies) + " |",
        "| --- |" + " ---: |" * len(concurrencies),
    ]
    return rows, concurrencies, clients, lines


def _throughput_table(summary: Sequence[dict[str, Any]], latency: float) -> list[str]:
    rows, concurrencies, clients, lines = _table_start(summary, latency)
    for client in clients:
        cells = []
        for c in concurrencies:
            med = _median(rows, latency, c, client, "rps_median")
            lo = _median(rows, latency, c, client, "rps_min")
            hi = _median(rows, latency, c, client, "rps_max")
            cells.append(f"**{med:,.0f}** ({lo:,.0f}-{hi:,.0f})" if med is not None else "-")
        lines.append(f"| {LABELS[client]} | " + " | ".join(cells) + " |")
    for label, other in (
        ("SDK / raw aiohttp", "aiohttp"),
        ("SDK / httpx + httpx-aiohttp", "httpx_aiohttp"),
        ("SDK / raw httpx", "httpx"),
    ):
        cells = []
        for c in concurrencies:
            ratio = _ratio(
                _median(rows, latency, c, "sdk", "rps_median"),
                _median(rows, latency, c, other, "rps_median"),
            )
            cells.append(f"{ratio:.2f}x" if ratio is not None else "-")
        lines.append(f"| *{label}* | " + " | ".join(cells) + " |")
    return lines


def _cpu_table(summary: Sequence[dict[str, Any]]) -> list[str]:
    rows, concurrencies, clients, lines = _table_start(summary, 0.0)
    for client in clients:
        cells = []
        for c in concurrencies:
            us = _median(rows, 0.0, c, client, "cpu_per_request_us_median")
            cells.append(f"{us:,.0f}" if us is not None else "-")
        lines.append(f"| {LABELS[client]} | " + " | ".join(cells) + " |")
    cells = []
    for c in concurrencies:
        ratio = _ratio(
            _median(rows, 0.0, c, "sdk", "cpu_per_request_us_median"),
            _median(rows, 0.0, c, "aiohttp", "cpu_per_request_us_median"),
        )
        cells.append(f"{ratio:.2f}x" if ratio is not None else "-")
    lines.append("| *SDK / raw aiohttp* | " + " | ".join(cells) + " |")
    return lines


def _server_section(check: dict[str, Any], summary: Sequence[dict[str, Any]]) -> list[str]:
    names = {"fake": "FakeEngagive (uvicorn + httptools)", "canned": "canned aiohttp.web server"}
    if not check:
        return ["Server: unknown."]
    lines = [
        f"Server used: **{names.get(check['chosen'], check['chosen'])}**, in its own process "
        "(pinned to core 1, clients to core 0). Chosen by measurement: raw aiohttp at "
        "latency 0 against each candidate; a server keeps up when the client stays busy "
        f">= {check['min_client_util']:.0%} of the time and the server's CPU per request "
        f"leaves >= {check['min_headroom']}x headroom.",
        "",
    ]
    for kind, ev in check.get("candidates", {}).items():
        if "error" in ev:
            lines.append(f"- {names.get(kind, kind)}: unusable ({ev['error']}).")
            continue
        lines.append(
            f"- {names.get(kind, kind)}: raw aiohttp {ev['raw_aiohttp_rps']:,.0f} req/s at "
            f"c={ev['concurrency']}, client busy {ev['client_cpu_util']:.0%}, server "
            f"{ev['server_cpu_per_request_us']:,.0f} us CPU per request "
            f"({ev['headroom']:.2f}x headroom); {ev['raw_aiohttp_rps_c1']:,.0f} req/s at c=1 "
            f"({ev['round_trip_c1_us']:,.0f} us per round trip) -> "
            f"{'keeps up' if ev['keeps_up'] else 'the server is the limit'}."
        )
    low = [r for r in summary if r["server_headroom_min"] and r["server_headroom_min"] < 1.1]
    if low:
        points = ", ".join(
            f"{r['client']} c={r['concurrency']} @{r['latency'] * 1000:.0f} ms" for r in low
        )
        lines.append(f"- Server CPU close to saturation (headroom < 1.1x) during: {points}.")
    elif summary:
        lines.append("- In every measurement the server kept at least 1.1x CPU headroom.")
    return lines


def render(results: dict[str, Any], images: str = "") -> str:
    """RESULTS.md; ``images`` is the path from the page to benchmarks/results/."""
    s, m = results["settings"], results["machine"]
    summary = results["throughput"]["summary"]
    flag = " --quick" if s["quick"] else " --full" if s.get("full") else ""
    out = [
        "# Performance results",
        "",
        f"Written by `make bench` (`python -m benchmarks{flag}`) in "
        f"{results['elapsed_s'] / 60:.1f} min on {m['cpu_model']}, {m['logical_cores']} logical "
        f"cores, {m['python']}; load average {m['load_average_at_start']} at the start, "
        f"{m.get('load_average_at_end')} at the end. Figures are medians of {s['reps']} "
        "repetitions, (min-max) in brackets; compare clients within one run (they share the "
        "machine's state), not across runs. JSON of every figure: `benchmarks/results/`.",
        "",
        "Run it yourself: `make bench` (under five minutes on two cores) or "
        "`make bench BENCH_ARGS=--full` (the long run: four concurrencies, longer windows, "
        "a million streamed sends, about a quarter of an hour); `--quick` is a one-minute "
        "smoke run without verdicts.",
        "",
        f"![throughput vs concurrency]({images}throughput.png)",
        "",
        "## Targets",
        "",
        "| target | goal | measured | verdict |",
        "| --- | --- | --- | --- |",
    ]
    out += [
        f"| {t['target']} | {t['goal']} | {t['shown']} | **{_verdict(t['met'])}** |"
        for t in results["targets"]
    ]
    for latency in s["latencies"]:
        out += [
            "",
            f"## Bulk send throughput, server latency {latency * 1000:.0f} ms (messages/s)",
            "",
        ]
        out += _throughput_table(summary, latency)
    out += ["", "## CPU per request at latency 0 (client process CPU time / requests, us)", ""]
    out += _cpu_table(summary)
    out += ["", "## Campaigns: send_many with and without a journal, and the CLI", ""]
    out += _campaign_lines(results.get("campaign"))
    out += ["", "## Memory: streaming a generator at latency 0", ""]
    out += _memory_lines(results.get("memory"))
    out += ["", "## Start-up", ""]
    out += _startup_lines(results.get("startup"))
    out += ["", "## Pagination walk", ""]
    out += _pagination_lines(results.get("pagination"))
    out += ["", "## Where the SDK's time goes (latency 0, profiled)", ""]
    out += _profile_lines(results.get("profile"))
    out += ["", "## Server", ""]
    out += _server_section(results.get("server_check", {}), summary)
    out += [
        "",
        "## How it was measured",
        "",
        "- One server process per latency (127.0.0.1), shared by every client of that latency.",
        "- Each client in its own long-lived worker process; each measurement opens a fresh "
        f"client, warms it up for {s['warmup']} s, then sends for "
        + " / ".join(
            f"{v} s at {float(k) * 1000:.0f} ms latency" for k, v in s["durations"].items()
        )
        + " (answers are counted inside that window, then the input stops and requests still "
        "in flight are abandoned; messages/s = answers / window, CPU = `time.process_time()` "
        "of the client process over the same window).",
        "- Order: clients rotate per concurrency and repetition, reversed on odd repetitions.",
        '- Every client sends the same body (`{"to", "content_json": {"template_name", '
        '"lang_code"}}`) with the same headers (Authorization, Accept, User-Agent, JSON '
        "Content-Type), parses the JSON answer, and counts HTTP 200 + `success: true`.",
        "- Raw aiohttp: `TCPConnector(limit=c)` + `asyncio.Semaphore(c)`. Raw httpx: "
        "`httpx.AsyncClient(limits=Limits(max_connections=c, max_keepalive_connections=c))` + "
        "semaphore. SDK: `AsyncClient(max_connections=c)` + `send_many(concurrency=c)`.",
        "- Settings: "
        + ", ".join(f"{k}={v}" for k, v in s.items() if k not in ("durations", "warmup"))
        + ".",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu_model']}, {m['logical_cores']} logical cores "
        f"({m['physical_cores']} physical), {m['memory_gb']} GB RAM, {m['os']}",
        f"- {m['python']}; git {m['git']}",
        f"- Load average (1, 5, 15 min) at start {m['load_average_at_start']}, at end "
        f"{m.get('load_average_at_end')}: other work on the box skews figures, so compare "
        "clients within this run rather than across runs.",
        "- Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v),
        "",
    ]
    return "\n".join(out)


def _pagination_lines(pagination: dict[str, Any] | None) -> list[str]:
    if pagination is None:
        return ["Not run (skipped with `--skip pagination`)."]
    if "error" in pagination:
        return [f"Failed: {pagination['error']}"]
    medians, rates = pagination["median_s"], pagination["pages_per_s"]
    fastest = medians["lookahead"]
    lines = [
        f"{pagination['pages']} pages of {pagination['page_size']} templates, the server "
        f"answering each page after {pagination['latency_s'] * 1000:.0f} ms (FakeEngagive "
        "in its own process on 127.0.0.1, `page/limit/total/totalPages` convention); median of "
        f"{pagination['repetitions']} walks each, in alternating order "
        "(`benchmarks/pagination.py`, samples in pagination.json).",
        "",
        "| walk | median time | pages/s | time vs look-ahead |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, label in _WALKS.items():
        if name not in medians:
            continue
        lines.append(
            f"| {label.format(prefetch=pagination['prefetch'])} | {medians[name]:.2f} s | "
            f"{rates[name]:,.1f} | {medians[name] / fastest:.2f}x |"
        )
    lines += [
        "",
        f"The sequential walk took {pagination['sequential_ms_per_page']:.1f} ms per page "
        "(the server's latency plus one round trip and decoding).",
    ]
    return lines


def _profile_lines(profile: dict[str, Any] | None) -> list[str]:
    if not profile or "error" in profile:
        return [f"Not profiled{': ' + profile['error'] if profile else ''}."]
    areas = profile["areas_us_per_send_profiled"]
    total = sum(areas.values()) or 1.0
    lines = [
        f"{profile['count']:,} sends at concurrency {profile['concurrency']}: unprofiled "
        f"{profile['sends_per_s']:,.0f} sends/s, {profile['cpu_per_send_us']:,.0f} us CPU per "
        "send. Self time per area (pyinstrument sampling; profiled, so absolute figures are "
        "inflated, shares are what matter); the full profile is in profile.txt.",
        "",
        "| area | share | us/send (profiled) |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {label} | {us / total:.0%} | {us:,.1f} |" for label, us in areas.items()]
    layers = profile.get("layers_us_per_request") or {}
    if layers:
        lines += [
            "",
            'CPU per request layer by layer (unprofiled, median of 3; "stub" answers at once '
            "without I/O, so it isolates client-side work):",
            "",
            "| layer | us CPU / request |",
            "| --- | ---: |",
        ]
        lines += [f"| {name.strip()} | {us:,.1f} |" for name, us in layers.items()]
    return lines


def _campaign_lines(campaign: dict[str, Any] | None) -> list[str]:
    if not campaign or "error" in campaign:
        return [f"Not measured{': ' + campaign['error'] if campaign else ''}."]
    lines = [
        "The same template sends at concurrency 64: `send_many` alone, `send_many` with a fresh "
        "`SqliteJournal` (`synchronous=FULL`: each row's claim is committed before its request; "
        "claims of rows starting together share a commit, outcomes join the next one), and "
        "the CLI (`engagive-async send-template` over a CSV file, journaled, timed from process "
        "start to exit, so it includes Python's start-up and the file check). Sends/s, medians.",
        "",
        "| latency | sends per run | send_many | with SqliteJournal | CLI | journal / plain "
        "| CLI / plain |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for latency, row in campaign.items():
        med = row["rps_median"]
        lines.append(
            f"| {float(latency) * 1000:.0f} ms | {row['count']:,} | {med['plain']:,.0f} | "
            f"{med['journal']:,.0f} | {med['cli']:,.0f} | **{row['journal_over_plain']:.2f}x** | "
            f"{row['cli_over_plain']:.2f}x |"
        )
    return lines


def _memory_lines(memory: dict[str, Any] | None) -> list[str]:
    if not memory or "error" in memory:
        return [f"Not measured{': ' + memory['error'] if memory else ''}."]
    lines = [
        "Template sends from a generator, each client in a fresh process after a warm-up "
        "batch; peak RSS (`ru_maxrss`) growth over the run (RSS sampled 50 times along the "
        "way is in memory.json).",
        "",
        "| client | sends | concurrency | sends/s | us CPU / send | peak RSS after warm-up "
        "| peak RSS growth |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {"sdk": "SDK send_many", "aiohttp": "raw aiohttp + semaphore"}
    for client, name in names.items():
        row = memory.get(client)
        if not row:
            continue
        lines.append(
            f"| {name} | {row['count']:,} | {row['concurrency']} | {row['items_per_s']:,.0f} | "
            f"{row['cpu_per_send_us']:,.0f} | {row['peak_rss_baseline_mb']:,.1f} MB | "
            f"**{row['peak_rss_growth_mb']:,.1f} MB** |"
        )
    return lines


def _startup_lines(startup: dict[str, Any] | None) -> list[str]:
    if not startup or "error" in startup:
        return [f"Not measured{': ' + startup['error'] if startup else ''}."]
    return [
        f"Medians of {startup['runs']} fresh interpreters.",
        "",
        "| what | ms |",
        "| --- | ---: |",
        f"| `import engagive_async` (`python -X importtime`, cumulative) | "
        f"**{startup['import_ms']:.0f}** |",
        f"| of which httpx's own CLI (`httpx._main`: click, rich, pygments; loaded by httpx "
        f"whenever they are installed, as the `cli` extra installs them) | "
        f"{startup['httpx_cli_ms']:.0f} |",
        f"| the import without it (a base install) | "
        f"{startup['import_ms_without_httpx_cli']:.0f} |",
        f"| first send of a fresh `AsyncClient` (loads aiohttp, builds the TLS context, "
        f"connects) | {startup['first_request_ms']:.0f} |",
        f"| its second send (warm connection) | {startup['second_request_ms']:.1f} |",
    ]
