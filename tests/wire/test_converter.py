"""The one converter: Meta's payloads typed, unknown fields kept, bad shapes named."""

from __future__ import annotations

import pytest

from engagive_async import Template
from engagive_async._wire._converter import DecodeFailure, parse_meta_error, structure
from engagive_async.meta import MetaResponse, parse_meta_response
from tests.resources._support import fixture


def test_meta_send_answer_is_typed_and_keeps_what_it_does_not_model() -> None:
    """The docs' metaResponse becomes contacts and messages; unknown keys stay in .extra."""
    raw = {**fixture("send_template_with_meta")["metaResponse"], "new_field": 1}
    raw["messages"][0]["pricing"] = {"billable": True}
    parsed = parse_meta_response(raw)
    assert isinstance(parsed, MetaResponse)
    assert parsed.wamid == "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
    assert parsed.messages[0].message_status == "accepted"
    assert parsed.contacts[0].wa_id == "923001234567"
    assert parsed.error is None
    assert parsed.extra == {"new_field": 1}
    assert parsed.messages[0].extra == {"pricing": {"billable": True}}


def test_meta_error_answer_is_parsed_with_its_details() -> None:
    """An error metaResponse gives code, subcode, trace id and error_data.details."""
    raw = {
        "error": {
            "message": "(#131026) Message undeliverable",
            "type": "OAuthException",
            "code": 131026,
            "error_subcode": "2494055",
            "error_data": {"messaging_product": "whatsapp", "details": "not on WhatsApp"},
            "fbtrace_id": "AbC123",
            "is_transient": False,
        }
    }
    parsed = parse_meta_response(raw)
    assert parsed.error is not None
    assert (parsed.error.code, parsed.error.error_subcode) == (131026, 2494055)
    assert parsed.error.fbtrace_id == "AbC123"
    assert parsed.error.details == "not on WhatsApp"
    assert parsed.error.is_transient is False
    assert parsed.messages == []


def test_meta_error_in_the_flat_form_and_absent() -> None:
    """A flat error object (code at the top) is read too; no error gives None."""
    flat = parse_meta_error({"code": "130429", "title": "Rate limit hit"})
    assert flat is not None
    assert (flat.code, flat.message) == (130429, "Rate limit hit")
    assert parse_meta_error({"messages": [{"id": "wamid.x"}]}) is None
    assert parse_meta_error(None) is None


def test_a_shape_that_does_not_fit_names_the_field() -> None:
    """messages that are not a list of objects fail with DecodeFailure naming the model."""
    with pytest.raises(DecodeFailure, match="MetaResponse"):
        parse_meta_response({"messages": "wamid.x"})


def test_unknown_template_fields_never_crash_and_stay_reachable() -> None:
    """A Template with fields this version does not know keeps them in .extra."""
    raw = {**fixture("templates_get")["data"], "quality_score": {"score": "GREEN"}}
    template = structure(raw, Template)
    assert template.extra["quality_score"] == {"score": "GREEN"}
