"""Meta's wire shapes: exact dicts for the documented examples, round trips, unknown kinds."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagive_async._checks._messages import validate_message
from engagive_async._wire._converter import DecodeFailure, converter, structure
from engagive_async.models.messages import (
    Audio,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactName,
    ContactOrg,
    ContactPhone,
    Contacts,
    ContactUrl,
    CtaUrl,
    Document,
    DocumentHeader,
    Image,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    LocationRequest,
    Message,
    ReplyButton,
    ReplyButtons,
    Sticker,
    Text,
    UnknownMessage,
    Video,
    VideoHeader,
)
from tests._support import decode
from tests.wire._samples import NEW_MESSAGES

# MESSAGES.md's examples, without messaging_product and to, beside the builder that makes each.
DOCUMENTED: list[tuple[Message, str]] = [
    (Text("Hello"), '{"type":"text","text":{"body":"Hello"}}'),
    (
        Image(id="1013859600285441", caption="Hi"),
        '{"type":"image","image":{"id":"1013859600285441","caption":"Hi"}}',
    ),
    (
        Video(link="https://example.com/v.mp4"),
        '{"type":"video","video":{"link":"https://example.com/v.mp4"}}',
    ),
    (Audio(id="1013859600285441"), '{"type":"audio","audio":{"id":"1013859600285441"}}'),
    (
        Document(link="https://example.com/a.pdf", filename="a.pdf"),
        '{"type":"document","document":{"link":"https://example.com/a.pdf","filename":"a.pdf"}}',
    ),
    (Sticker(id="1013859600285441"), '{"type":"sticker","sticker":{"id":"1013859600285441"}}'),
    (
        Location(latitude=37.4421, longitude=-122.1615),
        '{"type":"location","location":{"latitude":"37.4421","longitude":"-122.1615"}}',
    ),
    (
        Contacts(
            [
                Contact(
                    name=ContactName(formatted_name="Ann Lee", first_name="Ann"),
                    phones=[ContactPhone(phone="+15550001111", type="CELL")],
                )
            ]
        ),
        '{"type":"contacts","contacts":[{"name":{"formatted_name":"Ann Lee","first_name":"Ann"},'
        '"phones":[{"phone":"+15550001111","type":"CELL"}]}]}',
    ),
    (
        ReplyButtons(body="Pick one", buttons=[ReplyButton(id="yes", title="Yes")]),
        '{"type":"interactive","interactive":{"type":"button","body":{"text":"Pick one"},'
        '"action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}}]}}}',
    ),
    (
        ListMessage(
            body="Choose",
            button="Options",
            sections=[ListSection(rows=[ListRow(id="r1", title="One")])],
        ),
        '{"type":"interactive","interactive":{"type":"list","body":{"text":"Choose"},'
        '"action":{"button":"Options","sections":[{"rows":[{"id":"r1","title":"One"}]}]}}}',
    ),
    (
        CtaUrl(body="See dates", display_text="Open", url="https://example.com"),
        '{"type":"interactive","interactive":{"type":"cta_url","body":{"text":"See dates"},'
        '"action":{"name":"cta_url","parameters":{"display_text":"Open",'
        '"url":"https://example.com"}}}}',
    ),
    (
        LocationRequest(body="Share your location"),
        '{"type":"interactive","interactive":{"type":"location_request_message",'
        '"body":{"text":"Share your location"},"action":{"name":"send_location"}}}',
    ),
]

# Every builder with every optional field set, to round-trip what the examples leave out.
FULL: list[Message] = [
    Text("see https://example.com", preview_url=True),
    Image(link="https://example.com/a.jpg", caption="A"),
    Video(id="7", caption="V"),
    Audio(link="https://example.com/a.ogg", voice=True),
    Document(id="9", caption="Invoice", filename="inv.pdf"),
    Sticker(link="https://example.com/s.webp"),
    Location(latitude=-33.5, longitude=151.25, name="Office", address="1 Main St"),
    Contacts(
        [
            Contact(
                name=ContactName(
                    formatted_name="Dr Ann B Lee Jr",
                    first_name="Ann",
                    last_name="Lee",
                    middle_name="B",
                    suffix="Jr",
                    prefix="Dr",
                ),
                phones=[ContactPhone(phone="+1555", type="WORK", wa_id="1555")],
                emails=[ContactEmail(email="ann@example.com", type="WORK")],
                urls=[ContactUrl(url="https://example.com", type="HOME")],
                addresses=[
                    ContactAddress(
                        street="1 Main St",
                        city="Town",
                        state="ST",
                        zip="12345",
                        country="Land",
                        country_code="LD",
                        type="HOME",
                    )
                ],
                org=ContactOrg(company="Acme", department="R&D", title="Chief"),
                birthday="1990-01-31",
            ),
            Contact(name=ContactName(formatted_name="Bob", first_name="Bob")),
        ]
    ),
    ReplyButtons(
        body="Pick",
        buttons=[ReplyButton(id="a", title="A"), ReplyButton(id="b", title="B")],
        header=VideoHeader(id="5"),
        footer="small print",
    ),
    ListMessage(
        body="Menu",
        button="Open",
        sections=[
            ListSection(title="S1", rows=[ListRow(id="r1", title="One", description="first")]),
            ListSection(title="S2", rows=[ListRow(id="r2", title="Two")]),
        ],
        header="Today",
        footer="f",
    ),
    CtaUrl(
        body="b",
        display_text="Go",
        url="https://example.com",
        header=DocumentHeader(link="https://example.com/a.pdf", filename="a.pdf"),
        footer="f",
    ),
    LocationRequest(body="Where are you?"),
    UnknownMessage(type="reaction", payload={"reaction": {"message_id": "wamid.1", "emoji": "👍"}}),
    *NEW_MESSAGES,
]


@pytest.mark.parametrize(("message", "wire"), DOCUMENTED)
def test_documented_examples_are_produced_exactly(message: Message, wire: str) -> None:
    """Each builder unstructures to MESSAGES.md's example, and the example decodes back."""
    assert converter.unstructure(message, Message) == json.loads(wire)
    assert decode(json.loads(wire), Message) == message


