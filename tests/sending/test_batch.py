"""send_many / send_batch: bounded concurrency, one outcome per item, never a duplicate."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagive_async import (
    APIConnectionError,
    AsyncClient,
    BatchProgress,
    OutcomeStatus,
    RateLimitError,
    ReactionSend,
    RetryPolicy,
    SendOutcome,
    SendResult,
    SingleSend,
    TemplateSend,
    UpstreamError,
    ValidationError,
)
from engagive_async._http import CallTrace
from engagive_async._pacing._throttle import Throttle
from engagive_async._sending._batch import BatchOptions, run_batch
from engagive_async.builders import Text
from engagive_async.testing import FakeEngagive, Fault
from tests._support import fake_client

SENT, FAILED, UNKNOWN, SKIPPED = (
    OutcomeStatus.SENT,
    OutcomeStatus.FAILED,
    OutcomeStatus.UNKNOWN,
    OutcomeStatus.SKIPPED,
)
SEND_ROUTE = "messages.send_template"
QUICK = RetryPolicy(max_attempts=4, initial_backoff=0, max_backoff=0, max_retry_after=0.5)


def numbers(n: int, start: int = 0) -> list[str]:
    """n distinct valid recipient numbers."""
    return [f"92300{i:07d}" for i in range(start, start + n)]


def templates(n: int, start: int = 0) -> Iterator[TemplateSend]:
    """A lazy stream of n template sends, each to its own number, keyed by number."""
    for to in numbers(n, start):
        yield TemplateSend(to=to, template_name="order_shipped", lang_code="en", key=to)


def in_process(fake: FakeEngagive, **kwargs: object) -> AsyncClient:
    """A client talking to the fake through ASGI, with quick retries."""
    kwargs.setdefault("retry", QUICK)
    return fake_client(
        fake,
        **kwargs,
    )


async def collect(client: AsyncClient, items: object, **options: object) -> list[SendOutcome]:
    """Every outcome of a send_many run, in completion order."""
    out: list[SendOutcome] = []
    stream = client.account(1).messages.send_many(items, **options)  # type: ignore[arg-type]
    async with aclosing(stream):
        async for outcome in stream:
            out.append(outcome)
    return out


def received_by_number(fake: FakeEngagive) -> Counter[str]:
    """How many send requests the server received per recipient."""
    return Counter(
        r.json["to"] for r in fake.requests if r.route == SEND_ROUTE and r.json is not None
    )


async def test_every_item_gets_one_outcome_in_input_order_when_asked() -> None:
    """ordered=True yields index 0..n-1 in order, all SENT with a wamid and Meta's answer."""
    fake = FakeEngagive(latency=0.002)
    async with in_process(fake) as client:
        outcomes = await collect(client, templates(60), concurrency=8, ordered=True)
    assert [o.index for o in outcomes] == list(range(60))
    assert all(o.status is SENT for o in outcomes)
    assert all(o.wamid and o.wamid.startswith("wamid.") for o in outcomes)
    assert len({o.wamid for o in outcomes}) == 60
    assert outcomes[5].key == numbers(60)[5]
    assert outcomes[5].meta_response is not None
    assert outcomes[5].attempts == 1
    assert outcomes[5].elapsed > 0


async def test_concurrency_is_bounded_at_the_server() -> None:
    """No more than `concurrency` requests are ever in flight at the server."""
    fake = FakeEngagive(latency=0.01)
    async with in_process(fake) as client:
        outcomes = await collect(client, templates(80), concurrency=5)
    assert len(outcomes) == 80
    assert fake.max_in_flight == 5


async def test_async_input_and_mixed_item_kinds() -> None:
    """An async iterable of template, single and reaction sends is consumed lazily."""

    async def items() -> AsyncIterator[object]:
        yield TemplateSend(to="923001234567", template_name="order_shipped", lang_code="en")
        yield SingleSend(to="923001234568", message=Text("hi"))
        yield ReactionSend(to="923001234569", whatsapp_message_id="wamid.abc", emoji="👍")

    fake = FakeEngagive()
    async with in_process(fake) as client:
        outcomes = await collect(client, items(), concurrency=2, ordered=True)
    assert [o.status for o in outcomes] == [SENT, SENT, SENT]
    assert len(fake.sent) == 3


