"""Template components and parameters: Meta's exact dicts, either case read back, raw dicts kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engagive_async._errors import ValidationError
from engagive_async._wire._component_codec import components_to_wire
from engagive_async._wire._converter import DecodeFailure, converter, structure
from engagive_async.models.components import (
    ActionParam,
    BodyComponent,
    ButtonComponent,
    CarouselCard,
    CarouselComponent,
    Component,
    CouponCodeParam,
    CurrencyParam,
    DateTimeParam,
    DocumentParam,
    HeaderComponent,
    ImageParam,
    LimitedTimeOfferComponent,
    LimitedTimeOfferParam,
    LocationParam,
    OtpButton,
    Parameter,
    PayloadParam,
    TextParam,
    UnknownComponent,
    UnknownParam,
    VideoParam,
    body_text,
    otp,
)
from tests._support import decode
from tests.wire._samples import COMPONENTS


def test_documented_template_components_are_produced_exactly() -> None:
    """The typed form of MESSAGES.md section 8's example gives Meta's dicts, index as a string."""
    typed: list[Component] = [
        HeaderComponent(parameters=[ImageParam(link="https://example.com/h.jpg")]),
        BodyComponent(parameters=[TextParam("Ann", name="customer_name")]),
        ButtonComponent(sub_type="url", index=0, parameters=[TextParam("ORD-42")]),
        ButtonComponent(sub_type="copy_code", index=1, parameters=[CouponCodeParam("SAVE10")]),
    ]
    documented = """[
      {"type":"header","parameters":[{"type":"image","image":{"link":"https://example.com/h.jpg"}}]},
      {"type":"body","parameters":[{"type":"text","parameter_name":"customer_name","text":"Ann"}]},
      {"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"ORD-42"}]},
      {"type":"button","sub_type":"copy_code","index":"1",
       "parameters":[{"type":"coupon_code","coupon_code":"SAVE10"}]}]"""
    assert components_to_wire(typed) == json.loads(documented)
    assert [decode(c, Component) for c in json.loads(documented)] == typed


@pytest.mark.parametrize(
    ("param", "wire"),
    [
        (
            CurrencyParam(fallback_value="$10", code="USD", amount_1000=10000),
            '{"type":"currency","currency":{"fallback_value":"$10","code":"USD","amount_1000":10000}}',
        ),
        (
            DateTimeParam(fallback_value="May 1"),
            '{"type":"date_time","date_time":{"fallback_value":"May 1"}}',
        ),
        (VideoParam(id="3"), '{"type":"video","video":{"id":"3"}}'),
        (
            DocumentParam(id="4", filename="a.pdf"),
            '{"type":"document","document":{"id":"4","filename":"a.pdf"}}',
        ),
        (
            LocationParam(latitude=1.5, longitude=2.0, name="N", address="A"),
            '{"type":"location","location":{"latitude":"1.5","longitude":"2.0","name":"N",'
            '"address":"A"}}',
        ),
        (PayloadParam("yes"), '{"type":"payload","payload":"yes"}'),
        (ActionParam({"flow_token": "t"}), '{"type":"action","action":{"flow_token":"t"}}'),
    ],
)
def test_each_parameter_kind_has_meta_shape_and_round_trips(param: Parameter, wire: str) -> None:
    """Nested kinds sit under their tag, flat kinds beside it; each decodes back."""
    assert converter.unstructure(param) == json.loads(wire)
    assert structure(json.loads(wire), type(param)) == param


def test_components_accept_either_case_and_string_or_int_index() -> None:
    """Either case decodes ("BODY" in Engagive's docs, "body" in Meta's); "2" and 2 are index 2."""
    body = {"type": "BODY", "parameters": [{"type": "text", "text": "Hello"}]}
    assert decode(body, Component) == body_text("Hello")
    for index in ("2", 2):
        button = {"type": "button", "sub_type": "quick_reply", "index": index}
        assert decode(button, Component) == ButtonComponent(sub_type="quick_reply", index=2)
    with pytest.raises(DecodeFailure, match="index"):
        structure({"type": "button", "sub_type": "url", "index": "first"}, ButtonComponent)


def test_unknown_component_or_parameter_kinds_are_kept_whole() -> None:
    """A kind this version does not model decodes as Unknown*, and encodes back unchanged;
    asking for another class than the dict holds is reported."""
    param = {"type": "hologram", "hologram": {"depth": 3}}
    decoded = decode({"type": "body", "parameters": [param]}, Component)
    assert decoded == BodyComponent(
        parameters=[UnknownParam(type="hologram", payload={"hologram": {"depth": 3}})]
    )
    assert components_to_wire([decoded]) == [{"type": "body", "parameters": [param]}]
    footer = {"type": "footer", "text": "x"}
    assert decode(footer, Component) == UnknownComponent(type="footer", payload={"text": "x"})
    assert components_to_wire([decode(footer, Component)]) == [footer]
    with pytest.raises(DecodeFailure, match="expected BodyComponent"):
        structure({"type": "carousel", "cards": []}, BodyComponent)
    with pytest.raises(DecodeFailure, match=r"parameters\[0\]"):
        structure({"type": "body", "parameters": [{"type": 7}]}, BodyComponent)


def test_components_to_wire_passes_dicts_through_unchanged() -> None:
    """A dict component is sent as given (same object, same case); typed ones are encoded."""
    raw = {"type": "BODY", "parameters": [{"type": "text", "text": "Hello"}]}
    out = components_to_wire([raw, body_text("Ann")])
    assert out[0] is raw
    assert out[1] == {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}
    assert components_to_wire(()) == []


def test_raw_parameters_inside_typed_components_pass_through() -> None:
    """A typed component may carry a parameter dict that the SDK does not model."""
    raw = {"type": "text", "text": "x", "future_field": 1}
    assert components_to_wire([BodyComponent(parameters=[raw])])[0]["parameters"] == [raw]  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("components", "field"),
    [
        ("BODY", "components"),
        ({"type": "body"}, "components"),
        ([body_text("a"), 42], "components[1]"),
        ([BodyComponent(parameters=[object()])], "components[0].parameters[0]"),  # type: ignore[list-item]
    ],
)
def test_components_to_wire_names_the_bad_item(components: Any, field: str) -> None:
    """Something that is neither a component nor a dict is a ValidationError at its index."""
    with pytest.raises(ValidationError) as caught:
        components_to_wire(components)
    assert caught.value.field == field


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_kind_round_trips(component: Component) -> None:
    """Each typed component (carousel, offer, full date_time ...) encodes to plain JSON and
    decodes back equal; an OtpButton comes back as the url button it is on the wire."""
    wire = json.loads(json.dumps(components_to_wire([component])))[0]
    expected: Any = component
    if isinstance(component, OtpButton):
        expected = ButtonComponent(
            sub_type="url", index=component.index, parameters=[TextParam(component.code)]
        )
    assert decode(wire, Component) == expected


def test_date_time_keeps_every_part() -> None:
    """day_of_month, hour and the rest survive decoding (they were once dropped)."""
    wire = {
        "type": "date_time",
        "date_time": {
            "fallback_value": "February 25, 1977", "calendar": "GREGORIAN", "day_of_week": 5,
            "year": 1977, "month": 2, "day_of_month": 25, "hour": 15, "minute": 33,
        },
    }  # fmt: skip
    decoded = decode(wire, Parameter)
    assert decoded.day_of_month == 25
    assert decoded.hour == 15
    assert components_to_wire([BodyComponent(parameters=[decoded])])[0]["parameters"] == [wire]


def test_carousel_and_offer_shapes() -> None:
    """A carousel holds cards with card_index and their components; an offer its expiry."""
    carousel, offer = components_to_wire(
        [
            CarouselComponent(
                cards=[CarouselCard(card_index=0, components=[body_text("A"), {"type": "x"}])]
            ),
            LimitedTimeOfferComponent(parameters=[LimitedTimeOfferParam(expiration_time_ms=5)]),
        ]
    )
    assert carousel == {
        "type": "carousel",
        "cards": [
            {
                "card_index": 0,
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": "A"}]},
                    {"type": "x"},
                ],
            }
        ],
    }
    assert offer == {
        "type": "limited_time_offer",
        "parameters": [
            {"type": "limited_time_offer", "limited_time_offer": {"expiration_time_ms": 5}}
        ],
    }


def test_otp_fills_body_and_button_with_the_code() -> None:
    """otp() gives Meta's authentication shape: body text and url button 0 both carry it."""
    assert components_to_wire(otp("482913")) == [
        {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "482913"}],
        },
    ]


@pytest.mark.parametrize(
    "wire",
    [
        {"type": "body", "parameters": [{"type": "text", "text": "a", "emphasis": "bold"}]},
        {"type": "header", "parameters": [{"type": "image", "image": {"id": "1", "caption": "c"}}]},
        {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}, "alt": "x"}]},
        {"type": "body", "parameters": [], "locale": "en"},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [], "style": "x"},
        {"type": "carousel", "cards": [{"card_index": 0, "components": [], "theme": "dark"}]},
    ],
    ids=["flat-param", "nested-param", "param-beside", "component", "button", "card"],
)
def test_known_kinds_with_keys_their_builder_lacks_are_kept_whole(wire: dict[str, Any]) -> None:
    """A key no field holds turns the parameter or component into its Unknown form, so the
    encoding gives back exactly what was read."""
    decoded = decode(wire, Component)
    assert components_to_wire([decoded]) == [wire]
