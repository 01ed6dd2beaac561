"""The limits of the send-single builders, checked before a send. Pure functions, no I/O.

:func:`validate_message` walks a builder (``Text``, ``Image``, ``ReplyButtons``, ...) and raises
:class:`ValidationError` naming the first offending field by its path as the caller wrote it
(``message.buttons[2].title``). ``UnknownMessage`` is sent as given and not checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

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
FLOW_CTA_MAX = 20  # flow_cta (wajs enforces 20, Meta's OpenAPI advises 30: the stricter wins)
FLOW_MESSAGE_VERSION = "3"  # the only one Meta takes (Meta's OpenAPI)
FLOW_ACTIONS = frozenset({"navigate", "data_exchange"})  # (Meta's OpenAPI)
FLOW_MODES = frozenset({"draft", "published"})  # (Meta's OpenAPI)
PRODUCT_SECTIONS_MAX = 10  # product_list sections, 1-10 (Meta's OpenAPI)
PRODUCTS_MAX = 30  # products across all sections of a product_list (Meta's OpenAPI)
REFERENCE_ID_MAX = 35  # order_details reference_id (Meta: order details messages)
ORDER_TYPES = frozenset({"digital-goods", "physical-goods"})  # (Meta: order details messages)
#: order_status statuses (Meta: order status messages).
ORDER_STATUSES = frozenset(
    {"pending", "processing", "partially_shipped", "shipped", "completed", "canceled"}
)
ORDER_STATUS_DESCRIPTION_MAX = 120  # (Meta: order status messages)
#: A voice note is OGG with the OPUS codec (Meta: audio messages); file names that say so.
VOICE_EXTENSIONS = (".ogg", ".opus", ".oga")
OTP_CODE_MAX = 15  # an authentication template's one-time password (Meta: authentication templates)
OTP_BUTTON_INDEX_MAX = 9  # a template button's index, 0-9 (Meta's OpenAPI)


_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)  # ISO 3166-1 alpha-2
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)  # ISO 4217


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


def _interactive(msg: Any, field: str, *, body_required: bool = True) -> None:
    _header(getattr(msg, "header", None), f"{field}.header")
    check_text(msg.body, f"{field}.body", INTERACTIVE_BODY_MAX, required=body_required)
    check_text(getattr(msg, "footer", None), f"{field}.footer", FOOTER_MAX, required=False)


def _one_of(value: Any, field: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValidationError(field, f"must be one of {sorted(allowed)}")


def _mapping(value: Any, field: str, *, non_empty: bool = False) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise ValidationError(field, f"must be an object, got {type(value).__name__}")
    if non_empty and not value:
        raise ValidationError(field, "must not be empty")


def _voice(msg: m.Audio, field: str) -> None:
    if not isinstance(msg.voice, bool):
        raise ValidationError(f"{field}.voice", "must be True or False")
    if msg.voice and msg.link is not None:
        name = urlsplit(msg.link).path.rsplit("/", 1)[-1].lower()
        # A link without an extension may still serve OGG/OPUS; one that names another
        # format (.mp3, .m4a, ...) cannot be played as a voice note.
        if "." in name and not name.endswith(VOICE_EXTENSIONS):
            raise ValidationError(f"{field}.link", "a voice note must be an OGG/OPUS file (.ogg)")


def _flow(msg: m.Flow, field: str) -> None:
    check_text(msg.flow_cta, f"{field}.flow_cta", FLOW_CTA_MAX)
    if (msg.flow_id is None) == (msg.flow_name is None):
        raise ValidationError(f"{field}.flow_id", "needs exactly one of flow_id or flow_name")
    check_text(msg.flow_id, f"{field}.flow_id", SANITY_MAX, required=False)
    check_text(msg.flow_name, f"{field}.flow_name", SANITY_MAX, required=False)
    check_text(msg.flow_token, f"{field}.flow_token", SANITY_MAX, required=False)
    if msg.flow_message_version != FLOW_MESSAGE_VERSION:
        raise ValidationError(f"{field}.flow_message_version", 'must be "3"')
    if msg.flow_action is not None:
        _one_of(msg.flow_action, f"{field}.flow_action", FLOW_ACTIONS)
    if msg.mode is not None:
        _one_of(msg.mode, f"{field}.mode", FLOW_MODES)
    if msg.flow_action == "data_exchange" and (msg.screen is not None or msg.data is not None):
        # Meta: the payload (first screen and its data) is only for flow_action "navigate".
        raise ValidationError(f"{field}.screen", "is for flow_action navigate only")
    check_text(msg.screen, f"{field}.screen", SANITY_MAX, required=False)
    _mapping(msg.data, f"{field}.data", non_empty=True)


def _product_list(msg: m.ProductList, field: str) -> None:
    if not isinstance(msg.header, m.TextHeader):
        raise ValidationError(f"{field}.header", "a product list needs a text header")
    check_text(msg.catalog_id, f"{field}.catalog_id", SANITY_MAX)
    sections = _items(msg.sections, f"{field}.sections", m.ProductSection, 1, PRODUCT_SECTIONS_MAX)
    total = 0
    for i, section in enumerate(sections):
        at = f"{field}.sections[{i}]"
        check_text(section.title, f"{at}.title", SECTION_TITLE_MAX, required=len(sections) > 1)
        ids = _items(section.product_retailer_ids, f"{at}.product_retailer_ids", str, 1, 30)
        for j, rid in enumerate(ids):
            check_text(rid, f"{at}.product_retailer_ids[{j}]", SANITY_MAX)
        total += len(ids)
    if total > PRODUCTS_MAX:
        reason = f"has {total} products, Meta allows {PRODUCTS_MAX}"
        raise ValidationError(f"{field}.sections", reason)


def _amount(amount: Any, field: str) -> m.Amount:
    if not isinstance(amount, m.Amount):
        raise ValidationError(field, "must be an Amount")
    for key in ("value", "offset"):
        value = getattr(amount, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < (key == "offset"):
            low = "positive" if key == "offset" else "0 or more"
            raise ValidationError(f"{field}.{key}", f"must be a whole number, {low}")
    return amount


def _order_details(msg: m.OrderDetails, field: str) -> None:
    check_text(msg.reference_id, f"{field}.reference_id", REFERENCE_ID_MAX)
    _one_of(msg.type, f"{field}.type", ORDER_TYPES)
    if not isinstance(msg.currency, str) or not _CURRENCY.fullmatch(msg.currency):
        raise ValidationError(f"{field}.currency", "must be an ISO 4217 code such as INR")
    order = msg.order
    if not isinstance(order, m.Order):
        raise ValidationError(f"{field}.order", "must be an Order")
    if order.status != "pending":  # Meta: an order to pay is pending; order_status moves it on
        raise ValidationError(f"{field}.order.status", 'must be "pending"')
    items = _items(order.items, f"{field}.order.items", m.OrderItem, 1, SANITY_MAX)
    amounts: list[m.Amount] = []
    subtotal = 0
    for i, item in enumerate(items):
        at = f"{field}.order.items[{i}]"
        check_text(item.retailer_id, f"{at}.retailer_id", SANITY_MAX)
        check_text(item.name, f"{at}.name", SANITY_MAX)
        quantity = item.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationError(f"{at}.quantity", "must be a whole number, 1 or more")
        unit = _amount(item.amount, f"{at}.amount")
        if item.sale_amount is not None:
            unit = _amount(item.sale_amount, f"{at}.sale_amount")
        amounts.append(unit)
        subtotal += unit.value * quantity
    parts = {
        key: _amount(getattr(order, key), f"{field}.order.{key}")
        for key in ("subtotal", "tax", "shipping", "discount")
        if key == "subtotal" or key == "tax" or getattr(order, key) is not None
    }
    total = _amount(msg.total_amount, f"{field}.total_amount")
    if len({a.offset for a in (*amounts, *parts.values(), total)}) != 1:
        return  # figures in different offsets: the sums below would compare unlike units
    # Meta refuses an order whose figures do not add up (Meta: order details messages).
    if parts["subtotal"].value != subtotal:
        reason = f"is {parts['subtotal'].value}, the items add up to {subtotal}"
        raise ValidationError(f"{field}.order.subtotal.value", reason)
    expected = sum(parts[k].value for k in ("subtotal", "tax", "shipping") if k in parts)
    expected -= parts["discount"].value if "discount" in parts else 0
    if total.value != expected:
        reason = f"is {total.value}, subtotal + tax + shipping - discount is {expected}"
        raise ValidationError(f"{field}.total_amount.value", reason)


def _order_status(msg: m.OrderStatus, field: str) -> None:
    check_text(msg.reference_id, f"{field}.reference_id", REFERENCE_ID_MAX)
    _one_of(msg.status, f"{field}.status", ORDER_STATUSES)
    desc = msg.description
    check_text(desc, f"{field}.description", ORDER_STATUS_DESCRIPTION_MAX, required=False)


def _address(msg: m.AddressMessage, field: str) -> None:
    if not isinstance(msg.country, str) or not _COUNTRY.fullmatch(msg.country):
        raise ValidationError(f"{field}.country", "must be a two-letter country code such as IN")
    _mapping(msg.values, f"{field}.values")
    _mapping(msg.validation_errors, f"{field}.validation_errors")
    saved: Any = msg.saved_addresses
    if not isinstance(saved, Sequence) or isinstance(saved, str | bytes):
        raise ValidationError(f"{field}.saved_addresses", "must be a list")
    for i, address in enumerate(saved):
        _mapping(address, f"{field}.saved_addresses[{i}]")


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


def _product(msg: m.Product, field: str) -> None:
    check_text(msg.catalog_id, f"{field}.catalog_id", SANITY_MAX)
    check_text(msg.product_retailer_id, f"{field}.product_retailer_id", SANITY_MAX)


def _catalog(msg: m.CatalogMessage, field: str) -> None:
    thumbnail = msg.thumbnail_product_retailer_id
    check_text(thumbnail, f"{field}.thumbnail_product_retailer_id", SANITY_MAX, required=False)


_CHECKS: dict[type[Any], Any] = {
    m.Flow: _flow,
    m.AddressMessage: _address,
    m.CallPermissionRequest: lambda msg, field: None,  # a body, checked with the rest
    m.Product: _product,
    m.ProductList: _product_list,
    m.CatalogMessage: _catalog,
    m.OrderDetails: _order_details,
    m.OrderStatus: _order_status,
}
_CHECKED = tuple(_CHECKS)


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
    elif isinstance(msg, m.Audio):
        _media(msg, field)
        _voice(msg, field)
    elif isinstance(msg, m.Sticker):
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
    elif isinstance(msg, _CHECKED):
        _interactive(msg, field, body_required=not isinstance(msg, m.Product))
        _CHECKS[type(msg)](msg, field)
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