@pytest.mark.parametrize("message", FULL)
def test_every_kind_round_trips_with_all_fields(message: Message) -> None:
    """unstructure then structure gives the same builder, as the union and as its own class."""
    wire = converter.unstructure(message, Message)
    assert json.loads(json.dumps(wire)) == wire  # plain JSON, nothing left as an object
    assert decode(wire, Message) == message
    assert structure(wire, type(message)) == message


def test_every_member_of_the_message_union_is_covered() -> None:
    """The round-trip examples hold one of each kind Message names, so none goes untested."""
    assert {type(m) for m in FULL} == set(typing.get_args(Message))


def test_fields_left_at_default_are_omitted() -> None:
    """False, None and empty lists are not sent."""
    assert converter.unstructure(Audio(id="1", voice=False)) == {
        "type": "audio",
        "audio": {"id": "1"},
    }
    card = Contact(name=ContactName(formatted_name="A", first_name="A"), phones=[])
    assert converter.unstructure(Contacts([card]))["contacts"] == [
        {"name": {"formatted_name": "A", "first_name": "A"}}
    ]


@pytest.mark.parametrize(
    ("degrees", "text"), [(37.4421, "37.4421"), (-122.0, "-122.0"), (1e-05, "0.00001"), (7, "7.0")]
)
def test_coordinates_are_decimal_strings_without_exponent(degrees: float, text: str) -> None:
    """Meta types coordinates as strings; tiny values are written out, not as 1e-05."""
    wire = converter.unstructure(Location(latitude=degrees, longitude=0.0))
    assert wire["location"]["latitude"] == text
    assert decode(wire, Message).latitude == degrees


def test_header_and_footer_shapes() -> None:
    """A string header is a text header object; the footer sits under "text"."""
    message = ReplyButtons(
        body="b", buttons=[ReplyButton(id="y", title="Y")], header="Hi", footer="f"
    )
    inner = converter.unstructure(message, Message)["interactive"]
    assert inner["header"] == {"type": "text", "text": "Hi"}
    assert inner["footer"] == {"text": "f"}


@pytest.mark.parametrize(
    "wire",
    [
        {"type": "reaction", "reaction": {"message_id": "wamid.1", "emoji": "👍"}},
        {"type": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}},
        {"type": "brand_new", "brand_new": [1, 2], "context": {"message_id": "wamid.2"}},
        {
            "type": "interactive",
            "interactive": {"type": "voice_call", "action": {"name": "voice_call"}},
        },
        {
            "type": "interactive",
            "interactive": {
                "type": "flow",
                "body": {"text": "Sign up"},
                "action": {
                    "name": "flow",
                    "parameters": {"flow_id": "1", "flow_cta": "Go", "flow_new_option": True},
                },
            },
        },
        {
            "type": "interactive",
            "interactive": {
                "type": "location_request_message",
                "header": {"type": "text", "text": "h"},
                "body": {"text": "b"},
                "action": {"name": "send_location"},
            },
        },
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "text", "text": "h", "sub_text": "s"},
                "body": {"text": "b"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "A"}}]},
            },
        },
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "gif", "gif": {"id": "1"}},
                "body": {"text": "b"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "a", "title": "A"}}]},
            },
        },
        {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "header": {"type": "image", "image": {"id": "1"}},
                "body": {"text": "b"},
                "action": {"button": "B", "sections": [{"rows": [{"id": "r", "title": "R"}]}]},
            },
        },
    ],
    ids=[
        "reaction",
        "template",
        "new-kind",
        "new-interactive-kind",
        "flow-new-parameter",
        "header-where-none-fits",
        "header-sub-text",
        "new-header",
        "list-media-header",
    ],
)
def test_unknown_kinds_decode_to_unknown_message_and_back_unchanged(wire: dict[str, Any]) -> None:
    """A kind (or header) this version cannot hold is kept whole and re-encoded as received."""
    decoded = decode(wire, Message)
    assert isinstance(decoded, UnknownMessage)
    assert decoded.type == wire["type"]
    assert converter.unstructure(decoded, Message) == wire


