"""throughput.png: messages/s against concurrency, one line per client, one panel per latency."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["LABELS", "draw"]

LABELS = {
    "sdk": "SDK send_many (default: aiohttp-backed)",
    "sdk_httpx": 'SDK send_many, transport="httpx"',
    "aiohttp": "raw aiohttp + semaphore",
    "httpx_aiohttp": "httpx + httpx-aiohttp transport + semaphore",
    "httpx": "raw httpx (default pool) + semaphore",
}
_STYLE: dict[str, dict[str, Any]] = {
    "sdk": {"color": "tab:blue", "marker": "o", "linewidth": 2.2},
    "sdk_httpx": {"color": "tab:purple", "marker": "s", "linestyle": "--"},
    "aiohttp": {"color": "tab:green", "marker": "^"},
    "httpx_aiohttp": {"color": "tab:orange", "marker": "D"},
    "httpx": {"color": "tab:red", "marker": "v"},
}


def draw(summary: Sequence[dict[str, Any]], path: Path, title: str) -> None:
    """Write the chart; the y axis is logarithmic since clients differ by orders of magnitude."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latencies = sorted({row["latency"] for row in summary})
    figure, axes = plt.subplots(
        1, len(latencies), figsize=(6.2 * len(latencies), 4.6), squeeze=False
    )
    for ax, latency in zip(axes[0], latencies, strict=True):
        rows = [row for row in summary if row["latency"] == latency]
        concurrencies = sorted({row["concurrency"] for row in rows})
        for client in LABELS:
            points = sorted(
                (row["concurrency"], row["rps_median"], row["rps_min"], row["rps_max"])
                for row in rows
                if row["client"] == client
            )
            if not points:
                continue
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            spread = [[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]]
            ax.errorbar(xs, ys, yerr=spread, label=LABELS[client], capsize=3, **_STYLE[client])
        if latency > 0:
            ideal = [c / latency for c in concurrencies]
            ax.plot(concurrencies, ideal, color="grey", linestyle=":", label="ideal: c / latency")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(concurrencies, [str(c) for c in concurrencies])
        ax.set_xlabel("concurrency (requests in flight)")
        ax.set_ylabel("messages/s (median, bars: min-max)")
        ax.set_title(f"server latency {latency * 1000:.0f} ms")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8, loc="best")
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
