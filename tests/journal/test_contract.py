"""The SendJournal contract, run against SqliteJournal and PostgresJournal alike.

A batch asks ``skip_reasons`` once per chunk, ``claim`` before each request (atomic: of several
workers exactly one wins a row) and ``record`` with the outcome. The rerun rules, what a row
stores and the reports must be the same whichever journal holds the campaign.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest

from engagive_async import (
    APIConnectionError,
    BadRequestError,
    OutcomeStatus,
    RateLimitError,
    SendJournal,
    SendOutcome,
    TemplateSend,
    ValidationError,
)
from engagive_async.journal import (
    ALREADY_SENT,
    FAILED_FINAL,
    HELD_ELSEWHERE,
    MAYBE_SENT,
    OTHER_RECIPIENT,
    DuplicateRowKeyError,
)
from engagive_async.testing import FakeEngagive, Fault
from tests._support import fake_client
from tests.journal.conftest import MakeJournal
from tests.journal.test_sqlite import META_OK, URL, failed, item, meta_error, sent

pytestmark = pytest.mark.timeout(60)


async def run_one(journal: Any, outcome: SendOutcome) -> None:
    """What the batch engine does for an item that is sent."""
    assert await journal.skip_reasons([(outcome.index, outcome.item)]) == {}
    assert await journal.claim(outcome.index, outcome.item) is None
    await journal.record(outcome)


async def test_both_journals_are_send_journals(make_journal: MakeJournal) -> None:
    """Each journal has the many-owner protocol's methods (runtime-checkable)."""
    assert isinstance(make_journal(), SendJournal)


async def test_sent_row_is_skipped_and_keeps_its_answer(make_journal: MakeJournal) -> None:
    """A SENT row keeps wamid and metaResponse and is never offered or claimed again."""
    async with make_journal() as journal:
        await run_one(journal, sent(0))
    async with make_journal(resend_unknown=True) as rerun:
        assert await rerun.skip_reasons([(0, item(0)), (1, item(1))]) == {0: ALREADY_SENT}
        assert await rerun.claim(0, item(0)) == ALREADY_SENT
        entry = await rerun.entry(0)
    assert entry is not None
    assert (entry.status, entry.wamid, entry.attempts, entry.to) == (
        "SENT",
        "wamid.A1",
        1,
        "923000000000",
    )
    assert entry.meta_response == META_OK
    assert entry.first_attempt_at is not None
    assert entry.updated_at.endswith("+00:00")


async def test_a_dead_workers_row_is_not_resent_unless_asked(make_journal: MakeJournal) -> None:
    """A claim with no outcome (its worker died) is durable; skipped unless resend_unknown."""
    dead = make_journal()
    await dead.open()
    assert await dead.claim(3, item(3)) is None
    # The dead worker never records nor closes; others see its claim at once.
    async with make_journal() as rerun:
        assert await rerun.skip_reasons([(3, item(3))]) == {3: MAYBE_SENT}
        assert await rerun.claim(3, item(3)) == HELD_ELSEWHERE
        assert (await rerun.summary()).by_status == {"IN_FLIGHT": 1}
    async with make_journal(resend_unknown=True) as rerun:
        assert await rerun.skip_reasons([(3, item(3))]) == {}
        assert await rerun.claim(3, item(3)) is None
    await dead.aclose()


async def test_unknown_row_is_skipped_unless_resend_unknown(make_journal: MakeJournal) -> None:
    """An UNKNOWN outcome (request out, no answer) is not sent again by default."""
    error = APIConnectionError("read timeout", method="POST", url=URL, request_sent=True)
    unknown = SendOutcome(
        index=0, item=item(0), status=OutcomeStatus.UNKNOWN, error=error, attempts=1
    )
    async with make_journal() as journal:
        await run_one(journal, unknown)
    async with make_journal() as rerun:
        assert await rerun.skip_reasons([(0, item(0))]) == {0: MAYBE_SENT}
        assert await rerun.claim(0, item(0)) == MAYBE_SENT
        entry = await rerun.entry("0")
    async with make_journal(resend_unknown=True) as rerun:
        assert await rerun.claim(0, item(0)) is None
    assert entry is not None
    assert (entry.status, entry.error) == ("UNKNOWN", "APIConnectionError: read timeout")