def test_unknown_keys_inside_a_known_kind_are_ignored() -> None:
    """Lenient in: a field Meta adds later does not break decoding."""
    wire = {"type": "text", "text": {"body": "hi", "new_flag": True}, "biz_opaque": "x"}
    assert decode(wire, Message) == Text("hi")


@pytest.mark.parametrize(
    ("cls", "wire", "fragment"),
    [
        (Text, {"type": "text", "text": "hi"}, "text: expected an object"),
        (Text, {"type": "text", "text": {}}, "text: "),
        (Location, {"type": "location", "location": {"latitude": "north"}}, "location: "),
        (ReplyButtons, {"type": "interactive", "interactive": {"type": "button"}}, "body"),
        (
            ListMessage,
            {"type": "interactive", "interactive": {"type": "list", "body": {"text": "b"}}},
            "action.sections",
        ),
        (Contacts, {"type": "contacts", "contacts": [{"phones": []}]}, "contacts[0].name"),
        (Text, ["not", "an", "object"], "message: expected an object"),
    ],
)
def test_malformed_known_kinds_fail_with_a_readable_reason(
    cls: type[Any], wire: Any, fragment: str
) -> None:
    """A known kind of the wrong shape is one DecodeFailure that says where, not a KeyError."""
    with pytest.raises(DecodeFailure) as caught:
        structure(wire, cls)
    assert fragment in str(caught.value)


def test_a_message_without_a_type_is_read_by_its_content_key() -> None:
    """Meta's own examples sometimes leave "type" out: the one content key present says it."""
    assert decode({"text": {"body": "hi", "preview_url": True}}, Message) == Text(
        "hi", preview_url=True
    )
    wire = converter.unstructure(LocationRequest(body="Where?"), Message)
    del wire["type"]
    assert decode(wire, Message) == LocationRequest(body="Where?")


@pytest.mark.parametrize(
    "wire", [{"context": {"message_id": "wamid.1"}}, {"text": {"body": "a"}, "image": {"id": "1"}}]
)
def test_a_message_without_a_type_or_one_content_key_fails(wire: dict[str, Any]) -> None:
    """No "type" and no single content key: a DecodeFailure naming message.type."""
    with pytest.raises(DecodeFailure, match=r"message\.type"):
        decode(wire, Message)


def test_structuring_as_the_wrong_class_fails() -> None:
    """An image payload is not decoded as Text."""
    with pytest.raises(DecodeFailure, match="expected Text, got Image"):
        structure({"type": "image", "image": {"id": "1"}}, Text)


# --- property: valid builders round-trip ----------------------------------------------------

_chars = st.characters(codec="utf-8")  # no lone surrogates: those cannot be JSON-encoded
_text = st.text(_chars, min_size=1, max_size=60)
_title = st.text(_chars, min_size=1, max_size=20)
_id = _title.filter(lambda s: s == s.strip())
_buttons = st.lists(
    st.builds(ReplyButton, id=_id, title=_title),
    min_size=1,
    max_size=3,
    unique_by=(lambda b: b.id, lambda b: b.title),
)
_valid_messages = st.one_of(
    st.builds(Text, _text, preview_url=st.booleans()),
    st.builds(
        ReplyButtons,
        body=_text,
        buttons=_buttons,
        header=st.none() | _text,
        footer=st.none() | _text,
    ),
)


@given(_valid_messages)
def test_any_valid_text_or_reply_buttons_round_trips(message: Message) -> None:
    """A valid Text or ReplyButtons passes validation and survives JSON and back unchanged."""
    validate_message(message)
    wire = json.loads(json.dumps(converter.unstructure(message, Message)))
    assert decode(wire, Message) == message
