"""What a campaign shows: a live progress bar on stderr, then a summary on stdout (or JSON)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
from rich.console import RenderableType
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from engagive_async._cli.common import ExitCode, stderr, stdout
from engagive_async._journal import JournalSummary
from engagive_async.models.batch import BatchProgress, OutcomeStatus

__all__ = ["CampaignSummary", "ProgressView", "print_summary", "summary_json"]

_STATUS_STYLE = {
    OutcomeStatus.SENT: "green",
    OutcomeStatus.FAILED: "red",
    OutcomeStatus.UNKNOWN: "yellow",
    OutcomeStatus.SKIPPED: "dim",
}
_JOURNAL_STATUSES = ("SENT", "FAILED", "UNKNOWN", "SKIPPED", "IN_FLIGHT")


class ProgressView:
    """The live bar: done/total, percentage, rate, ETA and counts by status (stderr).

    A no-op when ``enabled`` is false (``--json``), so callers need not branch.
    """

    def __init__(self, total: int, description: str, *, enabled: bool = True) -> None:
        self.total = total
        self._progress: _TwoLineProgress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = _TwoLineProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=None),
                TextColumn("{task.fields[done]}"),
                TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[rate]}"),
                TextColumn("{task.fields[eta]}"),
                console=stderr,
                refresh_per_second=8,
                expand=True,
            )
            fields = _fields(None, total)
            self._progress.counts = fields["counts"]
            self._task = self._progress.add_task(escape(description), total=max(total, 1), **fields)

    def __enter__(self) -> ProgressView:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, progress: BatchProgress) -> None:
        """Show a batch snapshot (called after every outcome: cheap, rich redraws on a timer)."""
        if self._progress is not None and self._task is not None:
            fields = _fields(progress, self.total)
            self._progress.counts = fields["counts"]
            self._progress.update(self._task, completed=progress.done, **fields)

    def note(self, text: str) -> None:
        """A line above the bar (or on stderr when there is no bar)."""
        (self._progress.console if self._progress is not None else stderr).print(escape(text))


class _TwoLineProgress(Progress):
    """The bar on one line and the counts by status under it, so neither is cut short."""

    counts = ""

    def get_renderables(self) -> Iterable[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        yield Text.from_markup(self.counts)


def _fields(progress: BatchProgress | None, total: int) -> dict[str, Any]:
    done = progress.done if progress is not None else 0
    rate = progress.rate if progress is not None else 0.0
    eta = "ETA -:--:--"
    if rate > 0 and total >= done:
        seconds = int((total - done) / rate)
        eta = f"ETA {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    by_status = progress.by_status if progress is not None else {}
    counts = "  " + " · ".join(
        f"[{_STATUS_STYLE[s]}]{s.value} {by_status.get(s, 0):,}[/]" for s in OutcomeStatus
    )
    if progress is not None:
        counts += f" · in flight {progress.in_flight:,}"
    return {
        "done": f"{done:,}/{total:,}",
        "rate": f"{rate:,.0f} msg/s",
        "eta": eta,
        "counts": counts,
    }


@attrs.frozen(kw_only=True)
class CampaignSummary:
    """A finished (or interrupted) run, and the campaign as its journal now holds it.

    Attributes:
        run: this run's outcomes by status.
        not_attempted: rows this run gave no outcome (after an interrupt).
        skip_reasons: this run's SKIPPED outcomes by reason.
        journal: the campaign's rows by status and Meta error code, over all runs.
    """

    campaign: str
    journal_path: str | Path
    rows: int
    run: Mapping[OutcomeStatus, int]
    not_attempted: int
    skip_reasons: Mapping[str, int]
    journal: JournalSummary
    elapsed: float
    interrupted: bool
    exit_code: ExitCode


def print_summary(summary: CampaignSummary) -> None:
    """The summary tables and the journal's path, on stdout."""
    table = Table(title=f"Campaign {escape(summary.campaign)}", title_justify="left")
    table.add_column("Status")
    table.add_column("This run", justify="right")
    table.add_column("Campaign (journal)", justify="right")
    for status in OutcomeStatus:
        journal_count = summary.journal.by_status.get(status.name, 0)
        label = f"[{_STATUS_STYLE[status]}]{status.value}[/]"
        table.add_row(label, f"{summary.run.get(status, 0):,}", f"{journal_count:,}")
    table.add_row("in flight", "", f"{summary.journal.by_status.get('IN_FLIGHT', 0):,}")
    if summary.not_attempted:
        table.add_row("not attempted", f"{summary.not_attempted:,}", "")
    table.add_section()
    table.add_row("rows", f"{summary.rows:,}", f"{summary.journal.total:,}")
    stdout.print(table)
    if summary.skip_reasons:
        reasons = ", ".join(f"{n:,} {escape(r)}" for r, n in summary.skip_reasons.items())
        stdout.print(f"skipped this run: {reasons}")
    if summary.journal.by_meta_error:
        errors = Table(title="Meta errors (failed and unknown rows)", title_justify="left")
        errors.add_column("Code", justify="right")
        errors.add_column("Rows", justify="right")
        errors.add_column("Example")
        for code, count in summary.journal.by_meta_error.items():
            example = summary.journal.meta_error_examples.get(code, "")
            errors.add_row(str(code), f"{count:,}", escape(_shorten(example, 70)))
        stdout.print(errors)
    unknown = summary.run.get(OutcomeStatus.UNKNOWN, 0)
    if unknown:
        stdout.print(
            f"[yellow]unknown {unknown:,}[/]: these may have been delivered (a timeout or a "
            "dropped connection after sending, a 5xx without Meta's error); a rerun skips them "
            "unless --resend-unknown"
        )
    handled = summary.rows - summary.not_attempted
    rate = handled / summary.elapsed if summary.elapsed > 0 else 0.0
    stdout.print(f"elapsed {summary.elapsed:.1f} s ({rate:,.0f} rows/s)")
    stdout.print(f"journal: {escape(str(summary.journal_path))}")
    if summary.interrupted:
        stdout.print("[yellow]interrupted[/]: rerun the same command to continue")


def summary_json(summary: CampaignSummary) -> dict[str, Any]:
    """The summary as one JSON-ready mapping (``--json``)."""
    return {
        "campaign": summary.campaign,
        "journal": str(summary.journal_path),
        "rows": summary.rows,
        "interrupted": summary.interrupted,
        "elapsed": round(summary.elapsed, 3),
        "run": {
            **{s.value: summary.run.get(s, 0) for s in OutcomeStatus},
            "not_attempted": summary.not_attempted,
        },
        "skip_reasons": dict(summary.skip_reasons),
        "campaign_totals": journal_json(summary.journal),
        "exit_code": int(summary.exit_code),
    }


def journal_json(journal: JournalSummary) -> dict[str, Any]:
    """A journal summary as a JSON-ready mapping (shared with ``report --json``)."""
    return {
        "rows": journal.total,
        "by_status": {s.lower(): journal.by_status.get(s, 0) for s in _JOURNAL_STATUSES},
        "by_meta_error": {str(code): n for code, n in journal.by_meta_error.items()},
    }


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