@pytest.mark.parametrize(
    ("error", "attempts", "retryable"),
    [
        (RateLimitError("slow down", method="POST", url=URL, status_code=429, body=None), 4, True),
        (meta_error(131026), 1, False),
        (BadRequestError("bad", method="POST", url=URL, status_code=400, body=None), 1, False),
        (ValidationError("to", "not a number"), 0, True),
    ],
)
async def test_failed_row_is_resent_only_when_retryable(
    make_journal: MakeJournal, error: BaseException, attempts: int, retryable: bool
) -> None:
    """FAILED rows carry the retryable flag; a rerun claims exactly the retryable ones."""
    async with make_journal() as journal:
        if attempts:
            await run_one(journal, failed(0, error, attempts))
        else:  # an invalid item is recorded without a claim: it never got a request
            await journal.record(failed(0, error, attempts))
    async with make_journal() as rerun:
        entry = await rerun.entry(0)
        reasons = await rerun.skip_reasons([(0, item(0))])
        claimed = await rerun.claim(0, item(0))
    assert entry is not None
    assert (entry.status, entry.retryable) == ("FAILED", retryable)
    assert reasons == ({} if retryable else {0: FAILED_FINAL})
    assert claimed == (None if retryable else FAILED_FINAL)


async def test_attempts_add_up_and_skipped_never_hides_a_state(make_journal: MakeJournal) -> None:
    """Attempts sum over runs; a SKIPPED outcome never overwrites a row, and SKIPPED rows go."""
    limited = RateLimitError("slow", method="POST", url=URL, status_code=429, body=None)
    async with make_journal() as journal:
        await run_one(journal, failed(0, limited, attempts=4))
        await journal.record(
            SendOutcome(index=1, item=item(1), status=OutcomeStatus.SKIPPED, reason="deadline")
        )
    async with make_journal() as rerun:
        await run_one(rerun, sent(0))
        await rerun.record(
            SendOutcome(index=0, item=item(0), status=OutcomeStatus.SKIPPED, reason="deadline")
        )
        assert await rerun.skip_reasons([(1, item(1))]) == {}
        zero, one = await rerun.entry(0), await rerun.entry(1)
    assert zero is not None
    assert one is not None
    assert (zero.status, zero.attempts, zero.error) == ("SENT", 5, None)
    assert (one.status, one.reason) == ("SKIPPED", "deadline")


async def test_an_invalid_item_never_overwrites_a_held_row(make_journal: MakeJournal) -> None:
    """An unclaimed FAILED (an invalid item) leaves another worker's IN_FLIGHT row alone."""
    async with make_journal() as holder, make_journal() as other:
        assert await holder.claim(0, item(0)) is None
        await other.record(failed(0, ValidationError("to", "bad"), attempts=0))
        entry = await other.entry(0)
    assert entry is not None
    assert entry.status == "IN_FLIGHT"


async def test_claimed_then_cancelled_row_is_skipped_and_goes_next_time(
    make_journal: MakeJournal,
) -> None:
    """A row claimed and cancelled before any request is SKIPPED, so a rerun sends it."""
    async with make_journal() as journal:
        assert await journal.claim(0, item(0)) is None
        await journal.record(
            SendOutcome(index=0, item=item(0), status=OutcomeStatus.SKIPPED, reason="cancelled")
        )
    async with make_journal() as rerun:
        assert await rerun.claim(0, item(0)) is None


async def test_a_key_holding_another_recipient_is_skipped(make_journal: MakeJournal) -> None:
    """A row key that now names another number (the input changed) is not sent."""
    async with make_journal() as journal:
        await journal.record(
            SendOutcome(index=0, item=item(0, key="k"), status=OutcomeStatus.SKIPPED)
        )
    async with make_journal() as rerun:
        same = item(0, key="k", to="+923000000000")
        moved = item(0, key="k", to="923009999999")
        assert await rerun.skip_reasons([(0, same)]) == {}
        assert await rerun.skip_reasons([(0, moved)]) == {0: OTHER_RECIPIENT}
        assert await rerun.claim(0, moved) == OTHER_RECIPIENT


async def test_duplicate_key_in_one_run_is_refused(make_journal: MakeJournal) -> None:
    """The second item of a run with a key this run holds raises; the first keeps the row."""
    async with make_journal() as journal:
        first, second = item(0, key="dup"), item(1, key="dup")
        assert await journal.claim(0, first) is None
        assert await journal.skip_reasons([(1, second)]) == {}
        with pytest.raises(DuplicateRowKeyError, match="'dup'"):
            await journal.claim(1, second)
        await journal.record(
            SendOutcome(
                index=1, item=second, status=OutcomeStatus.FAILED, error=DuplicateRowKeyError()
            )
        )
        await journal.record(sent(0, it=first))
        entry = await journal.entry("dup")
    assert entry is not None
    assert (entry.status, entry.index) == ("SENT", 0)


