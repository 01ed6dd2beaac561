"""Both transports for every hostile scenario, and a client with small, explicit bounds."""

from __future__ import annotations

from typing import Any

import pytest

from engagive_async import AsyncClient, RetryPolicy, TemplateSend
from engagive_async.models.batch import SendOutcome
from tests.hostile._servers import HostileServer, Measure, measured

#: The cap the hostile tests set: a hostile body must stop here, whatever it claims.
CAP = 1024 * 1024
#: Heap allowed above the cap while reading (the transports' buffers, the test's own objects).
MEMORY_MARGIN = 6 * 1024 * 1024
#: What "ends within its deadline" allows for scheduling on a loaded machine.
SLACK = 2.0

QUICK = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0, max_retry_after=0.5)


@pytest.fixture(params=["aiohttp", "httpx"])
def transport(request: pytest.FixtureRequest) -> str:
    """Our aiohttp transport (with its shortcut) and httpx's own pool."""
    kind: str = request.param
    return kind


def client_for(url: str, transport: str, **options: Any) -> AsyncClient:
    """A client on ``url`` with the hostile tests' cap and timeouts (overridable)."""
    options.setdefault("max_response_bytes", CAP)
    options.setdefault("timeout", 5.0)
    options.setdefault("attempt_timeout", 5.0)
    options.setdefault("call_timeout", 10.0)
    options.setdefault("retry", QUICK)
    return AsyncClient("test-token", base_url=url, transport=transport, **options)  # type: ignore[arg-type]


async def send_one(client: AsyncClient) -> SendOutcome:
    """One template send as a batch item: its outcome, never an exception."""
    item = TemplateSend(to="923001234567", template_name="hello_world", lang_code="en_US")
    report = await client.account(1).messages.send_batch([item])
    (outcome,) = report.outcomes
    return outcome


async def send_measured(
    server: HostileServer, transport: str, **options: Any
) -> tuple[SendOutcome, Measure]:
    """``send_one`` through a client on ``server`` (running for the call): its outcome, and
    the send's time and heap peak (starting the server and the client not counted)."""
    async with server.running() as url, client_for(url, transport, **options) as client:
        with measured() as m:
            outcome = await send_one(client)
    return outcome, m
