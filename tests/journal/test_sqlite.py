"""SqliteJournal: rerun rules, what a row stores, durability, group commits, reports."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from engagive_async import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    UpstreamError,
    ValidationError,
)
from engagive_async._journal import (
    ALREADY_SENT,
    FAILED_FINAL,
    MAYBE_SENT,
    OTHER_RECIPIENT,
    DuplicateRowKeyError,
    SqliteJournal,
)
from engagive_async.models.batch import OutcomeStatus, SendOutcome, TemplateSend
from engagive_async.models.meta import MetaError
from engagive_async.models.results import SendResult
from engagive_async.testing import FakeEngagive, Fault
from tests._support import fake_client

URL = "http://127.0.0.1/api/business/public/x"
META_OK = {"messages": [{"id": "wamid.A1", "message_status": "accepted"}]}


def item(n: int, *, key: str | None = None, to: str | None = None) -> TemplateSend:
    return TemplateSend(
        to=to or f"92300{n:07d}", template_name="order_shipped", lang_code="en", key=key
    )


def sent(n: int, **kw: Any) -> SendOutcome:
    result = SendResult(data={}, meta_response=META_OK)
    return SendOutcome(
        index=n, item=kw.pop("it", item(n)), status=OutcomeStatus.SENT, result=result, attempts=1
    )


def failed(n: int, error: BaseException, attempts: int = 1) -> SendOutcome:
    return SendOutcome(
        index=n, item=item(n), status=OutcomeStatus.FAILED, error=error, attempts=attempts
    )


def meta_error(code: int) -> UpstreamError:
    meta = {"error": {"code": code, "message": f"(#{code}) refused"}}
    return UpstreamError(
        "Meta refused",
        method="POST",
        url=URL,
        status_code=502,
        body=None,
        meta_response=meta,
        meta_error=MetaError(code=code, message=f"(#{code}) refused"),
    )


async def reopen(path: Path, **kw: Any) -> SqliteJournal:
    journal = SqliteJournal(path, "c1", **kw)
    await journal.open()
    return journal


async def run_one(journal: SqliteJournal, outcome: SendOutcome) -> None:
    """What the batch engine does for an item that is sent."""
    assert await journal.skip_reason(outcome.index, outcome.item) is None
    await journal.before_send(outcome.index, outcome.item)
    await journal.record(outcome)


async def test_sent_row_is_skipped_on_rerun_and_stores_the_answer(tmp_path: Path) -> None:
    """A SENT row keeps its wamid and metaResponse and is never offered again."""
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
        await run_one(journal, sent(0))
    async with SqliteJournal(tmp_path / "j.sqlite", "c1", resend_unknown=True) as journal:
        assert await journal.skip_reason(0, item(0)) == ALREADY_SENT
        entry = await journal.entry(0)
    assert entry is not None
    assert (entry.status, entry.wamid, entry.attempts) == ("SENT", "wamid.A1", 1)
    assert entry.meta_response == META_OK
    assert entry.first_attempt_at is not None
    assert entry.to == "923000000000"


async def test_row_left_in_flight_by_a_crash_is_skipped_unless_resend_unknown(
    tmp_path: Path,
) -> None:
    """A claimed row with no outcome (a crash) is not sent again unless resend_unknown."""
    path = tmp_path / "j.sqlite"
    crashed = await reopen(path)
    await crashed.before_send(3, item(3))
    # No record and no close: a second connection must already see the claim.
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT status FROM engagive_sends").fetchall() == [("IN_FLIGHT",)]
    async with SqliteJournal(path, "c1") as rerun:
        assert await rerun.skip_reason(3, item(3)) == MAYBE_SENT
    async with SqliteJournal(path, "c1", resend_unknown=True) as rerun:
        assert await rerun.skip_reason(3, item(3)) is None
    await crashed.aclose()


async def test_unknown_row_is_skipped_unless_resend_unknown(tmp_path: Path) -> None:
    """An UNKNOWN outcome (request out, no answer) is not resent by default."""
    path = tmp_path / "j.sqlite"
    error = APIConnectionError("read timeout", method="POST", url=URL, request_sent=True)
    outcome = SendOutcome(
        index=0, item=item(0), status=OutcomeStatus.UNKNOWN, error=error, attempts=1
    )
    async with SqliteJournal(path, "c1") as journal:
        await run_one(journal, outcome)
    async with SqliteJournal(path, "c1") as journal:
        assert await journal.skip_reason(0, item(0)) == MAYBE_SENT
        entry = await journal.entry("0")
    async with SqliteJournal(path, "c1", resend_unknown=True) as journal:
        assert await journal.skip_reason(0, item(0)) is None
    assert entry is not None
    assert entry.status == "UNKNOWN"
    assert entry.error == "APIConnectionError: read timeout"


@pytest.mark.parametrize(
    ("error", "attempts", "retryable"),
    [
        (RateLimitError("slow down", method="POST", url=URL, status_code=429, body=None), 4, True),
        (APIConnectionError("refused", method="POST", url=URL, request_sent=False), 4, True),
        (meta_error(130429), 4, True),
        (meta_error(131026), 1, False),
        (BadRequestError("bad", method="POST", url=URL, status_code=400, body=None), 1, False),
        (AuthenticationError("no", method="POST", url=URL, status_code=401, body=None), 1, True),
        (ValidationError("to", "not a number"), 0, True),
    ],
)
async def test_failed_row_is_resent_only_when_retryable(
    tmp_path: Path, error: BaseException, attempts: int, retryable: bool
) -> None:
    """FAILED rows carry the retryable flag, and a rerun resends exactly the retryable ones."""
    path = tmp_path / "j.sqlite"
    async with SqliteJournal(path, "c1") as journal:
        outcome = failed(0, error, attempts)
        if attempts:
            await run_one(journal, outcome)
        else:  # an invalid item is recorded without a claim: it never got a request
            await journal.record(outcome)
    async with SqliteJournal(path, "c1") as journal:
        entry = await journal.entry(0)
        reason = await journal.skip_reason(0, item(0))
    assert entry is not None
    assert (entry.status, entry.retryable) == ("FAILED", retryable)
    assert reason == (None if retryable else FAILED_FINAL)


async def test_meta_error_code_and_response_are_stored(tmp_path: Path) -> None:
    """A Meta refusal keeps its code, its metaResponse and the error text."""
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
        await run_one(journal, failed(0, meta_error(131026)))
        entry = await journal.entry(0)
    assert entry is not None
    assert entry.meta_error_code == 131026
    assert entry.meta_response == {"error": {"code": 131026, "message": "(#131026) refused"}}
    assert entry.error is not None
    assert entry.error.startswith("UpstreamError: ")


async def test_attempts_add_up_over_runs(tmp_path: Path) -> None:
    """A retryable failure then a success count the attempts of both runs."""
    path = tmp_path / "j.sqlite"
    limited = RateLimitError("slow", method="POST", url=URL, status_code=429, body=None)
    async with SqliteJournal(path, "c1") as journal:
        await run_one(journal, failed(0, limited, attempts=4))
    async with SqliteJournal(path, "c1") as journal:
        await run_one(journal, sent(0))
        entry = await journal.entry(0)
    assert entry is not None
    assert (entry.status, entry.attempts, entry.error, entry.retryable) == ("SENT", 5, None, False)


async def test_skipped_row_is_sent_on_rerun_and_never_hides_an_earlier_state(
    tmp_path: Path,
) -> None:
    """SKIPPED (never attempted) rows go again; a SKIPPED outcome does not overwrite SENT."""
    path = tmp_path / "j.sqlite"
    async with SqliteJournal(path, "c1") as journal:
        await run_one(journal, sent(0))
        await journal.record(
            SendOutcome(index=1, item=item(1), status=OutcomeStatus.SKIPPED, reason="deadline")
        )
    async with SqliteJournal(path, "c1") as journal:
        # A deadline in the rerun reports row 0 SKIPPED without asking the journal first.
        await journal.record(
            SendOutcome(index=0, item=item(0), status=OutcomeStatus.SKIPPED, reason="deadline")
        )
        assert await journal.skip_reason(1, item(1)) is None
        zero, one = await journal.entry(0), await journal.entry(1)
    assert zero is not None
    assert one is not None
    assert (zero.status, one.status, one.reason) == ("SENT", "SKIPPED", "deadline")


async def test_claimed_row_cancelled_before_its_request_becomes_skipped(tmp_path: Path) -> None:
    """A row claimed and then cancelled before any request is SKIPPED, so a rerun sends it."""
    path = tmp_path / "j.sqlite"
    async with SqliteJournal(path, "c1") as journal:
        await journal.before_send(0, item(0))
        await journal.record(
            SendOutcome(index=0, item=item(0), status=OutcomeStatus.SKIPPED, reason="cancelled")
        )
    async with SqliteJournal(path, "c1") as journal:
        assert await journal.skip_reason(0, item(0)) is None


async def test_a_key_holding_another_recipient_is_skipped(tmp_path: Path) -> None:
    """When a row key now names another number (the file changed), the row is not sent."""
    path = tmp_path / "j.sqlite"
    async with SqliteJournal(path, "c1") as journal:
        await journal.record(
            SendOutcome(index=0, item=item(0, key="k"), status=OutcomeStatus.SKIPPED)
        )
    async with SqliteJournal(path, "c1") as journal:
        assert await journal.skip_reason(0, item(0, key="k", to="+923000000000")) is None
        assert await journal.skip_reason(0, item(0, key="k", to="923009999999")) == (
            OTHER_RECIPIENT
        )


async def test_duplicate_key_in_one_run_is_refused_and_keeps_the_first(tmp_path: Path) -> None:
    """The second item with a key already claimed in this run is refused; the first's row stays."""
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
        first, second = item(0, key="dup"), item(1, key="dup")
        assert await journal.skip_reason(0, first) is None
        await journal.before_send(0, first)
        assert await journal.skip_reason(1, second) is None
        with pytest.raises(DuplicateRowKeyError, match="'dup'"):
            await journal.before_send(1, second)
        error = DuplicateRowKeyError("dup")
        await journal.record(
            SendOutcome(index=1, item=second, status=OutcomeStatus.FAILED, error=error)
        )
        await journal.record(sent(0, it=first))
        entry = await journal.entry("dup")
    assert entry is not None
    assert (entry.status, entry.index, entry.wamid) == ("SENT", 0, "wamid.A1")


