"""Small misbehaving HTTP servers on raw asyncio sockets, bound to 127.0.0.1.

Each :class:`HostileServer` runs one ``behaviour`` per connection; the behaviour reads requests
with :meth:`Connection.read_request` (which counts them) and answers however it likes: an endless
body, a drip, a dropped connection. Servers stop their connections when the test's block ends, so
a client that gave up never leaves a writer running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import attrs

Behaviour = Callable[["Connection"], Awaitable[None]]

OK_BODY = json.dumps(
    {
        "success": True,
        "message": "Template message sent successfully",
        "data": {"to": "923001234567", "message_type": "template"},
        "metaResponse": {"messages": [{"id": "wamid.HOSTILE", "message_status": "accepted"}]},
    }
).encode()


@attrs.define
class Request:
    """One request as the server read it."""

    line: str
    headers: dict[str, str]
    body: bytes


@attrs.define(eq=False)
class Connection:
    """One client connection: read requests, write anything."""

    server: HostileServer
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def read_request(self) -> Request | None:
        """The next request (counted by the server), or ``None`` when the client closed."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        line, *rest = head.decode("latin-1").split("\r\n")
        headers = {}
        for item in rest:
            if ":" in item:
                name, value = item.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        request = Request(line, headers, body)
        self.server.requests.append(request)
        return request

    async def write(self, data: bytes) -> None:
        """Write and drain; raises ConnectionError once the client is gone."""
        self.writer.write(data)
        await self.writer.drain()

    async def answer(
        self, status: int = 200, body: bytes = OK_BODY, headers: dict[str, str] | None = None
    ) -> None:
        """A complete, well-formed answer with a Content-Length."""
        lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {"Content-Type": "application/json"}).items()]
        await self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


@attrs.define(eq=False)
class HostileServer:
    """A loopback server running ``behaviour`` for every connection."""

    behaviour: Behaviour
    host: str = "127.0.0.1"
    requests: list[Request] = attrs.Factory(list)
    connections: int = 0
    _tasks: set[asyncio.Task[Any]] = attrs.Factory(set)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.behaviour(Connection(self, reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up: what these servers are for
        except asyncio.CancelledError:
            # Stopped by running()'s end. Ending normally keeps asyncio's stream callback from
            # logging the cancelled task as an error (it calls task.exception()).
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve until the block ends; yields the base URL."""
        server = await asyncio.start_server(self._serve, self.host, 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"http://{self.host}:{port}"
        finally:
            for task in list(self._tasks):
                task.cancel()
            server.close()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()


@attrs.define
class Measure:
    """Time and Python heap peak of a block."""

    elapsed: float = 0.0
    peak_bytes: int = 0


@contextlib.contextmanager
def measured() -> Iterator[Measure]:
    """Measure the block's wall time and its tracemalloc peak (Python allocations)."""
    result = Measure()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.elapsed = time.perf_counter() - started
        result.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
