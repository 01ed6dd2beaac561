"""send-template --pacing: the campaign's pace shared through PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from engagive_async.testing import FakeEngagive
from tests.cli.conftest import invoke, number, send_args, write_csv

pytestmark = pytest.mark.usefixtures("base_url")


def test_pacing_shares_the_pace_under_the_account_key(
    fake: FakeEngagive, tmp_path: Path, pg_database: str
) -> None:
    """Every row is sent once, paced through the database's row for ``account:1``."""
    path = write_csv(tmp_path / "r.csv", 40)
    result = invoke(*send_args(path, "--pacing", pg_database, "--rate-limit", "400"))
    assert result.exit_code == 0, result.stderr
    assert sorted(m.to for m in fake.sent) == [number(n) for n in range(40)]
    with psycopg.connect(pg_database) as db:
        keys = db.execute("SELECT pacing_key, next_slot > 0 FROM engagive_pacing").fetchall()
        booked = db.execute("SELECT count(*) FROM engagive_pacing_recipient").fetchone()
    assert keys == [("account:1", True)]
    assert booked == (40,)


def test_pacing_key_names_the_shared_row(
    fake: FakeEngagive, tmp_path: Path, pg_database: str
) -> None:
    """--pacing-key chooses the row the pace lives in (for example the sending number)."""
    path = write_csv(tmp_path / "r.csv", 3)
    result = invoke(*send_args(path, "--pacing", pg_database, "--pacing-key", "number:1065"))
    assert result.exit_code == 0, result.stderr
    with psycopg.connect(pg_database) as db:
        keys = db.execute("SELECT pacing_key FROM engagive_pacing").fetchall()
    assert keys == [("number:1065",)]


def test_pacing_must_be_a_postgres_url(tmp_path: Path) -> None:
    """Anything but a postgresql:// URL is refused before the file is read."""
    path = write_csv(tmp_path / "r.csv", 1)
    result = invoke(*send_args(path, "--pacing", "redis://localhost"))
    assert result.exit_code != 0
    assert "postgresql://" in result.stderr


@pytest.mark.timeout(60)
def test_campaign_work_shares_the_pace_under_the_pacing_key(
    fake: FakeEngagive, tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """campaign work --pacing-key paces every chunk job through the database's shared row."""
    monkeypatch.setenv("ENGAGIVE_DATABASE_URL", pg_database)
    path = write_csv(tmp_path / "r.csv", 60)
    args = ("--template", "order_shipped", "--lang", "en", "--account", "1")
    assert invoke("campaign", "plan", path, *args, "--chunk-size", "20").exit_code == 0
    worked = invoke(
        "campaign", "work", "--until-done", "--jobs", "2",
        "--pacing-key", "number:1065", "--rate-limit", "400",
    )  # fmt: skip
    assert worked.exit_code == 0, worked.stderr
    assert sorted(m.to for m in fake.sent) == [number(n) for n in range(60)]
    with psycopg.connect(pg_database) as db:
        keys = db.execute("SELECT pacing_key FROM engagive_pacing").fetchall()
        booked = db.execute("SELECT count(*) FROM engagive_pacing_recipient").fetchone()
    assert keys == [("number:1065",)]
    assert booked == (60,)