async def test_invalid_items_fail_alone_with_a_named_field() -> None:
    """A bad number is FAILED with a ValidationError naming `to`; the batch goes on."""
    items = [
        TemplateSend(to="923001234567", template_name="order_shipped", lang_code="en"),
        TemplateSend(to="not-a-number", template_name="order_shipped", lang_code="en"),
        TemplateSend(to="923001234569", template_name="order_shipped", lang_code="en"),
    ]
    fake = FakeEngagive()
    async with in_process(fake) as client:
        report = await client.account(1).messages.send_batch(items, concurrency=2)
    assert [o.status for o in report.outcomes] == [SENT, FAILED, SENT]
    error = report.outcomes[1].error
    assert isinstance(error, ValidationError)
    assert error.field == "to"
    assert report.outcomes[1].attempts == 0
    assert len(fake.sent) == 2


async def test_failures_are_classified_and_only_pace_errors_are_retried() -> None:
    """429 and Meta 130429/131056 are retried; 131026 fails and a bare 500 is UNKNOWN, once."""
    fake = FakeEngagive()
    fake.script(
        Fault.status(429, retry_after=0),
        Fault.meta_error(130429),
        Fault.meta_error(131056),
        Fault.meta_error(131026),
        Fault.status(500),
        route=SEND_ROUTE,
    )
    async with in_process(fake) as client:
        report = await client.account(1).messages.send_batch(templates(4), concurrency=1)
    statuses = [o.status for o in report.outcomes]
    assert statuses.count(SENT) == 2
    assert statuses.count(FAILED) == 1
    assert statuses.count(UNKNOWN) == 1
    assert report.by_meta_error == {131026: 1}
    (failure,) = [o.error for o in report.outcomes if o.status is FAILED]
    assert isinstance(failure, UpstreamError)
    assert failure.meta_error is not None
    assert failure.meta_error.code == 131026
    (unknown,) = [o.error for o in report.outcomes if o.status is UNKNOWN]
    assert getattr(unknown, "status_code", None) == 500
    assert sum(received_by_number(fake).values()) == 7  # 2 retries of the first item + 5 sends
    assert len(fake.sent) == 2


async def test_timeouts_after_sending_are_unknown_and_not_resent() -> None:
    """A request that got no answer in time is UNKNOWN and was received exactly once."""
    fake = FakeEngagive()
    fake.script(Fault.delay(1.0), route=SEND_ROUTE)
    async with (
        fake.serve() as url,
        AsyncClient("test-token", base_url=url, retry=QUICK, timeout=0.3) as client,
    ):
        report = await client.account(1).messages.send_batch(templates(3), concurrency=3)
    assert sorted(o.status.value for o in report.outcomes) == ["sent", "sent", "unknown"]
    unknown = report.of(UNKNOWN)[0]
    assert isinstance(unknown.error, APIConnectionError)
    assert unknown.error.request_sent
    assert max(received_by_number(fake).values()) == 1


async def test_dropped_connection_over_a_socket_is_unknown_never_retried() -> None:
    """A real server that drops the connection after reading the send: UNKNOWN, one request."""
    fake = FakeEngagive()
    fake.script(Fault.drop(), route=SEND_ROUTE)
    async with (
        fake.serve() as url,
        AsyncClient("test-token", base_url=url, retry=QUICK) as client,
    ):
        report = await client.account(1).messages.send_batch(templates(1), concurrency=1)
    assert report.outcomes[0].status is UNKNOWN
    assert received_by_number(fake) == Counter({numbers(1)[0]: 1})


async def test_rate_limit_pauses_the_whole_batch() -> None:
    """After a 429 with Retry-After, no worker sends until the pause is over."""
    fake = FakeEngagive(latency=0.001)
    fake.script(Fault.status(429, retry_after=0.3), route=SEND_ROUTE)
    async with in_process(fake) as client:
        started = anyio.current_time()
        outcomes = await collect(client, templates(20), concurrency=4)
        elapsed = anyio.current_time() - started
    assert all(o.status is SENT for o in outcomes)
    first_429_at = fake.requests[0].at
    after = [r.at - first_429_at for r in fake.requests[1:] if r.route == SEND_ROUTE]
    # Requests already in flight when the 429 came may land; nothing starts in the pause.
    assert sum(1 for t in after if 0.01 < t < 0.29) == 0
    assert elapsed >= 0.3


