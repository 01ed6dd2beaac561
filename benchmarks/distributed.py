"""Campaign jobs across worker processes: rows per second with 1, 2 and 4 workers, and the
shared journal's round trips per row.

Each run: a fresh database on a throwaway PostgreSQL (``testing.local_postgres``, with
``pg_stat_statements`` loaded), a FakeEngagive in a process of its own
(``python -m engagive_async.testing``, optional latency), one campaign planned into chunk jobs,
then ``engagive-async campaign work --until-done`` in W processes started together. The rate is
rows over the time from the workers' start to the last one's exit (process start-up included).
Round trips are the journal's statements counted by ``pg_stat_statements`` (each statement is
one round trip: the journal runs in autocommit), divided by the rows. Not part of the tests.

Run: ``.venv/bin/python -m benchmarks.distributed [--rows 10000] [--workers 1,2,4]
[--latency 0.05]``; writes ``benchmarks/results/distributed-latency<ms>ms.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import psycopg

from engagive_async import TemplateSend
from engagive_async.campaigns import CampaignJobs, procrastinate_app
from engagive_async.testing import local_postgres

RESULTS = Path(__file__).parent / "results"
TOKEN = "test-token"  # noqa: S105 - FakeEngagive's default token, not a secret


def start_fake(latency: float) -> tuple[subprocess.Popen[str], str]:
    argv = [
        sys.executable,
        "-m",
        "engagive_async.testing",
        "--port",
        "0",
        "--latency",
        str(latency),
    ]
    fake = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert fake.stdout is not None
    line = fake.stdout.readline().strip()
    if not line.startswith("serving "):
        fake.kill()
        raise RuntimeError(f"the fake did not start: {line!r}")
    return fake, line.removeprefix("serving ")


async def plan(database: str, rows: int, chunk: int) -> None:
    items = [
        TemplateSend(to=f"92300{n:07d}", template_name="order_shipped", lang_code="en")
        for n in range(rows)
    ]
    app = procrastinate_app(database)
    async with app.open_async(), CampaignJobs(app, database=database) as jobs:
        await jobs.plan("bench", 1, items, chunk_size=chunk)


def journal_statements(database: str) -> dict[str, int]:
    """Calls of the journal's statements (they touch engagive_sends) by kind."""
    with psycopg.connect(database) as conn:
        found = conn.execute(
            "SELECT query, calls FROM pg_stat_statements WHERE query LIKE '%engagive_sends%' "
            "AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    kinds: dict[str, int] = {}
    for query, calls in found:
        text = " ".join(query.split())
        if text.startswith("WITH prior"):
            kind = "claim"
        elif "row_key = ANY" in text:
            kind = "skip_check"
        elif text.startswith("INSERT"):
            kind = "record"
        else:
            kind = "other"
        kinds[kind] = kinds.get(kind, 0) + int(calls)
    return kinds


def one_run(
    server: str, *, name: str, workers: int, rows: int, chunk: int, jobs: int, concurrency: int,
    base_url: str,
) -> dict[str, Any]:  # fmt: skip
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    database = server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    anyio.run(plan, database, rows, chunk)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset()")
    env = {**os.environ, "ENGAGIVE_API_TOKEN": TOKEN, "ENGAGIVE_BASE_URL": base_url}
    argv = [
        sys.executable, "-m", "engagive_async", "campaign", "work", "--database", database,
        "--until-done", "--jobs", str(jobs), "--concurrency", str(concurrency),
    ]  # fmt: skip
    started = time.perf_counter()
    procs = [subprocess.Popen(argv, env=env) for _ in range(workers)]
    codes = [p.wait(timeout=900) for p in procs]
    elapsed = time.perf_counter() - started
    if any(codes):
        raise RuntimeError(f"a worker failed: exit codes {codes}")
    statements = journal_statements(database)
    with psycopg.connect(database) as conn:
        by_status = dict(
            conn.execute("SELECT status, count(*) FROM engagive_sends GROUP BY status").fetchall()
        )
    journal_calls = sum(statements.values())
    return {
        "workers": workers,
        "rows": rows,
        "elapsed_s": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed, 1),
        "journal_statements": statements,
        "journal_round_trips_per_row": round(journal_calls / rows, 3),
        "journal_rows": by_status,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.distributed", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=1, help="chunk jobs at once per worker")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight per job")
    parser.add_argument("--latency", type=float, default=0.0, help="the fake's seconds per answer")
    args = parser.parse_args(argv)
    levels = [int(w) for w in args.workers.split(",")]
    runs = []
    fake, base_url = start_fake(args.latency)
    try:
        with local_postgres(settings={"shared_preload_libraries": "pg_stat_statements"}) as server:
            for n, workers in enumerate(levels):
                result = one_run(
                    server, name=f"bench_{n}", workers=workers, rows=args.rows,
                    chunk=args.chunk, jobs=args.jobs, concurrency=args.concurrency,
                    base_url=base_url,
                )  # fmt: skip
                print(json.dumps(result), file=sys.stderr, flush=True)
                runs.append(result)
    finally:
        fake.terminate()
        fake.wait()
    report = {
        "settings": vars(args),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"distributed-latency{round(args.latency * 1000)}ms.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
