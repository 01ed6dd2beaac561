"""Serving FakeEngagive on a loopback socket with uvicorn (the ``testing`` extra).

uvicorn is imported only here, and only when a socket is asked for, so the in-process fake
works without it. A dropped connection (``Fault.drop``) uses a documented uvicorn behaviour:
an ASGI app that returns something other than ``None`` makes uvicorn close the connection
without answering (``run_asgi`` in its h11 and httptools protocols); the error line it logs for
that is filtered out, for our sentinel value only.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import sniffio

from engagive_async._errors import ValidationError

if TYPE_CHECKING:
    import uvicorn  # imported for real inside make_server(), only when a socket is asked for

__all__ = [
    "DROPPED",
    "SocketApp",
    "listening_socket",
    "make_server",
    "serve",
    "serve_in_thread",
    "url_of",
    "wait_started",
]

#: What the socket app returns to have uvicorn close the connection unanswered.
DROPPED = "engagive_async.testing: connection dropped on purpose (Fault.drop)"
#: The app given to uvicorn: FakeEngagive's, returning DROPPED for a drop.
SocketApp = Callable[[Any, Any, Any], Awaitable[object]]

_START_TIMEOUT = 10.0
#: How long in-flight requests (a long Fault.delay, say) may hold up a stop.
_GRACEFUL_SHUTDOWN = 2
_BACKLOG = 2048


class _DropLineFilter(logging.Filter):
    """Hides uvicorn's "ASGI callable should return None" line when the fake dropped on
    purpose; every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.args, tuple) and record.args[:1] == (DROPPED,))


_DROP_FILTER = _DropLineFilter()


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening socket; the port is known before uvicorn starts.

    Raises:
        ValidationError: a host that is not a loopback address (the fake never listens outside).
    """
    if host == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValidationError(
            "host", f"FakeEngagive serves on loopback addresses only, not {host!r}"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=_BACKLOG)
    # Accepted sockets inherit TCP_NODELAY on Linux; without it Nagle holds small keep-alive
    # responses for up to 40 ms, which would swamp every latency the fake is asked to simulate.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a listening socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def make_server(app: SocketApp, *, capture_signals: bool) -> uvicorn.Server:
    """A uvicorn server for ``app``: no access log, warnings only, no lifespan.

    Args:
        app: the ASGI app.
        capture_signals: let uvicorn handle SIGINT/SIGTERM (a process of its own). A server
            inside a test process must not: uvicorn swaps the process's signal handlers and
            restores them on exit, which goes wrong when servers stop out of order.
    """
    try:
        import uvicorn
    except ImportError:
        raise RuntimeError(
            "serving FakeEngagive on a socket needs uvicorn: pip install 'engagive_async[testing]'"
        ) from None
    logging.getLogger("uvicorn.error").addFilter(_DROP_FILTER)  # a no-op when already there
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        log_config=None,  # leave the host's logging set-up alone
        interface="asgi3",  # a bound method: uvicorn's guess would take it for ASGI 2
        lifespan="off",
        ws="none",
        proxy_headers=False,
        server_header=False,
        date_header=False,
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN,
    )
    if capture_signals:
        return uvicorn.Server(config)

    class _QuietServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return _QuietServer(config)


async def wait_started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Return once uvicorn accepts connections.

    uvicorn offers a ``started`` flag, not an event, so it is polled; the socket listens
    already, so connections made meanwhile wait in its backlog.

    Raises:
        RuntimeError: uvicorn stopped, or did not start within 10 s.
    """
    with anyio.fail_after(_START_TIMEOUT):
        while not server.started:
            if task.done():
                task.result()  # raises what stopped it, if anything did
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.002)


@contextlib.asynccontextmanager
async def serve(app: SocketApp, host: str, port: int) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn as a task of the running asyncio loop; yield its base URL.

    Raises:
        RuntimeError: not running on asyncio, or uvicorn missing or not starting.
        ValidationError: a non-loopback host.
    """
    if sniffio.current_async_library() != "asyncio":
        raise RuntimeError("FakeEngagive.serve() runs on asyncio; use serve_in_thread()")
    sock = listening_socket(host, port)
    try:
        server = make_server(app, capture_signals=False)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="FakeEngagive")
        try:
            await wait_started(server, task)
            yield url_of(sock)
        finally:
            server.should_exit = True
            with anyio.CancelScope(shield=True):
                await asyncio.wait({task})
            if not task.cancelled():
                task.result()
    finally:
        sock.close()


@contextlib.contextmanager
def serve_in_thread(app: SocketApp, host: str, port: int) -> Iterator[str]:
    """Run ``app`` under uvicorn in a daemon thread with its own loop; yield its base URL.

    Raises:
        RuntimeError: uvicorn missing or not starting.
        ValidationError: a non-loopback host.
    """
    sock = listening_socket(host, port)
    try:
        server = make_server(app, capture_signals=False)
        failures: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
                failures.append(exc)

        thread = threading.Thread(target=run, name="FakeEngagive", daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + _START_TIMEOUT
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    cause = failures[0] if failures else None
                    raise RuntimeError("FakeEngagive's server did not start") from cause
                time.sleep(0.002)
            yield url_of(sock)
        finally:
            server.should_exit = True
            thread.join(timeout=_GRACEFUL_SHUTDOWN + 5.0)
        if failures:
            raise RuntimeError("FakeEngagive's server failed") from failures[0]
    finally:
        sock.close()
