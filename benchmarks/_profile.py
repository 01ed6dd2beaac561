"""Where the SDK's time goes per request at zero latency: sampled and traced profiles.

Three passes over the same workload (``send_many`` of ``count`` template sends at concurrency
64, latency 0) in one client process: unprofiled (the true CPU per request), under pyinstrument
(sampling: the tree, and self time summed per area of the code), and under cProfile (tracing:
calls per request, which exposes repeated work). Areas come from the file a frame runs in.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._layers import measure_layers

__all__ = ["AREAS", "area_of", "profile"]

#: (label, path fragments), first match wins; paths use "/" on every platform we run on.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "SDK batch engine (_sending, _background, _pacing)",
        ("engagive_async/_sending", "engagive_async/_background", "engagive_async/_pacing"),
    ),
    ("SDK transport adapter (_http/_transport)", ("engagive_async/_http/_transport",)),
    ("SDK pipeline (_http: URL, retry loop, envelope decode)", ("engagive_async/_http",)),
    (
        "SDK validation and body building (resources, _checks, _wire)",
        ("engagive_async/resources", "engagive_async/_checks", "engagive_async/_wire/_routes"),
    ),
    (
        "SDK models and converter (models, _wire, attrs, cattrs)",
        ("engagive_async/models", "engagive_async/_wire", "/attr/", "/attrs/", "/cattrs/"),
    ),
    ("SDK other", ("engagive_async/",)),
    (
        "httpx's cookie jar, per response (stdlib urllib.request, http.cookiejar, email)",
        ("/urllib/", "/http/cookiejar", "/email/"),
    ),
    ("httpx client (Request/Response, headers, URL, hooks)", ("/httpx/",)),
    ("httpcore pool", ("/httpcore/",)),
    ("aiohttp (+ multidict, yarl)", ("/aiohttp/", "/multidict/", "/yarl/", "/propcache/")),
    ("anyio", ("/anyio/",)),
    ("json", ("/json/",)),
    ("logging", ("/logging/",)),
    ("asyncio event loop, selectors, sockets", ("/asyncio/", "selectors", "socket", "ssl")),
    ("benchmark harness (item generation)", ("benchmarks/",)),
)


def area_of(path: str | None) -> str:
    """The area a source file belongs to (``"other"`` when none matches)."""
    if not path:
        return "other"
    for label, fragments in AREAS:
        if any(fragment in path for fragment in fragments):
            return label
    return "other"


def _items(count: int) -> Iterator[Any]:
    from benchmarks._common import LANG_CODE, TEMPLATE_NAME, recipient
    from engagive_async.models.batch import TemplateSend

    for i in range(count):
        yield TemplateSend(to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE)


def _pyinstrument_areas(root: Any, requests: int) -> dict[str, float]:
    """Self time per area, in microseconds per request, from pyinstrument's frame tree."""
    totals: dict[str, float] = {}
    stack = [(root, None)]
    while stack:
        frame, parent_path = stack.pop()
        path = frame.file_path
        if frame.is_synthetic or not path or path.startswith("<"):
            path = parent_path  # [self], built-ins and frozen modules count for their caller
        own = frame.time - sum(child.time for child in frame.children)
        if own > 0:
            label = area_of(path)
            totals[label] = totals.get(label, 0.0) + own
        stack.extend((child, path) for child in frame.children)
    return {k: v / requests * 1e6 for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


async def _passes(url: str, count: int, concurrency: int) -> tuple[int, float, float, Any, Any]:
    """Warm-up, then the unprofiled, sampled and traced passes over one client."""
    from pyinstrument import Profiler

    from benchmarks._common import ACCOUNT_ID, TOKEN
    from engagive_async import AsyncClient

    async with AsyncClient(TOKEN, base_url=url, max_connections=concurrency) as client:
        messages = client.account(ACCOUNT_ID).messages

        async def batch() -> int:
            sent = 0
            async for outcome in messages.send_many(_items(count), concurrency=concurrency):
                sent += outcome.error is None
            return sent

        await batch()  # warm-up
        cpu0, wall0 = time.process_time(), time.perf_counter()
        sent = await batch()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0

        sampler = Profiler(interval=0.0005, async_mode="disabled")
        sampler.start()
        await batch()
        sampler.stop()

        tracer = cProfile.Profile()
        tracer.enable()
        await batch()
        tracer.disable()
    return sent, cpu, wall, sampler, tracer


def profile(
    url: str, count: int, concurrency: int, *, layer_count: int = 2000, layer_samples: int = 1
) -> dict[str, Any]:
    """Profile ``count`` sends; returns per-area figures and the text for profile.txt."""
    sent, cpu, wall, sampler, tracer = asyncio.run(_passes(url, count, concurrency))
    layers = measure_layers(
        count=layer_count, concurrency=concurrency, url=url, samples=layer_samples
    )
    session = sampler.last_session
    assert session is not None
    root = session.root_frame()
    areas = _pyinstrument_areas(root, count) if root is not None else {}
    scale = sum(areas.values())
    stats_text = io.StringIO()
    stats = pstats.Stats(tracer, stream=stats_text)
    stats.sort_stats("tottime").print_stats(40)
    calls = _calls_per_request(stats, count)
    text = "\n".join(
        [
            f"SDK send_many, {count:,} template sends, concurrency {concurrency}, latency 0",
            f"unprofiled: {count / wall:,.0f} sends/s, {cpu / count * 1e6:,.1f} us CPU/send "
            f"({sent:,} sent)",
            "",
            "== CPU per request of each layer (us, median of 3; stub = no I/O) ==",
            *(f"{us:9.1f}  {name}" for name, us in layers.items()),
            "",
            "== self time per area (pyinstrument samples), us per send, "
            f"profiled total {scale:,.1f} ==",
            *(f"{us:9.1f}  {us / scale:6.1%}  {label}" for label, us in areas.items()),
            "",
            "== calls per send (cProfile), the most frequent ==",
            *(f"{n:9.2f}  {name}" for name, n in calls),
            "",
            "== cProfile, top 40 by own time ==",
            stats_text.getvalue(),
            "== pyinstrument call tree (library frames collapsed) ==",
            sampler.output_text(unicode=False, color=False),
            "== pyinstrument, flat self time ==",
            sampler.output_text(unicode=False, color=False, flat=True),
        ]
    )
    return {
        "count": count,
        "concurrency": concurrency,
        "sends_per_s": count / wall,
        "cpu_per_send_us": cpu / count * 1e6,
        "areas_us_per_send_profiled": areas,
        "layers_us_per_request": layers,
        "calls_per_send": dict(calls),
        "text": text,
    }


def _calls_per_request(stats: pstats.Stats, requests: int) -> list[tuple[str, float]]:
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    rows = [
        (f"{func} ({file.split('site-packages/')[-1]}:{line})", ncalls / requests)
        for (file, line, func), (_, ncalls, _, _, _) in raw.items()
    ]
    rows.sort(key=lambda row: -row[1])
    return rows[:40]
