"""Conformance with Meta's own OpenAPI description of the Cloud API (v23.0, MIT, a copy in
tests/fixtures/meta_openapi with its licence).

Two checks, both against a reference nobody here wrote:

1. Every builder, made with realistic values and sent through the client to FakeEngagive, gives
   a ``content_json`` that validates against the spec's ``Message`` schema (after adding the
   envelope Engagive adds: ``messaging_product``, ``recipient_type``, ``to``).
2. Every official request example of ``POST /{Phone-Number-ID}/messages`` decodes into a builder
   and encodes back to itself.

The spec is stale or wrong in known places; each place is one entry of ``SPEC_FIXES`` or one
``normalise`` step below, with its reason. Nothing else is excused.
"""

from __future__ import annotations

import copy
import functools
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

from engagive_async import ReactionSend, SingleSend, TemplateSend
from engagive_async._wire import _routes as routes
from engagive_async._wire._component_codec import components_to_wire
from engagive_async._wire._converter import converter, structure
from engagive_async.builders import (
    Audio,
    Component,
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
    UnknownComponent,
    UnknownMessage,
    UnknownParam,
    Video,
    VideoHeader,
    otp,
)
from engagive_async.testing import FakeEngagive
from tests._support import fake_client
from tests.wire._samples import COMPONENTS, NEW_MESSAGES

SPEC_FILE = Path(__file__).parent.parent / "fixtures/meta_openapi/business-messaging-api_v23.0.yaml"
SEND_PATH = "/{Version}/{Phone-Number-ID}/messages"
SCHEMAS = "#/components/schemas/"
TO = "923001234567"


# --- the spec, read once per session, with its known faults fixed -------------------------------


def _fix_closed_all_of(schemas: dict[str, Any]) -> None:
    """``allOf: [BaseMessageProperties, {additionalProperties: false, ...}]`` closes the second
    branch over its own properties only, so under JSON Schema every message fails on
    ``messaging_product`` and ``to``. OpenAPI authors mean "no keys beyond both": the branch
    gets the base's property names too."""
    base = set(schemas["BaseMessageProperties"]["properties"])
    for schema in schemas.values():
        parts = schema.get("allOf", [])
        if {"$ref": SCHEMAS + "BaseMessageProperties"} in parts:
            for part in parts:
                if part.get("additionalProperties") is False:
                    part.setdefault("properties", {})
                    for name in base - part["properties"].keys():
                        part["properties"][name] = {}


def _apply_discriminators(schemas: dict[str, Any]) -> None:
    """OpenAPI's ``discriminator.mapping`` picks the schema for a ``type`` value; JSON Schema
    ignores it, which would leave every parameter unchecked. Each mapping becomes if/then
    branches; the mapped schemas extend a copy of the base without it, so nothing recurses."""
    for name in [n for n, s in schemas.items() if "mapping" in s.get("discriminator", {})]:
        schema = schemas[name]
        mapping = schema.pop("discriminator")["mapping"]
        schemas[f"{name}__base"] = copy.deepcopy(schema)
        for target in mapping.values():
            for part in schemas[target.removeprefix(SCHEMAS)].get("allOf", []):
                if part == {"$ref": SCHEMAS + name}:
                    part["$ref"] = SCHEMAS + f"{name}__base"
        schema.setdefault("allOf", []).extend(
            {"if": {"properties": {"type": {"const": tag}}, "required": ["type"]},
             "then": {"$ref": target}}
            for tag, target in mapping.items()
        )  # fmt: skip


def _extend_enum(schema: dict[str, Any], *values: str) -> None:
    schema["enum"] = [*schema["enum"], *values]


