"""send-template and report with ``--journal postgresql://...``: the shared journal from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engagive_async.testing import FakeEngagive
from tests.cli.conftest import invoke, number, send_args, write_csv

pytestmark = pytest.mark.usefixtures("base_url")


def with_password(dsn: str) -> str:
    """The server's DSN with a password (its trust authentication ignores it)."""
    return dsn.replace("engagive@", "engagive:pw-hidden@", 1)


def test_send_and_report_through_postgres(
    fake: FakeEngagive, tmp_path: Path, postgres_server: str
) -> None:
    """Rows go once through a Postgres journal; a rerun skips them; report reads the database;
    the password never shows."""
    dsn = with_password(postgres_server)  # the CLI's journal lives in schema public
    path = write_csv(tmp_path / "r.csv", 60)
    first = invoke(*send_args(path, "--journal", dsn, "--campaign", "spring", "--json"))
    assert first.exit_code == 0, first.stderr
    assert sorted(m.to for m in fake.sent) == [number(n) for n in range(60)]
    assert not (tmp_path / "r.journal.sqlite").exists()
    summary = json.loads(first.stdout)
    assert summary["campaign_totals"]["by_status"]["sent"] == 60
    assert "pw-hidden" not in first.stdout

    again = invoke(*send_args(path, "--journal", dsn, "--campaign", "spring", "--json"))
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["skip_reasons"] == {"already sent": 60}
    assert len(fake.sent) == 60

    report = invoke("report", dsn, "--json", "--csv", tmp_path / "out.csv")
    assert report.exit_code == 0, report.stderr
    found = json.loads(report.stdout)
    assert found["campaigns"]["spring"]["by_status"]["sent"] == 60
    assert found["exported"] == 60
    assert "pw-hidden" not in report.stdout
    table = invoke("report", dsn)
    assert "Campaign spring" in table.stdout


def test_an_unreachable_database_is_bad_input(tmp_path: Path) -> None:
    """A journal URL nobody answers exits 2 with the reason, before anything is sent."""
    path = write_csv(tmp_path / "r.csv", 3)
    result = invoke(*send_args(path, "--journal", "postgresql://x:secret@127.0.0.1:1/db"))
    assert result.exit_code == 2
    assert "journal cannot be used" in result.stderr
    assert "secret" not in result.stderr
