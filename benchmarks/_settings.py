"""How long and how often: one object, filled from the command line.

The default (``make bench``) is sized to finish in under five minutes on two cores; ``--full``
keeps the depth of the long run (four concurrencies, longer windows, a million streamed sends,
the raw httpx pagination walk, three samples per profiled layer).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FULL", "QUICK", "Settings"]


@dataclass(frozen=True)
class Settings:
    """Knobs of one ``python -m benchmarks`` run (defaults: ``make bench``)."""

    reps: int = 3
    concurrencies: tuple[int, ...] = (64, 256)
    latencies: tuple[float, ...] = (0.0, 0.05)
    #: Seconds each client sends per measurement, per latency (after its warm-up).
    durations: dict[float, float] = field(default_factory=lambda: {0.0: 0.8, 0.05: 1.2})
    warmup: float = 0.3
    clients: tuple[str, ...] = ("sdk", "sdk_httpx", "aiohttp", "httpx_aiohttp", "httpx")
    server: str = "auto"  # "auto" measures FakeEngagive and falls back to the canned server
    server_check_runs: int = 2
    #: Sends streamed by the SDK and by raw aiohttp for the memory figure, at concurrency 256.
    stream_count: int = 60_000
    stream_concurrency: int = 256
    profile_count: int = 5_000
    layer_count: int = 2_000
    layer_samples: int = 1
    pagination: bool = True
    otel: bool = True
    pagination_pages: int = 100
    pagination_reps: int = 3
    pagination_raw: bool = False  # the hand-written httpx walk (as slow as the sequential one)
    #: Template sends per campaign run: plain send_many, with a SqliteJournal, and the CLI.
    campaign_counts: dict[float, int] = field(default_factory=lambda: {0.0: 4_000, 0.05: 3_000})
    campaign_reps: int = 3
    startup_runs: int = 5
    pin: bool = True
    quick: bool = False
    full: bool = False

    def duration(self, latency: float) -> float:
        """The measuring window for ``latency``."""
        return self.durations.get(latency, max(self.durations.values()))

    def campaign_count(self, latency: float) -> int:
        """Sends per campaign run at ``latency``."""
        return self.campaign_counts.get(latency, min(self.campaign_counts.values()))

    def to_json(self) -> dict[str, Any]:
        """The settings as recorded in the results."""
        data = asdict(self)
        data["durations"] = {str(k): v for k, v in self.durations.items()}
        data["campaign_counts"] = {str(k): v for k, v in self.campaign_counts.items()}
        return data


#: ``--full``: the depth of the long run (about a quarter of an hour on two cores).
FULL: dict[str, Any] = {
    "concurrencies": (1, 8, 64, 256),
    "durations": {0.0: 1.5, 0.05: 2.0},
    "warmup": 0.4,
    "server_check_runs": 3,
    "stream_count": 1_000_000,
    "profile_count": 20_000,
    "layer_count": 5_000,
    "layer_samples": 3,
    "pagination_reps": 5,
    "pagination_raw": True,
    "campaign_counts": {0.0: 20_000, 0.05: 10_000},
    "startup_runs": 10,
    "full": True,
}

#: ``--quick``: a smoke run of about a minute (no verdicts).
QUICK: dict[str, Any] = {
    "reps": 1,
    "concurrencies": (64,),
    "durations": {0.0: 0.4, 0.05: 0.6},
    "warmup": 0.15,
    "server_check_runs": 1,
    "stream_count": 5_000,
    "profile_count": 1_000,
    "layer_count": 500,
    "pagination_pages": 20,
    "pagination_reps": 1,
    "campaign_counts": {0.0: 500, 0.05: 500},
    "campaign_reps": 1,
    "startup_runs": 2,
    "quick": True,
}
