"""``report``: summarise a journal's campaigns and export one to CSV."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from engagive_async._cli.common import (
    ExitCode,
    fail,
    journal_target,
    print_json,
    run_async,
    stdout,
)
from engagive_async._cli.render import journal_json
from engagive_async._journal import JournalSummary, describe_journal, open_journal

__all__ = ["report"]

_STATUSES = ("SENT", "FAILED", "UNKNOWN", "SKIPPED", "IN_FLIGHT")


@click.command()
@click.argument("journal", metavar="JOURNAL")
@click.option("--campaign", help="Only this campaign [default: every campaign in the journal].")
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the campaign's rows (status, wamid, Meta's answer, error...) to this CSV file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def report(journal: str, campaign: str | None, csv_out: Path | None, as_json: bool) -> None:
    """Summarise the campaigns of JOURNAL (a SQLite file or a postgresql:// URL): rows by
    status and by Meta error code."""
    target = journal_target(journal)
    label = describe_journal(target)
    if isinstance(target, Path) and not target.is_file():
        fail(f"no journal at {label}", ExitCode.BAD_INPUT)

    async def gather() -> tuple[list[JournalSummary], int | None]:
        async with open_journal(target, "-", create=False) as reader:
            names = await reader.campaigns()
        if campaign is not None:
            if campaign not in names:
                fail(f"no campaign {campaign!r} in {label} (it has: {names})", ExitCode.BAD_INPUT)
            names = [campaign]
        if csv_out is not None and len(names) != 1:
            several = f"{label} holds {len(names)} campaigns: choose one with --campaign"
            fail(several, ExitCode.BAD_INPUT)
        summaries = []
        exported = None
        for name in names:
            async with open_journal(target, name, create=False) as one:
                summaries.append(await one.summary())
                if csv_out is not None:
                    exported = await one.export_csv(csv_out)
        return summaries, exported

    summaries, exported = run_async(gather)
    if as_json:
        print_json(
            {
                "journal": label,
                "campaigns": {s.campaign: journal_json(s) for s in summaries},
                **({"csv": str(csv_out), "exported": exported} if csv_out else {}),
            }
        )
        return
    for summary in summaries:
        _print_campaign(summary)
    if not summaries:
        stdout.print(f"{escape(label)}: no campaigns yet")
    if csv_out is not None:
        stdout.print(f"wrote {exported:,} rows to {escape(str(csv_out))}")


def _print_campaign(summary: JournalSummary) -> None:
    table = Table(title=f"Campaign {escape(summary.campaign)}", title_justify="left")
    table.add_column("Status")
    table.add_column("Rows", justify="right")
    for status in _STATUSES:
        table.add_row(status.lower().replace("_", " "), f"{summary.by_status.get(status, 0):,}")
    table.add_section()
    table.add_row("total", f"{summary.total:,}")
    stdout.print(table)
    if summary.by_meta_error:
        errors = Table(title="Meta errors (failed and unknown rows)", title_justify="left")
        errors.add_column("Code", justify="right")
        errors.add_column("Rows", justify="right")
        errors.add_column("Example")
        for code, count in summary.by_meta_error.items():
            example = summary.meta_error_examples.get(code, "")
            errors.add_row(str(code), f"{count:,}", escape(example[:70]))
        stdout.print(errors)
