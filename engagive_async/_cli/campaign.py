"""``campaign plan|work|status``: one campaign across worker processes and machines.

Built on :mod:`engagive_async.campaigns` (procrastinate jobs over the shared Postgres journal).
``plan`` checks the file exactly as ``send-template`` does and defers its chunk jobs; every
``work`` process runs jobs until stopped (or until none is left); ``status`` reports the
journal and the jobs. The database comes from ``--database`` or ``ENGAGIVE_DATABASE_URL``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from engagive_async._cli.common import (
    ExitCode,
    api_options,
    concurrency_option,
    connect,
    fail,
    print_json,
    rate_limit_option,
    run_async,
    stdout,
)
from engagive_async._cli.mapping import COLUMNS_HELP
from engagive_async._cli.render import journal_json
from engagive_async._cli.scan import iter_items
from engagive_async._cli.template_file import (
    IGNORE_EXTRA_COLUMNS,
    SHARED_DEFAULT_RATE,
    campaign_name,
    check_template_options,
    checked_file,
    shared_pacing,
    template_file_options,
)
from engagive_async._journal import describe_journal

if TYPE_CHECKING:
    from engagive_async.campaigns import CampaignJobs

__all__ = ["campaign"]

_DATABASE = click.option(
    "--database",
    envvar="ENGAGIVE_DATABASE_URL",
    required=True,
    metavar="URL",
    help="postgresql:// URL of the jobs and the journal [default: $ENGAGIVE_DATABASE_URL].",
)
_QUEUE = click.option(
    "--queue", default="engagive_campaigns", show_default=True, help="The jobs' queue."
)


@click.group()
def campaign() -> None:
    """Run one campaign across worker processes and machines (procrastinate jobs)."""


def _campaign_jobs(database: str, queue: str, **options: Any) -> tuple[Any, CampaignJobs]:
    try:
        from engagive_async.campaigns import CampaignJobs, procrastinate_app
    except ImportError as exc:
        fail(
            f"campaign jobs need the procrastinate extra ({exc.name} is missing): "
            "pip install 'engagive_async[procrastinate]'",
            ExitCode.BAD_INPUT,
        )
    app = procrastinate_app(database)
    return app, CampaignJobs(app, database=database, queue=queue, **options)


@campaign.command("plan", epilog=COLUMNS_HELP)
@template_file_options
@_DATABASE
@click.option("--campaign", "name", help="Campaign name [default: FILE:TEMPLATE:LANG].")
@click.option(
    "--chunk-size",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="Rows per job.",
)
@_QUEUE
@IGNORE_EXTRA_COLUMNS
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plan(
    file: Path,
    template: str,
    lang: str,
    account: str,
    database: str,
    name: str | None,
    chunk_size: int,
    queue: str,
    ignore_extra_columns: bool,
    as_json: bool,
) -> None:
    """Check every row of FILE, then defer the campaign as chunk jobs for the workers."""
    check_template_options(template, lang)
    mapper, _ = checked_file(
        file, template, lang, ignore_extra=ignore_extra_columns, as_json=as_json
    )
    app, jobs = _campaign_jobs(database, queue)

    async def defer() -> Any:
        async with app.open_async(), jobs:
            return await jobs.plan(
                campaign_name(name, file, template, lang),
                account,
                iter_items(file, mapper),
                chunk_size=chunk_size,
            )

    planned = run_async(defer)
    if as_json:
        print_json({"campaign": planned.campaign, "rows": planned.rows, "jobs": planned.jobs})
        return
    stdout.print(
        f"campaign {escape(planned.campaign)}: {planned.rows:,} rows in {planned.jobs:,} jobs "
        f"on queue {escape(queue)} of {escape(describe_journal(database))}"
    )


@campaign.command("work")
@_DATABASE
@_QUEUE
@concurrency_option("Requests in flight per job.")
@click.option(
    "--jobs",
    "parallel_jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Jobs this worker runs at once.",
)
@rate_limit_option(
    "Messages per second at most, per job; with --pacing-key, for all workers together."
)
@click.option(
    "--pacing-key",
    help="Share one pace (rate, pause after a 429, spacing per recipient) under this key, "
    "e.g. the sending number, with every worker of the database [rate: --rate-limit, default "
    f"{SHARED_DEFAULT_RATE:g}/s].",
)
@click.option("--until-done", is_flag=True, help="Exit once no job waits or runs.")
@click.option(
    "--stalled-after",
    type=click.FloatRange(1),
    default=30.0,
    show_default=True,
    help="Seconds without a worker's heartbeat before its jobs go back to the queue.",
)
@click.option("--name", help="This worker's name in the job tables.")
@api_options
def work(
    database: str,
    queue: str,
    concurrency: int,
    parallel_jobs: int,
    rate_limit: float | None,
    pacing_key: str | None,
    until_done: bool,
    stalled_after: float,
    name: str | None,
    token: str | None,
    base_url: str | None,
) -> None:
    """Run the queue's chunk jobs: each a resumable send over the shared journal.

    Stops on SIGINT/SIGTERM after the jobs under way; a worker killed outright leaves its
    rows IN_FLIGHT (never resent) and its job is run again by another worker.
    """
    # A configuration problem (no token) stops here, before any job is taken.
    client = connect(token, base_url, max_connections=concurrency * parallel_jobs)
    pacing = shared_pacing(database, pacing_key, rate_limit) if pacing_key else None
    if pacing is not None:
        send_options: dict[str, Any] | None = {"pacing": pacing}
    else:
        send_options = {"rate_limit": rate_limit} if rate_limit else None
    app, jobs = _campaign_jobs(
        database,
        queue,
        client=lambda: client,  # closed with the jobs
        concurrency=concurrency,
        send_options=send_options,
    )

    async def run() -> None:
        async with app.open_async(), client, contextlib.AsyncExitStack() as stack, jobs:
            if pacing is not None:
                await stack.enter_async_context(pacing)
            await jobs.work(
                concurrency=parallel_jobs,
                until_done=until_done,
                name=name,
                stalled_after=stalled_after,
                heartbeat=max(0.5, stalled_after / 6),
            )

    run_async(run)


@campaign.command("status")
@click.argument("name", metavar="CAMPAIGN")
@_DATABASE
@_QUEUE
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(name: str, database: str, queue: str, as_json: bool) -> None:
    """The CAMPAIGN's rows by status (journal) and its jobs by status (queue)."""
    app, jobs = _campaign_jobs(database, queue)

    async def read() -> Any:
        async with app.open_async(), jobs:
            return await jobs.status(name)

    found = run_async(read)
    if as_json:
        print_json(
            {
                "campaign": found.campaign,
                "finished": found.finished,
                "jobs": dict(found.jobs),
                "journal": journal_json(found.journal),
            }
        )
        return
    table = Table(title=f"Campaign {escape(found.campaign)}", title_justify="left")
    table.add_column("Rows (journal)")
    table.add_column("", justify="right")
    table.add_column("Jobs (queue)")
    table.add_column("", justify="right")
    row_counts = sorted(found.journal.by_status.items())
    job_counts = sorted(found.jobs.items())
    for i in range(max(len(row_counts), len(job_counts), 1)):
        r = row_counts[i] if i < len(row_counts) else ("", "")
        j = job_counts[i] if i < len(job_counts) else ("", "")
        table.add_row(
            str(r[0]).lower(), f"{r[1]:,}" if r[1] != "" else "", str(j[0]),
            f"{j[1]:,}" if j[1] != "" else "",
        )  # fmt: skip
    stdout.print(table)
    stdout.print("finished" if found.finished else "running: jobs wait or run")
