"""A client process: reads one JSON command per line on stdin, answers one JSON line.

Running each client in its own process makes its CPU time (``time.process_time``) and its
memory attributable to it alone. Commands:

- ``{"op": "throughput", "client", "url", "concurrency", "duration", "warmup"}``: count the
  answers in a ``duration``-second window after a warm-up; answers ``requests``, ``failed``,
  ``warm_requests``, ``wall``, ``cpu``.
- ``{"op": "stream", "client", "url", "count", "concurrency"}``: stream ``count`` items from a
  generator through the SDK's ``send_many`` (``client`` ``"sdk"``) or raw aiohttp with a
  semaphore (``"aiohttp"``); answers counts, times and peak RSS growth.
- ``{"op": "campaign", "url", "count", "concurrency", "journal"}``: see ``benchmarks._campaign``.
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


async def _stream_sdk(
    url: str, count: int, concurrency: int, measured: _Measured
) -> tuple[int, int]:
    from benchmarks._common import ACCOUNT_ID, LANG_CODE, TEMPLATE_NAME, TOKEN, recipient
    from engagive_async import AsyncClient
    from engagive_async.models.batch import OutcomeStatus, TemplateSend

    def items(n: int) -> Iterator[TemplateSend]:
        for i in range(n):
            yield TemplateSend(to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE)

    sent = OutcomeStatus.SENT
    ok = failed = 0
    async with AsyncClient(TOKEN, base_url=url, max_connections=concurrency) as client:
        messages = client.account(ACCOUNT_ID).messages
        # Warm up with a batch bigger than the pool so the baseline holds every steady-state
        # buffer (connections, caches), then measure what streaming adds.
        async for _ in messages.send_many(items(20 * concurrency), concurrency=concurrency):
            pass
        measured.start()
        async for outcome in messages.send_many(items(count), concurrency=concurrency):
            if outcome.status is sent:
                ok += 1
            else:
                failed += 1
            measured.sample(ok + failed)
        measured.stop()
    return ok, failed


async def _stream_aiohttp(
    url: str, count: int, concurrency: int, measured: _Measured
) -> tuple[int, int]:
    import aiohttp

    from benchmarks._clients import bounded
    from benchmarks._common import HEADERS, SEND_PATH, recipient, template_body

    target = url + SEND_PATH
    tally = [0, 0]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=HEADERS) as session:

        async def send(index: int) -> bool:
            async with session.post(target, json=template_body(recipient(index))) as response:
                data = await response.json()
            return response.status == 200 and data.get("success") is True

        def done(ok: bool) -> None:
            tally[0 if ok else 1] += 1
            measured.sample(tally[0] + tally[1])

        await bounded(
            iter(range(20 * concurrency)), concurrency, send, lambda ok: None, abandon=False
        )
        measured.start()
        await bounded(iter(range(count)), concurrency, send, done, abandon=False)
        measured.stop()
    return tally[0], tally[1]


class _Measured:
    """Peak RSS and RSS samples from ``start`` on, CPU and wall time until ``stop``."""

    def __init__(self, count: int) -> None:
        self.every = max(1, count // 50)
        self.samples: list[tuple[int, float]] = []
        self.baseline_peak = self.baseline_rss = 0.0
        self.cpu = self.wall = 0.0

    def start(self) -> None:
        gc.collect()
        self.baseline_peak, self.baseline_rss = _max_rss_mb(), _rss_mb()
        self.samples = [(0, self.baseline_rss)]
        self._cpu0, self._wall0 = time.process_time(), time.perf_counter()

    def sample(self, done: int) -> None:
        if done % self.every == 0:
            self.samples.append((done, _rss_mb()))

    def stop(self) -> None:
        self.wall = time.perf_counter() - self._wall0
        self.cpu = time.process_time() - self._cpu0


async def stream(client: str, url: str, count: int, concurrency: int) -> dict[str, Any]:
    """Peak RSS growth while ``count`` items stream through ``client``, from a generator."""
    measured = _Measured(count)
    run = _stream_sdk if client == "sdk" else _stream_aiohttp
    ok, failed = await run(url, count, concurrency, measured)
    peak = _max_rss_mb()
    return {
        "client": client,
        "count": count,
        "concurrency": concurrency,
        "sent": ok,
        "failed": failed,
        "wall": measured.wall,
        "cpu": measured.cpu,
        "items_per_s": count / measured.wall,
        "cpu_per_send_us": measured.cpu / count * 1e6,
        "rss_baseline_mb": measured.baseline_rss,
        "peak_rss_baseline_mb": measured.baseline_peak,
        "peak_rss_mb": peak,
        "peak_rss_growth_mb": peak - measured.baseline_peak,
        "rss_samples_mb": measured.samples,
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
            stream(
                command["client"],
                command["url"],
                int(command["count"]),
                int(command["concurrency"]),
            )
        )
    if op == "campaign":
        from benchmarks._campaign import library_campaign

        return library_campaign(
            command["url"],
            int(command["count"]),
            int(command["concurrency"]),
            bool(command["journal"]),
        )
    if op == "profile":
        from benchmarks._profile import profile

        return profile(
            command["url"],
            int(command["count"]),
            int(command["concurrency"]),
            layer_count=int(command.get("layer_count", 2000)),
            layer_samples=int(command.get("layer_samples", 1)),
        )
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
