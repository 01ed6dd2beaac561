"""``send-template``: check the file, then run the campaign through the journal."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path

import anyio
import attrs
import click

from engagive_async import (
    AccountClient,
    AuthenticationError,
    Pacing,
    PermissionDeniedError,
    PostgresPacing,
    TemplatePreflightError,
)
from engagive_async._cli.common import (
    ExitCode,
    api_options,
    concurrency_option,
    connect,
    fail,
    journal_target,
    print_json,
    rate_limit_option,
    run_async,
)
from engagive_async._cli.common import stderr as err_console
from engagive_async._cli.mapping import COLUMNS_HELP, TemplateMapper
from engagive_async._cli.recipients import RecipientFileError
from engagive_async._cli.render import CampaignSummary, ProgressView, print_summary, summary_json
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
from engagive_async._journal import ALREADY_SENT, describe_journal, open_journal
from engagive_async._journal._postgres import is_postgres_dsn
from engagive_async.models.batch import BatchProgress, OutcomeStatus, SendOutcome, TemplateSend
from engagive_async.resources.preflight import body_parameter_count

__all__ = ["send_template"]


@attrs.frozen(kw_only=True)
class _Campaign:
    file: Path
    mapper: TemplateMapper
    account: str
    rows: int
    concurrency: int
    rate_limit: float | None
    pacing: str | None
    pacing_key: str | None
    deadline: float | None
    grace: float
    journal: str | Path
    campaign: str
    resend_unknown: bool
    as_json: bool
    token: str | None
    base_url: str | None
    trace_sends: float = 1.0


@attrs.define
class _Tally:
    """What the run saw; the engine's own counts arrive through ``on_progress``."""

    view: ProgressView
    interrupted: bool = False
    refused: BaseException | None = None
    last: BatchProgress | None = None
    skip_reasons: Counter[str] = attrs.field(factory=Counter)

    def on_progress(self, progress: BatchProgress) -> None:
        self.last = progress
        self.view.update(progress)

    def add(self, outcome: SendOutcome) -> None:
        if outcome.status is OutcomeStatus.SKIPPED:
            self.skip_reasons[outcome.reason or "not attempted"] += 1

    def refuses(self, outcome: SendOutcome) -> bool:
        """``stop_on``: the API turned the credentials away, so every other row would fail."""
        if isinstance(outcome.error, AuthenticationError | PermissionDeniedError):
            self.refused = self.refused or outcome.error
            return True
        return False


