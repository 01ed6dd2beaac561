"""Shared fixtures: a scripted router (respx) and a client over it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from engagive_async import AsyncClient, RetryPolicy

TOKEN = "test-token"
BASE = "https://api.engagive.test"
ROOT = BASE + "/api/business/public"
ACCOUNT = ROOT + "/channels/whatsapp/accounts/1"

#: No waiting between retries in tests; the attempt budget is what matters.
FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0)


@pytest.fixture
def router() -> respx.MockRouter:
    """A respx router whose routes answer the client's requests."""
    return respx.MockRouter(assert_all_called=False, base_url=ROOT)


@pytest.fixture
async def scripted(router: respx.MockRouter) -> AsyncIterator[AsyncClient]:
    """An AsyncClient whose transport is the respx router."""
    async with AsyncClient(
        TOKEN, base_url=BASE, transport=httpx.MockTransport(router.async_handler), retry=FAST_RETRY
    ) as client:
        yield client
