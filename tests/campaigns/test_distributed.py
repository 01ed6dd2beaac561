"""One campaign across worker processes, one of them SIGKILLed mid-run, proved from the
fake's request log: every row one final journal record, nobody received a message twice.

Real processes (``engagive-async campaign work``), a real PostgreSQL and FakeEngagive on
loopback with injected faults (rate limits, Meta's pace error, dropped connections).
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest

from engagive_async import PostgresJournal, TemplateSend
from engagive_async.campaigns import CampaignJobs, procrastinate_app
from engagive_async.testing import FakeEngagive, Fault

pytestmark = pytest.mark.timeout(120)

ROWS = 3000
CHUNK = 100
WORKERS = 3
JOBS_PER_WORKER = 2
CONCURRENCY = 16
RECORD_BATCH = 64  # PostgresJournal's default group of outcomes


def recipients(n: int) -> list[str]:
    return [f"92300{i:07d}" for i in range(n)]


async def plan(database: str) -> None:
    app = procrastinate_app(database)
    items = [
        TemplateSend(to=to, template_name="order_shipped", lang_code="en")
        for to in recipients(ROWS)
    ]
    async with app.open_async(), CampaignJobs(app, database=database) as jobs:
        planned = await jobs.plan("distributed", 1, items, chunk_size=CHUNK)
    assert planned.jobs == ROWS // CHUNK


def start_worker(database: str, base_url: str, name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ENGAGIVE_API_TOKEN": "test-token", "ENGAGIVE_BASE_URL": base_url}
    argv = [
        sys.executable, "-m", "engagive_async", "campaign", "work", "--database", database,
        "--until-done", "--stalled-after", "3", "--jobs", str(JOBS_PER_WORKER),
        "--concurrency", str(CONCURRENCY), "--name", name,
    ]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@pytest.fixture
def fake_url() -> Iterator[tuple[FakeEngagive, str]]:
    fake = FakeEngagive()
    fake.fault_mix(
        {
            Fault.status(429, retry_after=0.05): 0.03,
            Fault.meta_error(130429): 0.01,
            Fault.drop(): 0.003,
        },
        seed=11,
    )
    with fake.serve_in_thread() as url:
        yield fake, url


def test_workers_share_a_campaign_and_a_killed_one_causes_no_duplicate(
    pg_database: str, fake_url: tuple[FakeEngagive, str], tmp_path: Path
) -> None:
    """3 workers, one SIGKILLed once 900 rows went out, a replacement started: every row has
    one final record, every accepted send one row, and no recipient got two messages."""
    fake, url = fake_url
    anyio.run(plan, pg_database)
    workers = [start_worker(pg_database, url, f"w{n}") for n in range(WORKERS)]
    try:
        wait_for(lambda: len(fake.sent) >= 900)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        workers.append(start_worker(pg_database, url, "replacement"))
        for worker in workers[1:]:
            _, err = worker.communicate(timeout=90)
            assert worker.returncode == 0, err.decode(errors="replace")[-2000:]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            if worker.stderr is not None:
                worker.stderr.close()
    assert workers[0].returncode == -signal.SIGKILL

    rows = anyio.run(_journal_rows, pg_database, tmp_path / "rows.csv")
    status = anyio.run(_job_status, pg_database)
    assert status == {"succeeded": ROWS // CHUNK}
    accepted = Counter(m.to for m in fake.sent)
    # Nobody received a message twice: retries only followed refused (429) attempts.
    assert max(accepted.values()) == 1
    # Every row has exactly one record, and it is final unless its worker was killed with it.
    assert sorted(rows) == recipients(ROWS)
    by_status = Counter(rows.values())
    assert set(by_status) <= {"SENT", "FAILED", "UNKNOWN", "IN_FLIGHT"}
    # Left by the killed worker: its requests in flight, and outcomes waiting for their group.
    assert by_status["IN_FLIGHT"] <= JOBS_PER_WORKER * (CONCURRENCY + RECORD_BATCH)
    # The journal agrees with the fake's log: SENT rows were accepted, UNKNOWN (dropped) and
    # FAILED rows were not; a row left in flight was accepted at most once.
    for to, row_status in rows.items():
        if row_status == "SENT":
            assert accepted[to] == 1, to
        elif row_status in {"UNKNOWN", "FAILED"}:
            assert accepted[to] == 0, to
    assert by_status["SENT"] >= ROWS * 0.95
    assert len(accepted) == by_status["SENT"] + sum(
        accepted[to] for to, s in rows.items() if s == "IN_FLIGHT"
    )


async def _journal_rows(database: str, export: Path) -> dict[str, str]:
    """recipient -> status, through the journal's own CSV export."""
    async with PostgresJournal(database, "distributed") as journal:
        await journal.export_csv(export)
    with export.open(encoding="utf-8", newline="") as f:
        return {row["to"]: row["status"] for row in csv.DictReader(f)}


async def _job_status(database: str) -> dict[str, int]:
    app = procrastinate_app(database)
    async with app.open_async(), CampaignJobs(app, database=database) as jobs:
        return dict((await jobs.status("distributed")).jobs)
