"""The progress bar's fields and the end-of-run summary (text and JSON)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engagive_async._cli.common import ExitCode
from engagive_async._cli.render import (
    CampaignSummary,
    ProgressView,
    print_summary,
    summary_json,
)
from engagive_async._journal import JournalSummary
from engagive_async.models.batch import BatchProgress, OutcomeStatus

S = OutcomeStatus


def summary(**changes: object) -> CampaignSummary:
    fields: dict[str, object] = {
        "campaign": "spring",
        "journal_path": Path("/tmp/j.sqlite"),
        "rows": 100,
        "run": {S.SENT: 90, S.FAILED: 4, S.UNKNOWN: 1, S.SKIPPED: 0},
        "not_attempted": 5,
        "skip_reasons": {},
        "journal": JournalSummary(
            campaign="spring",
            total=95,
            by_status={"SENT": 90, "FAILED": 4, "UNKNOWN": 1},
            by_meta_error={131026: 4},
            meta_error_examples={131026: "UpstreamError: HTTP 502 (Meta error 131026)"},
        ),
        "elapsed": 2.0,
        "interrupted": True,
        "exit_code": ExitCode.INTERRUPTED,
    }
    fields.update(changes)
    return CampaignSummary(**fields)  # type: ignore[arg-type]


def test_summary_json_has_run_and_campaign_counts() -> None:
    """--json carries this run's counts, the journal's totals and the exit code."""
    data = summary_json(summary())
    assert data["run"] == {"sent": 90, "failed": 4, "unknown": 1, "skipped": 0,
                           "not_attempted": 5}  # fmt: skip
    assert data["campaign_totals"] == {
        "rows": 95,
        "by_status": {"sent": 90, "failed": 4, "unknown": 1, "skipped": 0, "in_flight": 0},
        "by_meta_error": {"131026": 4},
    }
    assert (data["interrupted"], data["exit_code"], data["journal"]) == (
        True, 130, "/tmp/j.sqlite"
    )  # fmt: skip


def test_summary_text_shows_tables_journal_and_interrupt(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The text summary shows statuses, Meta codes with an example, the journal path."""
    print_summary(summary(skip_reasons={"already sent": 3}))
    out = capsys.readouterr().out
    assert "Campaign spring" in out
    assert "not attempted" in out
    assert "131026" in out
    assert "Meta error 131026" in out
    assert "skipped this run: 3 already sent" in out
    assert "journal: /tmp/j.sqlite" in out
    assert "interrupted" in out


def test_progress_view_shows_counts_rate_and_eta(capsys: pytest.CaptureFixture[str]) -> None:
    """The bar renders done/total, rate, ETA and per-status counts (here on a non-terminal)."""
    with ProgressView(1000, "Sending t") as view:
        view.update(
            BatchProgress(
                done=250,
                total=None,
                by_status={S.SENT: 240, S.FAILED: 10, S.UNKNOWN: 0, S.SKIPPED: 0},
                in_flight=8,
                elapsed=2.5,
            )
        )
    err = capsys.readouterr().err
    assert "250/1,000" in err
    assert "100 msg/s" in err
    assert "ETA 0:00:07" in err
    assert "sent 240" in err
    assert "failed 10" in err


def test_disabled_progress_view_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """With --json the bar is off: updates print nothing."""
    with ProgressView(10, "x", enabled=False) as view:
        view.update(BatchProgress(done=1, total=10, by_status={}, in_flight=0, elapsed=1.0))
    assert capsys.readouterr() == ("", "")