async def test_campaigns_are_independent(tmp_path: Path) -> None:
    """The same row key in two campaigns of one file are two rows."""
    path = tmp_path / "j.sqlite"
    async with SqliteJournal(path, "spring") as journal:
        await run_one(journal, sent(0))
    async with SqliteJournal(path, "autumn") as journal:
        assert await journal.skip_reason(0, item(0)) is None
        assert await journal.campaigns() == ["spring"]


async def test_file_is_in_wal_mode(tmp_path: Path) -> None:
    """The journal runs SQLite in WAL mode (readers never block the campaign)."""
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
        await run_one(journal, sent(0))
        with sqlite3.connect(journal.path) as other:
            assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_concurrent_rows_are_all_durable_and_batched(tmp_path: Path) -> None:
    """Hundreds of concurrent sends all land; before_send returns only once committed."""
    path = tmp_path / "j.sqlite"
    commits = 0
    seen_committed: list[bool] = []

    async with SqliteJournal(path, "c1") as journal:
        conn = journal._db._conn  # the one connection: count its commits
        assert conn is not None
        conn.set_trace_callback(lambda sql: _count_commit(sql))

        def _count_commit(sql: str) -> None:
            nonlocal commits
            commits += sql == "COMMIT"

        other = sqlite3.connect(path, check_same_thread=False)

        async def one(n: int) -> None:
            await journal.before_send(n, item(n))
            found = other.execute(
                "SELECT status FROM engagive_sends WHERE row_key = ?", (str(n),)
            ).fetchone()
            seen_committed.append(found == ("IN_FLIGHT",))
            await anyio.lowlevel.checkpoint()
            await journal.record(sent(n))

        async with anyio.create_task_group() as tg:
            for n in range(300):
                tg.start_soon(one, n)
        other.close()
        summary = await journal.summary()
    assert all(seen_committed)
    assert len(seen_committed) == 300
    assert summary.by_status == {"SENT": 300}
    assert commits < 300  # 600 writes shared far fewer transactions


