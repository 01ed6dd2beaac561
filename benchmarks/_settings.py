"""How long and how often: one object, filled from the command line."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Knobs of one ``python -m benchmarks`` run (defaults: ``make bench``)."""

    reps: int = 3
    concurrencies: tuple[int, ...] = (1, 8, 64, 256)
    latencies: tuple[float, ...] = (0.0, 0.05)
    #: Seconds each client sends per measurement, per latency (after its warm-up).
    durations: dict[float, float] = field(default_factory=lambda: {0.0: 1.5, 0.05: 2.0})
    warmup: float = 0.4
    clients: tuple[str, ...] = ("sdk", "sdk_httpx", "aiohttp", "httpx")
    server: str = "auto"  # "auto" measures FakeEngagive and falls back to the canned server
    stream_count: int = 1_000_000
    stream_concurrency: int = 64
    profile_count: int = 20_000
    pin: bool = True
    pagination: bool = True
    otel: bool = True
    quick: bool = False

    def duration(self, latency: float) -> float:
        """The measuring window for ``latency``."""
        return self.durations.get(latency, max(self.durations.values()))

    def to_json(self) -> dict[str, Any]:
        """The settings as recorded in the results."""
        data = asdict(self)
        data["durations"] = {str(k): v for k, v in self.durations.items()}
        return data
