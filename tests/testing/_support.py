"""Helpers for FakeEngagive's tests: a raw httpx client over the fake, and route paths."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from engagive_async._config import API_PREFIX
from engagive_async._wire._routes import ROUTES
from engagive_async.testing import FakeEngagive

TOKEN = "test-token"
TEMPLATE_BODY = {
    "to": "923001234567",
    "content_json": {"template_name": "order_shipped", "lang_code": "en"},
}


def path(route: str, account_id: int | str = 1, **params: object) -> str:
    """The full path of a route, prefix included."""
    return API_PREFIX + ROUTES[route].path(account_id=account_id, **params)


@asynccontextmanager
async def client(
    fake: FakeEngagive, token: str | None = TOKEN, base_url: str = "http://fake.test"
) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client talking to the fake in process, with a bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    transport = httpx.ASGITransport(fake.app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers) as c:
        yield c


async def call(
    c: httpx.AsyncClient,
    route: str,
    *,
    json: Any = None,
    params: Mapping[str, str] | None = None,
    account_id: int | str = 1,
    **path_params: object,
) -> httpx.Response:
    """Call one route by name with its method."""
    return await c.request(
        ROUTES[route].method, path(route, account_id, **path_params), json=json, params=params
    )
