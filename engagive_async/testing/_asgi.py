"""The ASGI plumbing of FakeEngagive: reading a body, sending a reply, the envelope's bytes.

Plain ASGI 3 and the stdlib ``json``: no web framework, so a request costs little more than the
server's own parsing (the benchmarks may measure against it).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import attrs

from engagive_async._errors import ValidationError

__all__ = ["Envelopes", "Receive", "Reply", "Scope", "Send", "lifespan", "read_body", "send_reply"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

JSON = b"application/json"


@attrs.frozen
class Reply:
    """A complete HTTP answer: status, body bytes, content type (``None``: no header), and
    extra headers."""

    status: int
    body: bytes
    content_type: bytes | None = JSON
    headers: tuple[tuple[bytes, bytes], ...] = ()


def dump(payload: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@attrs.frozen(kw_only=True)
class Envelopes:
    """How this fake writes Engagive's envelope (GAPS.md items 13 and 14 leave it open).

    Attributes:
        status_code_in_body: add ``"statusCode"`` to every envelope.
        error_field: the key of the error text: ``"error"`` or ``"message"``.
    """

    status_code_in_body: bool = False
    error_field: str = "error"

    def __attrs_post_init__(self) -> None:
        if self.error_field not in ("error", "message"):
            raise ValidationError("error_field", "must be 'error' or 'message'")

    def error_body(self, status: int, text: str) -> dict[str, Any]:
        """``{"success": false, "error": text}``, with ``statusCode`` when asked."""
        body: dict[str, Any] = {"success": False}
        if self.status_code_in_body:
            body["statusCode"] = status
        body[self.error_field] = text
        return body

    def error(self, status: int, text: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Reply:
        """An error reply with the envelope of :meth:`error_body`."""
        return Reply(status, dump(self.error_body(status, text)), JSON, headers)

    def success(
        self,
        status: int,
        message: str,
        data: Any,
        pagination: dict[str, Any] | None = None,
        meta_response: dict[str, Any] | None = None,
    ) -> Reply:
        """``{"success": true, "message", "data"}`` plus the optional blocks that are given."""
        body: dict[str, Any] = {"success": True}
        if self.status_code_in_body:
            body["statusCode"] = status
        body["message"] = message
        body["data"] = data
        if pagination is not None:
            body["pagination"] = pagination
        if meta_response is not None:
            body["metaResponse"] = meta_response
        return Reply(status, dump(body))


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or ``None`` when the client went away first."""
    message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body  # the common case: one message, no copy
    chunks = [body]
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_reply(send: Send, reply: Reply) -> None:
    """Send ``reply`` as one start and one body message."""
    headers = [(b"content-length", str(len(reply.body)).encode())]
    if reply.content_type is not None:
        headers.append((b"content-type", reply.content_type))
    headers.extend(reply.headers)
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge a server's startup and shutdown: the fake has nothing to set up."""
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif kind == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
