"""Pagination benchmark: a 100-page walk at 50 ms per page, three ways, in one run.

- ``lookahead``: the SDK pager with ``prefetch=4`` (up to four pages in flight when the page
  count is known, items still yielded in order);
- ``sequential``: the same pager with ``prefetch=0`` (one page after the other, like most SDKs);
- ``raw_httpx``: a hand-written loop over ``httpx.AsyncClient`` asking for page after page.

All three walk the same FakeEngagive (``page_limit`` convention, 50 ms latency per request,
5,000 templates, 50 per page) served on 127.0.0.1 by uvicorn, in alternating order, several
repetitions; the medians and the ratios are reported. The target: the look-ahead walk at least
3x faster than the sequential one. Not part of the test suite.

Run: ``.venv/bin/python -m benchmarks.pagination [--quick]``; writes
``benchmarks/results/pagination.json``.
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

from engagive_async import AsyncClient
from engagive_async.testing import FakeEngagive

__all__ = ["run"]

TOKEN = "test-token"  # noqa: S105 - FakeEngagive's default token, not a secret
LIST_PATH = "/api/business/public/channels/whatsapp/accounts/1/templates"
RESULTS = Path(__file__).parent / "results" / "pagination.json"
TARGET_SPEEDUP = 3.0

Walk = Callable[[str], Awaitable[int]]


def run(
    *,
    pages: int = 100,
    page_size: int = 50,
    latency: float = 0.05,
    repetitions: int = 5,
    prefetch: int = 4,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Time the three walks and return medians, ratios and every sample.

    Args:
        pages: pages per walk (the server holds ``pages * page_size`` templates).
        page_size: items per page, sent as ``limit``.
        latency: seconds the server waits before each answer.
        repetitions: walks per client; the order of the clients alternates.
        prefetch: the look-ahead pager's ``prefetch``.
        base_url: walk an already-running server (seeded and paced by the caller) instead of
            serving a FakeEngagive here.
    """
    return anyio.run(_run, pages, page_size, latency, repetitions, prefetch, base_url)


async def _run(
    pages: int,
    page_size: int,
    latency: float,
    repetitions: int,
    prefetch: int,
    base_url: str | None,
) -> dict[str, Any]:
    walks: dict[str, Walk] = {
        "lookahead": lambda url: _sdk_walk(url, page_size, prefetch),
        "sequential": lambda url: _sdk_walk(url, page_size, 0),
        "raw_httpx": lambda url: _raw_walk(url, page_size),
    }
    if base_url is not None:
        samples = await _measure(walks, base_url, repetitions, pages * page_size)
    else:
        fake = FakeEngagive(
            latency=latency, pagination="page_limit", page_size=page_size, seed=False, record=False
        )
        fake.seed_templates(pages * page_size)
        async with fake.serve(host="127.0.0.1", port=0) as url:
            samples = await _measure(walks, url, repetitions, pages * page_size)
    medians = {name: statistics.median(times) for name, times in samples.items()}
    speedup = medians["sequential"] / medians["lookahead"]
    return {
        "benchmark": "pagination",
        "pages": pages,
        "page_size": page_size,
        "latency_s": latency,
        "repetitions": repetitions,
        "prefetch": prefetch,
        "median_s": {name: round(value, 4) for name, value in medians.items()},
        "pages_per_s": {name: round(pages / value, 1) for name, value in medians.items()},
        # Far above the latency means the server or the network adds time of its own.
        "sequential_ms_per_page": round(medians["sequential"] / pages * 1000, 1),
        "ratios": {
            "sequential_over_lookahead": round(speedup, 2),
            "raw_httpx_over_lookahead": round(medians["raw_httpx"] / medians["lookahead"], 2),
            "sequential_over_raw_httpx": round(medians["sequential"] / medians["raw_httpx"], 2),
        },
        "target": {"lookahead_speedup_at_least": TARGET_SPEEDUP, "met": speedup >= TARGET_SPEEDUP},
        "samples_s": {name: [round(t, 4) for t in times] for name, times in samples.items()},
    }


async def _measure(
    walks: dict[str, Walk], base_url: str, repetitions: int, expected: int
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in walks}
    order = list(walks)
    for repetition in range(repetitions):
        # Alternate the order so that no client always runs first (cold pool, warm caches).
        for name in order if repetition % 2 == 0 else reversed(order):
            started = time.perf_counter()
            count = await walks[name](base_url)
            samples[name].append(time.perf_counter() - started)
            if count != expected:
                raise RuntimeError(f"{name} walked {count} items, expected {expected}")
    return samples


async def _sdk_walk(base_url: str, page_size: int, prefetch: int) -> int:
    async with AsyncClient(TOKEN, base_url=base_url) as client:
        count = 0
        async for _template in client.account(1).templates.list(
            page_size=page_size, prefetch=prefetch
        ):
            count += 1
        return count


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
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    pages, repetitions = (20, 1) if args.quick else (100, args.repetitions)
    result = run(pages=pages, repetitions=repetitions)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    medians, ratios = result["median_s"], result["ratios"]
    for name, value in medians.items():
        print(f"{name:>10}: {value:.3f} s median ({result['pages_per_s'][name]} pages/s)")
    print(
        f"look-ahead is {ratios['sequential_over_lookahead']}x faster than sequential "
        f"(target {TARGET_SPEEDUP}x: {'met' if result['target']['met'] else 'NOT met'}), "
        f"{ratios['raw_httpx_over_lookahead']}x faster than the raw httpx loop"
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
