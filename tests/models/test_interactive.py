"""Interactive and commerce builders: the header shorthand every one of them takes, defaults."""

from __future__ import annotations

from engagive_async.models.commerce import Amount, Order, ProductList, ProductSection
from engagive_async.models.interactive import (
    AddressMessage,
    CtaUrl,
    Flow,
    ImageHeader,
    ListMessage,
    ListRow,
    ListSection,
    ReplyButton,
    ReplyButtons,
    TextHeader,
)


def test_a_plain_string_header_becomes_a_text_header() -> None:
    """header="Menu" is shorthand for TextHeader("Menu") on every interactive builder."""
    row = ListRow(id="r", title="R")
    buttons = ReplyButtons(body="b", buttons=[ReplyButton(id="y", title="Y")], header="Menu")
    listing = ListMessage(body="b", button="B", sections=[ListSection(rows=[row])], header="Menu")
    cta = CtaUrl(body="b", display_text="Go", url="https://e.x", header="Menu")
    assert buttons.header == listing.header == cta.header == TextHeader("Menu")
    media = ImageHeader(link="https://e.x/h.jpg")
    assert CtaUrl(body="b", display_text="Go", url="https://e.x", header=media).header is media


def test_the_new_kinds_take_the_header_shorthand_too() -> None:
    """Flow, AddressMessage, ProductList and OrderDetails turn a str header into TextHeader."""
    flow = Flow(body="b", flow_cta="Go", flow_id="1", header="Menu")
    address = AddressMessage(body="b", country="IN", header="Menu")
    products = ProductList(
        header="Menu",
        body="b",
        catalog_id="1",
        sections=[ProductSection(product_retailer_ids=["s"])],
    )
    assert flow.header == address.header == products.header == TextHeader("Menu")


def test_new_kinds_leave_meta_s_defaults_unsent() -> None:
    """Optional fields start unset (None / empty), so Meta's own defaults apply."""
    flow = Flow(body="b", flow_cta="Go", flow_id="1")
    assert (flow.flow_token, flow.flow_action, flow.mode, flow.screen, flow.data) == (None,) * 5
    assert flow.flow_message_version == "3"
    assert Amount(value=100).offset == 100
    assert Order(items=[], subtotal=Amount(value=0), tax=Amount(value=0)).status == "pending"