@click.command("send-template", epilog=COLUMNS_HELP)
@template_file_options
@concurrency_option("Requests in flight at most.")
@rate_limit_option("Messages per second at most.")
@click.option(
    "--pacing",
    metavar="postgresql://...",
    help="Share the pace (rate, pause after a 429, spacing per recipient) with every worker "
    "sending for the same key through this PostgreSQL; the rate is --rate-limit "
    f"[default: {SHARED_DEFAULT_RATE:g}/s, Meta's default per number].",
)
@click.option(
    "--pacing-key",
    help="What the shared pace belongs to, e.g. the sending number [default: account:ACCOUNT].",
)
@click.option(
    "--deadline",
    type=click.FloatRange(0, min_open=True),
    help="Seconds: then start no new sends (the rest are SKIPPED, resumable).",
)
@click.option(
    "--grace",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    help="Seconds to wait for answers in flight after Ctrl-C or the deadline.",
)
@click.option(
    "--journal",
    metavar="PATH|URL",
    help="SQLite file, or a postgresql:// URL shared by several machines "
    "[default: FILE's stem + .journal.sqlite, next to FILE].",
)
@click.option("--campaign", help="Campaign name in the journal [default: FILE:TEMPLATE:LANG].")
@click.option("--dry-run", is_flag=True, help="Check every row; send nothing.")
@click.option(
    "--resend-unknown",
    is_flag=True,
    help=(
        "Send again rows whose earlier send may have been delivered (a timeout, a dropped "
        "connection, a 5xx without Meta's error): this may duplicate them."
    ),
)
@IGNORE_EXTRA_COLUMNS
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary, no progress bar.")
@click.option(
    "--trace-sends",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="With --otel: the share of rows whose send gets a span (metrics count every row).",
)
@api_options
def send_template(
    file: Path,
    template: str,
    lang: str,
    account: str,
    concurrency: int,
    rate_limit: float | None,
    pacing: str | None,
    pacing_key: str | None,
    deadline: float | None,
    grace: float,
    journal: str | None,
    campaign: str | None,
    dry_run: bool,
    resend_unknown: bool,
    ignore_extra_columns: bool,
    as_json: bool,
    trace_sends: float,
    token: str | None,
    base_url: str | None,
) -> None:
    """Send template TEMPLATE to every row of FILE (.csv or .jsonl), resumably.

    Every row is checked before anything is sent. Each row is recorded in the journal before
    its request and again with its outcome, so rerunning the same command after a crash or
    Ctrl-C sends only what was not sent (see --resend-unknown).
    """
    check_template_options(template, lang)
    if pacing is not None and not is_postgres_dsn(pacing):
        fail(f"--pacing {pacing!r}: expected a postgresql:// URL", ExitCode.BAD_INPUT)
    try:
        mapper, checked = checked_file(
            file, template, lang, ignore_extra=ignore_extra_columns, as_json=as_json
        )
    except KeyboardInterrupt:
        fail("interrupted while checking the file; nothing was sent", ExitCode.INTERRUPTED)
    if dry_run:
        if as_json:
            print_json({"file": str(file), "rows": checked.rows, "valid": True, "sent": 0})
        else:
            click.echo(f"{file}: {checked.rows:,} rows checked, all valid. Dry run: nothing sent.")
        return
    run = _Campaign(
        file=file,
        mapper=mapper,
        account=account,
        rows=checked.rows,
        concurrency=concurrency,
        rate_limit=rate_limit,
        pacing=pacing,
        pacing_key=pacing_key,
        deadline=deadline,
        grace=grace,
        journal=journal_target(journal)
        if journal
        else file.with_name(f"{file.stem}.journal.sqlite"),
        campaign=campaign_name(campaign, file, template, lang),
        resend_unknown=resend_unknown,
        as_json=as_json,
        token=token,
        base_url=base_url,
        trace_sends=trace_sends,
    )
    summary = run_async(lambda: _run(run))
    if as_json:
        print_json(summary_json(summary))
    else:
        print_summary(summary)
    sys.exit(summary.exit_code)


async def _run(run: _Campaign) -> CampaignSummary:
    started = time.perf_counter()
    # One pooled connection per send in flight; the preflight read reuses one of them.
    client = connect(run.token, run.base_url, max_connections=run.concurrency)
    description = f"Sending {run.mapper.template}"
    journal = open_journal(run.journal, run.campaign, resend_unknown=run.resend_unknown)
    pacing = _pacing(run)
    async with client, contextlib.AsyncExitStack() as stack:
        if isinstance(pacing, PostgresPacing):
            await stack.enter_async_context(pacing)
        acct = client.account(run.account)
        # The template is read first: a wrong token or account, or a template Meta would
        # refuse for every row, stops here, before the journal and before any send.
        await _preflight(acct, run)
        async with journal:
            with ProgressView(run.rows, description, enabled=not run.as_json) as view:
                tally = _Tally(view)
                outcomes = acct.messages.send_many(
                    _until_stopped(iter_items(run.file, run.mapper), tally),
                    concurrency=run.concurrency,
                    rate_limit=run.rate_limit if pacing is None else None,
                    pacing=pacing,
                    deadline=run.deadline,
                    grace=run.grace,
                    journal=journal,
                    on_progress=tally.on_progress,
                    stop_on=tally.refuses,
                    trace_sends=run.trace_sends,
                )
                try:
                    await _consume(outcomes, tally, run.grace)
                except RecipientFileError as exc:
                    fail(
                        f"{exc}; rows sent so far are in {describe_journal(run.journal)}",
                        ExitCode.BAD_INPUT,
                    )
            totals = await journal.summary()
    if tally.refused is not None:
        err_console.print(
            f"stopped: the API refused the credentials: {tally.refused}", markup=False
        )
    by_status = dict(tally.last.by_status) if tally.last is not None else {}
    done = tally.last.done if tally.last is not None else 0
    return CampaignSummary(
        campaign=run.campaign,
        journal_path=describe_journal(run.journal),
        rows=run.rows,
        run=by_status,
        not_attempted=max(0, run.rows - done),
        skip_reasons=dict(tally.skip_reasons),
        journal=totals,
        elapsed=time.perf_counter() - started,
        interrupted=tally.interrupted,
        exit_code=_exit_code(tally, by_status, done, run.rows),
    )