def _spec_fixes(schemas: dict[str, Any]) -> None:
    """The spec's stale spots, each with its source. Kinds it does not describe at all get
    only their name here (their shape is pinned by tests/wire against MESSAGES.md)."""
    interactive = schemas["InteractiveObject"]["properties"]["type"]
    # README of the spec folder: the interactive type enum lacks cta_url and
    # location_request_message. order_details and order_status are missing too, though the
    # spec's own examples send them; address_message is on Meta's address messages page only.
    _extend_enum(
        interactive, "cta_url", "location_request_message", "order_details", "order_status",
        "address_message",
    )  # fmt: skip
    # ... and so are their actions, which ActionObject's oneOf has no branch for.
    for action_name in ("cta_url", "send_location", "address_message", "review_and_pay",
                        "review_order"):  # fmt: skip
        schemas["ActionObject"]["oneOf"].append(
            {"required": ["name"], "properties": {"name": {"const": action_name}}}
        )
    # README: template button sub_type lacks copy_code and flow (mpm: MESSAGES.md, pywa);
    # README: the button index pattern ^[2-6, 11-14]$ is broken (Meta describes 0-9).
    for part in (schemas["TemplateComponent"], schemas["ButtonComponent"]["allOf"][1]):
        _extend_enum(part["properties"]["sub_type"], "copy_code", "flow", "mpm")
        part["properties"]["index"]["pattern"] = "^[0-9]$"
    # README: contacts maxItems 5 disagrees with Meta's contacts page (257).
    schemas["ContactsMessage"]["allOf"][1]["properties"]["contacts"]["maxItems"] = 257
    # Meta's contacts page lists CELL, MAIN and IPHONE phones beside HOME and WORK.
    _extend_enum(schemas["PhoneObject"]["properties"]["type"], "CELL", "MAIN", "IPHONE")
    # LanguageObject requires policy "deterministic", which Meta's own examples leave out
    # (MESSAGES.md); Engagive's send-template takes a lang_code only.
    schemas["LanguageObject"]["required"] = ["code"]
    # Component kinds the spec lacks: carousel (cards of header/body/button components) and
    # limited_time_offer (MESSAGES.md, pywa). Cards hold the spec's own components.
    _extend_enum(schemas["TemplateComponent"]["properties"]["type"], "carousel",
                 "limited_time_offer")  # fmt: skip
    card = {
        "type": "object",
        "required": ["card_index", "components"],
        "properties": {
            "card_index": {"type": "integer", "minimum": 0, "maximum": 9},
            "components": {"type": "array", "items": {"$ref": SCHEMAS + "TemplateComponent"}},
        },
    }
    cards = {"type": "array", "minItems": 1, "maxItems": 10, "items": card}
    schemas["TemplateComponent"].setdefault("allOf", []).append(
        {
            "if": {"properties": {"type": {"const": "carousel"}}},
            "then": {"required": ["cards"], "properties": {"cards": cards}},
        }
    )
    # Parameter kinds the spec lacks: a header location (MESSAGES.md, pywa), a limited-time
    # offer's expiry and a product card's product (pywa); for buttons the coupon_code of
    # copy-code buttons and the action of flow/catalog buttons (the spec's own examples).
    _extend_enum(schemas["ParameterObject"]["properties"]["type"], "location",
                 "limited_time_offer", "product")  # fmt: skip
    _extend_enum(schemas["ButtonParameterObject"]["properties"]["type"], "coupon_code", "action")


