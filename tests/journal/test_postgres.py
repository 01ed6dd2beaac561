"""PostgresJournal on a real server: connection loss mid-campaign, take-over of dead claims,
the schema's version, and a repr without the password."""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest

from engagive_async import OutcomeStatus, PostgresJournal
from engagive_async.journal import ALREADY_SENT, HELD_ELSEWHERE, JOURNAL_UNAVAILABLE, MAYBE_SENT
from engagive_async.testing import FakeEngagive, Fault
from tests._support import fake_client
from tests.journal.test_sqlite import item

pytestmark = pytest.mark.timeout(60)


async def _terminate_other_backends(dsn: str) -> int:
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as admin:
        cursor = await admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        found = await cursor.fetchone()
    assert found is not None
    return int(found[0])


async def test_connection_loss_stops_the_batch_and_loses_nothing(
    postgres_server: str, pg_schema: str
) -> None:
    """Backends killed mid-campaign: nothing is sent unclaimed, the rest is SKIPPED, and a
    rerun sends exactly what was never claimed."""
    fake = FakeEngagive()
    fake.script(*[Fault.delay(0.01)] * 400, route="messages.send_template")
    items = [item(n, key=f"k{n}") for n in range(400)]
    async with fake_client(fake) as c:
        messages = c.account(1).messages
        async with PostgresJournal(postgres_server, "c1", schema=pg_schema) as journal:
            outcomes = []
            async for outcome in messages.send_many(items, journal=journal, concurrency=8):
                outcomes.append(outcome)
                if len(outcomes) == 50:
                    assert await _terminate_other_backends(postgres_server) >= 1
        first_run = list(fake.sent)
        statuses = Counter(o.status for o in outcomes)
        assert sorted(o.index for o in outcomes) == list(range(400))  # one outcome each
        assert statuses[OutcomeStatus.SKIPPED] > 0
        assert {o.reason for o in outcomes if o.status is OutcomeStatus.SKIPPED} == {
            JOURNAL_UNAVAILABLE
        }
        # Every request that went out had a durable claim: its row is SENT or IN_FLIGHT.
        async with PostgresJournal(postgres_server, "c1", schema=pg_schema) as reader:
            for message in first_run:
                n = int(message.to) - 923000000000
                entry = await reader.entry(f"k{n}")
                assert entry is not None
                assert entry.status in {"SENT", "IN_FLIGHT"}
        async with PostgresJournal(postgres_server, "c1", schema=pg_schema) as rerun:
            again = [o async for o in messages.send_many(items, journal=rerun, concurrency=8)]
            summary = await rerun.summary()
    recipients = Counter(m.to for m in fake.sent)
    assert max(recipients.values()) == 1  # nobody received twice
    assert sorted(o.index for o in again) == list(range(400))
    assert summary.total == 400
    # Rows sent whose answer could not be recorded stay IN_FLIGHT (may have been sent).
    assert set(summary.by_status) <= {"SENT", "IN_FLIGHT"}
    assert len(recipients) == summary.by_status["SENT"] + summary.by_status.get("IN_FLIGHT", 0)


async def test_a_live_claim_is_not_taken_over_even_with_resend_unknown(
    postgres_server: str, pg_schema: str
) -> None:
    """resend_unknown takes over IN_FLIGHT rows only once older than in_flight_timeout."""
    async with (
        PostgresJournal(postgres_server, "c1", schema=pg_schema) as holder,
        PostgresJournal(
            postgres_server, "c1", schema=pg_schema, resend_unknown=True, in_flight_timeout=300
        ) as eager,
    ):
        assert await holder.claim(0, item(0)) is None
        assert await eager.skip_reasons([(0, item(0))]) == {0: HELD_ELSEWHERE}
        assert await eager.claim(0, item(0)) == HELD_ELSEWHERE


