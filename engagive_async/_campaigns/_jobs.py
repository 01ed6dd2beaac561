"""CampaignJobs: plan a campaign into chunk jobs, run them on procrastinate workers.

``plan`` reads the campaign's items once and defers one job per chunk (the job carries its
rows). A worker (``work``) runs each chunk as one ``send_many`` over the shared
:class:`PostgresJournal`, with a fresh journal run per job execution: so a job handed out
twice, or run again after its worker was killed, finds its rows SENT or IN_FLIGHT and sends
nothing twice. A sweeper in every worker hands the jobs of workers whose heartbeat stopped
back to the queue.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Self

import anyio
import attrs
import procrastinate
from procrastinate.retry import RetryStrategy

from engagive_async._campaigns._items import item_from_json, item_to_json
from engagive_async._campaigns._offset import OffsetJournal
from engagive_async._checks._arguments import check_at_least, check_name
from engagive_async._client import AsyncClient
from engagive_async._journal import JournalSummary, PostgresJournal
from engagive_async._sending._send_journal import JOURNAL_UNAVAILABLE
from engagive_async.models.batch import OutcomeStatus, SendItem

__all__ = [
    "TASK_NAME",
    "CampaignJobs",
    "CampaignPlan",
    "CampaignStatus",
    "ChunkIncompleteError",
    "ChunkReport",
    "procrastinate_app",
]

logger = logging.getLogger("engagive_async.campaigns")

#: The procrastinate task that runs one chunk.
TASK_NAME = "engagive_async.campaign_chunk"
_DEFER_BATCH = 100  # jobs deferred per round trip while planning


def procrastinate_app(database: str, **connector_options: Any) -> procrastinate.App:
    """A procrastinate ``App`` on ``database`` (psycopg 3, the journal's driver)."""
    return procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=database, **connector_options)
    )


class ChunkIncompleteError(Exception):
    """The journal could not be reached during a chunk: its unsent rows wait for a retry."""


@attrs.frozen(kw_only=True)
class CampaignPlan:
    """What :meth:`CampaignJobs.plan` deferred: ``rows`` rows in ``jobs`` chunk jobs."""

    campaign: str
    rows: int
    jobs: int
    job_ids: tuple[int, ...]


@attrs.frozen(kw_only=True)
class ChunkReport:
    """One execution of a chunk job: its rows' outcomes by status, SKIPPED ones by reason."""

    campaign: str
    offset: int
    rows: int
    by_status: Mapping[str, int]
    skip_reasons: Mapping[str, int]


@attrs.frozen(kw_only=True)
class CampaignStatus:
    """A campaign's rows as the journal holds them, and its chunk jobs by procrastinate status.

    ``jobs`` counts ``todo``, ``doing``, ``succeeded``, ``failed``, ``cancelled``,
    ``aborted``; the campaign is ``finished`` once none is ``todo`` or ``doing``.
    """

    campaign: str
    journal: JournalSummary
    jobs: Mapping[str, int]

    @property
    def finished(self) -> bool:
        """No chunk job waits or runs."""
        return not (self.jobs.get("todo", 0) or self.jobs.get("doing", 0))


