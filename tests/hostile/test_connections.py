"""What held before and must keep holding: redirects, stale pooled connections, drops.

A redirect is never followed (the token never reaches another host); a connection the server
closed while pooled causes no duplicate; a connection dropped after the request was read is
UNKNOWN and not retried. Both transports.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from engagive_async import APIConnectionError, ResponseDecodeError, TemplateSend
from engagive_async.models.batch import OutcomeStatus
from tests.hostile._servers import Connection, HostileServer
from tests.hostile.conftest import SLACK, client_for, send_measured, send_one


async def test_a_redirect_to_another_host_is_not_followed(transport: str) -> None:
    """A 307 to another host: a typed error, the other host never sees a request or the token."""

    async def elsewhere(conn: Connection) -> None:
        while await conn.read_request() is not None:
            await conn.answer()

    other = HostileServer(elsewhere, host="127.0.0.2")
    async with other.running() as other_url:

        async def redirect(conn: Connection) -> None:
            while await conn.read_request() is not None:
                await conn.answer(307, b"", {"Location": other_url + "/api/business/public/steal"})

        server = HostileServer(redirect)
        async with server.running() as url, client_for(url, transport) as client:
            outcome = await send_one(client)
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, ResponseDecodeError)
    assert outcome.error.status_code == 307
    assert len(server.requests) == 1
    assert server.requests[0].headers["authorization"] == "Bearer test-token"
    assert other.requests == []


async def test_a_stale_pooled_connection_causes_no_duplicate(transport: str) -> None:
    """The server closes each kept-alive connection after answering: no message arrives twice."""

    async def answer_then_close(conn: Connection) -> None:
        if await conn.read_request() is not None:
            await conn.answer()  # keep-alive implied, then closed behind the client's back
        conn.writer.close()

    server = HostileServer(answer_then_close)
    sends = [
        TemplateSend(to=f"9230012345{n:02d}", template_name="hello_world", lang_code="en_US")
        for n in range(6)
    ]
    async with server.running() as url, client_for(url, transport) as client:
        statuses = []
        for item in sends:
            report = await client.account(1).messages.send_batch([item])
            statuses.append(report.outcomes[0].status)
            await asyncio.sleep(0.02)  # let the close reach the pooled connection
    received = Counter(r.body for r in server.requests)
    assert all(n == 1 for n in received.values())
    assert all(s in (OutcomeStatus.SENT, OutcomeStatus.UNKNOWN) for s in statuses)
    assert statuses.count(OutcomeStatus.SENT) == len(server.requests)


async def test_a_connection_dropped_after_the_request_was_read_is_unknown_once(
    transport: str,
) -> None:
    """The server reads the send and hangs up: UNKNOWN, request_sent, never resent."""

    async def read_then_drop(conn: Connection) -> None:
        await conn.read_request()
        conn.writer.transport.abort()

    server = HostileServer(read_then_drop)
    outcome, m = await send_measured(server, transport)
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, APIConnectionError)
    assert outcome.error.request_sent
    assert m.elapsed < SLACK
    assert len(server.requests) == 1


async def test_a_dropped_read_is_retried_up_to_the_policy(transport: str) -> None:
    """A GET whose connection drops after the request is retried: three attempts, then raised."""

    async def read_then_drop(conn: Connection) -> None:
        await conn.read_request()
        conn.writer.transport.abort()

    server = HostileServer(read_then_drop)
    async with server.running() as url, client_for(url, transport) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.account(1).templates.get("order_shipped")
    assert caught.value.request_sent
    assert len(server.requests) == 3
