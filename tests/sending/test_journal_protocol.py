"""What the batch does with a journal: one skip check per chunk, a claim before each request,
a lost claim SKIPPED, a journal failure stopping the batch, and the earlier journal shape."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence

import pytest

from engagive_async import OutcomeStatus, SendItem, SendOutcome, TemplateSend
from engagive_async.journal import HELD_ELSEWHERE, JOURNAL_UNAVAILABLE
from engagive_async.resources.messages import MessagesResource
from engagive_async.testing import FakeEngagive
from tests._support import fake_client

SENT, SKIPPED = OutcomeStatus.SENT, OutcomeStatus.SKIPPED


def items(n: int) -> list[TemplateSend]:
    return [
        TemplateSend(to=f"92300{i:07d}", template_name="order_shipped", lang_code="en", key=f"k{i}")
        for i in range(n)
    ]


class MemoryJournal:
    """A SendJournal in memory: it loses the claims in ``taken`` and can be made to fail."""

    def __init__(self, *, taken: set[int] | None = None, fail_claims_after: int | None = None):
        self.taken = taken or set()
        self.fail_claims_after = fail_claims_after
        self.fail_checks = False
        self.checks: list[list[int]] = []
        self.claims: list[int] = []
        self.records: list[SendOutcome] = []

    async def skip_reasons(self, chunk: Sequence[tuple[int, SendItem]]) -> Mapping[int, str]:
        if self.fail_checks:
            raise ConnectionError("journal down")
        self.checks.append([index for index, _ in chunk])
        return {index: "already sent" for index, _ in chunk if index % 10 == 9}

    async def claim(self, index: int, item: SendItem) -> str | None:
        if self.fail_claims_after is not None and len(self.claims) >= self.fail_claims_after:
            raise ConnectionError("journal down")
        self.claims.append(index)
        return HELD_ELSEWHERE if index in self.taken else None

    async def record(self, outcome: SendOutcome) -> None:
        self.records.append(outcome)


@pytest.fixture
async def fake_messages() -> AsyncIterator[tuple[FakeEngagive, MessagesResource]]:
    fake = FakeEngagive()
    async with fake_client(fake) as c:
        yield fake, c.account(1).messages


async def test_one_check_per_chunk_and_lost_claims_are_skipped_unsent(
    fake_messages: tuple[FakeEngagive, MessagesResource],
) -> None:
    """Chunks of `concurrency` items are checked at once; a lost claim is SKIPPED, unrecorded."""
    fake, messages = fake_messages
    journal = MemoryJournal(taken={0, 5})
    outcomes = [o async for o in messages.send_many(items(40), journal=journal, concurrency=8)]
    assert sorted(i for chunk in journal.checks for i in chunk) == list(range(40))
    assert len(journal.checks) == 5
    by_index = {o.index: o for o in outcomes}
    assert (by_index[0].status, by_index[0].reason) == (SKIPPED, HELD_ELSEWHERE)
    assert (by_index[9].status, by_index[9].reason) == (SKIPPED, "already sent")
    assert 9 not in journal.claims
    assert Counter(o.status for o in outcomes) == {SENT: 34, SKIPPED: 6}
    assert len(fake.sent) == 34
    assert {o.index for o in journal.records} == {o.index for o in outcomes if o.status is SENT}


async def test_a_failing_claim_stops_the_batch_and_skips_the_rest(
    fake_messages: tuple[FakeEngagive, MessagesResource],
) -> None:
    """No claim, no send: after the journal fails nothing more goes out; all are accounted."""
    fake, messages = fake_messages
    journal = MemoryJournal(fail_claims_after=10)
    outcomes = [o async for o in messages.send_many(items(200), journal=journal, concurrency=4)]
    assert sorted(o.index for o in outcomes) == list(range(200))
    assert len(fake.sent) == 10 == Counter(o.status for o in outcomes)[SENT]
    skipped = [o for o in outcomes if o.status is SKIPPED]
    assert {o.reason for o in skipped} <= {JOURNAL_UNAVAILABLE, "already sent"}
    assert Counter(o.reason for o in skipped)[JOURNAL_UNAVAILABLE] > 150


async def test_a_failing_skip_check_sends_nothing(
    fake_messages: tuple[FakeEngagive, MessagesResource],
) -> None:
    """A journal that cannot answer the chunk check stops the batch before any request."""
    fake, messages = fake_messages
    journal = MemoryJournal()
    journal.fail_checks = True
    gen = (item for item in items(50))  # open-ended: the rest stays unread
    outcomes = [o async for o in messages.send_many(gen, journal=journal, concurrency=8)]
    assert fake.sent == []
    assert {(o.status, o.reason) for o in outcomes} == {(SKIPPED, JOURNAL_UNAVAILABLE)}
    assert len(outcomes) == 8  # the chunk read; nothing more was pulled


class ItemByItemJournal:
    """The earlier journal shape: skip_reason, before_send, record."""

    def __init__(self) -> None:
        self.in_flight: list[int] = []
        self.records: list[SendOutcome] = []

    async def skip_reason(self, index: int, item: SendItem) -> str | None:
        return "already sent" if index == 0 else None

    async def before_send(self, index: int, item: SendItem) -> None:
        self.in_flight.append(index)

    async def record(self, outcome: SendOutcome) -> None:
        self.records.append(outcome)


async def test_the_earlier_item_by_item_journal_still_works(
    fake_messages: tuple[FakeEngagive, MessagesResource],
) -> None:
    """A journal written against skip_reason/before_send keeps working unchanged."""
    fake, messages = fake_messages
    journal = ItemByItemJournal()
    outcomes = [o async for o in messages.send_many(items(5), journal=journal)]
    assert Counter(o.status for o in outcomes) == {SENT: 4, SKIPPED: 1}
    assert sorted(journal.in_flight) == [1, 2, 3, 4]
    assert len(journal.records) == 4
    assert len(fake.sent) == 4
