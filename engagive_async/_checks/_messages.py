"""The limits of the send-single builders, checked before a send. Pure functions, no I/O.

:func:`validate_message` walks a builder (``Text``, ``Image``, ``ReplyButtons``, ...) and raises
:class:`ValidationError` naming the first offending field by its path as the caller wrote it
(``message.buttons[2].title``). ``UnknownMessage`` is sent as given and not checked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from engagive_async._checks._fields import SANITY_MAX, check_text, check_url
from engagive_async._errors import ValidationError
from engagive_async.models import components as c
from engagive_async.models import messages as m

__all__ = ["validate_message", "validate_typed_components"]

# Where Meta's pages and Meta's OpenAPI description (its "business messaging" spec) give a limit
# we cite them; "not stated by Meta" marks the few limits only seen enforced in practice.
TEXT_BODY_MAX = 4096  # text.body (Meta: text messages)
CAPTION_MAX = 1024  # image caption (Meta: image messages); video and document use the same
CONTACTS_MAX = 257  # per message (Meta: contacts messages; its OpenAPI says 5, the page wins)
LATITUDE_MAX = 90.0  # decimal degrees (Meta: location messages)
LONGITUDE_MAX = 180.0  # decimal degrees (Meta: location messages)
HEADER_TEXT_MAX = 60  # interactive.header.text (Meta's OpenAPI)
INTERACTIVE_BODY_MAX = 1024  # interactive.body.text (Meta's OpenAPI, location request page)
FOOTER_MAX = 60  # interactive.footer.text (Meta's OpenAPI)
BUTTONS_MAX = 3  # reply buttons, 1-3 (Meta: reply buttons messages)
BUTTON_ID_MAX = 256  # reply.id, no leading or trailing spaces (Meta: reply buttons messages)
BUTTON_TITLE_MAX = 20  # reply.title (Meta: reply buttons messages)
LIST_BUTTON_MAX = 20  # list action.button label (Meta: list messages)
SECTIONS_MAX = 10  # list sections, 1-10 (Meta: list messages)
SECTION_TITLE_MAX = 24  # required when there is more than one section (Meta: list messages)
ROWS_MAX = 10  # rows across all sections (Meta: list messages)
ROW_ID_MAX = 200  # (Meta: list messages)
ROW_TITLE_MAX = 24  # (Meta: list messages)
ROW_DESCRIPTION_MAX = 72  # (Meta: list messages)
CTA_DISPLAY_TEXT_MAX = 20  # cta_url display_text (Meta's 20-character button rule; uncertain)
OTP_CODE_MAX = 15  # an authentication template's one-time password (Meta: authentication templates)
OTP_BUTTON_INDEX_MAX = 9  # a template button's index, 0-9 (Meta's OpenAPI)


def _media(msg: Any, field: str) -> None:
    """Exactly one of ``id`` (an uploaded media id) or ``link`` (Meta: media messages)."""
    if (msg.id is None) == (msg.link is None):
        raise ValidationError(field, "needs exactly one of id or link")
    if msg.id is not None:
        check_text(msg.id, f"{field}.id", SANITY_MAX)
    else:
        check_url(msg.link, f"{field}.link")


def _coordinate(value: Any, field: str, limit: float) -> None:
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not -limit <= number <= limit:  # NaN fails every comparison
        raise ValidationError(field, f"must be a number of degrees from -{limit:g} to {limit:g}")


def _contact(contact: Any, field: str) -> None:
    if not isinstance(contact.name, m.ContactName):
        raise ValidationError(f"{field}.name", "must be a ContactName")
    name = contact.name
    check_text(name.formatted_name, f"{field}.name.formatted_name", SANITY_MAX)
    parts = (name.first_name, name.last_name, name.middle_name, name.suffix, name.prefix)
    if not any(parts):  # formatted_name alone is refused by Meta
        raise ValidationError(f"{field}.name", "needs a first_name, last_name or other part")


def _header(header: Any, field: str) -> None:
    if header is None:
        return
    if isinstance(header, m.TextHeader):
        check_text(header.text, f"{field}.text", HEADER_TEXT_MAX)
    elif isinstance(header, m.ImageHeader | m.VideoHeader | m.DocumentHeader):
        _media(header, field)
    else:
        raise ValidationError(field, f"must be a header object, got {type(header).__name__}")


def _interactive(msg: Any, field: str) -> None:
    _header(getattr(msg, "header", None), f"{field}.header")
    check_text(msg.body, f"{field}.body", INTERACTIVE_BODY_MAX)
    check_text(getattr(msg, "footer", None), f"{field}.footer", FOOTER_MAX, required=False)


def _items(items: Any, field: str, cls: type[Any], low: int, high: int) -> Sequence[Any]:
    """A list of ``low`` to ``high`` instances of ``cls``."""
    if not isinstance(items, Sequence) or isinstance(items, str | bytes):
        raise ValidationError(field, "must be a list")
    if not low <= len(items) <= high:
        raise ValidationError(field, f"has {len(items)} items, Meta allows {low} to {high}")
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise ValidationError(f"{field}[{i}]", f"must be a {cls.__name__}")
    return items


def _reply_buttons(msg: m.ReplyButtons, field: str) -> None:
    buttons = _items(msg.buttons, f"{field}.buttons", m.ReplyButton, 1, BUTTONS_MAX)
    ids: set[str] = set()
    titles: set[str] = set()
    for i, button in enumerate(buttons):
        at = f"{field}.buttons[{i}]"
        check_text(button.id, f"{at}.id", BUTTON_ID_MAX)
        check_text(button.title, f"{at}.title", BUTTON_TITLE_MAX)
        if button.id != button.id.strip():
            raise ValidationError(f"{at}.id", "must not start or end with spaces")
        if button.id in ids or button.title in titles:
            which = "id" if button.id in ids else "title"
            raise ValidationError(f"{at}.{which}", "repeats another button's; each must be unique")
        ids.add(button.id)
        titles.add(button.title)


def _list_message(msg: m.ListMessage, field: str) -> None:
    check_text(msg.button, f"{field}.button", LIST_BUTTON_MAX)
    sections = _items(msg.sections, f"{field}.sections", m.ListSection, 1, SECTIONS_MAX)
    total = 0
    for i, section in enumerate(sections):
        at = f"{field}.sections[{i}]"
        required = len(sections) > 1
        check_text(section.title, f"{at}.title", SECTION_TITLE_MAX, required=required)
        # A section with no rows has nothing to pick, hence at least one.
        rows = _items(section.rows, f"{at}.rows", m.ListRow, 1, ROWS_MAX)
        for j, row in enumerate(rows):
            check_text(row.id, f"{at}.rows[{j}].id", ROW_ID_MAX)
            check_text(row.title, f"{at}.rows[{j}].title", ROW_TITLE_MAX)
            desc = f"{at}.rows[{j}].description"
            check_text(row.description, desc, ROW_DESCRIPTION_MAX, required=False)
        total += len(rows)
    if total > ROWS_MAX:
        raise ValidationError(f"{field}.sections", f"has {total} rows, Meta allows {ROWS_MAX}")


def validate_message(message: Any, field: str = "message") -> None:
    """Check a builder against Meta's documented limits (``UnknownMessage`` passes as is).

    Raises:
        ValidationError: e.g. ``message.buttons[2].title`` for the third button's title.
    """
    msg = message
    if isinstance(msg, m.Text):
        check_text(msg.body, f"{field}.body", TEXT_BODY_MAX)
    elif isinstance(msg, m.Image | m.Video | m.Document):
        _media(msg, field)
        check_text(msg.caption, f"{field}.caption", CAPTION_MAX, required=False)
    elif isinstance(msg, m.Audio | m.Sticker):
        _media(msg, field)
    elif isinstance(msg, m.Location):
        _coordinate(msg.latitude, f"{field}.latitude", LATITUDE_MAX)
        _coordinate(msg.longitude, f"{field}.longitude", LONGITUDE_MAX)
    elif isinstance(msg, m.Contacts):
        contacts = _items(msg.contacts, f"{field}.contacts", m.Contact, 1, CONTACTS_MAX)
        for i, contact in enumerate(contacts):
            _contact(contact, f"{field}.contacts[{i}]")
    elif isinstance(msg, m.ReplyButtons | m.ListMessage | m.CtaUrl | m.LocationRequest):
        _interactive(msg, field)
        if isinstance(msg, m.ReplyButtons):
            _reply_buttons(msg, field)
        elif isinstance(msg, m.ListMessage):
            _list_message(msg, field)
        elif isinstance(msg, m.CtaUrl):
            check_text(msg.display_text, f"{field}.display_text", CTA_DISPLAY_TEXT_MAX)
            check_url(msg.url, f"{field}.url")
    elif not isinstance(msg, m.UnknownMessage):
        raise ValidationError(field, f"must be a message builder, got {type(msg).__name__}")


def validate_typed_components(components: Any, field: str = "components") -> None:
    """The limits only a typed component knows, checked before it becomes Meta's dict.

    Everything that survives encoding (kinds, parameters, a carousel's cards) is checked on the
    wire form by ``_fields.validate_components``, for raw dicts and typed components alike; an
    :class:`OtpButton` is a plain url button there, so its code is checked here.

    Raises:
        ValidationError: e.g. ``components[1].code`` for a code over 15 characters.
    """
    if not isinstance(components, Sequence) or isinstance(components, str | bytes):
        return  # the wire check names this one
    for i, component in enumerate(components):
        at = f"{field}[{i}]"
        if isinstance(component, c.OtpButton):
            check_text(component.code, f"{at}.code", OTP_CODE_MAX)
            index = component.index
            if isinstance(index, bool) or not isinstance(index, int):
                raise ValidationError(f"{at}.index", "must be the button's position, 0 to 9")
            if not 0 <= index <= OTP_BUTTON_INDEX_MAX:
                raise ValidationError(f"{at}.index", f"is {index}, a button index is 0 to 9")
        elif isinstance(component, c.CarouselComponent) and isinstance(component.cards, Sequence):
            for j, card in enumerate(component.cards):
                if isinstance(card, c.CarouselCard):
                    validate_typed_components(card.components, f"{at}.cards[{j}].components")
