"""acct.messages: the wire shape of every send, validation first, and the result."""

from __future__ import annotations

import pytest
import respx

from engagive_async import AsyncClient, SendResult, ValidationError
from engagive_async.builders import Text, body_text
from tests.resources._support import fixture, ok, sent_json

MESSAGES = "/channels/whatsapp/accounts/1/messages"


async def test_send_template_matches_the_docs_example(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """The body is exactly the documented example; the result keeps Meta's answer."""
    route = router.post(f"{MESSAGES}/send-template").mock(
        return_value=ok(fixture("send_template_with_meta"))
    )
    result = await scripted.account(1).messages.send_template(
        to="923001234567",
        template_name="hello_world",
        lang_code="en_US",
        components=[{"type": "BODY", "parameters": [{"type": "text", "text": "Hello"}]}],
    )
    assert sent_json(route.calls.last.request) == fixture("send_template_request")
    assert result.wamid == "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    assert result.message_status == "accepted"
    assert result.data == {"to": "923001234567", "message_type": "template"}
    assert result.meta_response == fixture("send_template_with_meta")["metaResponse"]


async def test_send_template_with_typed_components_and_plus_number(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Typed components become Meta's dicts; a leading + is dropped from the number."""
    route = router.post(f"{MESSAGES}/send-template").mock(return_value=ok(fixture("send_template")))
    result = await scripted.account(1).messages.send_template(
        to="+923001234567",
        template_name="order_update",
        lang_code="en",
        components=[body_text("Ann")],
    )
    body = sent_json(route.calls.last.request)
    assert body["to"] == "923001234567"
    assert body["content_json"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}
    ]
    assert result.wamid is None  # the docs' example metaResponse is {}
    assert result.meta_response == {}


async def test_send_reaction_matches_the_docs_example(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """POST .../send-reaction with to, whatsapp_message_id and emoji."""
    route = router.post(f"{MESSAGES}/send-reaction").mock(return_value=ok(fixture("send_reaction")))
    result = await scripted.account(1).messages.send_reaction(
        to="923001234567", whatsapp_message_id="wamid.xxxxx", emoji="👍"
    )
    assert sent_json(route.calls.last.request) == fixture("send_reaction_request")
    assert result == SendResult(data={}, message="Reaction sent", status_code=200, meta_response={})


async def test_send_single_text_and_reply_in_thread(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Provisional send-single: Meta's message object in content_json; reply adds context."""
    route = router.post(f"{MESSAGES}/send-single").mock(
        return_value=ok({"success": True, "data": {"to": "923001234567", "message_type": "text"}})
    )
    messages = scripted.account(1).messages
    await messages.send(to="923001234567", message=Text("hi"))
    assert sent_json(route.calls.last.request) == {
        "to": "923001234567",
        "content_json": {"type": "text", "text": {"body": "hi"}},
    }
    await messages.reply(to="923001234567", parent_wamid="wamid.parent", message=Text("re"))
    assert sent_json(route.calls.last.request)["content_json"] == {
        "type": "text",
        "text": {"body": "re"},
        "context": {"message_id": "wamid.parent"},
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to": "12ab"}, "to"),
        ({"template_name": "Has Spaces"}, "template_name"),
        ({"lang_code": "english!"}, "lang_code"),
    ],
)
async def test_bad_template_input_fails_before_any_request(
    scripted: AsyncClient, router: respx.MockRouter, kwargs: dict[str, str], field: str
) -> None:
    """Invalid input raises ValidationError naming the field, and nothing is sent."""
    route = router.post(f"{MESSAGES}/send-template").mock(return_value=ok(fixture("send_template")))
    args = {"to": "923001234567", "template_name": "hello_world", "lang_code": "en_US", **kwargs}
    with pytest.raises(ValidationError) as caught:
        await scripted.account(1).messages.send_template(**args)
    assert caught.value.field.startswith(field)
    assert not route.called


async def test_bad_message_fails_before_any_request(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A text over Meta's 4096 characters is refused locally."""
    route = router.post(f"{MESSAGES}/send-single").mock(return_value=ok({"success": True}))
    with pytest.raises(ValidationError):
        await scripted.account(1).messages.send(to="923001234567", message=Text("x" * 4097))
    assert not route.called
