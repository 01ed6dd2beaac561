"""Pre-send checks of recipients, names, codes, wamids, emoji and template components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engagive_async._checks import _fields as v
from engagive_async._errors import ValidationError
from engagive_async._wire._component_codec import components_to_wire
from tests.wire._samples import COMPONENTS


def _field_of(check: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as caught:
        check()
    return caught.value.field


# --- identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "digits"),
    [("923001234567", "923001234567"), ("+923001234567", "923001234567"), ("12345678", "12345678")],
)
def test_recipient_is_normalised_to_digits(to: str, digits: str) -> None:
    """A leading + is dropped; 8 to 15 digits pass."""
    assert v.validate_recipient(to) == digits
    assert v.validate_recipient("1" * 15) == "1" * 15


@pytest.mark.parametrize(
    "to",
    [
        "1234567",
        "1" * 16,
        "12ab",
        "92 300 1234567",
        "92-300-1234567",
        "++923001234567",
        "",
        923001234567,
    ],
)
def test_bad_recipients_are_refused(to: Any) -> None:
    """Too short, too long, or anything but digits after an optional + is refused at "to"."""
    assert _field_of(lambda: v.validate_recipient(to)) == "to"


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("hello_world", True),
        ("order2", True),
        ("x" * 512, True),
        ("x" * 513, False),
        ("Hello", False),
        ("has spaces", False),
        ("dash-ed", False),
        ("", False),
    ],
)
def test_template_names(name: str, ok: bool) -> None:
    """Lowercase letters, digits and underscores, 1 to 512 characters."""
    if ok:
        v.validate_template_name(name)
    else:
        assert _field_of(lambda: v.validate_template_name(name)) == "template_name"


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("en", True),
        ("fil", True),
        ("en_US", True),
        ("pt_BR", True),
        ("es_419", True),
        ("en-US", False),
        ("EN", False),
        ("en_us", False),
        ("english!", False),
        ("", False),
    ],
)
def test_language_codes(code: str, ok: bool) -> None:
    """A 2-3 letter language and an optional _REGION (two capitals or three digits)."""
    if ok:
        v.validate_lang_code(code)
    else:
        assert _field_of(lambda: v.validate_lang_code(code)) == "lang_code"


def test_dash_in_language_code_gets_a_hint() -> None:
    """en-US is refused with advice to use an underscore."""
    with pytest.raises(ValidationError, match="underscore"):
        v.validate_lang_code("en-US")


@pytest.mark.parametrize(
    ("wamid", "ok"),
    [
        ("wamid.HBgLMTY1MDUwNzY1MjA=", True),
        ("abc", True),
        ("", False),
        ("wamid. x", False),
        (None, False),
    ],
)
def test_wamids(wamid: Any, ok: bool) -> None:
    """Non-empty, no whitespace; the wamid. prefix is not required."""
    if ok:
        v.validate_wamid(wamid)
    else:
        assert _field_of(lambda: v.validate_wamid(wamid, field="reply_to")) == "reply_to"


@pytest.mark.parametrize(
    "emoji",
    ["👍", "", "❤️", "👍🏽", "🇵🇰", "👨‍👩‍👧‍👦", "👩🏻‍❤️‍💋‍👨🏼", "1️⃣", "#️⃣", "🏳️‍🌈", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "☺", "©️"],
)
def test_single_emoji_pass(emoji: str) -> None:
    """One emoji of any construction (modifiers, ZWJ sequences, flags, keycaps), or "" to remove."""
    v.validate_emoji(emoji)


@pytest.mark.parametrize(
    "emoji",
    ["ok", "a", "1", ":)", " ", "é", "½", "👍👍", "🇵🇰🇺🇸", "👍 ", "👍" + "\ufe0f" * 16, 128077],
)
def test_text_or_several_emoji_are_refused(emoji: Any) -> None:
    """Text, two emoji, a trailing space, an absurd sequence or a non-string fail at "emoji"."""
    assert _field_of(lambda: v.validate_emoji(emoji)) == "emoji"


# --- template components ------------------------------------------------------------------


def _text(n: int) -> dict[str, Any]:
    return {"type": "text", "text": "x" * n}


def test_well_formed_components_pass_in_either_case() -> None:
    """Meta's lowercase and Engagive's "BODY" both pass; a button index may be "0" or 9."""
    v.validate_components(
        [
            {
                "type": "HEADER",
                "parameters": [{"type": "image", "image": {"link": "https://e.com/h.jpg"}}],
            },
            {"type": "body", "parameters": [_text(5)]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "0",
                "parameters": [{"type": "payload", "payload": "p"}],
            },
            {"type": "button", "sub_type": "url", "index": 9, "parameters": [_text(3)]},
        ]
    )


@pytest.mark.parametrize(
    ("components", "field"),
    [
        ({"type": "body"}, "components"),
        (["body"], "components[0]"),
        ([{"type": "bodyy"}], "components[0].type"),
        ([{"parameters": []}], "components[0].type"),
        ([{"type": "body", "parameters": "Ann"}], "components[0].parameters"),
        ([{"type": "body", "parameters": [{"text": "Ann"}]}], "components[0].parameters[0]"),
        ([{"type": "button", "index": 0}], "components[0].sub_type"),
        ([{"type": "button", "sub_type": "url"}], "components[0].index"),
        ([{"type": "button", "sub_type": "url", "index": -1}], "components[0].index"),
        ([{"type": "button", "sub_type": "url", "index": 10}], "components[0].index"),
        ([{"type": "button", "sub_type": "url", "index": "10"}], "components[0].index"),
        ([{"type": "button", "sub_type": "url", "index": True}], "components[0].index"),
        ([{"type": "button", "sub_type": "url", "index": "first"}], "components[0].index"),
    ],
)
def test_malformed_components_name_the_field(components: Any, field: str) -> None:
    """Each structural fault is reported at its path."""
    assert _field_of(lambda: v.validate_components(components)) == field


@pytest.mark.parametrize(
    ("kind", "param", "limit", "field"),
    [
        ("header", _text, 60, "text"),
        ("body", _text, 32768, "text"),
        ("button", lambda n: {"type": "coupon_code", "coupon_code": "C" * n}, 15, "coupon_code"),
    ],
)
def test_component_parameter_lengths(
    kind: str, param: Callable[[int], dict[str, Any]], limit: int, field: str
) -> None:
    """Header text 60, body text 32768, coupon code 15: the maximum passes, one more fails."""

    def component(n: int) -> list[dict[str, Any]]:
        extra = {"sub_type": "copy_code", "index": 0} if kind == "button" else {}
        return [{"type": kind, "parameters": [param(n)], **extra}]

    v.validate_components(component(limit))
    path = f"components[0].parameters[0].{field}"
    assert _field_of(lambda: v.validate_components(component(limit + 1))) == path


def test_named_and_positional_parameters_do_not_mix() -> None:
    """All text parameters of a component are named, or none is."""
    named = {"type": "text", "text": "Ann", "parameter_name": "first_name"}
    v.validate_components(
        [{"type": "body", "parameters": [named, {**named, "parameter_name": "x"}]}]
    )
    mixed = [{"type": "body", "parameters": [named, _text(3)]}]
    assert _field_of(lambda: v.validate_components(mixed)) == "components[0].parameters"


# --- carousels, limited-time offers, currency and date_time parameters -----------------------


def _card(index: Any, *components: dict[str, Any]) -> dict[str, Any]:
    header = {"type": "header", "parameters": [{"type": "image", "image": {"id": "1"}}]}
    return {"card_index": index, "components": list(components) or [header]}


def _body(*params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "body", "parameters": list(params)}]


def _date(**parts: Any) -> dict[str, Any]:
    return {"type": "date_time", "date_time": {"fallback_value": "May 1", **parts}}


def test_every_typed_component_passes_the_wire_checks() -> None:
    """What the typed builders produce (carousel and offer included) passes as sent."""
    v.validate_components(components_to_wire(COMPONENTS))


@pytest.mark.parametrize(
    ("components", "field"),
    [
        ([{"type": "carousel"}], "components[0].cards"),
        ([{"type": "carousel", "cards": []}], "components[0].cards"),
        ([{"type": "carousel", "cards": [_card(i) for i in range(11)]}], "components[0].cards"),
        (
            [{"type": "carousel", "cards": [_card(0), _card(0)]}],
            "components[0].cards[1].card_index",
        ),
        ([{"type": "carousel", "cards": [_card(10)]}], "components[0].cards[0].card_index"),
        ([{"type": "carousel", "cards": [_card("0")]}], "components[0].cards[0].card_index"),
        (
            [{"type": "carousel", "cards": [_card(0, {"type": "carousel", "cards": []})]}],
            "components[0].cards[0].components[0].type",
        ),
        (
            [
                {
                    "type": "carousel",
                    "cards": [_card(0, {"type": "body", "parameters": [_text(32769)]})],
                }
            ],
            "components[0].cards[0].components[0].parameters[0].text",
        ),
        (
            [{"type": "limited_time_offer", "parameters": [{"type": "limited_time_offer"}]}],
            "components[0].parameters[0].limited_time_offer",
        ),
        (
            [
                {
                    "type": "limited_time_offer",
                    "parameters": [
                        {
                            "type": "limited_time_offer",
                            "limited_time_offer": {"expiration_time_ms": 0},
                        }
                    ],
                }
            ],
            "components[0].parameters[0].limited_time_offer.expiration_time_ms",
        ),
        (
            _body(
                {
                    "type": "currency",
                    "currency": {"fallback_value": "$1", "code": "usd", "amount_1000": 1},
                }
            ),
            "components[0].parameters[0].currency.code",
        ),
        (
            _body(
                {
                    "type": "currency",
                    "currency": {"fallback_value": "$1", "code": "USD", "amount_1000": 1.5},
                }
            ),
            "components[0].parameters[0].currency.amount_1000",
        ),
        (_body(_date(hour=24)), "components[0].parameters[0].date_time.hour"),
        (_body(_date(month=0)), "components[0].parameters[0].date_time.month"),
        (_body(_date(day_of_week=8)), "components[0].parameters[0].date_time.day_of_week"),
        (_body(_date(calendar="LUNAR")), "components[0].parameters[0].date_time.calendar"),
        (
            _body({"type": "date_time", "date_time": {}}),
            "components[0].parameters[0].date_time.fallback_value",
        ),
        (
            [
                {
                    "type": "header",
                    "parameters": [
                        {"type": "image", "image": {"id": "1", "link": "https://e.com/a.jpg"}}
                    ],
                }
            ],
            "components[0].parameters[0].image",
        ),
        (
            [
                {
                    "type": "header",
                    "parameters": [{"type": "video", "video": {"link": "ftp://e.com/v.mp4"}}],
                }
            ],
            "components[0].parameters[0].video.link",
        ),
        (
            [
                {
                    "type": "header",
                    "parameters": [{"type": "product", "product": {"catalog_id": "1"}}],
                }
            ],
            "components[0].parameters[0].product.product_retailer_id",
        ),
    ],
)
def test_nested_component_limits_name_the_field(components: Any, field: str) -> None:
    """Cards, offers, amounts and dates are checked on the wire form, raw dicts included."""
    assert _field_of(lambda: v.validate_components(components)) == field


def test_date_time_parts_at_their_bounds_pass() -> None:
    """The ends of each documented range are allowed."""
    v.validate_components(_body(_date(day_of_week=7, month=12, day_of_month=31, hour=0, minute=59)))