async def _preflight(acct: AccountClient, run: _Campaign) -> None:
    """The template exists, is approved, has the language and the file's parameter count."""
    with contextlib.closing(iter_items(run.file, run.mapper)) as items:
        first = next(items, None)
    parameters = body_parameter_count(first.components) if first is not None else None
    try:
        await acct.templates.preflight(run.mapper.template, run.mapper.lang, parameters=parameters)
    except TemplatePreflightError as exc:
        # The body parameters are the file's body.N columns: say so in the file's terms.
        hint = "; the file's body.N columns give them" if exc.field == "components" else ""
        fail(f"{exc.reason}{hint}; nothing was sent", ExitCode.BAD_INPUT)


def _pacing(run: _Campaign) -> Pacing | None:
    """The shared pace asked for with --pacing, or None for send_many's own Throttle."""
    if run.pacing is None:
        return None
    return shared_pacing(run.pacing, run.pacing_key or f"account:{run.account}", run.rate_limit)


async def _consume(
    outcomes: AsyncGenerator[SendOutcome, None], tally: _Tally, grace: float
) -> None:
    stop = anyio.CancelScope()
    failure: BaseException | None = None
    async with anyio.create_task_group() as watchers:
        watchers.start_soon(_watch_sigint, tally, stop, grace)
        try:
            with stop:
                async with contextlib.aclosing(outcomes):
                    async for outcome in outcomes:
                        tally.add(outcome)
        except RecipientFileError as exc:  # raised out of a task group it would come wrapped
            failure = exc
        finally:
            watchers.cancel_scope.cancel()
    if failure is not None:
        raise failure


async def _watch_sigint(tally: _Tally, stop: anyio.CancelScope, grace: float) -> None:
    with contextlib.ExitStack() as stack:
        try:
            signals = stack.enter_context(anyio.open_signal_receiver(signal.SIGINT))
        except (NotImplementedError, RuntimeError, ValueError):
            return  # no signal handlers here (not the main thread, Windows): Ctrl-C is abrupt
        async for _ in signals:
            if tally.interrupted:
                tally.view.note("interrupted again: exiting now (rows in flight stay IN_FLIGHT)")
                os._exit(ExitCode.INTERRUPTED)
            tally.interrupted = True
            tally.view.note(
                f"interrupted: no new sends; waiting up to {grace:g} s for answers in flight "
                "(Ctrl-C again to quit at once)"
            )
            stop.cancel()


def _until_stopped(items: Iterator[TemplateSend], tally: _Tally) -> Iterator[TemplateSend]:
    # Ending the input on Ctrl-C (or a refusal) spares the engine reading, and journaling as
    # SKIPPED, the rest of the file: rows never read have no journal row, and a rerun sends them.
    for item in items:
        if tally.interrupted or tally.refused is not None:
            return
        yield item


def _exit_code(
    tally: _Tally, by_status: dict[OutcomeStatus, int], done: int, rows: int
) -> ExitCode:
    if tally.interrupted:
        return ExitCode.INTERRUPTED
    skipped_unsent = sum(n for r, n in tally.skip_reasons.items() if r != ALREADY_SENT)
    unsent = by_status.get(OutcomeStatus.FAILED, 0) + by_status.get(OutcomeStatus.UNKNOWN, 0)
    return ExitCode.FAILED if unsent or skipped_unsent or done < rows else ExitCode.OK
