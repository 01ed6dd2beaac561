"""A client process: reads one JSON command per line on stdin, answers one JSON line.

Running each client in its own process makes its CPU time (``time.process_time``) and its
memory attributable to it alone. Commands:

- ``{"op": "throughput", "client", "url", "concurrency", "duration", "warmup"}``: count the
  answers in a ``duration``-second window after a warm-up; answers ``requests``, ``failed``,
  ``warm_requests``, ``wall``, ``cpu``.
- ``{"op": "stream", "url", "count", "concurrency"}``: stream ``count`` items from a generator
  through the SDK's ``send_many``; answers counts, times and peak RSS growth.
- ``{"op": "profile", "url", "count", "concurrency"}``: see ``benchmarks._profile``.
- ``{"op": "quit"}``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._clients import Window, open_sender

__all__ = ["main"]


async def throughput(
    client: str, url: str, concurrency: int, duration: float, warmup: float
) -> dict[str, Any]:
    """Answers per second of one client in a window after its warm-up, and its CPU time."""
    window = Window(warmup, duration, settle=min(concurrency, 64))
    async with open_sender(client, url, concurrency) as sender:
        gc.collect()
        await sender.run(window)
    return {
        "requests": window.ok,
        "failed": window.failed,
        "warm_requests": window.warm,
        "wall": window.wall,
        "cpu": window.cpu,
    }


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mb() -> float:
    import psutil  # type: ignore[import-untyped]  # no stubs in the venv

    return float(psutil.Process().memory_info().rss) / 2**20


async def stream(url: str, count: int, concurrency: int) -> dict[str, Any]:
    """Peak RSS growth while ``count`` items stream through ``send_many`` from a generator."""
    from benchmarks._common import ACCOUNT_ID, LANG_CODE, TEMPLATE_NAME, TOKEN, recipient
    from engagive_async import AsyncClient
    from engagive_async.models.batch import OutcomeStatus, TemplateSend

    def items(n: int) -> Iterator[TemplateSend]:
        for i in range(n):
            yield TemplateSend(to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE)

    sent = OutcomeStatus.SENT
    async with AsyncClient(TOKEN, base_url=url, max_connections=concurrency) as client:
        messages = client.account(ACCOUNT_ID).messages
        # Warm up with a batch bigger than the pool so the baseline holds every steady-state
        # buffer (connections, caches), then measure what streaming adds.
        async for _ in messages.send_many(items(20 * concurrency), concurrency=concurrency):
            pass
        gc.collect()
        baseline_peak, baseline_rss = _max_rss_mb(), _rss_mb()
        samples: list[tuple[int, float]] = [(0, baseline_rss)]
        every = max(1, count // 50)
        ok = failed = 0
        cpu0, wall0 = time.process_time(), time.perf_counter()
        async for outcome in messages.send_many(items(count), concurrency=concurrency):
            if outcome.status is sent:
                ok += 1
            else:
                failed += 1
            if (ok + failed) % every == 0:
                samples.append((ok + failed, _rss_mb()))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    peak = _max_rss_mb()
    return {
        "count": count,
        "concurrency": concurrency,
        "sent": ok,
        "failed": failed,
        "wall": wall,
        "cpu": cpu,
        "items_per_s": count / wall,
        "rss_baseline_mb": baseline_rss,
        "peak_rss_baseline_mb": baseline_peak,
        "peak_rss_mb": peak,
        "peak_rss_growth_mb": peak - baseline_peak,
        "rss_samples_mb": samples,
    }


def _handle(command: dict[str, Any]) -> dict[str, Any]:
    op = command["op"]
    if op == "throughput":
        return asyncio.run(
            throughput(
                command["client"],
                command["url"],
                int(command["concurrency"]),
                float(command["duration"]),
                float(command["warmup"]),
            )
        )
    if op == "stream":
        return asyncio.run(
            stream(command["url"], int(command["count"]), int(command["concurrency"]))
        )
    if op == "profile":
        from benchmarks._profile import profile

        return profile(command["url"], int(command["count"]), int(command["concurrency"]))
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    """Serve commands until ``quit`` or end of input; a failed command answers ``error``."""
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("op") == "quit":
            break
        try:
            answer = _handle(command)
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