@functools.cache
def _spec() -> dict[str, Any]:
    """The spec, parsed once per test session (libyaml's loader when built with it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_FILE.open(encoding="utf-8") as stream:
        spec: dict[str, Any] = yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader
    return spec


@functools.cache
def _validator(*, fixed: bool = True) -> jsonschema.protocols.Validator:
    """Meta's ``Message`` schema; ``fixed=False`` leaves the stale spots as the spec has them."""
    spec = copy.deepcopy(_spec())
    schemas = spec["components"]["schemas"]
    _fix_closed_all_of(schemas)
    if fixed:
        _spec_fixes(schemas)  # before the discriminators: the fixes name the original branches
    _apply_discriminators(schemas)
    resource = DRAFT202012.create_resource(spec)
    registry: referencing.Registry[Any] = referencing.Registry().with_resource("urn:meta", resource)
    schema = {"$ref": "urn:meta" + SCHEMAS + "Message"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _examples() -> Iterator[tuple[str, dict[str, Any]]]:
    post = _spec()["paths"][SEND_PATH]["post"]
    for name, example in post["requestBody"]["content"]["application/json"]["examples"].items():
        yield name, example["value"]


def _errors(message: dict[str, Any], *, fixed: bool = True) -> list[str]:
    found = _validator(fixed=fixed).iter_errors(message)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


# --- 1. what the builders produce validates ------------------------------------------------------

CLASSIC: list[Message] = [
    Text("Your order ORD-42 has shipped: https://example.com/t/42", preview_url=True),
    Image(link="https://example.com/receipt.png", caption="Your receipt"),
    Video(id="1013859600285441", caption="How to assemble your desk"),
    Audio(id="1013859600285441"),
    Audio(link="https://example.com/voice/greeting.ogg", voice=True),
    Document(link="https://example.com/inv-42.pdf", caption="Invoice", filename="inv-42.pdf"),
    Sticker(id="1013859600285441"),
    Location(latitude=31.5204, longitude=74.3587, name="Lahore store", address="Mall Road"),
    Contacts(
        [
            Contact(
                name=ContactName(formatted_name="Ann Lee", first_name="Ann", last_name="Lee"),
                phones=[ContactPhone(phone="+923001234567", type="CELL", wa_id="923001234567")],
                emails=[ContactEmail(email="ann@example.com", type="WORK")],
                urls=[ContactUrl(url="https://example.com", type="WORK")],
                addresses=[
                    ContactAddress(
                        street="1 Mall Road",
                        city="Lahore",
                        state="Punjab",
                        zip="54000",
                        country="Pakistan",
                        country_code="PK",
                        type="WORK",
                    )
                ],
                org=ContactOrg(company="Acme", department="Support", title="Lead"),
                birthday="1990-01-31",
            )
        ]
    ),
    ReplyButtons(
        body="Did your parcel arrive?",
        buttons=[ReplyButton(id="yes", title="Yes"), ReplyButton(id="no", title="Not yet")],
        header=VideoHeader(link="https://example.com/unboxing.mp4"),
        footer="Reply any time",
    ),
    ListMessage(
        body="Pick a delivery slot",
        button="See slots",
        sections=[
            ListSection(title="Today", rows=[ListRow(id="t-18", title="18:00-20:00")]),
            ListSection(
                title="Tomorrow",
                rows=[ListRow(id="m-09", title="09:00-12:00", description="Morning")],
            ),
        ],
        header="Delivery",
        footer="Free delivery",
    ),
    CtaUrl(
        body="Track your parcel",
        display_text="Track",
        url="https://example.com/t/42",
        header=DocumentHeader(link="https://example.com/label.pdf", filename="label.pdf"),
        footer="Updated hourly",
    ),
    LocationRequest(body="Share your location so we can find the nearest store"),
]
MESSAGES: list[Message] = [*CLASSIC, *NEW_MESSAGES]
TEMPLATES: list[list[Component]] = [[component] for component in COMPONENTS] + [otp("482913")]


def test_the_samples_cover_every_builder() -> None:
    """Each kind of the Message union (but the pass-through UnknownMessage) is sent below."""
    kinds = set(typing.get_args(Message)) - {UnknownMessage}
    assert {type(message) for message in MESSAGES} == kinds


def _meta_message(request_json: dict[str, Any], route: str) -> dict[str, Any]:
    """Meta's message object for what was sent to Engagive: its envelope added."""
    envelope = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    if route == "messages.send_single":
        return {**envelope, "to": request_json["to"], **request_json["content_json"]}
    content = request_json["content_json"]
    template: dict[str, Any] = {"name": content["template_name"]}
    template["language"] = {"code": content["lang_code"]}
    if "components" in content:
        template["components"] = content["components"]
    return {**envelope, "to": request_json["to"], "type": "template", "template": template}


async def test_every_builder_sends_content_that_meta_s_schema_accepts() -> None:
    """Each builder, sent through the client, gives content_json valid against Meta's schema."""
    fake = FakeEngagive()
    fake.add_template("order_update")  # FakeEngagive refuses sends to templates it lacks
    fake.add_content("order_update", "en_US", text="Order {{1}}", is_draft=False)
    items: list[Any] = [SingleSend(to=TO, message=message) for message in MESSAGES]
    items.append(SingleSend(to=TO, message=Text("Thanks!"), reply_to="wamid.HBgLMTY1MDM4Nzk0"))
    items += [
        TemplateSend(to=TO, template_name="order_update", lang_code="en_US", components=c)
        for c in TEMPLATES
    ]
    async with fake_client(fake) as client:
        report = await client.account(1).messages.send_batch(items, concurrency=8)
    assert [o.error for o in report.outcomes if o.error is not None] == []
    sent = [r for r in fake.requests if r.json is not None]
    assert len(sent) == len(items)
    failures = {}
    for i, request in enumerate(sent):
        message = _meta_message(request.json, request.route)  # type: ignore[arg-type]
        if errors := _errors(message):
            failures[f"{i}: {str(message)[:200]}"] = errors
    assert failures == {}


def test_the_schema_still_refuses_what_meta_refuses() -> None:
    """The fixed schema is not a blank cheque: over-long texts and unknown kinds fail."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}
    interactive = converter.unstructure(CLASSIC[9], Message)
    interactive["interactive"]["action"]["buttons"][0]["reply"]["title"] = "x" * 21
    too_many = converter.unstructure(NEW_MESSAGES[6], Message)  # the product list
    too_many["interactive"]["action"]["sections"][0]["product_items"] *= 16
    bad_index = {"type": "button", "sub_type": "url", "index": "10", "parameters": []}
    template = {"name": "t", "language": {"code": "en"}, "components": [bad_index]}
    for wrong in (
        {**base, "type": "text", "text": {"body": "hi", "colour": "red"}},
        {**base, "type": "hologram", "hologram": {}},
        {**base, **interactive},
        {**base, **too_many},
        {**base, "type": "template", "template": template},
        {**base, "type": "template", "template": {"name": "t", "language": {"code": "en"},
                                                  "components": [{"type": "body", "parameters": [
                                                      {"type": "text", "text": 42}]}]}},
    ):  # fmt: skip
        assert _errors(wrong), wrong


def test_each_kind_of_fix_is_needed() -> None:
    """The spec as published refuses what Meta's pages document: the fixes are not idle."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}
    cta = {**base, **converter.unstructure(CLASSIC[11], Message)}
    copy_code = {"type": "button", "sub_type": "copy_code", "index": "0",
                 "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]}  # fmt: skip
    template = {"name": "t", "language": {"code": "en"}, "components": [copy_code]}
    contacts = {**base, **converter.unstructure(CLASSIC[8], Message)}
    for message in (cta, {**base, "type": "template", "template": template}, contacts):
        assert _errors(message, fixed=False)
        assert not _errors(message)


# --- 2. Meta's official examples round-trip -------------------------------------------------------

#: Requests of that endpoint that are no message: they mark a message read and show typing.
NOT_MESSAGES = frozenset({"Send typing indicator and read receipt"})
ENVELOPE = ("messaging_product", "recipient_type", "to", "context")


def _normalise(name: str, wire: dict[str, Any]) -> dict[str, Any]:
    """The example as our encoder writes it, where the two may rightly differ."""
    wire = copy.deepcopy(wire)
    # Two examples (text with preview URL, reply to a list) leave "type" out; we always send it,
    # as the spec requires it.
    if "type" not in wire:
        wire["type"] = next(k for k in wire if k in ("text", "interactive"))
    if wire["type"] == "location":
        # The examples send numbers where the spec and Meta's page type strings; we send
        # strings. Compared as numbers.
        for key in ("latitude", "longitude"):
            wire["location"][key] = float(wire["location"][key])
    for component in wire.get("template", {}).get("components", []):
        if "index" in component:
            # Meta's examples write the button index as 0 and as "0"; we always send "0".
            component["index"] = str(component["index"])
    if "template" in wire:
        # policy "deterministic" is the only value there is; Engagive's send-template takes
        # the language code only.
        wire["template"]["language"].pop("policy", None)
    return wire


def _placeholders_filled(name: str, wire: dict[str, Any]) -> dict[str, Any]:
    """Fill the example's own placeholders where they stand for a fixed value."""
    if name == "Send Multi-Product Message":
        # The header type is written "<HEADER_TYPE>"; a product list takes a text header only.
        wire = copy.deepcopy(wire)
        wire["interactive"]["header"]["type"] = "text"
    return wire


def _round_trip(wire: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Decode Meta's message into what a user sends, and encode that back."""
    content = {k: v for k, v in wire.items() if k not in ENVELOPE}
    reply_to = wire.get("context", {}).get("message_id")
    if content.get("type") == "template":
        template = content["template"]
        components = structure(template.get("components", []), list[Component])
        item: Any = TemplateSend(
            to=wire["to"], template_name=template["name"],
            lang_code=template["language"]["code"], components=components or None,
        )  # fmt: skip
        back: dict[str, Any] = {"name": item.template_name, "language": {"code": item.lang_code}}
        if components:
            back["components"] = components_to_wire(components)
        encoded = {"type": "template", "template": back}
    elif content.get("type") == "reaction":
        reaction = content["reaction"]
        item = ReactionSend(
            to=wire["to"], whatsapp_message_id=reaction["message_id"], emoji=reaction["emoji"]
        )
        encoded = {
            "type": "reaction",
            "reaction": {"message_id": item.whatsapp_message_id, "emoji": item.emoji},
        }
    else:
        message = structure(content, Message)  # type: ignore[arg-type]
        item = SingleSend(to=wire["to"], message=message, reply_to=reply_to)
        body = routes.send_single_body(
            item.to, converter.unstructure(message, Message), reply_to=reply_to
        )
        _, encoded, reply_to = routes.parse_send_single_body(body)
    out = {k: wire[k] for k in ("messaging_product", "recipient_type", "to") if k in wire}
    if reply_to is not None:
        out["context"] = {"message_id": reply_to}
    return item, {**out, **encoded}


_EXAMPLES = [(n, w) for n, w in _examples() if n not in NOT_MESSAGES]


def test_the_examples_are_all_there() -> None:
    """The spec holds 50 request examples; only the read receipt is left out."""
    assert len(_EXAMPLES) == 49
    assert set(NOT_MESSAGES) <= {name for name, _ in _examples()}


@pytest.mark.parametrize(("name", "wire"), _EXAMPLES, ids=[n for n, _ in _EXAMPLES])
def test_each_official_example_decodes_into_a_builder_and_encodes_back(
    name: str, wire: dict[str, Any]
) -> None:
    """decode -> encode gives Meta's example again, through a typed builder, never Unknown."""
    wire = _placeholders_filled(name, wire)
    item, encoded = _round_trip(wire)
    if isinstance(item, SingleSend):
        assert not isinstance(item.message, UnknownMessage)
    if isinstance(item, TemplateSend):
        decoded = item.components or []
        params = [p for comp in decoded for p in getattr(comp, "parameters", ())]
        assert not any(isinstance(x, UnknownComponent | UnknownParam) for x in (*decoded, *params))
    assert _normalise(name, encoded) == _normalise(name, wire)
