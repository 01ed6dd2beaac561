"""A real PostgreSQL for the shared pacing's tests: one server per session, a database per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from engagive_async.testing import local_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The DSN of a PostgreSQL server started for this test session on 127.0.0.1."""
    with local_postgres() as dsn:
        yield dsn


@pytest.fixture
async def pg_dsn(postgres_server: str) -> AsyncIterator[str]:
    """The DSN of a fresh, empty database on the session's server, dropped after the test."""
    name = f"pacing_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(postgres_server, autocommit=True) as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.rsplit("/", 1)[0] + "/" + name
    async with await psycopg.AsyncConnection.connect(postgres_server, autocommit=True) as admin:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
