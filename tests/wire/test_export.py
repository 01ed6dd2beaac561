"""to_dict(): results, outcomes and models as JSON-ready data; outcomes survive pickling."""

from __future__ import annotations

import json
import pickle

import anyio
import httpx
import pytest

from engagive_async import (
    AsyncClient,
    OutcomeStatus,
    RetryPolicy,
    SendOutcome,
    SendResult,
    SingleSend,
    Template,
    TemplateContent,
    TemplateSend,
)
from engagive_async.builders import Text, body_text
from engagive_async.meta import MetaError
from engagive_async.testing import FakeEngagive, Fault

QUICK = RetryPolicy(max_attempts=2, initial_backoff=0, max_backoff=0)
#: One fault per request, in order; None answers normally (concurrency 1 keeps the order).
#: Then an invalid item (FAILED, never sent), the item that stops the batch, and the SKIPPED.
SCRIPT = [
    None,
    Fault.meta_error(131026, details="not on WhatsApp"),
    Fault.status(400, error="Bad template"),
    Fault.html(502),
    Fault.drop(),
    Fault.success_false(),
    Fault.malformed_json(),
    Fault.status(429, retry_after=0),  # retried: the second try is sent
]


def _items() -> list[TemplateSend | SingleSend]:
    sends: list[TemplateSend | SingleSend] = [
        TemplateSend(
            to=f"92300{i:07d}",
            template_name="order_shipped",
            lang_code="en",
            components=[body_text(f"Ann {i}")],
            key=f"row-{i}",
        )
        for i in range(len(SCRIPT))
    ]
    sends.append(SingleSend(to="not a number", message=Text("hi")))  # invalid: never sent
    sends.append(SingleSend(to="923001111111", message=Text("stop here")))
    sends += [SingleSend(to="923002222222", message=Text("never")) for _ in range(2)]
    return sends


async def _faulty_batch() -> list[SendOutcome]:
    fake = FakeEngagive()
    fake.script(*[Fault.delay(0) if f is None else f for f in SCRIPT])
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient("test-token", transport=transport, retry=QUICK) as client:
        report = await client.account(1).messages.send_batch(
            _items(),
            concurrency=1,
            ordered=True,
            stop_on=lambda o: o.item.to == "923001111111",
        )
    return report.outcomes


@pytest.fixture(scope="module")
def outcomes() -> list[SendOutcome]:
    return anyio.run(_faulty_batch)


def test_the_faulty_batch_reaches_every_status(outcomes: list[SendOutcome]) -> None:
    """The batch below holds every outcome status, so the tests over it cover them all."""
    assert {o.status for o in outcomes} == set(OutcomeStatus)


def test_every_outcome_dumps_as_json(outcomes: list[SendOutcome]) -> None:
    """json.dumps works for every status; enums are their values, errors small dicts."""
    for outcome in outcomes:
        data = json.loads(json.dumps(outcome.to_dict()))
        assert data["status"] == outcome.status.value
        assert data["index"] == outcome.index
        if outcome.error is not None:
            assert data["error"]["type"] == type(outcome.error).__name__
            assert data["error"]["message"] == str(outcome.error)
        else:
            assert data["error"] is None


def test_meta_response_is_kept_exactly_as_received(outcomes: list[SendOutcome]) -> None:
    """A sent outcome keeps Meta's payload as is; a refused one keeps Meta's code and payload."""
    sent = outcomes[0]
    assert sent.status is OutcomeStatus.SENT
    data = json.loads(json.dumps(sent.to_dict()))
    assert data["result"]["meta_response"] == sent.meta_response
    assert data["result"]["meta_response"]["messages"][0]["id"] == sent.wamid
    assert data["item"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Ann 0"}]}
    ]
    refused = json.loads(json.dumps(outcomes[1].to_dict()))
    assert refused["status"] == "failed"
    assert refused["error"]["type"] == "UpstreamError"
    assert refused["error"]["status"] == 502
    assert refused["error"]["meta_code"] == 131026
    assert refused["error"]["meta_response"] == outcomes[1].meta_response
    assert refused["error"]["meta_response"]["error"]["error_data"]["details"] == "not on WhatsApp"


def test_every_outcome_of_a_faulty_batch_pickles(outcomes: list[SendOutcome]) -> None:
    """What an arq or Celery job returning its outcomes needs: each reads back whole."""
    for outcome in outcomes:
        back = pickle.loads(pickle.dumps(outcome))  # noqa: S301 - our own bytes
        assert back.to_dict() == outcome.to_dict()
        assert type(back.error) is type(outcome.error)
        assert back.item == outcome.item
        assert back.result == outcome.result
    assert b"test-token" not in pickle.dumps(outcomes)


def test_a_result_keeps_defaults_and_the_message_is_on_the_wire_form() -> None:
    """Unlike request bodies, exports keep fields at their default; messages in Meta's shape."""
    result = SendResult(data={"to": "1"}, meta_response=None)
    assert result.to_dict() == {
        "data": {"to": "1"},
        "message": None,
        "status_code": 200,
        "meta_response": None,
    }
    item = SingleSend(to="923001234567", message=Text("hi"), reply_to="wamid.X")
    assert item.to_dict()["message"] == {"type": "text", "text": {"body": "hi"}}


def test_models_export_their_unknown_fields() -> None:
    """Fields this version does not know, kept in extra, stay in the export."""
    template = Template(code="order_shipped", status="approved", extra={"new_field": [1]})
    assert template.to_dict()["extra"] == {"new_field": [1]}
    assert TemplateContent(lang_code="en", text="Hi {{1}}").to_dict()["text"] == "Hi {{1}}"
    assert MetaError(code=131026, is_transient=False).to_dict()["code"] == 131026
