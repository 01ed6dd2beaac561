"""campaign plan|work|status: the command line over the procrastinate campaign jobs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engagive_async.testing import FakeEngagive
from tests.cli.conftest import invoke, number, write_csv

pytestmark = [pytest.mark.usefixtures("base_url"), pytest.mark.timeout(60)]


def test_plan_work_status_send_every_row_once(
    fake: FakeEngagive, tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan checks and defers the file, work runs it to the end, status reports it; a second
    plan and work send nothing more."""
    monkeypatch.setenv("ENGAGIVE_DATABASE_URL", pg_database)
    path = write_csv(tmp_path / "r.csv", 250)
    args = ("--template", "order_shipped", "--lang", "en", "--account", "1")
    planned = invoke("campaign", "plan", path, *args, "--chunk-size", "100", "--json")
    assert planned.exit_code == 0, planned.stderr
    assert json.loads(planned.stdout) == {
        "campaign": "r.csv:order_shipped:en",
        "rows": 250,
        "jobs": 3,
    }

    waiting = json.loads(invoke("campaign", "status", "r.csv:order_shipped:en", "--json").stdout)
    assert (waiting["finished"], waiting["jobs"]) == (False, {"todo": 3})

    worked = invoke("campaign", "work", "--until-done", "--jobs", "2")
    assert worked.exit_code == 0, worked.stderr
    assert sorted(m.to for m in fake.sent) == [number(n) for n in range(250)]

    done = invoke("campaign", "status", "r.csv:order_shipped:en", "--json")
    found = json.loads(done.stdout)
    assert found["finished"] is True
    assert found["jobs"] == {"succeeded": 3}
    assert found["journal"]["by_status"]["sent"] == 250
    assert "finished" in invoke("campaign", "status", "r.csv:order_shipped:en").stdout

    assert invoke("campaign", "plan", path, *args).exit_code == 0
    assert invoke("campaign", "work", "--until-done").exit_code == 0
    assert len(fake.sent) == 250


def test_plan_refuses_a_file_with_bad_rows(tmp_path: Path, pg_database: str) -> None:
    """Like send-template, plan checks every row first and defers nothing when one is bad."""
    path = tmp_path / "bad.csv"
    path.write_text("to,body.1\nnot-a-number,Ann\n", encoding="utf-8")
    result = invoke(
        "campaign", "plan", path, "--template", "order_shipped", "--lang", "en",
        "--account", "1", "--database", pg_database,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "nothing was sent" in result.stderr
