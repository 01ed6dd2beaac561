"""Checks run before a send, against the limits Meta documents. Pure functions, no I/O.

Each check raises :class:`ValidationError` naming the offending field by its dotted path as the
caller wrote it (``message.buttons[3].title``, ``components[0].parameters[1]``) and otherwise
returns ``None`` (``validate_recipient`` returns the normalised number). Builders are not checked
when they are made, so a batch can turn a bad item into a FAILED outcome; the send calls these.

Sources in comments are the tags of the shared notes ``meta-cloud-api/MESSAGES.md``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from engagive_async._errors import ValidationError
from engagive_async.models import messages as m

__all__ = [
    "validate_components",
    "validate_emoji",
    "validate_lang_code",
    "validate_message",
    "validate_recipient",
    "validate_template_name",
    "validate_wamid",
]

# --- limits -------------------------------------------------------------------------------
#: E.164 numbers have at most 15 digits; under 8 no country code plus subscriber number fits.
RECIPIENT_DIGITS = (8, 15)
#: Template names: lowercase letters, digits and underscores, up to 512 (Meta's template docs).
TEMPLATE_NAME_MAX = 512
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
BUTTON_INDEX_MAX = 9  # template button index, 0-9 (Meta's OpenAPI)
HEADER_PARAM_TEXT_MAX = 60  # template header text parameter (Meta's OpenAPI)
BODY_PARAM_TEXT_MAX = 32768  # template body text parameter (Meta's OpenAPI maxLength)
COUPON_CODE_MAX = 15  # copy_code coupon (not stated by Meta; the limit seen enforced)
#: Send-time component kinds, any case: Engagive's docs write "BODY", Meta "body".
COMPONENT_TYPES = frozenset(
    {"header", "body", "footer", "button", "carousel", "limited_time_offer"}
)
#: A sanity bound, not Meta's: the longest standard emoji sequence has 10 code points.
EMOJI_MAX_CODE_POINTS = 16
#: Our own bound for fields Meta sets no limit on (ids, URLs, names): it catches a pasted
#: document, not a real value.
SANITY_MAX = 4096

_DIGITS = re.compile(r"\d+", re.ASCII)
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]+", re.ASCII)
# en, fil, en_US, pt_BR, es_419: a 2-3 letter language, then a region (Meta's language list).
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:_(?:[A-Z]{2}|\d{3}))?", re.ASCII)
_HAS_SPACE = re.compile(r"\s")


def _string(value: Any, field: str, max_len: int, *, required: bool = True) -> None:
    """A string of at most ``max_len`` characters; ``None`` only when not ``required``."""
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if required and not value:
        raise ValidationError(field, "must not be empty")
    if len(value) > max_len:
        raise ValidationError(field, f"is {len(value)} characters, Meta allows {max_len}")


def _url(value: Any, field: str) -> None:
    _string(value, field, SANITY_MAX)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or _HAS_SPACE.search(value):
        raise ValidationError(field, "must be an http:// or https:// URL")


# --- identifiers ----------------------------------------------------------------------------


def validate_recipient(to: Any, field: str = "to") -> str:
    """The recipient as the digits the docs' examples send (``"923001234567"``).

    A leading ``+`` is accepted and dropped; spaces, dashes and brackets are refused rather than
    guessed at.

    Raises:
        ValidationError: not 8 to 15 digits with the country code.
    """
    if not isinstance(to, str):
        raise ValidationError(field, f"must be a string, got {type(to).__name__}")
    digits = to.removeprefix("+")
    if not _DIGITS.fullmatch(digits):
        raise ValidationError(field, "must be digits with the country code, an optional leading +")
    low, high = RECIPIENT_DIGITS
    if not low <= len(digits) <= high:
        raise ValidationError(field, f"has {len(digits)} digits, a number has {low} to {high}")
    return digits


def validate_template_name(name: Any, field: str = "template_name") -> None:
    """Meta's template names: lowercase letters, digits and ``_``, up to 512 characters."""
    _string(name, field, TEMPLATE_NAME_MAX)
    if not _TEMPLATE_NAME.fullmatch(name):
        raise ValidationError(field, "may hold only lowercase letters, digits and underscores")


