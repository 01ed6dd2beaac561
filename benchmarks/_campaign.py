"""Campaign rates: ``send_many`` with and without a journal, and the CLI, over one server.

A journaled campaign claims each row in the journal (committed) before its request and records
its outcome after; the SDK's journal groups the commits of rows starting together. Here the
same ``count`` template sends go through ``send_many`` plainly, with a ``SqliteJournal`` (a
fresh file per run, ``synchronous=FULL``, the default), and through the CLI
(``engagive-async send-template`` over a CSV file of ``count`` rows, in a process of its own,
timed from start to exit, so its rate includes Python's start-up and the file check).
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._common import ACCOUNT_ID, LANG_CODE, TEMPLATE_NAME, TOKEN, recipient

__all__ = ["cli_campaign", "library_campaign"]


async def _library(url: str, count: int, concurrency: int, journaled: bool) -> dict[str, Any]:
    from engagive_async import AsyncClient, OutcomeStatus, SqliteJournal, TemplateSend
    from engagive_async.builders import body_text

    # The template's one body placeholder filled, as the CLI's body.1 column fills it.
    items = [
        TemplateSend(
            to=recipient(i),
            template_name=TEMPLATE_NAME,
            lang_code=LANG_CODE,
            components=[body_text(f"Customer {i}")],
        )
        for i in range(count)
    ]
    sent = 0
    with tempfile.TemporaryDirectory() as folder:
        async with AsyncClient(TOKEN, base_url=url, max_connections=concurrency) as client:
            messages = client.account(ACCOUNT_ID).messages
            # Warm the pool (and the journal's thread) so the run measures the steady pace.
            async for _ in messages.send_many(items[: 2 * concurrency], concurrency=concurrency):
                pass
            journal = SqliteJournal(Path(folder) / "bench.sqlite", "bench") if journaled else None
            if journal is not None:
                await journal.open()
            try:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                async for outcome in messages.send_many(
                    items, concurrency=concurrency, journal=journal
                ):
                    sent += outcome.status is OutcomeStatus.SENT
                wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            finally:
                if journal is not None:
                    await journal.aclose()
    return {
        "count": count,
        "sent": sent,
        "wall": wall,
        "cpu": cpu,
        "rps": count / wall,
        "cpu_per_send_us": cpu / count * 1e6,
    }


def library_campaign(url: str, count: int, concurrency: int, journaled: bool) -> dict[str, Any]:
    """``count`` sends through ``send_many``, with a fresh ``SqliteJournal`` or without."""
    return asyncio.run(_library(url, count, concurrency, journaled))


def cli_campaign(url: str, count: int, concurrency: int, core: int | None) -> dict[str, Any]:
    """``count`` rows through ``engagive-async send-template``, timed from start to exit."""
    from benchmarks._procs import pin

    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "rows.csv"
        with rows.open("w", newline="") as out:
            writer = csv.writer(out)
            # The CLI checks the template first: its one body placeholder needs body.1.
            writer.writerow(["to", "body.1"])
            writer.writerows([recipient(i), f"Customer {i}"] for i in range(count))
        command = [
            sys.executable,
            "-m",
            "engagive_async",
            "send-template",
            str(rows),
            "--template",
            TEMPLATE_NAME,
            "--lang",
            LANG_CODE,
            "--account",
            str(ACCOUNT_ID),
            "--concurrency",
            str(concurrency),
            "--json",
            "--base-url",
            url,
        ]
        env = {**os.environ, "ENGAGIVE_API_TOKEN": TOKEN}
        wall0 = time.perf_counter()
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        pin(proc.pid, core)
        out, err = proc.communicate(timeout=600)
        wall = time.perf_counter() - wall0
    if proc.returncode != 0:
        raise RuntimeError(f"the CLI exited with {proc.returncode}: {err.strip()[-500:]}")
    return {"count": count, "wall": wall, "rps": count / wall, "summary": out.strip()[-2000:]}
