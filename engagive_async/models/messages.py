"""Free-form messages for send-single: typed builders for Meta's message object.

Each builder holds what Meta's ``{"type": T, T: {...}}`` object carries, without
``messaging_product`` and ``to`` (the send call adds the recipient). The converter turns a
builder into Meta's dict and back (see ``engagive_async._message_codec``); the builders never
serialise themselves.

Building never raises for out-of-range values: a batch must turn a bad item into a FAILED
outcome, so limits are checked just before sending (``engagive_async._validation``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

__all__ = [
    "Audio",
    "Contact",
    "ContactAddress",
    "ContactEmail",
    "ContactName",
    "ContactOrg",
    "ContactPhone",
    "ContactUrl",
    "Contacts",
    "CtaUrl",
    "Document",
    "DocumentHeader",
    "Header",
    "Image",
    "ImageHeader",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "LocationRequest",
    "Message",
    "ReplyButton",
    "ReplyButtons",
    "Sticker",
    "Text",
    "TextHeader",
    "UnknownMessage",
    "Video",
    "VideoHeader",
]


@attrs.frozen
class Text:
    """A text message: ``Text("Hello", preview_url=True)``.

    Args:
        body: the text (WhatsApp markdown allowed; URLs are auto-linked).
        preview_url: ask WhatsApp to render a preview of the first URL in ``body``.
    """

    body: str
    preview_url: bool = attrs.field(default=False, kw_only=True)


# --- media: exactly one of id (an uploaded media id) or link (a public http(s) URL) ------


@attrs.frozen(kw_only=True)
class Image:
    """An image (JPEG or PNG) by uploaded media ``id`` or public ``link``, with a caption."""

    id: str | None = None
    link: str | None = None
    caption: str | None = None


@attrs.frozen(kw_only=True)
class Video:
    """A video (MP4 or 3GPP) by ``id`` or ``link``, with an optional caption."""

    id: str | None = None
    link: str | None = None
    caption: str | None = None


@attrs.frozen(kw_only=True)
class Audio:
    """An audio file by ``id`` or ``link``; ``voice=True`` sends it as a voice note (OGG/OPUS)."""

    id: str | None = None
    link: str | None = None
    voice: bool = False


@attrs.frozen(kw_only=True)
class Document:
    """A document by ``id`` or ``link``; ``filename``'s extension picks the icon shown."""

    id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = None


@attrs.frozen(kw_only=True)
class Sticker:
    """A WebP sticker by ``id`` or ``link`` (stickers take no caption)."""

    id: str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True)
class Location:
    """A map pin in decimal degrees; the address shows only when a name is given too."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


# --- contacts -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ContactName:
    """``formatted_name`` is required, plus at least one of the other parts."""

    formatted_name: str
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    prefix: str | None = None


@attrs.frozen(kw_only=True)
class ContactPhone:
    """A phone number; ``type`` is ``CELL``, ``MAIN``, ``IPHONE``, ``HOME`` or ``WORK``."""

    phone: str | None = None
    type: str | None = None
    wa_id: str | None = None


@attrs.frozen(kw_only=True)
class ContactEmail:
    """An email address; ``type`` is ``HOME`` or ``WORK``."""

    email: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class ContactUrl:
    """A web address; ``type`` is ``HOME`` or ``WORK``."""

    url: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class ContactAddress:
    """A postal address; ``type`` is ``HOME`` or ``WORK``."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    country_code: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class ContactOrg:
    """Where the contact works."""

    company: str | None = None
    department: str | None = None
    title: str | None = None


@attrs.frozen(kw_only=True)
class Contact:
    """One contact card; ``birthday`` is ``"YYYY-MM-DD"``."""

    name: ContactName
    phones: Sequence[ContactPhone] = ()
    emails: Sequence[ContactEmail] = ()
    urls: Sequence[ContactUrl] = ()
    addresses: Sequence[ContactAddress] = ()
    org: ContactOrg | None = None
    birthday: str | None = None


@attrs.frozen
class Contacts:
    """One or more contact cards: ``Contacts([Contact(name=ContactName(...))])``."""

    contacts: Sequence[Contact]


# --- interactive: headers -------------------------------------------------------------------


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


# --- interactive: messages ------------------------------------------------------------------


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
class UnknownMessage:
    """A kind this version does not model, kept whole so that nothing is lost.

    ``payload`` is Meta's message object without its ``type`` key, e.g.
    ``UnknownMessage(type="interactive", payload={"interactive": {"type": "flow", ...}})``.
    It is sent as given and never validated.
    """

    type: str
    payload: Mapping[str, Any]


Message: TypeAlias = (
    Text
    | Image
    | Video
    | Audio
    | Document
    | Sticker
    | Location
    | Contacts
    | ReplyButtons
    | ListMessage
    | CtaUrl
    | LocationRequest
    | UnknownMessage
)
