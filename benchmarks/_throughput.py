"""Bulk-send throughput and CPU per request: every client against the same server, in turn.

For each latency one server process serves every client. For each repetition and concurrency
the clients run one after another in an order that rotates (and reverses on odd repetitions),
so no client always runs first or right after another. Each client lives in its own worker
process, pinned to core 0, the server to core 1, so the CPU time a worker reports is its own.
The server's CPU time is sampled around each measurement: its utilisation shows whether the
server, rather than the client, was the limit.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks._procs import Server, Worker
from benchmarks._settings import Settings

__all__ = ["choose_server", "measure_once", "run_matrix", "summarise"]

CLIENT_CORE, SERVER_CORE = 0, 1
#: The server counts as keeping up when it has this much spare CPU at the client's best pace.
_MIN_HEADROOM = 1.25
#: ... and when the client is busy (not waiting on the server) this share of the time.
_MIN_CLIENT_UTIL = 0.85

Log = Callable[[str], None]


def cores(settings: Settings) -> tuple[int | None, int | None]:
    """(client core, server core), or no pinning on a one-core box or when disabled."""
    import os

    if settings.pin and (os.cpu_count() or 1) >= 2:
        return CLIENT_CORE, SERVER_CORE
    return None, None


def measure_once(
    worker: Worker, server: Server, client: str, concurrency: int, duration: float, warmup: float
) -> dict[str, Any]:
    """One measurement of ``client``, with the server's CPU use around it."""
    server_cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
    answer = worker.call(
        {
            "op": "throughput",
            "client": client,
            "url": server.url,
            "concurrency": concurrency,
            "duration": duration,
            "warmup": warmup,
        }
    )
    outer_wall = time.perf_counter() - wall0
    server_cpu = server.cpu_seconds() - server_cpu0
    requests = answer["requests"]
    served = requests + answer["failed"] + answer["warm_requests"]
    server_us = server_cpu / served * 1e6 if served else None
    rps = requests / answer["wall"]
    return {
        "client": client,
        "latency": server.latency,
        "concurrency": concurrency,
        "requests": requests,
        "failed": answer["failed"],
        "wall": answer["wall"],
        "cpu": answer["cpu"],
        "rps": rps,
        "cpu_per_request_us": answer["cpu"] / requests * 1e6 if requests else None,
        "client_cpu_util": answer["cpu"] / answer["wall"],
        # The window includes the client's set-up and warm-up: utilisation is a lower bound;
        # headroom (the server's capacity at its CPU cost per request, over the rate reached)
        # does not depend on the window.
        "server_cpu_util": server_cpu / outer_wall,
        "server_cpu_per_request_us": server_us,
        "server_headroom": (1e6 / server_us) / rps if server_us and rps else None,
    }


