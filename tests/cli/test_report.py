"""report: a journal's campaigns summarised, and one exported to CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import anyio

from engagive_async import UpstreamError
from engagive_async._journal import SqliteJournal
from engagive_async.models.batch import OutcomeStatus, SendOutcome, TemplateSend
from engagive_async.models.meta import MetaError
from engagive_async.models.results import SendResult
from tests.cli.conftest import invoke, number


def build_journal(path: Path, campaign: str, sent: int, failed: int) -> None:
    """A journal with ``sent`` SENT rows then ``failed`` rows refused by Meta (131026)."""

    async def fill() -> None:
        async with SqliteJournal(path, campaign) as journal:
            for n in range(sent + failed):
                item = TemplateSend(to=number(n), template_name="t", lang_code="en")
                await journal.before_send(n, item)
                if n < sent:
                    meta = {"messages": [{"id": f"wamid.{n}"}]}
                    outcome = SendOutcome(
                        index=n,
                        item=item,
                        status=OutcomeStatus.SENT,
                        result=SendResult(data={}, meta_response=meta),
                        attempts=1,
                    )
                else:
                    error = UpstreamError(
                        "Meta refused",
                        method="POST",
                        url="http://127.0.0.1/x",
                        status_code=502,
                        body=None,
                        meta_response={"error": {"code": 131026}},
                        meta_error=MetaError(code=131026),
                    )
                    outcome = SendOutcome(
                        index=n, item=item, status=OutcomeStatus.FAILED, error=error, attempts=1
                    )
                await journal.record(outcome)

    anyio.run(fill)


def test_report_summarises_every_campaign(tmp_path: Path) -> None:
    """Without --campaign, each campaign gets its table of statuses and Meta error codes."""
    path = tmp_path / "j.sqlite"
    build_journal(path, "spring", sent=5, failed=2)
    build_journal(path, "autumn", sent=3, failed=0)
    result = invoke("report", path)
    assert result.exit_code == 0, result.stderr
    assert "Campaign autumn" in result.stdout
    assert "Campaign spring" in result.stdout
    assert "131026" in result.stdout

    as_json = json.loads(invoke("report", path, "--json").stdout)
    assert as_json["campaigns"]["spring"]["by_status"]["sent"] == 5
    assert as_json["campaigns"]["spring"]["by_status"]["failed"] == 2
    assert as_json["campaigns"]["spring"]["by_meta_error"] == {"131026": 2}
    assert as_json["campaigns"]["autumn"]["rows"] == 3


def test_report_exports_one_campaign_to_csv(tmp_path: Path) -> None:
    """--csv writes every row of the chosen campaign with its wamid and status."""
    path = tmp_path / "j.sqlite"
    build_journal(path, "spring", sent=3, failed=1)
    build_journal(path, "autumn", sent=1, failed=0)
    out = tmp_path / "out.csv"
    result = invoke("report", path, "--campaign", "spring", "--csv", out)
    assert result.exit_code == 0, result.stderr
    assert "wrote 4 rows" in result.stdout
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["to"], r["status"], r["wamid"]) for r in rows] == [
        (number(0), "SENT", "wamid.0"),
        (number(1), "SENT", "wamid.1"),
        (number(2), "SENT", "wamid.2"),
        (number(3), "FAILED", ""),
    ]
    assert {r["campaign"] for r in rows} == {"spring"}


def test_csv_export_needs_one_campaign(tmp_path: Path) -> None:
    """--csv on a file of several campaigns asks for --campaign (exit 2)."""
    path = tmp_path / "j.sqlite"
    build_journal(path, "spring", sent=1, failed=0)
    build_journal(path, "autumn", sent=1, failed=0)
    result = invoke("report", path, "--csv", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "choose one with --campaign" in result.stderr


def test_missing_journal_or_campaign_is_bad_input(tmp_path: Path) -> None:
    """A missing journal file, or an unknown campaign, exits 2 without creating anything."""
    missing = invoke("report", tmp_path / "none.sqlite")
    assert missing.exit_code == 2
    assert "no journal at" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()
    path = tmp_path / "j.sqlite"
    build_journal(path, "spring", sent=1, failed=0)
    unknown = invoke("report", path, "--campaign", "winter")
    assert unknown.exit_code == 2
    assert "no campaign 'winter'" in unknown.stderr


def test_a_file_that_is_not_a_journal_is_bad_input(tmp_path: Path) -> None:
    """A file that is not SQLite is refused with exit 2 and a message, not a traceback."""
    path = tmp_path / "notes.sqlite"
    path.write_text("just some notes, long enough to not be a database header\n" * 20)
    result = invoke("report", path)
    assert result.exit_code == 2
    assert "the journal cannot be used" in result.stderr
