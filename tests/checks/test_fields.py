"""Pre-send checks of recipients, names, codes, wamids, emoji and template components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engagive_async._checks import _fields as v
from engagive_async._errors import ValidationError


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
