"""Interactive builders: the header shorthand every one of them takes."""

from __future__ import annotations

from engagive_async.models.interactive import (
    CtaUrl,
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
