"""The column rule: rows become TemplateSend items with Meta's components, or problems."""

from __future__ import annotations

import pytest

from engagive_async._cli.mapping import TemplateMapper
from engagive_async._cli.recipients import Row
from engagive_async.models.batch import TemplateSend


def row(**fields: str) -> Row:
    return Row(number=1, line=2, fields=fields)


def mapped(**fields: str) -> TemplateSend:
    result = TemplateMapper("order_shipped", "en").map(row(**fields))
    assert isinstance(result, TemplateSend), result
    return result


def problems(fields: dict[str, str]) -> list[str]:
    result = TemplateMapper("order_shipped", "en").map(row(**fields))
    assert isinstance(result, list)
    return [str(p) for p in result]


def test_positional_body_and_buttons_build_meta_components() -> None:
    """body.N in order, header.1 and button.N become Meta's send-time components."""
    item = mapped(**{"to": "+923001112222", "body.2": "ORD-1", "body.1": "Ann",
                     "header.1": "Hello", "button.0": "track/1", "button.1.payload": "stop",
                     "key": " cust-7 "})  # fmt: skip
    assert item.to == "+923001112222"
    assert item.key == "cust-7"
    assert (item.template_name, item.lang_code) == ("order_shipped", "en")
    assert item.components == [
        {"type": "header", "parameters": [{"type": "text", "text": "Hello"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Ann"},
                                        {"type": "text", "text": "ORD-1"}]},
        {"type": "button", "sub_type": "url", "index": "0",
         "parameters": [{"type": "text", "text": "track/1"}]},
        {"type": "button", "sub_type": "quick_reply", "index": "1",
         "parameters": [{"type": "payload", "payload": "stop"}]},
    ]  # fmt: skip


def test_named_body_media_header_and_coupon() -> None:
    """body.NAME is a named parameter; header.image a link; button.N.copy_code a coupon."""
    item = mapped(
        **{
            "to": "923001112222",
            "body.first_name": "Ann",
            "header.image": "https://x.test/h.jpg",
            "button.2.copy_code": "SAVE10",
        }
    )
    assert item.components == [
        {"type": "header",
         "parameters": [{"type": "image", "image": {"link": "https://x.test/h.jpg"}}]},
        {"type": "body", "parameters": [{"type": "text", "parameter_name": "first_name",
                                         "text": "Ann"}]},
        {"type": "button", "sub_type": "copy_code", "index": "2",
         "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]},
    ]  # fmt: skip


def test_row_number_is_the_key_without_a_key_column() -> None:
    """Without a key column the row number is the key; no parameters means no components."""
    item = mapped(to="923001112222")
    assert (item.key, item.components) == ("1", None)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"body.1": "x"}, "field 'to': missing: every row needs a recipient"),
        ({"to": "", "body.1": "x"}, "field 'to': is empty"),
        ({"to": "92-300", "body.1": "x"}, "field 'to': '92-300' is not a phone number"),
        ({"to": "1234567", "body.1": "x"}, "field 'to': '1234567' is not a phone number"),
        ({"to": "923001112222", "body.1": " "}, "field 'body.1': is empty"),
        ({"to": "923001112222", "body.2": "x"}, "field 'body.1': missing"),
        ({"to": "923001112222", "nickname": "x"}, "field 'nickname': unknown column"),
        ({"to": "923001112222", "body.1": "a", "body.x": "b"}, "field 'body': positional"),
        ({"to": "923001112222", "header.1": "a", "header.image": "b"}, "one parameter at most"),
        ({"to": "923001112222", "header.video": "ftp://x"}, "field 'header.video': a media"),
        ({"to": "923001112222", "button.0": "a", "button.0.url": "b"}, "a second column"),
        ({"to": "923001112222", "button.10": "a"}, "field 'button.10': unknown column"),
        ({"to": "923001112222", "key": ""}, "field 'key': is empty"),
    ],
)
def test_bad_rows_name_row_and_field(fields: dict[str, str], expected: str) -> None:
    """Each kind of bad row gives a message naming the row and the field."""
    found = problems(fields)
    assert any(expected in p for p in found), found
    assert all(p.startswith("row 1 (line 2)") for p in found)


def test_extra_columns_can_be_ignored() -> None:
    """--ignore-extra-columns lets unknown columns pass without sending them."""
    mapper = TemplateMapper("t", "en", ignore_extra=True)
    item = mapper.map(row(to="923001112222", nickname="Ann"))
    assert isinstance(item, TemplateSend)
    assert item.components is None


def test_a_csv_column_problem_is_located_on_the_header() -> None:
    """For CSV rows, an unknown column is reported against line 1, the same for every row."""
    mapper = TemplateMapper("t", "en")
    found = mapper.map(
        Row(number=5, line=6, fields={"to": "923001112222", "x": "1"}, columns_from_header=True)
    )
    assert isinstance(found, list)
    assert [str(p) for p in found] == [
        "line 1, field 'x': unknown column (expected to, key, body.N, body.NAME, header.1, "
        "header.NAME, header.image|video|document, button.I[.url|.payload|.copy_code]; or pass "
        "--ignore-extra-columns)"
    ]
