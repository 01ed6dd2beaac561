"""An in-memory Engagive for tests and demos: ``FakeEngagive`` and its fault injection.

In process, through httpx's ASGI transport::

    import httpx
    from engagive_async import AsyncClient
    from engagive_async.testing import Fault, FakeEngagive

    fake = FakeEngagive()
    fake.script(Fault.status(429, retry_after=1), route="messages.send_template")
    async with AsyncClient("test-token", transport=httpx.ASGITransport(fake.app)) as client:
        ...
    assert fake.sent[0].to == "923001234567"

On a loopback socket (needs the ``testing`` extra, for uvicorn)::

    async with fake.serve() as base_url:
        async with AsyncClient("test-token", base_url=base_url) as client:
            ...

From a shell: ``python -m engagive_async.testing --port 8080`` prints
``serving http://127.0.0.1:8080`` and serves until stopped.

``local_postgres()`` starts a throwaway PostgreSQL on loopback for the shared journal's tests.
"""

from engagive_async.testing._auth import DEFAULT_TOKEN
from engagive_async.testing._fake import FakeEngagive
from engagive_async.testing._faults import Fault, FaultKind
from engagive_async.testing._paging import CONVENTIONS, Convention
from engagive_async.testing._postgres import PostgresNotFoundError, local_postgres
from engagive_async.testing._records import RecordedRequest, SentMessage
from engagive_async.testing._store import Store

__all__ = [
    "CONVENTIONS",
    "DEFAULT_TOKEN",
    "Convention",
    "FakeEngagive",
    "Fault",
    "FaultKind",
    "PostgresNotFoundError",
    "RecordedRequest",
    "SentMessage",
    "Store",
    "local_postgres",
]
