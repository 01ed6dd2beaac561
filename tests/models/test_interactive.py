"""Interactive builders: the header shorthand every one of them takes, and unset defaults."""

from __future__ import annotations

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


def test_flow_and_address_take_the_header_shorthand_too() -> None:
    """Flow and AddressMessage turn a str header into a TextHeader."""
    flow = Flow(body="b", flow_cta="Go", flow_id="1", header="Menu")
    address = AddressMessage(body="b", country="IN", header="Menu")
    assert flow.header == address.header == TextHeader("Menu")


def test_flow_leaves_meta_s_defaults_unsent() -> None:
    """Optional Flow fields start unset, so Meta's own defaults apply; the version is "3"."""
    flow = Flow(body="b", flow_cta="Go", flow_id="1")
    assert (flow.flow_token, flow.flow_action, flow.mode, flow.screen, flow.data) == (None,) * 5
    assert flow.flow_message_version == "3"
