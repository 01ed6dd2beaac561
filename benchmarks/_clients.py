"""The four clients under test, each behind the same small interface.

Every client sends the same body and headers (see ``_common``), parses the JSON answer, and
counts an answer as sent only when it is HTTP 200 with ``success: true``. The raw clients bound
concurrency with a semaphore acquired before each task is created, so they stream their input
just as ``send_many`` does.

- ``sdk``: ``AsyncClient(transport="auto")`` (aiohttp-backed on asyncio) + ``send_many``.
- ``sdk_httpx``: the same with ``transport="httpx"`` (httpx's own connection pool).
- ``aiohttp``: ``aiohttp.ClientSession`` with ``TCPConnector(limit=concurrency)``.
- ``httpx_aiohttp``: ``httpx_aiohttp.HttpxAiohttpClient`` (httpx's client over the
  ``httpx-aiohttp`` transport, the fast path other SDKs offer), pool sized ``concurrency``.
- ``httpx``: ``httpx.AsyncClient`` with its default transport and pool, sized
  ``max_connections = max_keepalive_connections = concurrency`` (keep-alive sized too, so
  connections are not churned: the fairest setting for httpx).

A run sends until its :class:`Window` closes, reporting each answer to it; then requests still
in flight are abandoned (raw: tasks cancelled; SDK: the consumer leaves ``send_many`` with
``grace=0``), so a slow client cannot stretch a measurement by draining hundreds of requests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, aclosing, asynccontextmanager
from typing import Any, Literal, Protocol

from benchmarks._common import (
    ACCOUNT_ID,
    HEADERS,
    LANG_CODE,
    SEND_PATH,
    TEMPLATE_NAME,
    TOKEN,
    recipient,
    template_body,
)

__all__ = ["Sender", "Window", "open_sender"]

_TIMEOUT = 60.0


class Window:
    """Counts answers inside a measuring window that opens once the client is warm.

    The window opens ``warmup`` seconds after :meth:`start`, or later, at the ``settle``-th
    answer, when a slow client has not had that many by then (httpx's pool at concurrency 256
    answers its first requests only after seconds: counting from the start would measure its
    ramp, not its pace). It closes ``duration`` seconds after opening, or later, at the
    ``min_answers``-th answer inside it. ``cap`` seconds bound each of those waits. The edges
    are taken on the event loop with the process's CPU time, so rate and CPU per request cover
    exactly the same span.

    Args:
        warmup: seconds from :meth:`start` until the window may open.
        duration: seconds the window stays open at least.
        settle: answers needed before the window opens.
        min_answers: answers needed inside the window before it closes.
        cap: seconds at most that either condition may hold an edge back.
    """

    def __init__(
        self,
        warmup: float,
        duration: float,
        *,
        settle: int = 1,
        min_answers: int = 10,
        cap: float = 6.0,
    ) -> None:
        self.duration = duration
        self.opened = False
        self.closed = False
        self.warm = 0
        self.ok = 0
        self.failed = 0
        self.wall = 0.0
        self.cpu = 0.0
        self._warmup = warmup
        self._settle = settle
        self._min_answers = min_answers
        self._cap = cap
        self._may_open = False
        self._may_close = False
        self._marks = (0.0, 0.0)
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start the clock (call inside the running loop, as sending begins)."""
        self._loop = asyncio.get_running_loop()
        self._loop.call_later(self._warmup, self._warm_enough)
        self._loop.call_later(self._warmup + self._cap, self._open)

    def _warm_enough(self) -> None:
        self._may_open = True
        if self.warm >= self._settle:
            self._open()

    def _open(self) -> None:
        if self.opened:
            return
        self.opened = True
        self._marks = (time.perf_counter(), time.process_time())
        assert self._loop is not None
        self._loop.call_later(self.duration, self._long_enough)
        self._loop.call_later(self.duration + self._cap, self._close)

    def _long_enough(self) -> None:
        self._may_close = True
        if self.ok + self.failed >= self._min_answers:
            self._close()

    def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        wall0, cpu0 = self._marks
        self.wall = time.perf_counter() - wall0
        self.cpu = time.process_time() - cpu0

    def done(self, ok: bool) -> None:
        """Record one answer (or failure) at the moment it completes."""
        if self.closed:
            return
        if not self.opened:
            self.warm += 1
            if self._may_open and self.warm >= self._settle:
                self._open()
            return
        if ok:
            self.ok += 1
        else:
            self.failed += 1
        if self._may_close and self.ok + self.failed >= self._min_answers:
            self._close()

    def indices(self) -> Iterator[int]:
        """Item indices until the window closes."""
        index = 0
        while not self.closed:
            yield index
            index += 1


