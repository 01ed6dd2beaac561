"""send_many(pacing=...): the batch waits on the pace it is given, and before a journal claim."""

from __future__ import annotations

from pathlib import Path

from engagive_async import OutcomeStatus, SqliteJournal, TemplateSend
from engagive_async.journal import JournalEntry
from engagive_async.testing import FakeEngagive
from tests._support import fake_client


class RecordingPace:
    """A pace that lets everything through and notes each call, with the row's journal state."""

    def __init__(self, journal: SqliteJournal) -> None:
        self.journal = journal
        self.acquired: list[tuple[str | None, JournalEntry | None]] = []

    async def acquire(self, recipient: str | None = None) -> None:
        entry = await self.journal.entry(recipient) if recipient is not None else None
        self.acquired.append((recipient, entry))

    async def pause(self, seconds: float) -> None:
        raise AssertionError("nothing asked to pause")


async def test_with_a_journal_the_pace_comes_before_the_claim(tmp_path: Path) -> None:
    """Each row waits for its slot before it is claimed, and takes exactly one slot: a row is
    IN_FLIGHT only once its request may start."""
    fake = FakeEngagive()
    items = [
        TemplateSend(to=f"+92300{n:07d}", template_name="order_shipped", lang_code="en",
                     key=f"92300{n:07d}")
        for n in range(6)
    ]  # fmt: skip
    async with (
        SqliteJournal(tmp_path / "j.sqlite", "c") as journal,
        fake_client(fake) as client,
    ):
        pace = RecordingPace(journal)
        report = await client.account(1).messages.send_batch(
            items, pacing=pace, journal=journal, concurrency=3
        )
    assert [o.status for o in report.outcomes] == [OutcomeStatus.SENT] * 6
    assert sorted(r for r, _ in pace.acquired) == sorted(i.key for i in items)  # type: ignore[misc]
    assert all(entry is None for _, entry in pace.acquired)


async def test_without_a_journal_the_pipeline_paces_each_send_once() -> None:
    """Without a journal the pace is asked once per send, with the recipient's number."""
    fake = FakeEngagive()

    class Counting:
        def __init__(self) -> None:
            self.recipients: list[str | None] = []

        async def acquire(self, recipient: str | None = None) -> None:
            self.recipients.append(recipient)

        async def pause(self, seconds: float) -> None:
            raise AssertionError("nothing asked to pause")

    pace = Counting()
    items = [TemplateSend(to=f"92300{n:07d}", template_name="order_shipped", lang_code="en")
             for n in range(4)]  # fmt: skip
    async with fake_client(fake) as client:
        await client.account(1).messages.send_batch(items, pacing=pace)
    assert sorted(pace.recipients) == sorted(i.to for i in items)  # type: ignore[type-var]
