"""The send-single builders' limits: each just inside and just outside, with its field path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from engagive_async._checks import _messages as v
from engagive_async._errors import ValidationError
from engagive_async.models.components import (
    CarouselCard,
    CarouselComponent,
    OtpButton,
    body_text,
    otp,
)
from engagive_async.models.messages import (
    Amount,
    Audio,
    CallPermissionRequest,
    Contact,
    ContactName,
    Contacts,
    CtaUrl,
    Document,
    Image,
    ImageHeader,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    LocationRequest,
    OrderDetails,
    ProductSection,
    ReplyButton,
    ReplyButtons,
    Sticker,
    Text,
    UnknownMessage,
    Video,
)
from tests.wire._samples import NEW_MESSAGES

OK_BUTTON = ReplyButton(id="yes", title="Yes")
ANN = Contact(name=ContactName(formatted_name="Ann Lee", first_name="Ann"))


def _buttons(n: int) -> list[ReplyButton]:
    return [ReplyButton(id=f"b{i}", title=f"B{i}") for i in range(n)]


def _rows(n: int, prefix: str = "r") -> list[ListRow]:
    return [ListRow(id=f"{prefix}{i}", title=f"Row {i}") for i in range(n)]


def _menu(*sections: ListSection, button: str = "Options") -> ListMessage:
    return ListMessage(body="Choose", button=button, sections=list(sections))


def _field_of(check: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as caught:
        check()
    return caught.value.field


# (what, message of size n, the documented maximum, the field named when it is exceeded)
SIZE_LIMITS: list[tuple[str, Callable[[int], Any], int, str]] = [
    ("text body", lambda n: Text("x" * n), 4096, "message.body"),
    ("image caption", lambda n: Image(id="1", caption="x" * n), 1024, "message.caption"),
    ("video caption", lambda n: Video(id="1", caption="x" * n), 1024, "message.caption"),
    ("document caption", lambda n: Document(id="1", caption="x" * n), 1024, "message.caption"),
    ("contacts", lambda n: Contacts([ANN] * n), 257, "message.contacts"),
    (
        "header text",
        lambda n: ReplyButtons(body="b", buttons=[OK_BUTTON], header="x" * n),
        60,
        "message.header.text",
    ),
    (
        "interactive body",
        lambda n: ReplyButtons(body="x" * n, buttons=[OK_BUTTON]),
        1024,
        "message.body",
    ),
    (
        "footer",
        lambda n: ReplyButtons(body="b", buttons=[OK_BUTTON], footer="x" * n),
        60,
        "message.footer",
    ),
    ("buttons", lambda n: ReplyButtons(body="b", buttons=_buttons(n)), 3, "message.buttons"),
    (
        "button id",
        lambda n: ReplyButtons(body="b", buttons=[ReplyButton(id="x" * n, title="T")]),
        256,
        "message.buttons[0].id",
    ),
    (
        "button title",
        lambda n: ReplyButtons(body="b", buttons=[ReplyButton(id="i", title="x" * n)]),
        20,
        "message.buttons[0].title",
    ),
    (
        "list button label",
        lambda n: _menu(ListSection(rows=_rows(1)), button="x" * n),
        20,
        "message.button",
    ),
    (
        "sections",
        lambda n: _menu(*[ListSection(title=f"S{i}", rows=_rows(1, f"s{i}r")) for i in range(n)]),
        10,
        "message.sections",
    ),
    (
        "section title",
        lambda n: _menu(ListSection(title="x" * n, rows=_rows(1))),
        24,
        "message.sections[0].title",
    ),
    (
        "rows in one section",
        lambda n: _menu(ListSection(rows=_rows(n))),
        10,
        "message.sections[0].rows",
    ),
    (
        "rows across sections",
        lambda n: _menu(
            ListSection(title="A", rows=_rows(5, "a")),
            ListSection(title="B", rows=_rows(n - 5, "b")),
        ),
        10,
        "message.sections",
    ),
    (
        "row id",
        lambda n: _menu(ListSection(rows=[ListRow(id="x" * n, title="T")])),
        200,
        "message.sections[0].rows[0].id",
    ),
    (
        "row title",
        lambda n: _menu(ListSection(rows=[ListRow(id="i", title="x" * n)])),
        24,
        "message.sections[0].rows[0].title",
    ),
    (
        "row description",
        lambda n: _menu(ListSection(rows=[ListRow(id="i", title="T", description="x" * n)])),
        72,
        "message.sections[0].rows[0].description",
    ),
    (
        "cta display text",
        lambda n: CtaUrl(body="b", display_text="x" * n, url="https://example.com"),
        20,
        "message.display_text",
    ),
    ("location request body", lambda n: LocationRequest(body="x" * n), 1024, "message.body"),
]


@pytest.mark.parametrize(
    ("build", "limit", "field"),
    [case[1:] for case in SIZE_LIMITS],
    ids=[case[0] for case in SIZE_LIMITS],
)
def test_each_size_limit_allows_the_maximum_and_names_the_field_past_it(
    build: Callable[[int], Any], limit: int, field: str
) -> None:
    """The documented maximum passes; one more fails, naming the field by its dotted path."""
    v.validate_message(build(limit))
    assert _field_of(lambda: v.validate_message(build(limit + 1))) == field


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (Text(""), "message.body"),
        (ReplyButtons(body="", buttons=[OK_BUTTON]), "message.body"),
        (ReplyButtons(body="b", buttons=[]), "message.buttons"),
        (_menu(), "message.sections"),
        (_menu(ListSection(rows=[])), "message.sections[0].rows"),
        (_menu(ListSection(rows=_rows(1)), button=""), "message.button"),
        (Contacts([]), "message.contacts"),
        (LocationRequest(body=""), "message.body"),
        (CtaUrl(body="b", display_text="", url="https://example.com"), "message.display_text"),
    ],
    ids=[
        "text",
        "interactive",
        "buttons",
        "sections",
        "rows",
        "label",
        "contacts",
        "locreq",
        "cta",
    ],
)
def test_required_parts_may_not_be_empty(message: Any, field: str) -> None:
    """Empty bodies, labels and lists are refused at their field."""
    assert _field_of(lambda: v.validate_message(message)) == field


def _pin(latitude: float = 0.0, longitude: float = 0.0) -> Location:
    return Location(latitude=latitude, longitude=longitude)


@pytest.mark.parametrize(("field", "limit"), [("latitude", 90.0), ("longitude", 180.0)])
def test_coordinates_stay_within_their_range(field: str, limit: float) -> None:
    """Latitude -90..90 and longitude -180..180 pass at the edges and fail just past them."""
    for inside in (limit, -limit, 0.0):
        v.validate_message(_pin(**{field: inside}))
    for outside in (limit + 0.001, -limit - 0.001, float("nan"), float("inf")):
        with pytest.raises(ValidationError) as caught:
            v.validate_message(_pin(**{field: outside}))
        assert caught.value.field == f"message.{field}"


@pytest.mark.parametrize("build", [Image, Video, Audio, Document, Sticker])
def test_media_needs_exactly_one_of_id_or_link(build: Callable[..., Any]) -> None:
    """id alone or an http(s) link alone pass; neither, both, or another scheme fail."""
    v.validate_message(build(id="1013859600285441"))
    v.validate_message(build(link="http://example.com/a"))
    assert _field_of(lambda: v.validate_message(build())) == "message"
    both = build(id="1", link="https://example.com/a")
    assert _field_of(lambda: v.validate_message(both)) == "message"
    for link in ("ftp://example.com/a", "https://", "example.com/a", "https://e.com/a b"):
        with pytest.raises(ValidationError) as caught:
            v.validate_message(build(link=link))
        assert caught.value.field == "message.link"


def test_media_headers_follow_the_media_rule() -> None:
    """An image header with neither id nor link fails at message.header."""
    v.validate_message(
        CtaUrl(body="b", display_text="Go", url="https://e.com", header=ImageHeader(id="1"))
    )
    bad = CtaUrl(body="b", display_text="Go", url="https://e.com", header=ImageHeader())
    assert _field_of(lambda: v.validate_message(bad)) == "message.header"


def test_cta_url_must_be_http() -> None:
    """The call-to-action URL must be http(s)."""
    bad = CtaUrl(body="b", display_text="Go", url="javascript:alert(1)")
    assert _field_of(lambda: v.validate_message(bad)) == "message.url"


@pytest.mark.parametrize(
    ("buttons", "field"),
    [
        ([ReplyButton(id="a", title="A"), ReplyButton(id="a", title="B")], "message.buttons[1].id"),
        (
            [ReplyButton(id="a", title="A"), ReplyButton(id="b", title="A")],
            "message.buttons[1].title",
        ),
        ([ReplyButton(id=" a", title="A")], "message.buttons[0].id"),
        ([ReplyButton(id="a ", title="A")], "message.buttons[0].id"),
        ([ReplyButton(id="a", title="")], "message.buttons[0].title"),
    ],
    ids=["same-id", "same-title", "leading-space", "trailing-space", "empty-title"],
)
def test_reply_button_ids_and_titles(buttons: list[ReplyButton], field: str) -> None:
    """Ids and titles are unique, ids carry no surrounding spaces, titles are not empty."""
    message = ReplyButtons(body="b", buttons=buttons)
    assert _field_of(lambda: v.validate_message(message)) == field


def test_section_titles_are_required_only_with_several_sections() -> None:
    """One untitled section passes; two sections need titles."""
    v.validate_message(_menu(ListSection(rows=_rows(2))))
    two = _menu(ListSection(rows=_rows(1, "a")), ListSection(title="B", rows=_rows(1, "b")))
    assert _field_of(lambda: v.validate_message(two)) == "message.sections[0].title"


def test_contacts_need_a_formatted_name_and_one_more_part() -> None:
    """formatted_name is required, and alone it is not enough."""
    empty = Contacts([ANN, Contact(name=ContactName(formatted_name="", first_name="A"))])
    assert _field_of(lambda: v.validate_message(empty)) == "message.contacts[1].name.formatted_name"
    alone = Contacts([Contact(name=ContactName(formatted_name="Ann"))])
    assert _field_of(lambda: v.validate_message(alone)) == "message.contacts[0].name"


def test_wrong_types_inside_a_builder_are_validation_errors() -> None:
    """A dict where a builder part belongs is named, not an AttributeError."""
    bad = ReplyButtons(body="b", buttons=[{"id": "a", "title": "A"}])  # type: ignore[list-item]
    assert _field_of(lambda: v.validate_message(bad)) == "message.buttons[0]"
    assert _field_of(lambda: v.validate_message(Text(42))) == "message.body"  # type: ignore[arg-type]


def test_unknown_messages_pass_and_non_builders_fail() -> None:
    """UnknownMessage is sent as given; a dict is not a message builder."""
    v.validate_message(UnknownMessage(type="reaction", payload={}))
    assert _field_of(lambda: v.validate_message({"type": "text"})) == "message"


def test_the_field_prefix_is_the_callers() -> None:
    """A caller can root the path elsewhere, e.g. at an item of a batch."""
    assert _field_of(lambda: v.validate_message(Text(""), field="items[3]")) == "items[3].body"


# --- Flows, address and call-permission requests, catalog and order messages ---------------

FLOW, FLOW_BY_NAME, ADDRESS, CALL, PRODUCT, _, PRODUCT_LIST, CATALOG, ORDER, STATUS = NEW_MESSAGES


@pytest.mark.parametrize("message", NEW_MESSAGES)
def test_realistic_new_kinds_pass(message: Any) -> None:
    """Every new kind, built as a user would, passes its checks."""
    v.validate_message(message)


def _section(n: int, title: str | None = "S") -> ProductSection:
    return ProductSection(title=title, product_retailer_ids=[f"sku-{i}" for i in range(n)])


def _with_items(quantity: int, subtotal: int, total: int) -> OrderDetails:
    item = attrs.evolve(ORDER.order.items[0], quantity=quantity)
    order = attrs.evolve(ORDER.order, items=[item], subtotal=Amount(value=subtotal))
    return attrs.evolve(ORDER, order=order, total_amount=Amount(value=total))


# (a valid message made invalid in one place, the field named)
BROKEN: list[tuple[Any, str]] = [
    (attrs.evolve(FLOW, flow_cta="x" * 21), "message.flow_cta"),
    (attrs.evolve(FLOW, flow_name="both"), "message.flow_id"),
    (attrs.evolve(FLOW_BY_NAME, flow_name=None), "message.flow_id"),
    (attrs.evolve(FLOW, flow_message_version="2"), "message.flow_message_version"),
    (attrs.evolve(FLOW, flow_action="jump"), "message.flow_action"),
    (attrs.evolve(FLOW, mode="beta"), "message.mode"),
    (attrs.evolve(FLOW, flow_action="data_exchange"), "message.screen"),
    (attrs.evolve(FLOW, data={}), "message.data"),
    (attrs.evolve(FLOW, body="x" * 1025), "message.body"),
    (attrs.evolve(ADDRESS, country="India"), "message.country"),
    (attrs.evolve(ADDRESS, values=["name"]), "message.values"),
    (attrs.evolve(ADDRESS, saved_addresses=["home"]), "message.saved_addresses[0]"),
    (CallPermissionRequest(body=""), "message.body"),
    (attrs.evolve(PRODUCT, product_retailer_id=""), "message.product_retailer_id"),
    (attrs.evolve(PRODUCT, body="x" * 1025), "message.body"),
    (attrs.evolve(PRODUCT_LIST, header=None), "message.header"),
    (attrs.evolve(PRODUCT_LIST, header="x" * 61), "message.header.text"),
    (attrs.evolve(PRODUCT_LIST, sections=[]), "message.sections"),
    (attrs.evolve(PRODUCT_LIST, sections=[_section(1)] * 11), "message.sections"),
    (
        attrs.evolve(PRODUCT_LIST, sections=[_section(1), _section(1, None)]),
        "message.sections[1].title",
    ),
    (
        attrs.evolve(PRODUCT_LIST, sections=[_section(0)]),
        "message.sections[0].product_retailer_ids",
    ),
    (attrs.evolve(PRODUCT_LIST, sections=[_section(16), _section(15)]), "message.sections"),
    (attrs.evolve(CATALOG, footer="x" * 61), "message.footer"),
    (attrs.evolve(ORDER, reference_id="x" * 36), "message.reference_id"),
    (attrs.evolve(ORDER, type="services"), "message.type"),
    (attrs.evolve(ORDER, currency="rupees"), "message.currency"),
    (
        attrs.evolve(ORDER, order=attrs.evolve(ORDER.order, status="shipped")),
        "message.order.status",
    ),
    (attrs.evolve(ORDER, order=attrs.evolve(ORDER.order, items=[])), "message.order.items"),
    (_with_items(0, 0, 200), "message.order.items[0].quantity"),
    (_with_items(3, 2400, 2600), "message.order.subtotal.value"),
    (_with_items(2, 2400, 2500), "message.total_amount.value"),
    (attrs.evolve(ORDER, total_amount=Amount(value=-1)), "message.total_amount.value"),
    (attrs.evolve(STATUS, status="lost"), "message.status"),
    (attrs.evolve(STATUS, description="x" * 121), "message.description"),
    (Audio(link="https://example.com/note.mp3", voice=True), "message.link"),
    (Audio(id="1", voice="yes"), "message.voice"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("message", "field"), BROKEN)
def test_each_limit_of_the_new_kinds_names_its_field(message: Any, field: str) -> None:
    """One value past a documented limit fails, naming that field."""
    assert _field_of(lambda: v.validate_message(message)) == field


def test_limits_of_the_new_kinds_allow_their_maximum() -> None:
    """The largest documented sizes pass: 20-char flow CTA, 10 sections, 30 products."""
    v.validate_message(attrs.evolve(FLOW, flow_cta="x" * 20))
    sections = [_section(3, f"S{i}") for i in range(10)]
    v.validate_message(attrs.evolve(PRODUCT_LIST, sections=sections))
    v.validate_message(attrs.evolve(ORDER, reference_id="x" * 35))
    v.validate_message(attrs.evolve(STATUS, description="x" * 120))


@pytest.mark.parametrize(
    "link",
    ["https://example.com/note.ogg", "https://example.com/n.OPUS", "https://example.com/media/42"],
)
def test_voice_notes_take_ogg_opus_or_an_unnamed_file(link: str) -> None:
    """voice=True accepts .ogg/.opus links and links that name no format; plain audio anything."""
    v.validate_message(Audio(link=link, voice=True))
    v.validate_message(Audio(link="https://example.com/song.mp3"))


def test_order_figures_in_different_offsets_are_not_summed() -> None:
    """Sums compare like units only: with mixed offsets Meta's own check decides."""
    v.validate_message(attrs.evolve(ORDER, total_amount=Amount(value=26000, offset=1000)))


def test_otp_buttons_and_carousel_cards_check_their_codes() -> None:
    """An OTP code over 15 characters, or a button index past 9, is refused where it sits."""
    v.validate_typed_components(otp("1" * 15))
    with pytest.raises(ValidationError) as caught:
        v.validate_typed_components([body_text("x"), OtpButton(code="1" * 16)])
    assert caught.value.field == "components[1].code"
    with pytest.raises(ValidationError) as caught:
        v.validate_typed_components([OtpButton(code="1", index=10)])
    assert caught.value.field == "components[0].index"
    carousel = CarouselComponent(
        cards=[CarouselCard(card_index=0, components=[OtpButton(code="")])]
    )
    with pytest.raises(ValidationError) as caught:
        v.validate_typed_components([carousel])
    assert caught.value.field == "components[0].cards[0].components[0].code"
