"""send-template in a child process: killed (SIGKILL) or interrupted (SIGINT), then rerun.

The server's log of accepted sends, keyed by recipient, proves that no one is messaged twice.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from engagive_async.testing import FakeEngagive
from tests.cli.conftest import invoke, number, send_args, write_csv

pytestmark = [
    pytest.mark.usefixtures("base_url"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]


def start(*args: str | Path) -> subprocess.Popen[str]:
    """The CLI as a child process (the environment already points it at the fake)."""
    return subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "engagive_async", *(str(a) for a in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
    )


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def journal_status(path: Path) -> dict[str, str]:
    """recipient -> journal status."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT recipient, status FROM engagive_sends").fetchall())


def test_killed_run_and_rerun_message_no_one_twice(fake: FakeEngagive, tmp_path: Path) -> None:
    """SIGKILL mid-campaign, then rerun: every row is in the journal, no recipient gets two."""
    fake.latency = 0.05
    path = write_csv(tmp_path / "r.csv", 300)
    journal = tmp_path / "r.journal.sqlite"
    child = start(*send_args(path, "--concurrency", "8"))
    wait_for(lambda: len(fake.sent) >= 40)
    child.kill()
    child.communicate(timeout=30)
    # Each send the server accepted was claimed in the journal before its request went out.
    after_kill = journal_status(journal)
    assert all(after_kill.get(m.to) in ("SENT", "IN_FLIGHT") for m in fake.sent)

    fake.latency = 0.0
    rerun = invoke(*send_args(path, "--concurrency", "8"))
    per_recipient = Counter(m.to for m in fake.sent)
    assert max(per_recipient.values()) == 1
    final = journal_status(journal)
    assert sorted(final) == [number(n) for n in range(300)]
    left_in_flight = {to for to, status in final.items() if status == "IN_FLIGHT"}
    assert set(final.values()) <= {"SENT", "IN_FLIGHT"}
    assert len(left_in_flight) <= 8  # at most the concurrency was in flight at the kill
    assert {to for to, status in final.items() if status == "SENT"} <= set(per_recipient)
    assert set(per_recipient) - left_in_flight == set(final) - left_in_flight
    assert rerun.exit_code == (1 if left_in_flight else 0)


def test_sigint_waits_for_answers_prints_the_summary_and_exits_130(
    fake: FakeEngagive, tmp_path: Path
) -> None:
    """Ctrl-C: no new sends, answers in flight recorded, summary printed, exit 130; rerun ends."""
    fake.latency = 0.05
    path = write_csv(tmp_path / "r.csv", 300)
    journal = tmp_path / "r.journal.sqlite"
    child = start(*send_args(path, "--concurrency", "8"))
    wait_for(lambda: len(fake.sent) >= 40)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    assert "interrupted" in err
    assert "Campaign r.csv:order_shipped:en" in out
    assert "not attempted" in out
    assert f"journal: {journal}" in out
    status = journal_status(journal)
    assert set(status.values()) == {"SENT"}  # every answer in flight arrived within the grace
    assert set(status) == {m.to for m in fake.sent}
    assert len(status) < 300

    fake.latency = 0.0
    rerun = invoke(*send_args(path, "--concurrency", "8"))
    assert rerun.exit_code == 0
    assert Counter(m.to for m in fake.sent) == Counter(number(n) for n in range(300))


def test_sigint_records_unanswered_sends_as_unknown(fake: FakeEngagive, tmp_path: Path) -> None:
    """Answers slower than the grace period: those rows end UNKNOWN and are not resent."""
    fake.latency = 1.0
    path = write_csv(tmp_path / "r.csv", 20)
    journal = tmp_path / "r.journal.sqlite"
    child = start(*send_args(path, "--concurrency", "4", "--grace", "0.2"))
    wait_for(lambda: fake.in_flight >= 4)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    assert "unknown" in out
    status = journal_status(journal)
    unknown = {to for to, s in status.items() if s == "UNKNOWN"}
    assert len(unknown) == 4
    assert set(status.values()) == {"UNKNOWN"}

    fake.latency = 0.0
    wait_for(lambda: fake.in_flight == 0)  # the server still finishes the four it was given
    rerun = invoke(*send_args(path, "--json"))
    assert rerun.exit_code == 1  # the four unknown rows stay unsent by us
    assert Counter(m.to for m in fake.sent) == Counter(number(n) for n in range(20))
