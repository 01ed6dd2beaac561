"""How a batch hands its outcomes over: many per event-loop turn, none lost, none twice.

Outcomes that complete in the same turn travel to the consumer together (one stream object per
chunk), so these tests drive the engine with senders that answer at once, where every turn
completes dozens of items, and check what the consumer and ``on_progress`` see.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import aclosing

import anyio
import pytest
import trio

from engagive_async import (
    BatchProgress,
    OutcomeStatus,
    SendOutcome,
    SendResult,
    TemplateSend,
)
from engagive_async._http import CallTrace
from engagive_async._pacing._throttle import Throttle
from engagive_async._sending._batch import BatchOptions, run_batch
from engagive_async.testing import FakeEngagive
from tests._support import fake_client

ANSWER = SendResult(data={"to": "x"})


def templates(n: int) -> Iterator[TemplateSend]:
    for i in range(n):
        yield TemplateSend(to=f"92300{i:07d}", template_name="order_shipped", lang_code="en")


async def instant(throttle: Throttle, trace: CallTrace) -> SendResult:
    trace.attempts = 1
    await anyio.lowlevel.checkpoint()
    return ANSWER


async def indices(ordered: bool) -> list[int]:
    seen: list[int] = []
    stream = run_batch(
        templates(5000), lambda item: instant, BatchOptions(concurrency=64, ordered=ordered)
    )
    async with aclosing(stream):
        async for outcome in stream:
            assert outcome.status is OutcomeStatus.SENT
            seen.append(outcome.index)
    return seen


@pytest.mark.parametrize("ordered", [False, True])
async def test_every_outcome_arrives_once_when_many_complete_per_turn(ordered: bool) -> None:
    """5,000 instant sends at concurrency 64: each index exactly once (in order if asked)."""
    seen = await indices(ordered)
    assert (seen if ordered else sorted(seen)) == list(range(5000))


@pytest.mark.parametrize("ordered", [False, True])
def test_every_outcome_arrives_once_on_trio(ordered: bool) -> None:
    """The same under trio."""
    seen = trio.run(indices, ordered)
    assert (seen if ordered else sorted(seen)) == list(range(5000))


async def test_leaving_in_the_middle_of_a_chunk_still_accounts_for_every_item() -> None:
    """Breaking out after 10 outcomes: progress still reaches every item, sent or skipped,
    and nothing keeps running."""
    progress: list[BatchProgress] = []
    taken: list[SendOutcome] = []
    stream = run_batch(
        list(templates(1000)),
        lambda item: instant,
        BatchOptions(concurrency=32, on_progress=progress.append, grace=1.0),
    )
    async with aclosing(stream):
        async for outcome in stream:
            taken.append(outcome)
            if len(taken) == 10:
                break
    final = progress[-1]
    assert final.done == final.total == 1000
    assert final.by_status[OutcomeStatus.SENT] + final.by_status[OutcomeStatus.SKIPPED] == 1000
    assert final.by_status[OutcomeStatus.SKIPPED] > 0  # the batch did stop early
    assert final.in_flight == 0


async def test_progress_counts_items_in_flight_without_a_deadline() -> None:
    """on_progress reports the other workers' requests as in flight (no deadline given)."""
    fake = FakeEngagive(latency=0.05)
    progress: list[BatchProgress] = []
    async with fake_client(fake) as client:
        stream = client.account(1).messages.send_many(
            templates(12), concurrency=4, on_progress=progress.append
        )
        async with aclosing(stream):
            async for _ in stream:
                pass
    # The first outcome comes while the three other workers still wait for their answers.
    assert progress[0].in_flight == 3
    assert max(p.in_flight for p in progress) == 3
    assert progress[-1].in_flight == 0
    assert progress[-1].by_status[OutcomeStatus.SENT] == 12