class Sender(Protocol):
    """Sends ``concurrency`` requests at a time until the window closes."""

    async def run(self, window: Window) -> None: ...


def open_sender(kind: str, base_url: str, concurrency: int) -> AbstractAsyncContextManager[Sender]:
    """The client ``kind`` (one of ``_common.CLIENTS``), open for the duration of the block."""
    if kind in ("sdk", "sdk_httpx"):
        return _sdk(base_url, concurrency, "auto" if kind == "sdk" else "httpx")
    if kind == "aiohttp":
        return _raw_aiohttp(base_url, concurrency)
    if kind == "httpx":
        return _raw_httpx(base_url, concurrency)
    if kind == "httpx_aiohttp":
        return _raw_httpx(base_url, concurrency, over_aiohttp=True)
    raise ValueError(f"unknown client {kind!r}")


Send = Callable[[int], Coroutine[Any, Any, bool]]


async def bounded(
    indices: Iterator[int],
    concurrency: int,
    send: Send,
    done: Callable[[bool], None],
    *,
    abandon: bool,
) -> None:
    """The textbook raw pattern: a semaphore bounds the tasks alive at once.

    When ``indices`` ends, requests in flight are cancelled (``abandon``) or awaited.
    """
    semaphore = asyncio.Semaphore(concurrency)
    pending: set[asyncio.Task[None]] = set()

    async def one(index: int) -> None:
        try:
            ok = await send(index)
        except Exception:
            ok = False
        finally:
            semaphore.release()
        done(ok)

    for index in indices:
        await semaphore.acquire()
        task = asyncio.create_task(one(index))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if abandon:
        for task in pending:
            task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


class _Raw:
    def __init__(self, concurrency: int, send: Send) -> None:
        self._concurrency = concurrency
        self._send = send

    async def run(self, window: Window) -> None:
        window.start()
        await bounded(window.indices(), self._concurrency, self._send, window.done, abandon=True)


@asynccontextmanager
async def _raw_aiohttp(base_url: str, concurrency: int) -> AsyncIterator[Sender]:
    import aiohttp

    url = base_url + SEND_PATH
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=_TIMEOUT)
    async with aiohttp.ClientSession(
        connector=connector, headers=HEADERS, timeout=timeout
    ) as session:

        async def send(index: int) -> bool:
            async with session.post(url, json=template_body(recipient(index))) as response:
                data = await response.json()
            return response.status == 200 and data.get("success") is True

        yield _Raw(concurrency, send)


@asynccontextmanager
async def _raw_httpx(
    base_url: str, concurrency: int, *, over_aiohttp: bool = False
) -> AsyncIterator[Sender]:
    import httpx

    url = base_url + SEND_PATH
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    factory = httpx.AsyncClient
    if over_aiohttp:
        from httpx_aiohttp import HttpxAiohttpClient

        factory = HttpxAiohttpClient
    async with factory(headers=HEADERS, limits=limits, timeout=_TIMEOUT) as client:

        async def send(index: int) -> bool:
            response = await client.post(url, json=template_body(recipient(index)))
            return response.status_code == 200 and response.json().get("success") is True

        yield _Raw(concurrency, send)


class _Sdk:
    def __init__(self, account: Any, concurrency: int) -> None:
        self._account = account
        self._concurrency = concurrency

    async def run(self, window: Window) -> None:
        from engagive_async.models.batch import OutcomeStatus, TemplateSend

        sent = OutcomeStatus.SENT
        items = (
            TemplateSend(to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE)
            for i in window.indices()
        )
        window.start()
        # grace=0: leaving the loop abandons requests in flight at once, as the raw runs do.
        stream = self._account.messages.send_many(items, concurrency=self._concurrency, grace=0)
        async with aclosing(stream) as outcomes:
            async for outcome in outcomes:
                window.done(outcome.status is sent)
                if window.closed:
                    break


@asynccontextmanager
async def _sdk(
    base_url: str, concurrency: int, transport: Literal["auto", "httpx"]
) -> AsyncIterator[Sender]:
    from engagive_async import AsyncClient

    async with AsyncClient(
        TOKEN, base_url=base_url, max_connections=concurrency, transport=transport
    ) as client:
        yield _Sdk(client.account(ACCOUNT_ID), concurrency)
