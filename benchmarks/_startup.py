"""Start-up: ``import engagive_async`` and the first request of a fresh client.

Each figure comes from a fresh interpreter (what a script or a CLI run pays):

- import time is the cumulative figure of ``engagive_async`` in ``python -X importtime``, the
  median of several processes. httpx imports its own command line (``httpx._main``: click, rich,
  pygments) whenever those are installed, as the SDK's ``cli`` extra installs them; that share
  is reported apart, since a base install (``pip install engagive_async``) does not pay it.
- the first request: a fresh ``AsyncClient`` sends one template (connecting, and loading
  aiohttp, which the SDK imports on first use), then a second one on the warm connection.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from typing import Any

from benchmarks._common import ACCOUNT_ID, LANG_CODE, TEMPLATE_NAME, TOKEN, recipient
from benchmarks._procs import ROOT

__all__ = ["first_request", "import_time", "measure"]

_FIRST_REQUEST = f"""
import asyncio, json, time
t0 = time.perf_counter()
from engagive_async import AsyncClient
imported = time.perf_counter()

async def main():
    async with AsyncClient({TOKEN!r}, base_url=URL) as client:
        messages = client.account({ACCOUNT_ID}).messages
        t1 = time.perf_counter()
        await messages.send_template(
            to={recipient(1)!r}, template_name={TEMPLATE_NAME!r}, lang_code={LANG_CODE!r}
        )
        t2 = time.perf_counter()
        await messages.send_template(
            to={recipient(2)!r}, template_name={TEMPLATE_NAME!r}, lang_code={LANG_CODE!r}
        )
        t3 = time.perf_counter()
    return t1, t2, t3

t1, t2, t3 = asyncio.run(main())
print(json.dumps({{"import_s": imported - t0, "first_s": t2 - t1, "second_s": t3 - t2}}))
"""


def _import_tree(lines: str) -> dict[str, int]:
    """Cumulative microseconds per module from ``-X importtime``'s stderr."""
    cumulative: dict[str, int] = {}
    for line in lines.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, total, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if total.isdigit():
            cumulative[name] = int(total)
    return cumulative


def import_time(runs: int) -> dict[str, Any]:
    """Median import time of ``engagive_async`` over ``runs`` fresh interpreters (ms)."""
    totals, httpx_cli = [], []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import engagive_async"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        tree = _import_tree(done.stderr)
        totals.append(tree["engagive_async"] / 1000)
        httpx_cli.append(tree.get("httpx._main", 0) / 1000)
    total = statistics.median(totals)
    cli = statistics.median(httpx_cli)
    return {
        "runs": runs,
        "import_ms": round(total, 1),
        "import_ms_samples": [round(t, 1) for t in totals],
        "httpx_cli_ms": round(cli, 1),
        "import_ms_without_httpx_cli": round(total - cli, 1),
    }


def first_request(url: str, runs: int) -> dict[str, Any]:
    """Median times of a fresh process's first and second send to ``url`` (ms)."""
    samples = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", f"URL = {url!r}\n" + _FIRST_REQUEST],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))

    def median_ms(key: str) -> float:
        return round(statistics.median(s[key] for s in samples) * 1000, 1)

    return {
        "runs": runs,
        "first_request_ms": median_ms("first_s"),
        "second_request_ms": median_ms("second_s"),
        "import_ms_in_process": median_ms("import_s"),
    }


def measure(url: str, runs: int) -> dict[str, Any]:
    """Both start-up figures."""
    return {**import_time(runs), **first_request(url, runs)}
