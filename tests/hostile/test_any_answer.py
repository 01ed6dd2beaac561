"""Whatever an answer holds, only EngagiveError subclasses escape, from every public call.

Hypothesis serves arbitrary JSON values, arbitrary bytes, deep nesting and envelopes whose
fields (and the models' fields inside ``data``) have the wrong types, under any status, to each
public endpoint through a mock transport; every call must end in a result or a typed error.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagive_async import AsyncClient, EngagiveError, RetryPolicy, TemplateSend
from engagive_async.builders import Text
from engagive_async.models.batch import OutcomeStatus

#: Keys of the envelope, of the models inside ``data``, of Meta's payloads and of pagination.
KEYS = [
    "success", "statusCode", "message", "data", "pagination", "metaResponse", "error",
    "id", "code", "name", "status", "category_code", "option_code", "parameter_format_code",
    "lang_code", "language", "text", "is_draft", "messages", "contacts", "message_status",
    "input", "wa_id", "type", "error_subcode", "fbtrace_id", "error_data", "details",
    "is_transient", "page", "limit", "total", "next", "cursor", "next_cursor", "per_page",
    "current_page", "last_page", "has_more", "items",
]  # fmt: skip

leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
keys = st.sampled_from(KEYS) | st.text(max_size=6)
json_value = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=24,
)
envelope = st.fixed_dictionaries(
    {},
    optional={
        "success": st.booleans() | json_value,
        "statusCode": st.integers(100, 600) | json_value,
        "message": json_value,
        "data": json_value,
        "pagination": json_value,
        "metaResponse": json_value,
        "error": json_value,
    },
)
body = st.one_of(
    envelope.map(lambda v: json.dumps(v).encode()),
    json_value.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
    st.integers(60, 5000).map(lambda n: b'{"success": true, "data": ' + b"[" * n + b"]" * n + b"}"),
)
answer = st.tuples(
    st.sampled_from([200, 201, 204, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
    body,
    st.sampled_from(["application/json", "text/html", ""]),
    st.none() | st.sampled_from(["0", "-1", "nan", "1e400", "abc"]),
)

Call = Callable[[AsyncClient], Awaitable[Any]]
TO = "923001234567"


async def _walk(pager: Any) -> Any:
    return [item async for item in pager]


async def _batch(client: AsyncClient) -> None:
    item = TemplateSend(to=TO, template_name="hello_world", lang_code="en_US")
    report = await client.account(1).messages.send_batch([item])
    (outcome,) = report.outcomes
    if outcome.status is not OutcomeStatus.SENT:
        assert isinstance(outcome.error, EngagiveError), repr(outcome.error)


def _contents(client: AsyncClient) -> Any:
    return client.account(1).templates.contents("order_shipped")


CALLS: dict[str, Call] = {
    "templates.list": lambda c: _walk(c.account(1).templates.list(max_pages=3)),
    "templates.get": lambda c: c.account(1).templates.get("order_shipped"),
    "templates.create": lambda c: c.account(1).templates.create(
        code="x", name="x", category_code="UTILITY", option_code="o", parameter_format_code="p"
    ),
    "templates.submit": lambda c: c.account(1).templates.submit("order_shipped"),
    "lookups.categories": lambda c: c.account(1).templates.lookups.categories(),
    "lookups.options": lambda c: c.account(1).templates.lookups.options("UTILITY"),
    "lookups.parameter_formats": lambda c: c.account(1).templates.lookups.parameter_formats(),
    "contents.languages": lambda c: _contents(c).languages(),
    "contents.list": lambda c: _walk(_contents(c).list(max_pages=3)),
    "contents.get": lambda c: _contents(c).get("en_US"),
    "contents.create": lambda c: _contents(c).create("en_US", text="Hi {{1}}"),
    "contents.update": lambda c: _contents(c).update("en_US", text="Hi"),
    "contents.delete": lambda c: _contents(c).delete("en_US"),
    "messages.send_template": lambda c: c.account(1).messages.send_template(
        to=TO, template_name="hello_world", lang_code="en_US"
    ),
    "messages.send_reaction": lambda c: c.account(1).messages.send_reaction(
        to=TO, whatsapp_message_id="wamid.X", emoji="👍"
    ),
    "messages.send": lambda c: c.account(1).messages.send(to=TO, message=Text("hi")),
    "messages.reply": lambda c: c.account(1).messages.reply(
        to=TO, parent_wamid="wamid.X", message=Text("hi")
    ),
    "messages.send_batch": _batch,
    "client.request": lambda c: c.request("GET", "/anything"),
}

NO_WAIT = RetryPolicy(max_attempts=2, initial_backoff=0, max_backoff=0, max_retry_after=0)


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=answer)
def test_any_answer_ends_in_a_result_or_an_engagive_error(
    name: str, answer: tuple[int, bytes, str, str | None]
) -> None:
    """No answer makes a public call raise anything but an EngagiveError subclass."""
    status, content, content_type, retry_after = answer
    headers = {"content-type": content_type} if content_type else {}
    if retry_after is not None:
        headers["retry-after"] = retry_after

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers)

    async def scenario() -> None:
        async with AsyncClient(
            "test-token",
            base_url="http://127.0.0.1",
            transport=httpx.MockTransport(handler),
            retry=NO_WAIT,
        ) as client:
            # Only our errors may escape: anything else fails the test.
            with contextlib.suppress(EngagiveError):
                await CALLS[name](client)

    anyio.run(scenario)