class CampaignJobs:
    """Campaign jobs on a procrastinate ``App``, over a shared :class:`PostgresJournal`.

    Open the app and then this object; a planner and every worker build the same one::

        app = procrastinate_app(dsn)
        async with app.open_async(), CampaignJobs(app, database=dsn) as jobs:
            await jobs.plan("spring", account=1, items=rows)   # the planner
            await jobs.work(concurrency=2)                       # each worker process

    Args:
        app: the procrastinate app, on a ``PsycopgConnector`` (see :func:`procrastinate_app`).
        database: the journal's Postgres DSN (usually the app's database).
        client: makes the worker's client, once per process (default ``AsyncClient()``,
            configured from ``ENGAGIVE_API_TOKEN`` and ``ENGAGIVE_BASE_URL``).
        queue: the procrastinate queue of the chunk jobs.
        journal_schema: the journal's Postgres schema.
        concurrency: requests in flight per chunk.
        send_options: further ``send_many`` options for every chunk (e.g. ``rate_limit``), or
            a function making them, called once per process at its first chunk (for options
            that must be made inside the worker's event loop).
        job_attempts: runs of a chunk job in all when its journal cannot be reached.
    """

    def __init__(
        self,
        app: procrastinate.App,
        *,
        database: str,
        client: Callable[[], AsyncClient] | None = None,
        queue: str = "engagive_campaigns",
        journal_schema: str = "public",
        concurrency: int = 32,
        send_options: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
        job_attempts: int = 10,
    ) -> None:
        self.app = app
        self.queue = queue
        self.concurrency = concurrency
        self._send_options = send_options
        self._resolved_options: dict[str, Any] | None = None
        self._make_client = client or AsyncClient
        self._client: AsyncClient | None = None
        self._client_lock = anyio.Lock()
        # One pool of journal connections per process; each chunk execution a run of its own.
        self._journal = PostgresJournal(
            database, "-", schema=journal_schema, max_connections=max(4, concurrency)
        )
        self.task = app.task(
            name=TASK_NAME,
            queue=queue,
            retry=RetryStrategy(
                max_attempts=job_attempts - 1, wait=1, retry_exceptions={ChunkIncompleteError}
            ),
        )(self._run_job)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with anyio.CancelScope(shield=True):
            await self.aclose()

    async def aclose(self) -> None:
        """Close the worker's client and journal connections (not the app)."""
        if self._client is not None:
            await self._client.aclose()
        await self._journal.aclose()

    # --- planning ---------------------------------------------------------------------------

    async def ensure_schema(self) -> None:
        """Create procrastinate's tables when the database has none (journal tables too)."""
        connector = self.app.connector
        assert isinstance(connector, procrastinate.PsycopgConnector)
        # Planners starting together must not both create the tables: a lock held by a
        # transaction of its own while the schema goes in over another connection.
        async with connector.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('engagive_jobs'))")
            cursor = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            found = await cursor.fetchone()
            if found is None or not found[0]:
                await self.app.schema_manager.apply_schema_async()
        await self._journal.open()

    async def plan(
        self,
        campaign: str,
        account: int | str,
        items: Iterable[SendItem] | AsyncIterable[SendItem],
        *,
        chunk_size: int = 500,
    ) -> CampaignPlan:
        """Split ``items`` into chunk jobs of ``chunk_size`` rows and defer them.

        Items without a ``key`` are keyed by their position in ``items``, so the rows stay
        distinct across chunks; planning the same input again sends nothing twice (the
        journal skips done rows), it only adds jobs.

        Raises:
            ValidationError: ``chunk_size`` below 1, or an empty ``campaign``.
            TypeError: an item is a ``SingleSend`` (campaign jobs carry templates, reactions).
        """
        check_at_least(chunk_size, 1, "chunk_size")
        check_name(campaign, "campaign")
        await self.ensure_schema()
        pending: list[dict[str, Any]] = []
        chunk: list[dict[str, Any]] = []
        job_ids: list[int] = []
        rows = 0
        offset = 0

        async def flush_jobs() -> None:
            if pending:
                job_ids.extend(await self.task.batch_defer_async(*pending))
                pending.clear()

        async for item in _each(items):
            keyed = item if item.key is not None else attrs.evolve(item, key=str(rows))
            chunk.append(item_to_json(keyed))
            rows += 1
            if len(chunk) == chunk_size:
                pending.append(_job_args(campaign, account, offset, chunk))
                offset, chunk = rows, []
                if len(pending) == _DEFER_BATCH:
                    await flush_jobs()
        if chunk:
            pending.append(_job_args(campaign, account, offset, chunk))
        await flush_jobs()
        return CampaignPlan(campaign=campaign, rows=rows, jobs=len(job_ids), job_ids=tuple(job_ids))

    async def status(self, campaign: str) -> CampaignStatus:
        """The campaign's journal summary and its chunk jobs by status."""
        rows = await self.app.connector.execute_query_all_async(
            "SELECT status::text AS status, count(*) AS n FROM procrastinate_jobs "
            "WHERE task_name = %(task)s AND args->>'campaign' = %(campaign)s GROUP BY status",
            task=TASK_NAME,
            campaign=campaign,
        )
        await self._journal.open()
        journal = self._journal.new_run(campaign)
        return CampaignStatus(
            campaign=campaign,
            journal=await journal.summary(),
            jobs={row["status"]: int(row["n"]) for row in rows},
        )

    # --- running ----------------------------------------------------------------------------

    async def run_chunk(
        self, campaign: str, account: int | str, offset: int, items: list[dict[str, Any]]
    ) -> ChunkReport:
        """Send one chunk (a job's arguments) through the shared journal.

        Raises:
            ChunkIncompleteError: the journal could not be reached; rows not yet claimed were
                not sent (the job is retried).
        """
        try:
            await self._journal.open()  # once per process; each chunk then shares its pool
        except Exception as exc:  # any driver error: the job is retried later
            raise ChunkIncompleteError(f"the journal cannot be reached: {exc}") from exc
        journal = OffsetJournal(self._journal.new_run(campaign), offset)
        client = await self._worker_client()
        messages = client.account(account).messages
        by_status: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        batch = messages.send_many(
            [item_from_json(data) for data in items],
            journal=journal,
            concurrency=self.concurrency,
            **self._options(),
        )
        async with contextlib.aclosing(batch):
            async for outcome in batch:
                by_status[outcome.status.name] += 1
                if outcome.status is OutcomeStatus.SKIPPED:
                    reasons[outcome.reason or "not attempted"] += 1
        if reasons[JOURNAL_UNAVAILABLE]:
            raise ChunkIncompleteError(
                f"{reasons[JOURNAL_UNAVAILABLE]} rows of {campaign!r} from row {offset} were "
                "not sent: the journal could not be reached"
            )
        return ChunkReport(
            campaign=campaign,
            offset=offset,
            rows=len(items),
            by_status=dict(by_status),
            skip_reasons=dict(reasons),
        )

    async def work(
        self,
        *,
        concurrency: int = 1,
        until_done: bool = False,
        name: str | None = None,
        stalled_after: float = 30.0,
        heartbeat: float = 5.0,
        install_signal_handlers: bool = True,
    ) -> None:
        """Run chunk jobs until stopped (SIGINT/SIGTERM), or ``until_done``.

        Args:
            concurrency: chunk jobs run at once by this worker.
            until_done: return once the queue holds no job waiting or running.
            name: the worker's name in procrastinate.
            stalled_after: seconds without a heartbeat after which another worker's running
                jobs go back to the queue (that worker died).
            heartbeat: seconds between this worker's heartbeats (well under stalled_after).
            install_signal_handlers: let procrastinate stop the worker on SIGINT/SIGTERM.
        """
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._sweep_stalled, stalled_after)
            if until_done:
                tg.start_soon(self._stop_when_done, tg.cancel_scope)
            await self.app.run_worker_async(
                queues=[self.queue],
                concurrency=concurrency,
                wait=True,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_after,
                install_signal_handlers=install_signal_handlers,
                name=name or "engagive-campaigns",
            )
            tg.cancel_scope.cancel()

    async def requeue_stalled(self, *, stalled_after: float = 30.0) -> int:
        """Put back in the queue the running jobs of workers silent for ``stalled_after`` s."""
        stalled = await self.app.job_manager.get_stalled_jobs(
            queue=self.queue, task_name=TASK_NAME, seconds_since_heartbeat=stalled_after
        )
        requeued = 0
        for job in stalled:
            try:
                await self.app.job_manager.retry_job(job)
            except procrastinate.exceptions.ConnectorException:
                continue  # another worker's sweeper was first
            logger.warning("requeued chunk job %s of a stalled worker", job.id)
            requeued += 1
        return requeued

    async def _sweep_stalled(self, stalled_after: float) -> None:
        while True:
            await anyio.sleep(max(0.2, stalled_after / 3))
            try:
                await self.requeue_stalled(stalled_after=stalled_after)
            except procrastinate.exceptions.ConnectorException:
                logger.warning("could not look for stalled jobs", exc_info=True)

    async def _stop_when_done(self, scope: anyio.CancelScope) -> None:
        while True:
            await anyio.sleep(0.5)
            found = await self.app.connector.execute_query_one_async(
                "SELECT count(*) AS n FROM procrastinate_jobs WHERE queue_name = %(queue)s "
                "AND status IN ('todo', 'doing')",
                queue=self.queue,
            )
            if int(found["n"]) == 0:
                scope.cancel()
                return

    def _options(self) -> dict[str, Any]:
        if self._resolved_options is None:
            options = self._send_options
            self._resolved_options = dict((options() if callable(options) else options) or {})
        return self._resolved_options

    async def _worker_client(self) -> AsyncClient:
        async with self._client_lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    async def _run_job(
        self, campaign: str, account: int | str, offset: int, items: list[dict[str, Any]]
    ) -> None:
        report = await self.run_chunk(campaign, account, offset, items)
        logger.info(
            "chunk of %r from row %d: %s", campaign, offset, dict(sorted(report.by_status.items()))
        )


def _job_args(
    campaign: str, account: int | str, offset: int, chunk: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"campaign": campaign, "account": account, "offset": offset, "items": chunk}


async def _each(items: Iterable[SendItem] | AsyncIterable[SendItem]) -> AsyncIterable[SendItem]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