async def test_summary_counts_statuses_and_meta_codes(tmp_path: Path) -> None:
    """summary() counts rows by status and failed rows by Meta error code, with an example."""
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
        await run_one(journal, sent(0))
        await run_one(journal, failed(1, meta_error(131026)))
        await run_one(journal, failed(2, meta_error(131026)))
        await run_one(journal, failed(3, meta_error(132001)))
        summary = await journal.summary()
    assert summary.total == 4
    assert summary.by_status == {"FAILED": 3, "SENT": 1}
    assert summary.by_meta_error == {131026: 2, 132001: 1}
    assert "131026" in summary.meta_error_examples[131026]


async def test_export_csv_writes_every_row_in_input_order(tmp_path: Path) -> None:
    """export_csv streams the campaign's rows with status, wamid and Meta's answer."""
    out = tmp_path / "out.csv"
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
        await run_one(journal, failed(1, meta_error(131026)))
        await run_one(journal, sent(0))
        assert await journal.export_csv(out) == 2
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["key"], r["status"], r["wamid"]) for r in rows] == [
        ("0", "SENT", "wamid.A1"),
        ("1", "FAILED", ""),
    ]
    assert rows[1]["meta_error_code"] == "131026"
    assert '"code": 131026' in rows[1]["meta_response"]