def choose_server(settings: Settings, log: Log) -> dict[str, Any]:
    """Whether FakeEngagive keeps up with raw aiohttp at zero latency, measured.

    Raw aiohttp at concurrency 64 against each candidate at latency 0. A server keeps up when
    the client, not the server, is the limit: the client process is busy at least
    ``_MIN_CLIENT_UTIL`` of the time (it is not left waiting), and the server's CPU time per
    request leaves it ``_MIN_HEADROOM`` times the rate reached. The first candidate that keeps
    up is used (FakeEngagive first); if none does, the fastest. Concurrency 1 is recorded too,
    as evidence of per-request stalls. Returns the evidence and the chosen kind.
    """
    client_core, server_core = cores(settings)
    concurrency = 64
    candidates = ["fake", "canned"] if settings.server == "auto" else [settings.server]
    evidence: dict[str, Any] = {}
    duration = settings.duration(0.0)
    with Worker(client_core) as worker:
        for kind in candidates:
            try:
                with Server(kind, 0.0, server_core) as server:
                    runs = [
                        measure_once(worker, server, "aiohttp", concurrency, duration, 0.3)
                        for _ in range(2 if settings.quick else 3)
                    ]
                    single = measure_once(worker, server, "aiohttp", 1, duration, 0.3)
            except Exception as exc:  # the fake is missing or broken: say so, try the next
                evidence[kind] = {"error": f"{type(exc).__name__}: {exc}"}
                log(f"server check: {kind} unusable: {exc}")
                continue
            rps = statistics.median(r["rps"] for r in runs)
            client_util = statistics.median(r["client_cpu_util"] for r in runs)
            headroom = statistics.median(r["server_headroom"] or 0.0 for r in runs)
            keeps_up = headroom >= _MIN_HEADROOM and client_util >= _MIN_CLIENT_UTIL
            evidence[kind] = {
                "concurrency": concurrency,
                "raw_aiohttp_rps": rps,
                "client_cpu_util": client_util,
                "server_cpu_util": statistics.median(r["server_cpu_util"] for r in runs),
                "server_cpu_per_request_us": statistics.median(
                    r["server_cpu_per_request_us"] or 0.0 for r in runs
                ),
                "headroom": headroom,
                "keeps_up": keeps_up,
                "raw_aiohttp_rps_c1": single["rps"],
                "round_trip_c1_us": 1e6 / single["rps"] if single["rps"] else None,
            }
            log(
                f"server check: {kind}: raw aiohttp {rps:,.0f}/s at c={concurrency} (client busy "
                f"{client_util:.0%}, server headroom {headroom:.2f}x), {single['rps']:,.0f}/s at "
                f"c=1 -> {'keeps up' if keeps_up else 'the server is the limit'}"
            )
    usable = [kind for kind in candidates if "error" not in evidence.get(kind, {"error": 1})]
    if not usable:
        raise RuntimeError(f"no server could be started: {evidence}")
    keeping_up = [kind for kind in usable if evidence[kind]["keeps_up"]]
    chosen = (
        keeping_up[0]
        if keeping_up
        else max(usable, key=lambda kind: float(evidence[kind]["raw_aiohttp_rps"]))
    )
    return {
        "chosen": chosen,
        "min_headroom": _MIN_HEADROOM,
        "min_client_util": _MIN_CLIENT_UTIL,
        "candidates": evidence,
    }


def _order(clients: Sequence[str], turn: int, reverse: bool) -> list[str]:
    shift = turn % len(clients)
    rotated = list(clients[shift:]) + list(clients[:shift])
    return rotated[::-1] if reverse else rotated


def run_matrix(settings: Settings, server_kind: str, log: Log) -> list[dict[str, Any]]:
    """Every client at every concurrency and latency, ``settings.reps`` times."""
    client_core, server_core = cores(settings)
    rows: list[dict[str, Any]] = []
    workers = {client: Worker(client_core) for client in settings.clients}
    try:
        for latency in settings.latencies:
            duration = settings.duration(latency)
            with Server(server_kind, latency, server_core) as server:
                for rep in range(settings.reps):
                    for turn, concurrency in enumerate(settings.concurrencies):
                        order = _order(settings.clients, rep + turn, reverse=rep % 2 == 1)
                        for position, client in enumerate(order):
                            row = measure_once(
                                workers[client],
                                server,
                                client,
                                concurrency,
                                duration,
                                settings.warmup,
                            )
                            row.update(rep=rep, position=position, server=server_kind)
                            rows.append(row)
                            log(
                                f"latency {latency * 1000:3.0f} ms  c={concurrency:<3d} "
                                f"rep {rep + 1}  {client:<9s} {row['rps']:9,.0f}/s  "
                                f"cpu {row['cpu_per_request_us'] or 0:8,.0f} us/req  "
                                f"server cpu {row['server_cpu_util']:.0%}"
                            )
    finally:
        for worker in workers.values():
            worker.close()
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median (and spread) per latency, concurrency and client."""
    groups: dict[tuple[float, int, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["latency"], row["concurrency"], row["client"]), []).append(row)
    summary = []
    for (latency, concurrency, client), runs in sorted(groups.items()):
        rps = [r["rps"] for r in runs]
        cpu = [r["cpu_per_request_us"] for r in runs if r["cpu_per_request_us"] is not None]
        summary.append(
            {
                "latency": latency,
                "concurrency": concurrency,
                "client": client,
                "runs": len(runs),
                "rps_median": statistics.median(rps),
                "rps_min": min(rps),
                "rps_max": max(rps),
                "cpu_per_request_us_median": statistics.median(cpu) if cpu else None,
                "server_cpu_util_max": max(r["server_cpu_util"] for r in runs),
                "server_headroom_min": min(
                    (r["server_headroom"] for r in runs if r["server_headroom"]), default=None
                ),
                "failed": sum(r["failed"] for r in runs),
            }
        )
    return summary
