"""Shared fixtures: a scripted router (respx), a client over it, and a real PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import respx

from engagive_async import AsyncClient, RetryPolicy
from engagive_async.testing import local_postgres

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL server on loopback for the whole session (its DSN); never skipped."""
    with local_postgres() as dsn:
        yield dsn


_schemas = itertools.count()


@pytest.fixture
def pg_schema() -> str:
    """A schema name no other test uses: each test's journal tables start empty."""
    return f"t{next(_schemas)}"


@pytest.fixture
def pg_database(postgres_server: str) -> str:
    """The DSN of a database of this test's own (job tables and journal start empty)."""
    import psycopg

    name = f"db_{next(_schemas)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres_server.rsplit("/", 1)[0] + f"/{name}"