async def test_of_racing_workers_exactly_one_wins_each_row(make_journal: MakeJournal) -> None:
    """Four workers claiming the same 50 rows at once: every row has exactly one winner."""
    workers = [make_journal() for _ in range(4)]
    wins: Counter[int] = Counter()
    losses: Counter[str | None] = Counter()

    async def work(journal: Any) -> None:
        async with journal:
            for n in range(50):
                lost = await journal.claim(n, item(n))
                if lost is None:
                    wins[n] += 1
                    await journal.record(sent(n))
                else:
                    losses[lost] += 1

    async with anyio.create_task_group() as tg:
        for journal in workers:
            tg.start_soon(work, journal)
    assert wins == dict.fromkeys(range(50), 1)
    assert set(losses) <= {HELD_ELSEWHERE, ALREADY_SENT}
    assert sum(losses.values()) == 150


async def test_campaigns_are_independent(make_journal: MakeJournal) -> None:
    """The same row key in two campaigns is two rows; campaigns() lists them."""
    async with make_journal("spring") as journal:
        await run_one(journal, sent(0))
    async with make_journal("autumn") as journal:
        assert await journal.skip_reasons([(0, item(0))]) == {}
        assert await journal.campaigns() == ["spring"]


async def test_summary_and_export(make_journal: MakeJournal, tmp_path: Path) -> None:
    """summary() counts statuses and Meta codes; export_csv writes rows in input order."""
    out = tmp_path / "out.csv"
    async with make_journal() as journal:
        await run_one(journal, failed(1, meta_error(131026)))
        await run_one(journal, failed(2, meta_error(131026)))
        await run_one(journal, sent(0))
        summary = await journal.summary()
        assert await journal.export_csv(out) == 3
    assert (summary.total, summary.by_status) == (3, {"FAILED": 2, "SENT": 1})
    assert summary.by_meta_error == {131026: 2}
    assert "131026" in summary.meta_error_examples[131026]
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["key"], r["status"], r["wamid"]) for r in rows] == [
        ("0", "SENT", "wamid.A1"),
        ("1", "FAILED", ""),
        ("2", "FAILED", ""),
    ]
    assert rows[1]["meta_error_code"] == "131026"
    assert rows[1]["retryable"] == "0"


async def test_send_many_never_sends_a_row_twice(make_journal: MakeJournal) -> None:
    """Library use: a rerun of send_many with the journal skips what was done, in chunks."""
    fake = FakeEngagive()
    fake.script(Fault.meta_error(131026), route="messages.send_template")
    items = [item(n, key=f"k{n}") for n in range(40)]
    calls: Counter[str] = Counter()
    async with fake_client(fake) as c:
        acct = c.account(1)
        for _ in range(2):
            async with make_journal() as journal:
                counted = _Counting(journal, calls)
                outcomes = [
                    o async for o in acct.messages.send_many(items, journal=counted, concurrency=8)
                ]
                summary = await journal.summary()
    assert Counter(o.status for o in outcomes) == {OutcomeStatus.SKIPPED: 40}
    assert Counter(o.reason for o in outcomes) == {ALREADY_SENT: 39, FAILED_FINAL: 1}
    assert len({m.to for m in fake.sent}) == len(fake.sent) == 39
    assert summary.by_status == {"SENT": 39, "FAILED": 1}
    # One skip check per chunk of `concurrency` items, one claim per item sent.
    assert calls["skip_reasons"] == 2 * 5
    assert calls["claim"] == 40


class _Counting:
    """A journal wrapper counting the batch's calls."""

    def __init__(self, journal: Any, calls: Counter[str]) -> None:
        self._journal = journal
        self._calls = calls

    async def skip_reasons(self, items: Any) -> Any:
        self._calls["skip_reasons"] += 1
        return await self._journal.skip_reasons(items)

    async def claim(self, index: int, item: TemplateSend) -> str | None:
        self._calls["claim"] += 1
        lost: str | None = await self._journal.claim(index, item)
        return lost

    async def record(self, outcome: SendOutcome) -> None:
        self._calls["record"] += 1
        await self._journal.record(outcome)
