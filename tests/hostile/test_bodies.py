"""Hostile bodies: endless, huge, compression bombs, deep or odd JSON, oversized headers.

Each ends within its bound with a typed error (a send: UNKNOWN, the request went out), the heap
stays under the cap plus a margin, and the server saw exactly one request (nothing retried).
"""

from __future__ import annotations

import asyncio
import json
import zlib

import pytest

from engagive_async import APIConnectionError, ResponseDecodeError
from engagive_async.models.batch import OutcomeStatus
from tests.hostile._servers import Behaviour, Connection, HostileServer, measured
from tests.hostile.conftest import CAP, MEMORY_MARGIN, SLACK, client_for, send_measured

BOUND = 5.0 + SLACK  # the client's attempt timeout, plus slack


def _bomb(wbits: int, size: int = 128 * 1024 * 1024) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(16 * 1024 * 1024)
    return b"".join([packer.compress(zeros) for _ in range(size // len(zeros))] + [packer.flush()])


GZIP_BOMB = _bomb(31)  # 128 MiB of zeros in about 128 KB
DEFLATE_BOMB = _bomb(15)


async def _endless_chunked(conn: Connection) -> None:
    await conn.read_request()
    await conn.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    await conn.write(b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while True:
        await conn.write(frame)


async def _huge_declared(conn: Connection) -> None:
    await conn.read_request()
    await conn.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    await conn.write(b"Content-Length: 200000000\r\n\r\n")
    block = b" " * 65536
    for _ in range(200_000_000 // len(block)):
        await conn.write(block)


def _encoded(body: bytes, encoding: str) -> Behaviour:
    async def behaviour(conn: Connection) -> None:
        await conn.read_request()
        await conn.answer(
            body=body,
            headers={"Content-Type": "application/json", "Content-Encoding": encoding},
        )

    return behaviour


def _json_body(body: bytes) -> Behaviour:
    async def behaviour(conn: Connection) -> None:
        await conn.read_request()
        await conn.answer(body=body)

    return behaviour


@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(_endless_chunked, id="endless-chunked"),
        pytest.param(_huge_declared, id="200MB-content-length"),
        pytest.param(_encoded(GZIP_BOMB, "gzip"), id="gzip-bomb"),
        pytest.param(_encoded(DEFLATE_BOMB, "deflate"), id="deflate-bomb"),
    ],
)
async def test_a_body_past_the_cap_stops_there_and_the_send_is_unknown(
    transport: str, behaviour: Behaviour
) -> None:
    """Reading stops at max_response_bytes: ResponseDecodeError, UNKNOWN, heap bounded."""
    server = HostileServer(behaviour)
    outcome, m = await send_measured(server, transport)
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, ResponseDecodeError)
    assert "max_response_bytes" in str(outcome.error)
    assert m.elapsed < BOUND
    assert m.peak_bytes < CAP + MEMORY_MARGIN
    assert len(server.requests) == 1


async def test_a_bomb_read_by_a_get_is_not_retried_into_memory(transport: str) -> None:
    """A GET past the cap is a ResponseDecodeError (a 200 is not retried); the heap stays low."""
    server = HostileServer(_encoded(GZIP_BOMB, "gzip"))
    async with server.running() as url, client_for(url, transport) as client:
        with measured() as m, pytest.raises(ResponseDecodeError):
            await client.account(1).templates.get("order_shipped")
    assert m.peak_bytes < CAP + MEMORY_MARGIN
    assert len(server.requests) == 1


async def test_the_connection_of_a_body_past_the_cap_is_not_reused(transport: str) -> None:
    """After a body past the cap, the next call opens a new connection."""
    answers = iter([b"[" * (CAP + 10), json.dumps({"success": True, "data": {}}).encode()])

    async def behaviour(conn: Connection) -> None:
        while await conn.read_request() is not None:
            await conn.answer(body=next(answers))

    server = HostileServer(behaviour)
    async with server.running() as url, client_for(url, transport) as client:
        with pytest.raises(ResponseDecodeError):
            await client.request("GET", "/x")
        await client.request("GET", "/x")
    assert len(server.requests) == 2
    assert server.connections == 2


@pytest.mark.parametrize(
    ("body", "why"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested deeper", id="deep-array"),
        pytest.param(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested deeper", id="deep-object"),
        pytest.param(
            b'{"success": true, "data": ' + b"[" * 70 + b"]" * 70 + b"}", "nested", id="70-deep"
        ),
        pytest.param(b'{"success": true, "data": ' + b"9" * 5000 + b"}", "digits", id="huge-int"),
        pytest.param(b'{"success": true, "success": false}', "repeats a key", id="duplicate-key"),
        pytest.param(b'{"success": true, "data": NaN}', "NaN", id="nan"),
    ],
)
async def test_odd_json_is_a_decode_error_never_a_python_one(
    transport: str, body: bytes, why: str
) -> None:
    """Deep nesting, huge numbers, repeated keys, NaN: ResponseDecodeError saying why; UNKNOWN."""
    server = HostileServer(_json_body(body))
    outcome, m = await send_measured(server, transport)
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, ResponseDecodeError)
    assert why in str(outcome.error)
    assert m.elapsed < BOUND
    assert len(server.requests) == 1


@pytest.mark.parametrize("size", [200_000, 2_000_000], ids=["200KB", "2MB"])
async def test_oversized_headers_fail_cleanly(transport: str, size: int) -> None:
    """A header line far past any sane size is a typed error, the send UNKNOWN, once."""

    async def behaviour(conn: Connection) -> None:
        await conn.read_request()
        await conn.write(b"HTTP/1.1 200 OK\r\nX-Junk: " + b"a" * size + b"\r\n")
        await conn.write(b"Content-Length: 2\r\n\r\n{}")
        await asyncio.sleep(10)

    server = HostileServer(behaviour)
    outcome, m = await send_measured(server, transport)
    assert outcome.status is OutcomeStatus.UNKNOWN
    assert isinstance(outcome.error, APIConnectionError)
    assert outcome.error.request_sent
    assert m.elapsed < BOUND
    assert m.peak_bytes < CAP + MEMORY_MARGIN + 2 * size
    assert len(server.requests) == 1
