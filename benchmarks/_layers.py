"""CPU per request of each layer: what the SDK adds on top of aiohttp, and where.

Against a real server at latency 0 (concurrency 64, the raw pattern of ``_clients.bounded``):
raw aiohttp; the SDK's transport alone, fed an ``httpx.Request`` per send; the pipeline
(``HttpPipeline.request``, past httpx's client); and the whole ``send_many``. The steps between
them are what each SDK layer costs.

Without I/O, a stub transport answering the canned envelope at once times pure client-side
work: the SDK over a transport of the user's (which must go through httpx's client), and the
batch engine alone with a sender that answers at once.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx

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

__all__ = ["measure_layers"]

_BASE = "http://127.0.0.1:9"
_ENVELOPE = json.dumps(
    {
        "success": True,
        "message": "Message sent successfully",
        "data": {"to": "923001234500", "message_type": "template"},
        "metaResponse": {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "923001234500", "wa_id": "923001234500"}],
            "messages": [{"id": "wamid.bench000000000001", "message_status": "accepted"}],
        },
    }
).encode()
_RESPONSE_HEADERS = [
    (b"Content-Type", b"application/json; charset=utf-8"),
    (b"Content-Length", str(len(_ENVELOPE)).encode()),
    (b"Date", b"Mon, 24 Nov 2025 10:00:00 GMT"),
    (b"Server", b"Python/3.11 aiohttp/3.14"),
]


class _Stub(httpx.AsyncBaseTransport):
    """Answers every request with the send envelope, as a transport that read it would."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers=_RESPONSE_HEADERS,
            stream=httpx.ByteStream(_ENVELOPE),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": b"OK"},
        )


async def _per_request_us(count: int, body: Callable[[int], Awaitable[None]]) -> float:
    for i in range(min(200, count)):  # warm caches
        await body(i)
    cpu0 = time.process_time()
    for i in range(count):
        await body(i)
    return (time.process_time() - cpu0) / count * 1e6


async def _sdk_single(count: int) -> float:
    from engagive_async import AsyncClient

    async with AsyncClient(TOKEN, base_url=_BASE, transport=_Stub()) as client:
        messages = client.account(ACCOUNT_ID).messages

        async def one(i: int) -> None:
            await messages.send_template(
                to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE
            )

        return await _per_request_us(count, one)


def _items(count: int) -> Iterator[Any]:
    from engagive_async.models.batch import TemplateSend

    for i in range(count):
        yield TemplateSend(to=recipient(i), template_name=TEMPLATE_NAME, lang_code=LANG_CODE)


async def _sdk_batch(count: int, concurrency: int, base_url: str, stub: bool) -> float:
    from engagive_async import AsyncClient

    transport: Any = _Stub() if stub else "auto"
    async with AsyncClient(
        TOKEN, base_url=base_url, transport=transport, max_connections=concurrency
    ) as client:
        messages = client.account(ACCOUNT_ID).messages
        async for _ in messages.send_many(_items(500), concurrency=concurrency):
            pass
        cpu0 = time.process_time()
        async for _ in messages.send_many(_items(count), concurrency=concurrency):
            pass
        return (time.process_time() - cpu0) / count * 1e6


async def _batch_engine(count: int, concurrency: int) -> float:
    from engagive_async._sending._batch import BatchOptions, run_batch
    from engagive_async.models.results import SendResult

    answer = SendResult(data={"to": "x"})

    async def instant(throttle: Any, trace: Any) -> SendResult:
        await asyncio.sleep(0)  # a request always yields to the loop at least once
        return answer

    async def run(n: int) -> None:
        async for _ in run_batch(
            _items(n), lambda item: instant, BatchOptions(concurrency=concurrency)
        ):
            pass

    await run(500)
    cpu0 = time.process_time()
    await run(count)
    return (time.process_time() - cpu0) / count * 1e6


async def _pipeline(url: str, count: int, concurrency: int) -> float:
    from engagive_async import AsyncClient

    path = SEND_PATH.removeprefix("/api/business/public")
    async with AsyncClient(TOKEN, base_url=url, max_connections=concurrency) as client:
        pipeline = client._pipeline  # the layer under resources and the batch engine

        async def send(i: int) -> bool:
            await pipeline.request("POST", path, json=template_body(recipient(i)))
            return True

        return await _over_network(url, count, concurrency, send)


async def _over_network(
    url: str, count: int, concurrency: int, send: Callable[[int], Awaitable[bool]]
) -> float:
    from benchmarks._clients import bounded

    async def sent(i: int) -> bool:
        return await send(i)

    def done(ok: bool) -> None:
        pass

    await bounded(iter(range(min(500, count))), concurrency, sent, done, abandon=False)
    cpu0 = time.process_time()
    await bounded(iter(range(count)), concurrency, sent, done, abandon=False)
    return (time.process_time() - cpu0) / count * 1e6


async def _raw_aiohttp(url: str, count: int, concurrency: int) -> float:
    import aiohttp

    target = url + SEND_PATH
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=HEADERS) as session:

        async def send(i: int) -> bool:
            async with session.post(target, json=template_body(recipient(i))) as response:
                await response.json()
            return True

        return await _over_network(url, count, concurrency, send)


async def _transport_only(url: str, count: int, concurrency: int) -> float:
    from engagive_async._http._transport import AiohttpTransport

    target = httpx.URL(url + SEND_PATH)
    transport = AiohttpTransport(max_connections=concurrency, keepalive_expiry=15.0)
    timeout = {"connect": 10.0, "read": 30.0, "write": 30.0, "pool": 30.0}
    try:

        async def send(i: int) -> bool:
            request = httpx.Request(
                "POST",
                target,
                headers=HEADERS,
                json=template_body(recipient(i)),
                extensions={"timeout": timeout},
            )
            response = await transport.handle_async_request(request)
            await response.aread()
            json.loads(response.content)
            return True

        return await _over_network(url, count, concurrency, send)
    finally:
        await transport.aclose()


def measure_layers(
    count: int = 5000, concurrency: int = 64, url: str | None = None, samples: int = 3
) -> dict[str, float]:
    """Microseconds of CPU per request for each layer, the median of ``samples`` runs each.

    With ``url`` (a running server at latency 0), the network layers are measured too.
    """
    c = concurrency
    runs: dict[str, Callable[[], Awaitable[float]]] = {}
    if url is not None:
        runs.update(
            {
                f"raw aiohttp post + json(), c={c}, real server": lambda: _raw_aiohttp(
                    url, count, c
                ),
                f"SDK AiohttpTransport fed an httpx.Request per send, c={c}, real server": (
                    lambda: _transport_only(url, count, c)
                ),
                f"SDK HttpPipeline.request (past httpx's client), c={c}, real server": (
                    lambda: _pipeline(url, count, c)
                ),
                f"SDK send_many (whole path), c={c}, real server": lambda: _sdk_batch(
                    count, c, url, stub=False
                ),
            }
        )
    runs.update(
        {
            "SDK send_template over a transport of the user's (stub), sequential": (
                lambda: _sdk_single(count)
            ),
            f"SDK send_many over a transport of the user's (stub), c={c}": lambda: _sdk_batch(
                count, c, _BASE, stub=True
            ),
            f"SDK batch engine alone (a sender that answers at once), c={c}": (
                lambda: _batch_engine(count, c)
            ),
        }
    )
    results: dict[str, float] = {}
    for name, run in runs.items():
        results[name] = statistics.median(asyncio.run(_call(run)) for _ in range(samples))
    return results


async def _call(run: Callable[[], Awaitable[float]]) -> float:
    return await run()