@pytest.mark.parametrize("code", [130429, 80007, 131048])
async def test_meta_pace_errors_pause_the_whole_batch(
    code: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A number-wide Meta limit (131048 spam rate limit included) holds every worker, then the
    refused item is sent again and nothing is lost or doubled."""
    # Full jitter picks a random wait up to the ceiling: take the ceiling, so the pause is known.
    monkeypatch.setattr("engagive_async._http._retry.random.uniform", lambda _low, high: high)
    pause = RetryPolicy(max_attempts=3, initial_backoff=0.3, max_backoff=0.3)
    fake = FakeEngagive(latency=0.001)
    fake.script(Fault.meta_error(code), route=SEND_ROUTE)
    async with in_process(fake, retry=pause) as client:
        outcomes = await collect(client, templates(12), concurrency=4)
    assert all(o.status is SENT for o in outcomes)
    assert len(fake.sent) == 12
    assert sorted(o.attempts for o in outcomes) == [1] * 11 + [2]
    first_refusal_at = fake.requests[0].at
    after = [r.at - first_refusal_at for r in fake.requests[1:] if r.route == SEND_ROUTE]
    # Requests already in flight when Meta refused may land; nothing starts in the pause.
    assert sum(1 for t in after if 0.01 < t < 0.29) == 0
    assert max(after) >= 0.3


async def test_client_side_rate_limit() -> None:
    """rate_limit=200 lets a burst of 20 go at once, then one start every 5 ms."""
    fake = FakeEngagive()
    async with in_process(fake) as client:
        started = anyio.current_time()
        outcomes = await collect(client, templates(80), concurrency=80, rate_limit=200)
        elapsed = anyio.current_time() - started
    assert all(o.status is SENT for o in outcomes)
    assert elapsed >= 0.25  # 60 starts after the burst at 200/s take 0.3 s
    arrivals = sorted(r.at for r in fake.requests)
    early = [t for t in arrivals if t - arrivals[0] < 0.1]
    assert len(early) <= 20 + 21  # the burst plus 0.1 s worth at the rate, nothing more


async def test_deadline_skips_what_never_started() -> None:
    """At the deadline, unstarted items are SKIPPED; every item still has one outcome."""
    fake = FakeEngagive(latency=0.05)
    async with in_process(fake) as client:
        outcomes = await collect(client, list(templates(200)), concurrency=4, deadline=0.12)
    assert sorted(o.index for o in outcomes) == list(range(200))
    counts = Counter(o.status for o in outcomes)
    assert counts[SENT] >= 4
    assert counts[SKIPPED] >= 150
    assert all(o.reason == "deadline" for o in outcomes if o.status is SKIPPED)
    assert len(fake.sent) == counts[SENT]


async def test_a_stop_never_pulls_more_from_an_open_ended_input() -> None:
    """An endless generator with a deadline: the batch ends, and leaves the rest unread."""
    pulled: list[int] = []

    def endless() -> Iterator[TemplateSend]:
        for n in itertools.count():
            pulled.append(n)
            yield TemplateSend(to=f"92300{n:07d}", template_name="order_shipped", lang_code="en")

    fake = FakeEngagive(latency=0.02)
    async with in_process(fake) as client:
        outcomes = await collect(client, endless(), concurrency=4, deadline=0.1)
    assert sorted(o.index for o in outcomes) == list(range(len(pulled)))
    assert {o.status for o in outcomes} <= {SENT, SKIPPED}
    assert len(fake.sent) == sum(o.status is SENT for o in outcomes) > 0


async def test_leaving_the_loop_accounts_for_every_item_of_a_list() -> None:
    """The consumer leaves while sends hang: after grace they are UNKNOWN, the rest SKIPPED."""
    fake = FakeEngagive(latency=5.0)
    seen: list[BatchProgress] = []
    async with in_process(fake) as client:
        with anyio.move_on_after(0.1):
            await collect(
                client, list(templates(6)), concurrency=2, grace=0.05, on_progress=seen.append
            )
    final = seen[-1]
    assert (final.done, final.total, final.in_flight) == (6, 6, 0)
    assert final.by_status[UNKNOWN] == 2
    assert final.by_status[SKIPPED] == 4
    assert fake.in_flight == 0


async def test_deadline_as_datetime_and_grace_cancels_in_flight() -> None:
    """An aware datetime works; in-flight items past the grace are cancelled as UNKNOWN."""
    fake = FakeEngagive(latency=1.0)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.05)
    async with in_process(fake) as client:
        outcomes = await collect(
            client, list(templates(5)), concurrency=2, deadline=deadline, grace=0.05
        )
    counts = Counter(o.status for o in outcomes)
    assert counts == Counter({UNKNOWN: 2, SKIPPED: 3})


async def test_stop_on_stops_starting_new_items() -> None:
    """stop_on ends the batch after the matching outcome; the rest are SKIPPED."""
    fake = FakeEngagive()
    fake.script(Fault.meta_error(131031, status=502), route=SEND_ROUTE)  # account locked: STOP
    async with in_process(fake) as client:
        outcomes = await collect(
            client,
            list(templates(50)),
            concurrency=1,
            ordered=True,
            stop_on=lambda o: o.meta_error_code == 131031,
        )
    assert outcomes[0].status is FAILED
    assert {o.status for o in outcomes[1:]} == {SKIPPED}
    assert len(outcomes) == 50


async def test_stop_on_gives_sends_in_flight_the_grace_then_cuts_them_off() -> None:
    """After stop_on fires, an answer slower than `grace` is cut off and reported UNKNOWN."""
    fake = FakeEngagive(latency=0.05)  # both first sends are in flight when the first answers
    fake.script(Fault.meta_error(131031), Fault.delay(5.0), route=SEND_ROUTE)
    async with in_process(fake) as client:
        started = anyio.current_time()
        outcomes = await collect(
            client,
            list(templates(6)),
            concurrency=2,
            ordered=True,
            grace=0.1,
            stop_on=lambda o: o.meta_error_code == 131031,
        )
        elapsed = anyio.current_time() - started
    assert [o.status for o in outcomes] == [FAILED, UNKNOWN, *[SKIPPED] * 4]
    assert outcomes[1].reason == "stop_on"
    assert outcomes[1].attempts == 1
    assert elapsed < 5.0  # the slow answer was not waited for


async def test_consumer_cancellation_leaves_nothing_running_and_reports_progress() -> None:
    """Cancelling the consumer: in-flight items finish within grace, the rest are SKIPPED."""
    fake = FakeEngagive(latency=0.05)
    seen: list[BatchProgress] = []
    async with in_process(fake) as client:
        with anyio.move_on_after(0.08):
            await collect(
                client, list(templates(100)), concurrency=4, on_progress=seen.append, grace=1
            )
    final = seen[-1]
    assert final.done == 100
    assert final.total == 100
    assert final.by_status[SENT] == len(fake.sent)
    assert final.by_status[SKIPPED] == 100 - len(fake.sent)
    assert final.by_status[UNKNOWN] == 0
    assert fake.in_flight == 0


async def test_progress_counts_every_outcome() -> None:
    """on_progress sees done climb to the total, with counts by status and a rate."""
    fake = FakeEngagive()
    seen: list[BatchProgress] = []
    async with in_process(fake) as client:
        await collect(client, templates(30), concurrency=4, on_progress=seen.append)
    assert [p.done for p in seen] == list(range(1, 31))
    assert seen[-1].by_status[SENT] == 30
    assert seen[-1].rate > 0


async def test_input_errors_surface_after_started_items_finish() -> None:
    """An input iterator that raises ends the batch with that error; items before it finish."""

    def items() -> Iterator[TemplateSend]:
        yield from templates(3)
        raise RuntimeError("bad row")

    fake = FakeEngagive()
    got: list[SendOutcome] = []

    async def consume(client: AsyncClient) -> None:
        async for outcome in client.account(1).messages.send_many(items(), concurrency=2):
            got.append(outcome)

    async with in_process(fake) as client:
        with pytest.raises(RuntimeError, match="bad row"):
            await consume(client)
    assert len(got) == 3


async def test_rate_limit_errors_exhausting_retries_are_failed_and_retryable() -> None:
    """A 429 that persists past the attempt budget ends FAILED with RateLimitError."""
    fake = FakeEngagive()
    fake.script(*([Fault.status(429, retry_after=0)] * 4), route=SEND_ROUTE)
    async with in_process(fake) as client:
        report = await client.account(1).messages.send_batch(templates(1))
    outcome = report.outcomes[0]
    assert outcome.status is FAILED
    assert isinstance(outcome.error, RateLimitError)
    assert outcome.attempts == 4


def test_items_are_pulled_lazily() -> None:
    """send_many does not touch the input before iteration starts."""
    pulled = itertools.count()

    def items() -> Iterator[TemplateSend]:
        for item in templates(3):
            next(pulled)
            yield item

    client = AsyncClient("test-token", transport=httpx.ASGITransport(FakeEngagive().app))
    client.account(1).messages.send_many(items())
    assert next(pulled) == 0


# --- invariants over random fault scripts ---------------------------------------------------

#: Faults after which the server cannot have acted on the send: resending is allowed.
NOT_SENT_FAULTS = (
    Fault.status(429, retry_after=0),
    Fault.meta_error(130429),
    Fault.meta_error(131056),
    Fault.meta_error(80007),
    Fault.meta_error(131048),
)
#: Faults after which the message was, or may have been, acted on: the send is final.
FINAL_FAULTS = (
    Fault.meta_error(131026),
    Fault.meta_error(131000),
    Fault.meta_error(132001, status=400),
    Fault.status(500),
    Fault.status(503),
    Fault.html(502),
    Fault.success_false(),
    Fault.malformed_json(),
    Fault.empty(),
    Fault.drop(),
)
#: Of those, the ones whose answer cannot prove the message was not relayed (no answer, one that
#: is not the envelope, a 5xx without Meta's error): the outcome is UNKNOWN.
NO_ANSWER_FAULTS = (
    Fault.status(500),
    Fault.status(503),
    Fault.html(502),
    Fault.malformed_json(),
    Fault.empty(),
    Fault.drop(),
)
NO_WAIT = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0, max_retry_after=0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    faults=st.lists(st.sampled_from(NOT_SENT_FAULTS + FINAL_FAULTS), max_size=16),
    count=st.integers(min_value=1, max_value=10),
    concurrency=st.integers(min_value=1, max_value=4),
    ordered=st.booleans(),
)
def test_random_faults_never_duplicate_and_give_each_item_one_outcome(
    faults: list[Fault], count: int, concurrency: int, ordered: bool
) -> None:
    """Whatever the server answers: one outcome per item, and no message received twice
    unless every earlier copy met a fault that means "not sent"."""
    fake = FakeEngagive()
    fake.script(*faults, route=SEND_ROUTE)

    async def scenario() -> list[SendOutcome]:
        async with in_process(fake, retry=NO_WAIT) as client:
            return await collect(client, templates(count), concurrency=concurrency, ordered=ordered)

    outcomes = anyio.run(scenario)

    assert sorted(o.index for o in outcomes) == list(range(count))
    if ordered:
        assert [o.index for o in outcomes] == list(range(count))
    by_number: dict[str, list[Fault | None]] = {}
    for request in fake.requests:
        assert request.json is not None
        by_number.setdefault(request.json["to"], []).append(request.fault)
    for number, met in by_number.items():
        # Every copy but the last was refused for pace; the last may have been acted on.
        assert all(f in NOT_SENT_FAULTS for f in met[:-1]), (number, met)
    accepted = Counter(m.to for m in fake.sent)
    assert all(n == 1 for n in accepted.values())
    for outcome in outcomes:
        number = numbers(count)[outcome.index]
        met = by_number.get(number, [])
        assert outcome.attempts == len(met)
        if outcome.status is SENT:
            assert accepted[number] == 1
            assert outcome.wamid == next(m.wamid for m in fake.sent if m.to == number)
        else:
            assert accepted[number] == 0
            assert outcome.error is not None
        if outcome.status is UNKNOWN:
            # Only a lost or unintelligible answer leaves the message's fate unknown.
            assert met[-1] in NO_ANSWER_FAULTS, met
        if outcome.status is FAILED and met[-1] in NOT_SENT_FAULTS:
            assert len(met) == NO_WAIT.max_attempts  # pace refusals fail only when retries ran out
        assert outcome.status is not SKIPPED


# --- memory ----------------------------------------------------------------------------------


async def test_a_long_streamed_batch_keeps_memory_flat() -> None:
    """100,000 items streamed from a generator through the batch engine: traced memory after
    10,000 outcomes and at the end differ by less than a thousand outcomes would hold.

    The engine is driven with an instant sender: per-request work holds nothing after its
    answer, so what could grow with the input is the engine's own bookkeeping.
    """
    total, checkpoint = 100_000, 10_000
    answer = SendResult(data={"to": "x"}, meta_response={"messages": [{"id": "wamid.x"}]})

    async def instant(throttle: Throttle, trace: CallTrace) -> SendResult:
        await anyio.lowlevel.checkpoint()
        return answer

    marks: dict[str, int] = {}
    done = 0
    tracemalloc.start()
    try:
        stream = run_batch(templates(total), lambda item: instant, BatchOptions(concurrency=64))
        async with aclosing(stream):
            async for outcome in stream:
                done += outcome.status is SENT
                if done == checkpoint:
                    gc.collect()
                    marks["early"] = tracemalloc.get_traced_memory()[0]
        gc.collect()
        marks["end"] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert done == total
    # A SendOutcome with its item is several hundred bytes: keeping them would add > 30 MB.
    assert marks["end"] - marks["early"] < 1_000_000, marks
