"""The ASGI plumbing: reading bodies in pieces, sending replies, the envelope writer."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import pytest

from engagive_async.testing._asgi import Envelopes, Reply, lifespan, read_body, send_reply


def receiver(*messages: dict[str, Any]) -> Any:
    """A receive() that hands out these messages in order."""
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


async def test_read_body_joins_chunks() -> None:
    """A body sent in several messages is read whole."""
    receive = receiver(
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"cd", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    )
    assert await read_body(receive) == b"abcd"


async def test_read_body_returns_none_on_disconnect() -> None:
    """A disconnect in the middle of the body gives None."""
    receive = receiver(
        {"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}
    )
    assert await read_body(receive) is None


async def test_send_reply_writes_length_type_and_headers() -> None:
    """A reply is one start message with content-length/type and one body message."""
    out: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        out.append(message)

    await send_reply(send, Reply(418, b"tea", b"text/plain", ((b"x-a", b"1"),)))
    await send_reply(send, Reply(204, b"", None))
    assert out[0] == {
        "type": "http.response.start",
        "status": 418,
        "headers": [(b"content-length", b"3"), (b"content-type", b"text/plain"), (b"x-a", b"1")],
    }
    assert out[1] == {"type": "http.response.body", "body": b"tea"}
    assert out[2]["headers"] == [(b"content-length", b"0")]


def test_envelopes() -> None:
    """Success carries only the blocks given; errors use the chosen field and statusCode."""
    plain = Envelopes()
    assert json.loads(plain.success(200, "m", [1]).body) == {
        "success": True,
        "message": "m",
        "data": [1],
    }
    full = json.loads(
        Envelopes(status_code_in_body=True).success(201, "m", {}, {"page": 1}, {}).body
    )
    assert full == {
        "success": True,
        "statusCode": 201,
        "message": "m",
        "data": {},
        "pagination": {"page": 1},
        "metaResponse": {},
    }
    assert json.loads(Envelopes(error_field="message").error(404, "gone").body) == {
        "success": False,
        "message": "gone",
    }
    with pytest.raises(ValueError, match="error_field"):
        Envelopes(error_field="detail")


async def test_lifespan_ignores_unknown_messages() -> None:
    """Unknown lifespan messages are skipped until shutdown."""
    out: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        out.append(message)

    await lifespan(receiver({"type": "lifespan.other"}, {"type": "lifespan.shutdown"}), send)
    assert out == [{"type": "lifespan.shutdown.complete"}]
