"""Every public entry point refuses a bad argument with a ValidationError that names it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from engagive_async import AsyncClient, RetryPolicy, SqliteJournal, TemplateSend, ValidationError
from engagive_async.testing import FakeEngagive, Fault

ITEMS = [TemplateSend(to="923001234567", template_name="order_shipped", lang_code="en")]


def _client(**options: Any) -> Callable[[], object]:
    return lambda: AsyncClient("test-token", **options)


def _send_many(**options: Any) -> Callable[[], object]:
    def call() -> object:
        client = AsyncClient(
            "test-token", transport=httpx.MockTransport(lambda r: httpx.Response(200))
        )
        return client.account(1).messages.send_many(ITEMS, **options)

    return call


CASES: list[tuple[str, Callable[[], object]]] = [
    ("transport", _client(transport="curl")),
    ("max_connections", _client(max_connections=0)),
    ("max_connections", _client(max_connections=0, transport="httpx")),
    ("max_attempts", lambda: RetryPolicy(max_attempts=0)),
    ("max_backoff", lambda: RetryPolicy(max_backoff=-1)),
    ("concurrency", _send_many(concurrency=0)),
    ("rate_limit", _send_many(rate_limit=0)),
    ("grace", _send_many(grace=-1)),
    ("deadline", _send_many(deadline=dt.datetime(2030, 1, 1))),
    ("seconds", lambda: Fault.delay(-1)),
    ("retry_after", lambda: Fault.status(429, retry_after=-1)),
    ("pagination", lambda: FakeEngagive(pagination="pages")),  # type: ignore[arg-type]
    ("page_size", lambda: FakeEngagive(page_size=0)),
    ("error_field", lambda: FakeEngagive(error_field="detail")),  # type: ignore[arg-type]
    ("route", lambda: FakeEngagive().script(Fault.empty(), route="messages.nope")),
]


@pytest.mark.parametrize(("field", "call"), CASES, ids=[f for f, _ in CASES])
def test_a_bad_argument_is_a_validation_error_naming_it(
    field: str, call: Callable[[], object]
) -> None:
    """The error is typed, says which argument, and is still a ValueError for old callers."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_an_empty_campaign_name_is_refused(tmp_path: Path) -> None:
    """A journal needs a campaign to key its rows by."""
    with pytest.raises(ValidationError) as caught:
        SqliteJournal(tmp_path / "j.sqlite", "")
    assert caught.value.field == "campaign"
