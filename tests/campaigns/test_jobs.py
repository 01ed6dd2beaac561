"""Campaign jobs on real procrastinate workers, the shared journal, FakeEngagive on loopback."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest

from engagive_async import (
    AsyncClient,
    OutcomeStatus,
    PostgresJournal,
    ReactionSend,
    RetryPolicy,
    SendOutcome,
    SendResult,
    SingleSend,
    TemplateSend,
)
from engagive_async.builders import Text
from engagive_async.campaigns import CampaignJobs, ChunkIncompleteError, procrastinate_app
from engagive_async.journal import ALREADY_SENT, MAYBE_SENT
from engagive_async.testing import FakeEngagive, Fault

pytestmark = pytest.mark.timeout(60)

QUICK = RetryPolicy(max_attempts=10, initial_backoff=0, max_backoff=0, max_retry_after=0.1)


def rows(n: int) -> list[TemplateSend]:
    return [
        TemplateSend(to=f"92300{i:07d}", template_name="order_shipped", lang_code="en")
        for i in range(n)
    ]


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeEngagive, str]]:
    fake = FakeEngagive()
    async with fake.serve() as url:
        yield fake, url


@pytest.fixture
async def jobs(pg_database: str, served: tuple[FakeEngagive, str]) -> AsyncIterator[CampaignJobs]:
    _, url = served
    app = procrastinate_app(pg_database)
    async with (
        app.open_async(),
        CampaignJobs(
            app,
            database=pg_database,
            client=lambda: AsyncClient("test-token", base_url=url, retry=QUICK),
            concurrency=16,
        ) as campaign_jobs,
    ):
        yield campaign_jobs


async def work(jobs: CampaignJobs) -> None:
    await jobs.work(concurrency=2, until_done=True, install_signal_handlers=False)


async def job_args(database: str) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(database) as conn:
        cursor = await conn.execute("SELECT args FROM procrastinate_jobs ORDER BY id")
        return [row[0] for row in await cursor.fetchall()]


async def test_a_campaign_runs_as_chunk_jobs_and_each_row_goes_once(
    jobs: CampaignJobs, served: tuple[FakeEngagive, str]
) -> None:
    """plan splits 1,000 rows into 10 jobs; a worker runs them; each recipient gets one send."""
    fake, _ = served
    fake.script(*[Fault.status(429)] * 8, route="messages.send_template")  # refused, retried
    plan = await jobs.plan("spring", 1, rows(1000), chunk_size=100)
    assert (plan.rows, plan.jobs) == (1000, 10)
    before = await jobs.status("spring")
    assert before.jobs == {"todo": 10}
    assert not before.finished
    await work(jobs)
    status = await jobs.status("spring")
    assert status.finished
    assert status.jobs == {"succeeded": 10}
    assert status.journal.by_status == {"SENT": 1000}
    recipients = Counter(m.to for m in fake.sent)
    assert len(recipients) == 1000
    assert max(recipients.values()) == 1


async def test_rows_are_keyed_and_indexed_across_the_campaign(
    jobs: CampaignJobs, pg_database: str, tmp_path: Any
) -> None:
    """Rows without a key are keyed by their place in the campaign, chunks never collide."""
    await jobs.plan("keys", 1, rows(25), chunk_size=10)
    await work(jobs)
    async with PostgresJournal(pg_database, "keys") as journal:
        entry = await journal.entry("17")
        assert await journal.export_csv(tmp_path / "out.csv") == 25
    assert entry is not None
    assert (entry.index, entry.to, entry.status) == (17, "923000000017", "SENT")


async def test_a_chunk_job_run_twice_sends_nothing_twice(
    jobs: CampaignJobs, served: tuple[FakeEngagive, str], pg_database: str
) -> None:
    """A redelivered job (run again by hand, and requeued in procrastinate) skips its rows."""
    fake, _ = served
    await jobs.plan("twice", 1, rows(60), chunk_size=30)
    await work(jobs)
    first = await job_args(pg_database)
    again = await jobs.run_chunk(**first[0])
    assert again.skip_reasons == {ALREADY_SENT: 30}
    async with await psycopg.AsyncConnection.connect(pg_database, autocommit=True) as conn:
        await conn.execute("UPDATE procrastinate_jobs SET status = 'todo'")  # redelivery
    await work(jobs)
    status = await jobs.status("twice")
    assert status.jobs == {"succeeded": 2}
    assert len(fake.sent) == 60


async def test_a_job_whose_worker_died_after_some_sends_sends_only_the_rest(
    jobs: CampaignJobs, served: tuple[FakeEngagive, str], pg_database: str
) -> None:
    """A worker claimed 10 rows, sent 10 (recorded 6) and died: the rerun sends the other 20.

    The 4 rows it left IN_FLIGHT are not resent: their requests may have arrived.
    """
    fake, url = served
    await jobs.plan("died", 1, rows(30), chunk_size=30)
    args = (await job_args(pg_database))[0]
    async with (
        PostgresJournal(pg_database, "died") as dead,
        AsyncClient("test-token", base_url=url) as client,
    ):
        for n, item in enumerate(rows(10)):
            item = TemplateSend(
                to=item.to, template_name="order_shipped", lang_code="en", key=str(n)
            )
            assert await dead.claim(n, item) is None
            await client.account(1).messages.send_template(
                to=item.to, template_name="order_shipped", lang_code="en"
            )
            if n < 6:
                await dead.record(
                    SendOutcome(
                        index=n,
                        item=item,
                        status=OutcomeStatus.SENT,
                        result=SendResult(data={}, meta_response={}),
                        attempts=1,
                    )
                )
    report = await jobs.run_chunk(**args)
    assert report.by_status == {"SENT": 20, "SKIPPED": 10}
    assert report.skip_reasons == {ALREADY_SENT: 6, MAYBE_SENT: 4}
    assert max(Counter(m.to for m in fake.sent).values()) == 1
    assert len(fake.sent) == 30


async def test_a_journal_out_of_reach_fails_the_chunk_for_a_retry(
    served: tuple[FakeEngagive, str], pg_database: str
) -> None:
    """No journal, no send: the chunk raises ChunkIncompleteError (procrastinate retries it)."""
    fake, url = served
    app = procrastinate_app(pg_database)
    async with (
        app.open_async(),
        CampaignJobs(
            app,
            database="postgresql://nobody@127.0.0.1:1/none",
            client=lambda: AsyncClient("test-token", base_url=url),
        ) as broken,
    ):
        with pytest.raises(ChunkIncompleteError, match="cannot be reached"):
            await broken.run_chunk(
                "c",
                1,
                0,
                [{"kind": "template", "to": "92300", "template_name": "t", "lang_code": "en"}],
            )
    assert fake.sent == []


async def test_plan_carries_reactions_and_refuses_single_sends(jobs: CampaignJobs) -> None:
    """Template and reaction sends travel in job arguments; a SingleSend is refused."""
    reaction = ReactionSend(to="923000000001", whatsapp_message_id="wamid.X", emoji="👍")
    plan = await jobs.plan("mixed", 1, [reaction, *rows(2)])
    assert plan.rows == 3
    with pytest.raises(TypeError, match="SingleSend"):
        await jobs.plan("single", 1, [SingleSend(to="923000000001", message=Text("hi"))])


async def test_send_options_may_be_made_once_per_worker(
    served: tuple[FakeEngagive, str], pg_database: str
) -> None:
    """A function for send_options is called once, at the first chunk, and its options apply."""
    fake, url = served
    made: list[int] = []

    def options() -> dict[str, Any]:
        made.append(1)
        return {"ordered": True}

    app = procrastinate_app(pg_database)
    async with (
        app.open_async(),
        CampaignJobs(
            app,
            database=pg_database,
            client=lambda: AsyncClient("test-token", base_url=url),
            send_options=options,
        ) as campaign_jobs,
    ):
        await campaign_jobs.plan("opts", 1, rows(30), chunk_size=10)
        assert made == []
        await work(campaign_jobs)
    assert made == [1]
    assert len(fake.sent) == 30
