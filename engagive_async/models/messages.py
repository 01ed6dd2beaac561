"""Free-form messages for send-single: typed builders for Meta's message object.

Each builder holds what Meta's ``{"type": T, T: {...}}`` object carries, without
``messaging_product`` and ``to`` (the send call adds the recipient). The converter turns a
builder into Meta's dict and back (see ``engagive_async._wire._message_codec``); the builders never
serialise themselves.

Building never raises for out-of-range values: a batch must turn a bad item into a FAILED
outcome, so limits are checked just before sending (``engagive_async._checks._messages``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from engagive_async.models.commerce import (
    Amount,
    CatalogMessage,
    Order,
    OrderDetails,
    OrderItem,
    OrderStatus,
    Product,
    ProductList,
    ProductSection,
)
from engagive_async.models.interactive import (
    AddressMessage,
    CallPermissionRequest,
    CtaUrl,
    DocumentHeader,
    Flow,
    Header,
    ImageHeader,
    ListMessage,
    ListRow,
    ListSection,
    LocationRequest,
    ReplyButton,
    ReplyButtons,
    TextHeader,
    VideoHeader,
)

# The interactive and commerce builders live in models.interactive and models.commerce and are
# named here too, beside the other kinds, because the Message union below is every builder
# send-single takes.
__all__ = [
    "AddressMessage",
    "Amount",
    "Audio",
    "CallPermissionRequest",
    "CatalogMessage",
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
    "Flow",
    "Header",
    "Image",
    "ImageHeader",
    "ListMessage",
    "ListRow",
    "ListSection",
    "Location",
    "LocationRequest",
    "Message",
    "Order",
    "OrderDetails",
    "OrderItem",
    "OrderStatus",
    "Product",
    "ProductList",
    "ProductSection",
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
        preview_url: ``True`` asks WhatsApp to render a preview of the first URL in ``body``;
            left ``None``, nothing is sent and Meta's default (no preview) applies.
    """

    body: str
    preview_url: bool | None = attrs.field(default=None, kw_only=True)


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
    """An audio file by ``id`` or ``link``; ``voice=True`` sends it as a voice note.

    A voice note must be OGG with the OPUS codec (Meta: audio messages); a ``link`` whose file
    name says otherwise (``.mp3``, ...) is refused before sending.
    """

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


@attrs.frozen(kw_only=True)
class UnknownMessage:
    """A kind this version does not model, kept whole so that nothing is lost.

    ``payload`` is Meta's message object without its ``type`` key, e.g.
    ``UnknownMessage(type="interactive", payload={"interactive": {"type": "voice_call", ...}})``.
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
    | Flow
    | AddressMessage
    | CallPermissionRequest
    | Product
    | ProductList
    | CatalogMessage
    | OrderDetails
    | OrderStatus
    | UnknownMessage
)