async def test_schema_is_versioned_and_a_newer_one_is_refused(
    postgres_server: str, pg_schema: str
) -> None:
    """First use creates the tables and records version 1; a newer version stops the journal."""
    async with PostgresJournal(postgres_server, "c1", schema=pg_schema) as journal:
        assert await journal.campaigns() == []
    async with await psycopg.AsyncConnection.connect(postgres_server, autocommit=True) as admin:
        cursor = await admin.execute(
            f"SELECT version FROM {pg_schema}.engagive_journal_version"  # noqa: S608 - test's own
        )
        assert await cursor.fetchall() == [(1,)]
        await admin.execute(
            f"INSERT INTO {pg_schema}.engagive_journal_version VALUES (99)"  # noqa: S608
        )
    with pytest.raises(RuntimeError, match="version 99"):
        await PostgresJournal(postgres_server, "c1", schema=pg_schema).open()


async def test_repr_hides_the_password_and_a_closed_journal_refuses_use(
    postgres_server: str,
) -> None:
    """The DSN's password never shows; aclose is idempotent; a closed journal raises."""
    journal = PostgresJournal("postgresql://u:s3cret@127.0.0.1:1/db", "c1")
    assert "s3cret" not in repr(journal)
    assert "c1" in repr(journal)
    await journal.aclose()
    await journal.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await journal.skip_reasons([(0, item(0))])
    with pytest.raises(ValueError, match="campaign"):
        PostgresJournal(postgres_server, "")


async def test_rerun_after_a_completed_campaign_sends_nothing(
    postgres_server: str, pg_schema: str
) -> None:
    """Two journals (two workers) over the same list: each row goes exactly once."""
    fake = FakeEngagive()
    items = [item(n) for n in range(120)]
    async with fake_client(fake) as c:
        messages = c.account(1).messages
        async with (
            PostgresJournal(postgres_server, "c1", schema=pg_schema) as one,
            PostgresJournal(postgres_server, "c1", schema=pg_schema) as two,
        ):
            first = [o async for o in messages.send_many(items, journal=one)]
            second = [o async for o in messages.send_many(items, journal=two)]
    assert Counter(o.status for o in first) == {OutcomeStatus.SENT: 120}
    assert Counter(o.reason for o in second) == {ALREADY_SENT: 120}
    assert len(fake.sent) == 120


async def test_outcomes_are_written_in_groups_and_an_unwritten_one_is_never_resent(
    postgres_server: str, pg_schema: str
) -> None:
    """Outcomes wait for a group of record_batch; one lost with its process leaves the row
    IN_FLIGHT (maybe sent), and reads and flush() write what waits."""
    from tests.journal.test_sqlite import sent

    async with (
        PostgresJournal(
            postgres_server, "c1", schema=pg_schema, record_batch=4, record_delay=60
        ) as writer,
        PostgresJournal(postgres_server, "c1", schema=pg_schema) as reader,
    ):
        for n in range(6):
            assert await writer.claim(n, item(n)) is None
            await writer.record(sent(n))
        # Four went as one group; two wait (their rows still read IN_FLIGHT elsewhere).
        assert (await reader.summary()).by_status == {"SENT": 4, "IN_FLIGHT": 2}
        assert await reader.skip_reasons([(4, item(4))]) == {4: MAYBE_SENT}
        await writer.flush()
        assert (await reader.summary()).by_status == {"SENT": 6}


async def test_one_group_holds_a_key_once(postgres_server: str, pg_schema: str) -> None:
    """An invalid item recorded under the key of a row this run sent is written apart, and
    does not overwrite it."""
    from engagive_async import ValidationError
    from tests.journal.test_sqlite import failed, sent

    async with PostgresJournal(postgres_server, "c1", schema=pg_schema) as journal:
        assert await journal.claim(0, item(0)) is None
        await journal.record(sent(0))
        await journal.record(failed(0, ValidationError("to", "bad"), attempts=0))
        entry = await journal.entry(0)
    assert entry is not None
    assert entry.status == "SENT"
