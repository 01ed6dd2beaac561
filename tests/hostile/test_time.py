"""Hostile pace: a dripping answer, a server that never answers, hostile Retry-After values.

Each call ends within its deadline (plus slack) with a typed error; a send cut after its request
went out is UNKNOWN and was received once; reads are retried only within the call deadline.
"""

from __future__ import annotations

import asyncio

import pytest

from engagive_async import APITimeoutError, RateLimitError, RetryPolicy, TemplateSend
from engagive_async.models.batch import OutcomeStatus
from tests.hostile._servers import Behaviour, Connection, HostileServer, measured
from tests.hostile.conftest import CAP, MEMORY_MARGIN, SLACK, client_for, send_measured


async def _drip(conn: Connection) -> None:
    while await conn.read_request() is not None:
        await conn.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        await conn.write(b"Content-Length: 100000\r\n\r\n")
        while True:  # each byte restarts a read timeout; only a deadline ends this
            await conn.write(b" ")
            await asyncio.sleep(0.1)


async def test_a_dripping_answer_ends_at_the_attempt_deadline_and_the_send_is_unknown(
    transport: str,
) -> None:
    """One byte per 0.1 s under a 1 s read timeout: APITimeoutError at the 1.5 s deadline."""
    server = HostileServer(_drip)
    outcome, m = await send_measured(server, transport, timeout=1.0, attempt_timeout=1.5)
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, APITimeoutError)
    assert outcome.error.request_sent
    assert 1.4 < m.elapsed < 1.5 + SLACK
    assert m.peak_bytes < CAP + MEMORY_MARGIN
    assert len(server.requests) == 1


async def test_a_dripping_read_is_retried_only_within_the_call_deadline(transport: str) -> None:
    """A GET is retried after an attempt deadline, but the call ends at its own deadline."""
    server = HostileServer(_drip)
    async with (
        server.running() as url,
        client_for(url, transport, timeout=1.0, attempt_timeout=0.6, call_timeout=1.5) as client,
    ):
        with measured() as m, pytest.raises(APITimeoutError):
            await client.account(1).templates.get("order_shipped")
    assert m.elapsed < 1.5 + SLACK
    assert len(server.requests) == 3  # 0.6 + 0.6 + what remains of 1.5


async def test_a_per_call_timeout_bounds_one_call(transport: str) -> None:
    """timeout= on one call ends it there, whatever the client's deadlines."""
    server = HostileServer(_drip)
    async with server.running() as url, client_for(url, transport, timeout=5.0) as client:
        with measured() as m, pytest.raises(APITimeoutError) as caught:
            await client.account(1).messages.send_template(
                to="923001234567", template_name="hello_world", lang_code="en_US", timeout=0.5
            )
    assert caught.value.request_sent
    assert 0.45 < m.elapsed < 0.5 + SLACK
    assert len(server.requests) == 1


async def test_a_batch_timeout_bounds_each_item(transport: str) -> None:
    """send_many(timeout=) is each item's call deadline: every item UNKNOWN, each sent once."""
    server = HostileServer(_drip)
    async with server.running() as url, client_for(url, transport) as client:
        sends = [
            TemplateSend(to=f"92300123456{n}", template_name="hello_world", lang_code="en_US")
            for n in range(3)
        ]
        with measured() as m:
            report = await client.account(1).messages.send_batch(sends, timeout=0.5)
    assert [o.status for o in report.outcomes] == [OutcomeStatus.UNKNOWN] * 3
    assert m.elapsed < 0.5 + SLACK
    assert len(server.requests) == 3


def _rate_limited(retry_after: str) -> Behaviour:
    async def behaviour(conn: Connection) -> None:
        while await conn.read_request() is not None:
            await conn.answer(
                429,
                b'{"success": false, "error": "slow down"}',
                {"Content-Type": "application/json", "Retry-After": retry_after},
            )

    return behaviour


@pytest.mark.parametrize(
    ("retry_after", "requests"),
    [
        pytest.param("999999999", 1, id="huge"),  # past max_retry_after: retries end at once
        pytest.param("Fri, 31 Dec 9999 23:59:59 GMT", 1, id="far-date"),
        pytest.param("-5", 3, id="negative"),  # read as "now"
        pytest.param("nan", 3, id="nan"),  # ignored: backoff instead
        pytest.param("1e400", 1, id="infinite"),
        pytest.param("soon", 3, id="garbage"),
    ],
)
async def test_hostile_retry_after_never_sleeps_past_the_cap(
    transport: str, retry_after: str, requests: int
) -> None:
    """A 429's Retry-After is honoured up to max_retry_after; the send is FAILED (not sent)."""
    server = HostileServer(_rate_limited(retry_after))
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.01, max_retry_after=1)
    outcome, m = await send_measured(server, transport, retry=policy)
    assert outcome.status is OutcomeStatus.FAILED
    assert isinstance(outcome.error, RateLimitError)
    assert m.elapsed < 1.0 + SLACK
    assert len(server.requests) == requests


async def test_a_retry_after_past_the_call_deadline_is_not_waited(transport: str) -> None:
    """Retry-After 5 s under a 1 s call deadline: the 429 is raised at once, not slept on."""
    server = HostileServer(_rate_limited("5"))
    policy = RetryPolicy(max_attempts=3, max_retry_after=10)
    outcome, m = await send_measured(server, transport, retry=policy, call_timeout=1.0)
    assert outcome.status is OutcomeStatus.FAILED
    assert isinstance(outcome.error, RateLimitError)
    assert m.elapsed < SLACK
    assert len(server.requests) == 1