async def test_lifecycle(tmp_path: Path) -> None:
    """aclose is idempotent, a closed journal refuses use, create=False needs the file."""
    journal = await reopen(tmp_path / "j.sqlite")
    await journal.aclose()
    await journal.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await journal.skip_reason(0, item(0))
    with pytest.raises(FileNotFoundError):
        await SqliteJournal(tmp_path / "missing.sqlite", "c1", create=False).open()
    with pytest.raises(ValueError, match="campaign"):
        SqliteJournal(tmp_path / "j.sqlite", "")


async def test_send_many_with_the_journal_never_sends_a_row_twice(tmp_path: Path) -> None:
    """Library use: a rerun of send_many with the same journal skips what was done."""
    fake = FakeEngagive()
    fake.script(Fault.meta_error(131026), route="messages.send_template")
    items = [item(n, key=f"k{n}") for n in range(40)]
    async with fake_client(fake) as c:
        acct = c.account(1)
        for _ in range(2):
            async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
                outcomes = [o async for o in acct.messages.send_many(items, journal=journal)]
                summary = await journal.summary()
    assert Counter(o.status for o in outcomes) == {OutcomeStatus.SKIPPED: 40}
    assert Counter(o.reason for o in outcomes) == {ALREADY_SENT: 39, FAILED_FINAL: 1}
    assert len({m.to for m in fake.sent}) == len(fake.sent) == 39
    assert summary.by_status == {"SENT": 39, "FAILED": 1}
    assert summary.by_meta_error == {131026: 1}


async def test_a_bare_5xx_row_is_unknown_and_not_resent_by_a_rerun(tmp_path: Path) -> None:
    """A 503 without Meta's error may have been relayed: UNKNOWN, skipped unless resend_unknown."""
    fake = FakeEngagive()
    fake.script(Fault.status(503), route="messages.send_template")
    items = [item(n, key=f"k{n}") for n in range(3)]
    async with fake_client(fake) as c:
        acct = c.account(1)
        async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
            first = [o async for o in acct.messages.send_many(items, journal=journal)]
        async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:
            rerun = [o async for o in acct.messages.send_many(items, journal=journal)]
            summary = await journal.summary()
    assert Counter(o.status for o in first) == {OutcomeStatus.SENT: 2, OutcomeStatus.UNKNOWN: 1}
    assert Counter(o.reason for o in rerun) == {ALREADY_SENT: 2, MAYBE_SENT: 1}
    assert summary.by_status == {"SENT": 2, "UNKNOWN": 1}
    assert len(fake.requests) == 3


async def test_a_fresh_campaign_skips_the_read_and_outcomes_join_the_claims_commits(
    tmp_path: Path,
) -> None:
    """Group commit: a fresh campaign asks the file nothing per row, outcomes ride along."""
    path = tmp_path / "j.sqlite"
    statements: list[str] = []
    async with SqliteJournal(path, "c1") as journal:
        conn = journal._db._conn
        assert conn is not None
        conn.set_trace_callback(statements.append)

        async def one(n: int) -> None:
            await run_one(journal, sent(n))

        async with anyio.create_task_group() as tg:
            for n in range(200):
                tg.start_soon(one, n)
    commits = statements.count("COMMIT")
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert commits < 100  # 400 writes: outcomes joined the commits of other rows' claims
    async with SqliteJournal(path, "c1") as again:  # the rerun reads and skips every row
        assert [await again.skip_reason(n, item(n)) for n in range(200)] == [ALREADY_SENT] * 200


async def test_duplicate_keys_claimed_in_one_group_are_each_refused_once(tmp_path: Path) -> None:
    """Claims of one group go to SQLite together; a duplicate among them is still found."""
    refused: list[int] = []
    async with SqliteJournal(tmp_path / "j.sqlite", "c1") as journal:

        async def claim(n: int) -> None:
            try:
                await journal.before_send(n, item(n, key=f"k{n % 50}"))
            except DuplicateRowKeyError:
                refused.append(n)

        async with anyio.create_task_group() as tg:
            for n in range(100):
                tg.start_soon(claim, n)
        summary = await journal.summary()
    assert len(refused) == 50
    assert {n % 50 for n in refused} == set(range(50))  # one of each pair
    assert summary.by_status == {"IN_FLIGHT": 50}
