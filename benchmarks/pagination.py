"""Pagination benchmark: a 100-page walk at 50 ms per page, in one run, against one server.

- ``lookahead``: the SDK pager as it comes (its default ``prefetch``: a look-ahead that starts
  at two pages and doubles with each page read, when the page count is known; items in order);
- ``sequential``: the same pager with ``prefetch=0`` (one page after the other, like most SDKs);
- ``raw_httpx`` (``--full``): a hand-written loop over ``httpx.AsyncClient``, page after page.

The server is FakeEngagive in a process of its own (``python -m engagive_async.testing``,
``page_limit`` convention, 50 ms per request, 50 templates per page), as for the send
benchmarks, so its CPU is not the client's. Walks alternate in order over several repetitions;
medians and ratios are reported. Not part of the test suite.

Run alone: ``.venv/bin/python -m benchmarks.pagination [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx

from benchmarks._common import TOKEN
from benchmarks._procs import Server

__all__ = ["TARGET_SPEEDUP", "run"]

LIST_PATH = "/api/business/public/channels/whatsapp/accounts/1/templates"
RESULTS = Path(__file__).parent / "results" / "pagination.json"
TARGET_SPEEDUP = 8.0

Walk = Callable[[str], Awaitable[int]]


def run(
    *,
    pages: int = 100,
    page_size: int = 50,
    latency: float = 0.05,
    repetitions: int = 3,
    raw: bool = False,
    core: int | None = None,
) -> dict[str, Any]:
    """Time the walks against a FakeEngagive process; medians, ratios and every sample.

    Args:
        pages: pages per walk (the server holds about ``pages * page_size`` templates).
        page_size: items per page, sent as ``limit``.
        latency: seconds the server waits before each answer.
        repetitions: walks per client; the order of the clients alternates.
        raw: also time the hand-written httpx loop.
        core: the core to pin the server to.
    """
    # FakeEngagive seeds a few templates of its own: ask for one page fewer of extras, so the
    # walk reads exactly ``pages`` pages (the last one partly filled).
    extra = ["--templates", str((pages - 1) * page_size + 1), "--page-size", str(page_size)]
    with Server("fake", latency, core, extra) as server:
        return anyio.run(_run, server.url, pages, page_size, latency, repetitions, raw)


async def _run(
    url: str, pages: int, page_size: int, latency: float, repetitions: int, raw: bool
) -> dict[str, Any]:
    from engagive_async import AsyncClient

    async def sdk_walk(base_url: str, prefetch: int | None) -> int:
        options = {} if prefetch is None else {"prefetch": prefetch}
        async with AsyncClient(TOKEN, base_url=base_url) as client:
            count = 0
            async for _template in client.account(1).templates.list(page_size=page_size, **options):
                count += 1
            return count

    walks: dict[str, Walk] = {
        "lookahead": lambda base: sdk_walk(base, None),
        "sequential": lambda base: sdk_walk(base, 0),
    }
    if raw:
        walks["raw_httpx"] = lambda base: _raw_walk(base, page_size)
    samples, counts = await _measure(walks, url, repetitions)
    medians = {name: statistics.median(times) for name, times in samples.items()}
    speedup = medians["sequential"] / medians["lookahead"]
    ratios = {"sequential_over_lookahead": round(speedup, 2)}
    if raw:
        ratios["raw_httpx_over_lookahead"] = round(medians["raw_httpx"] / medians["lookahead"], 2)
    from engagive_async._paging._pager import _DEFAULT_PREFETCH

    return {
        "benchmark": "pagination",
        "pages": pages,
        "items": counts["sequential"],
        "page_size": page_size,
        "latency_s": latency,
        "repetitions": repetitions,
        "prefetch": _DEFAULT_PREFETCH,
        "server": "FakeEngagive in its own process",
        "median_s": {name: round(value, 4) for name, value in medians.items()},
        "pages_per_s": {name: round(pages / value, 1) for name, value in medians.items()},
        # Far above the latency means the server or the network adds time of its own.
        "sequential_ms_per_page": round(medians["sequential"] / pages * 1000, 1),
        "ratios": ratios,
        "target": {"lookahead_speedup_at_least": TARGET_SPEEDUP, "met": speedup >= TARGET_SPEEDUP},
        "samples_s": {name: [round(t, 4) for t in times] for name, times in samples.items()},
    }


async def _measure(
    walks: dict[str, Walk], base_url: str, repetitions: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    samples: dict[str, list[float]] = {name: [] for name in walks}
    counts: dict[str, int] = {}
    order = list(walks)
    for repetition in range(repetitions):
        # Alternate the order so that no client always runs first (cold pool, warm caches).
        for name in order if repetition % 2 == 0 else reversed(order):
            started = time.perf_counter()
            count = await walks[name](base_url)
            samples[name].append(time.perf_counter() - started)
            counts[name] = count
    if len(set(counts.values())) != 1:
        raise RuntimeError(f"the walks disagree on the item count: {counts}")
    return samples, counts


async def _raw_walk(base_url: str, page_size: int) -> int:
    """What a user would write by hand: ask for page after page until the last one."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        count, page = 0, 1
        while True:
            response = await http.get(LIST_PATH, params={"page": page, "limit": page_size})
            response.raise_for_status()
            body = response.json()
            count += len(body["data"])
            block = body.get("pagination") or {}
            if not body["data"] or page >= int(block.get("totalPages", page)):
                return count
            page += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 pages, one repetition")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--raw", action="store_true", help="also the hand-written httpx loop")
    args = parser.parse_args()
    pages, repetitions = (20, 1) if args.quick else (100, args.repetitions)
    result = run(pages=pages, repetitions=repetitions, raw=args.raw)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name, value in result["median_s"].items():
        print(f"{name:>10}: {value:.3f} s median ({result['pages_per_s'][name]} pages/s)")
    speedup = result["ratios"]["sequential_over_lookahead"]
    verdict = "met" if result["target"]["met"] else "NOT met"
    print(f"look-ahead is {speedup}x faster than sequential (target {TARGET_SPEEDUP}x: {verdict})")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
