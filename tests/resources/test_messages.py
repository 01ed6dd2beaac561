"""acct.messages: the wire shape of every send, validation first, and the result."""

from __future__ import annotations

from typing import Any

import pytest
import respx

from engagive_async import AsyncClient, SendResult, ValidationError
from engagive_async.builders import Audio, Flow, OtpButton, Text, body_text, otp
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


async def test_new_kinds_are_sent_as_meta_s_objects(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A Flow goes out as Meta's interactive flow object; otp() as body + url button."""
    single = router.post(f"{MESSAGES}/send-single").mock(return_value=ok({"success": True}))
    template = router.post(f"{MESSAGES}/send-template").mock(
        return_value=ok(fixture("send_template"))
    )
    messages = scripted.account(1).messages
    await messages.send(
        to="923001234567", message=Flow(body="Book", flow_cta="Book now", flow_name="booking")
    )
    assert sent_json(single.calls.last.request)["content_json"] == {
        "type": "interactive",
        "interactive": {
            "type": "flow",
            "body": {"text": "Book"},
            "action": {
                "name": "flow",
                "parameters": {
                    "flow_message_version": "3",
                    "flow_name": "booking",
                    "flow_cta": "Book now",
                },
            },
        },
    }
    await messages.send_template(
        to="923001234567", template_name="login_code", lang_code="en", components=otp("482913")
    )
    assert sent_json(template.calls.last.request)["content_json"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "482913"}],
        },
    ]


async def test_raw_carousel_dicts_reach_the_wire_untouched(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A carousel written as Meta's dicts is checked and sent exactly as given."""
    route = router.post(f"{MESSAGES}/send-template").mock(return_value=ok(fixture("send_template")))
    header = {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]}
    carousel = {"type": "carousel", "cards": [{"card_index": 0, "components": [header]}]}
    await scripted.account(1).messages.send_template(
        to="923001234567", template_name="summer_sale", lang_code="en", components=[carousel]
    )
    assert sent_json(route.calls.last.request)["content_json"]["components"] == [carousel]


@pytest.mark.parametrize(
    ("message", "components", "field"),
    [
        (
            Flow(body="Book", flow_cta="Book now", flow_id="1", flow_name="both"),
            None,
            "message.flow_id",
        ),
        (Audio(link="https://example.com/a.mp3", voice=True), None, "message.link"),
        (None, [OtpButton(code="1234567890123456")], "components[0].code"),
        (
            None,
            [{"type": "carousel", "cards": [{"card_index": 12, "components": []}]}],
            "components[0].cards[0].card_index",
        ),
    ],
)
async def test_new_kinds_fail_before_any_request_naming_the_field(
    scripted: AsyncClient, router: respx.MockRouter, message: Any, components: Any, field: str
) -> None:
    """A breach of a new kind's limit raises ValidationError with its field; nothing is sent."""
    single = router.post(f"{MESSAGES}/send-single").mock(return_value=ok({"success": True}))
    template = router.post(f"{MESSAGES}/send-template").mock(
        return_value=ok(fixture("send_template"))
    )
    messages = scripted.account(1).messages
    send = (
        messages.send(to="923001234567", message=message)
        if message is not None
        else messages.send_template(
            to="923001234567", template_name="t", lang_code="en", components=components
        )
    )
    with pytest.raises(ValidationError) as caught:
        await send
    assert caught.value.field == field
    assert not single.called
    assert not template.called