def validate_lang_code(code: Any, field: str = "lang_code") -> None:
    """A language code such as ``en``, ``en_US``, ``pt_BR`` or ``es_419``."""
    _string(code, field, SANITY_MAX)
    if not _LANG_CODE.fullmatch(code):
        hint = " (use an underscore)" if "-" in code else ""
        raise ValidationError(field, f"must look like en or en_US{hint}")


def validate_wamid(wamid: Any, field: str = "whatsapp_message_id") -> None:
    """A WhatsApp message id: non-empty, no whitespace (usually ``wamid.``, not required)."""
    _string(wamid, field, SANITY_MAX)
    if _HAS_SPACE.search(wamid):
        raise ValidationError(field, "must not contain whitespace")


_ATTACHED = frozenset({0x200D, 0xFE0E, 0xFE0F, 0x20E3})  # ZWJ, variation selectors, keycap


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF  # a flag is two of these


def _joins(cluster: str, ch: str) -> bool:
    """Whether ``ch`` continues the emoji ``cluster`` rather than starting a new one."""
    cp = ord(ch)
    return (
        cp in _ATTACHED
        or cluster.endswith("\u200d")
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters of subdivision flags
        or (_is_regional(ch) and len(cluster) == 1 and _is_regional(cluster))
    )


def validate_emoji(emoji: Any, field: str = "emoji") -> None:
    """One emoji, or ``""`` to remove a reaction (Meta: reaction messages).

    A heuristic: it refuses what surely is not one emoji (text, several emoji), and lets
    through anything that may be one.
    """
    if not isinstance(emoji, str):
        raise ValidationError(field, f"must be a string, got {type(emoji).__name__}")
    if len(emoji) > EMOJI_MAX_CODE_POINTS:
        raise ValidationError(field, "is too long to be one emoji")
    clusters: list[str] = []
    for ch in emoji:
        if clusters and _joins(clusters[-1], ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    if len(clusters) > 1:
        raise ValidationError(field, f"must be one emoji, got {len(clusters)}")
    if clusters:
        base = clusters[0][0]
        if clusters[0].endswith("\u20e3"):  # keycaps: 0-9, # and * then U+20E3
            text = base not in "0123456789#*"
        else:
            text = base.isascii() or unicodedata.category(base)[0] in "LNZC"
        if text:
            raise ValidationError(field, "must be an emoji, not text")


# --- template components ---------------------------------------------------------------------


def _parameter(param: Any, field: str, kind: str) -> None:
    if not isinstance(param, Mapping) or not isinstance(param.get("type"), str):
        raise ValidationError(field, "must be an object with a 'type'")
    ptype = param["type"]
    if ptype == "text":
        limit = HEADER_PARAM_TEXT_MAX if kind == "header" else BODY_PARAM_TEXT_MAX
        _string(param.get("text"), f"{field}.text", limit)
    elif ptype == "coupon_code":
        _string(param.get("coupon_code"), f"{field}.coupon_code", COUPON_CODE_MAX)


def _button_index(index: Any, field: str) -> None:
    if isinstance(index, str) and _DIGITS.fullmatch(index):
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValidationError(field, "must be the button's position, a whole number")
    if not 0 <= index <= BUTTON_INDEX_MAX:
        raise ValidationError(field, f"is {index}, a button index is 0 to {BUTTON_INDEX_MAX}")


def validate_components(components: Any, field: str = "components") -> None:
    """Meta's send-time components (dicts, as sent): kinds, parameters, button index.

    Raises:
        ValidationError: e.g. ``components[2].index`` for a button index outside 0-9.
    """
    if not isinstance(components, Sequence) or isinstance(components, str | bytes):
        raise ValidationError(field, "must be a list of components")
    for i, comp in enumerate(components):
        at = f"{field}[{i}]"
        if not isinstance(comp, Mapping):
            raise ValidationError(at, f"must be an object, got {type(comp).__name__}")
        kind = comp.get("type")
        if not isinstance(kind, str) or kind.lower() not in COMPONENT_TYPES:
            raise ValidationError(f"{at}.type", f"must be one of {sorted(COMPONENT_TYPES)}")
        kind = kind.lower()
        params = comp.get("parameters", [])
        if not isinstance(params, Sequence) or isinstance(params, str | bytes):
            raise ValidationError(f"{at}.parameters", "must be a list")
        for j, param in enumerate(params):
            _parameter(param, f"{at}.parameters[{j}]", kind)
        named = {"parameter_name" in p for p in params if p["type"] == "text"}
        if len(named) > 1:  # a template's parameters are either all named or all positional
            raise ValidationError(f"{at}.parameters", "mixes named and positional parameters")
        if kind == "button":
            _string(comp.get("sub_type"), f"{at}.sub_type", SANITY_MAX)
            _button_index(comp.get("index"), f"{at}.index")


# --- messages ---------------------------------------------------------------------------


def _media(msg: Any, field: str) -> None:
    """Exactly one of ``id`` (an uploaded media id) or ``link`` (Meta: media messages)."""
    if (msg.id is None) == (msg.link is None):
        raise ValidationError(field, "needs exactly one of id or link")
    if msg.id is not None:
        _string(msg.id, f"{field}.id", SANITY_MAX)
    else:
        _url(msg.link, f"{field}.link")


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
    _string(name.formatted_name, f"{field}.name.formatted_name", SANITY_MAX)
    parts = (name.first_name, name.last_name, name.middle_name, name.suffix, name.prefix)
    if not any(parts):  # formatted_name alone is refused by Meta
        raise ValidationError(f"{field}.name", "needs a first_name, last_name or other part")


def _header(header: Any, field: str) -> None:
    if header is None:
        return
    if isinstance(header, m.TextHeader):
        _string(header.text, f"{field}.text", HEADER_TEXT_MAX)
    elif isinstance(header, m.ImageHeader | m.VideoHeader | m.DocumentHeader):
        _media(header, field)
    else:
        raise ValidationError(field, f"must be a header object, got {type(header).__name__}")


def _interactive(msg: Any, field: str) -> None:
    _header(getattr(msg, "header", None), f"{field}.header")
    _string(msg.body, f"{field}.body", INTERACTIVE_BODY_MAX)
    _string(getattr(msg, "footer", None), f"{field}.footer", FOOTER_MAX, required=False)


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
        _string(button.id, f"{at}.id", BUTTON_ID_MAX)
        _string(button.title, f"{at}.title", BUTTON_TITLE_MAX)
        if button.id != button.id.strip():
            raise ValidationError(f"{at}.id", "must not start or end with spaces")
        if button.id in ids or button.title in titles:
            which = "id" if button.id in ids else "title"
            raise ValidationError(f"{at}.{which}", "repeats another button's; each must be unique")
        ids.add(button.id)
        titles.add(button.title)


def _list_message(msg: m.ListMessage, field: str) -> None:
    _string(msg.button, f"{field}.button", LIST_BUTTON_MAX)
    sections = _items(msg.sections, f"{field}.sections", m.ListSection, 1, SECTIONS_MAX)
    total = 0
    for i, section in enumerate(sections):
        at = f"{field}.sections[{i}]"
        required = len(sections) > 1
        _string(section.title, f"{at}.title", SECTION_TITLE_MAX, required=required)
        # A section with no rows has nothing to pick, hence at least one.
        rows = _items(section.rows, f"{at}.rows", m.ListRow, 1, ROWS_MAX)
        for j, row in enumerate(rows):
            _string(row.id, f"{at}.rows[{j}].id", ROW_ID_MAX)
            _string(row.title, f"{at}.rows[{j}].title", ROW_TITLE_MAX)
            desc = f"{at}.rows[{j}].description"
            _string(row.description, desc, ROW_DESCRIPTION_MAX, required=False)
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
        _string(msg.body, f"{field}.body", TEXT_BODY_MAX)
    elif isinstance(msg, m.Image | m.Video | m.Document):
        _media(msg, field)
        _string(msg.caption, f"{field}.caption", CAPTION_MAX, required=False)
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
            _string(msg.display_text, f"{field}.display_text", CTA_DISPLAY_TEXT_MAX)
            _url(msg.url, f"{field}.url")
    elif not isinstance(msg, m.UnknownMessage):
        raise ValidationError(field, f"must be a message builder, got {type(msg).__name__}")
