"""Interactive messages for send-single: reply buttons, lists, CTA URL, location request,
Flows, address requests and call-permission requests (the commerce kinds are in ``commerce``).

Meta's ``{"type": "interactive", "interactive": {"type": T, ...}}`` objects, with their optional
header (text, image, video or document), body and footer. Like every builder, they never raise
for out-of-range values and never serialise themselves (see ``engagive_async._wire._message_codec``
and ``engagive_async._checks._messages``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

__all__ = [
    "AddressMessage",
    "CallPermissionRequest",
    "CtaUrl",
    "DocumentHeader",
    "Flow",
    "Header",
    "ImageHeader",
    "ListMessage",
    "ListRow",
    "ListSection",
    "LocationRequest",
    "ReplyButton",
    "ReplyButtons",
    "TextHeader",
    "VideoHeader",
]


@attrs.frozen
class TextHeader:
    """A text header (a plain ``str`` given as ``header=`` means this)."""

    text: str


@attrs.frozen(kw_only=True)
class ImageHeader:
    """An image header by ``id`` or ``link``."""

    id: str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True)
class VideoHeader:
    """A video header by ``id`` or ``link``."""

    id: str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True)
class DocumentHeader:
    """A document header by ``id`` or ``link``, with an optional ``filename``."""

    id: str | None = None
    link: str | None = None
    filename: str | None = None


Header: TypeAlias = TextHeader | ImageHeader | VideoHeader | DocumentHeader


def _to_header(value: Header | str | None) -> Header | None:
    return TextHeader(value) if isinstance(value, str) else value


def _to_text_header(value: TextHeader | str | None) -> TextHeader | None:
    return TextHeader(value) if isinstance(value, str) else value


# --- messages ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ReplyButton:
    """One quick-reply button: ``id`` comes back in the user's reply, ``title`` is shown."""

    id: str
    title: str


@attrs.frozen(kw_only=True)
class ReplyButtons:
    """Up to three reply buttons under a body text (Meta's ``interactive.type`` ``button``).

    Args:
        body: the message text.
        buttons: one to three :class:`ReplyButton`, ids and titles unique.
        header: a header object, or a ``str`` for a text header.
        footer: small text under the body.
    """

    body: str
    buttons: Sequence[ReplyButton]
    header: Header | None = attrs.field(default=None, converter=_to_header)
    footer: str | None = None


@attrs.frozen(kw_only=True)
class ListRow:
    """One choice of a list; ``id`` comes back in the user's reply."""

    id: str
    title: str
    description: str | None = None


@attrs.frozen(kw_only=True)
class ListSection:
    """A titled group of rows (the title is required when there are several sections)."""

    rows: Sequence[ListRow]
    title: str | None = None


@attrs.frozen(kw_only=True)
class ListMessage:
    """A menu opened by a button (Meta's ``interactive.type`` ``list``).

    Args:
        body: the message text.
        button: the label of the button that opens the list.
        sections: one to ten :class:`ListSection`, ten rows at most in all.
        header: a text header (or a ``str``).
        footer: small text under the body.
    """

    body: str
    button: str
    sections: Sequence[ListSection]
    header: TextHeader | None = attrs.field(default=None, converter=_to_text_header)
    footer: str | None = None


@attrs.frozen(kw_only=True)
class CtaUrl:
    """A call-to-action button that opens ``url`` (Meta's ``interactive.type`` ``cta_url``)."""

    body: str
    display_text: str
    url: str
    header: Header | None = attrs.field(default=None, converter=_to_header)
    footer: str | None = None


@attrs.frozen(kw_only=True)
class LocationRequest:
    """Asks the user to share their location (``location_request_message``)."""

    body: str


@attrs.frozen(kw_only=True)
class Flow:
    """Opens a WhatsApp Flow (Meta's ``interactive.type`` ``flow``).

    Args:
        body: the message text.
        flow_cta: the button's label, up to 20 characters.
        flow_id: the Flow's id; give it or ``flow_name``, not both.
        flow_name: the Flow's name, instead of ``flow_id``.
        flow_token: your token for this send, echoed in the Flow's answers (Meta's default
            ``"unused"`` when left out).
        flow_action: ``"navigate"`` (Meta's default) or ``"data_exchange"``.
        screen: with ``navigate``, the id of the first screen.
        data: with ``navigate``, the first screen's input data (a non-empty object).
        mode: ``"draft"`` to test an unpublished Flow, ``"published"`` (Meta's default).
        flow_message_version: ``"3"``, the only version Meta takes.
        header: a header object, or a ``str`` for a text header.
        footer: small text under the body.
    """

    body: str
    flow_cta: str
    flow_id: str | None = None
    flow_name: str | None = None
    flow_token: str | None = None
    flow_action: str | None = None
    screen: str | None = None
    data: Mapping[str, Any] | None = None
    mode: str | None = None
    flow_message_version: str = "3"
    header: Header | None = attrs.field(default=None, converter=_to_header)
    footer: str | None = None


@attrs.frozen(kw_only=True)
class AddressMessage:
    """Asks for a delivery address in a form WhatsApp draws (``address_message``).

    Meta offers it to businesses and users in India (``country="IN"``).

    Args:
        body: the message text.
        country: the ISO 3166 alpha-2 code of the form (required by Meta).
        values: fields to prefill (``name``, ``phone_number``, ``in_pin_code``, ...).
        saved_addresses: addresses the user may pick, as Meta shapes them
            (``{"id": ..., "value": {...}}``).
        validation_errors: field -> message, to ask again after a bad answer.
        header: a header object, or a ``str`` for a text header.
        footer: small text under the body.
    """

    body: str
    country: str
    values: Mapping[str, Any] | None = None
    saved_addresses: Sequence[Mapping[str, Any]] = ()
    validation_errors: Mapping[str, Any] | None = None
    header: Header | None = attrs.field(default=None, converter=_to_header)
    footer: str | None = None


@attrs.frozen(kw_only=True)
class CallPermissionRequest:
    """Asks the user's permission to call them on WhatsApp (``call_permission_request``)."""

    body: str
