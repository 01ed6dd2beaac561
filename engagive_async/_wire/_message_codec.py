"""Meta's wire shapes for the send-single builders, as cattrs hooks.

A message is Meta's ``{"type": T, T: {...}}`` (``contacts`` carries a list, ``interactive``
nests a second tag, ``interactive.type``). Decoding is a tagged union on those tags with
:class:`UnknownMessage` as the fallback, so a kind this version does not know never fails.
Template components have their own codec (``_component_codec``), registered from here.

The codec is plain functions that do not import the converter (the converter imports this
module to register them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import cattrs

from engagive_async._wire._codec_support import (
    Wire,
    build,
    expect_list,
    expect_mapping,
    expecting,
    invalid,
    required,
    wire_fields,
)
from engagive_async._wire._component_codec import register_component_hooks
from engagive_async.models import messages as m

__all__ = ["register_message_hooks"]

_KINDS = (m.Text, m.Image, m.Video, m.Audio, m.Document, m.Sticker, m.Location)
_NESTED_MESSAGES: dict[str, type[Any]] = {cls.__name__.lower(): cls for cls in _KINDS}
_MEDIA_HEADERS: dict[str, type[Any]] = {
    "image": m.ImageHeader, "video": m.VideoHeader, "document": m.DocumentHeader
}  # fmt: skip
_CONTACT_LISTS: dict[str, type[Any]] = {
    "phones": m.ContactPhone, "emails": m.ContactEmail, "urls": m.ContactUrl,
    "addresses": m.ContactAddress,
}  # fmt: skip


class _KeepWhole(Exception):
    """Raised by a decoder when the wire object holds more than its builder can: the message
    is then kept whole as :class:`UnknownMessage`, so nothing read is ever dropped."""


def _header_out(header: m.Header) -> Wire:
    if isinstance(header, m.TextHeader):
        return {"type": "text", "text": header.text}
    tag = next(tag for tag, cls in _MEDIA_HEADERS.items() if isinstance(header, cls))
    return {"type": tag, tag: wire_fields(header)}


def _interactive(kind: str, msg: Any, action: Wire) -> Wire:
    inner: Wire = {"type": kind}
    if getattr(msg, "header", None) is not None:
        inner["header"] = _header_out(msg.header)
    if getattr(msg, "body", None) is not None:
        inner["body"] = {"text": msg.body}
    if getattr(msg, "footer", None) is not None:
        inner["footer"] = {"text": msg.footer}
    inner["action"] = action
    return {"type": "interactive", "interactive": inner}


def _set(out: Wire, key: str, value: Any) -> None:
    """``out[key] = value`` unless the value is unset (``None``, an empty list)."""
    if value is None or (isinstance(value, list | tuple) and not value):
        return
    if isinstance(value, Mapping):
        value = dict(value)
    elif isinstance(value, list | tuple):
        value = [dict(x) if isinstance(x, Mapping) else x for x in value]
    out[key] = value


def _contact_out(contact: m.Contact) -> Wire:
    out: Wire = {"name": wire_fields(contact.name)}
    for key in _CONTACT_LISTS:
        if items := getattr(contact, key):
            out[key] = [wire_fields(item) for item in items]
    if contact.org is not None:
        out["org"] = wire_fields(contact.org)
    if contact.birthday is not None:
        out["birthday"] = contact.birthday
    return out


def _section_out(section: m.ListSection) -> Wire:
    out: Wire = {} if section.title is None else {"title": section.title}
    out["rows"] = [wire_fields(row) for row in section.rows]
    return out


def _flow_out(msg: m.Flow) -> Wire:
    params: Wire = {"flow_message_version": msg.flow_message_version}
    for key in ("flow_id", "flow_name", "flow_cta", "flow_token", "flow_action"):
        _set(params, key, getattr(msg, key))
    if msg.screen is not None or msg.data is not None:
        payload: Wire = {}
        _set(payload, "screen", msg.screen)
        if msg.data is not None:
            payload["data"] = dict(msg.data)
        params["flow_action_payload"] = payload
    _set(params, "mode", msg.mode)
    return {"name": "flow", "parameters": params}


def _address_out(msg: m.AddressMessage) -> Wire:
    params: Wire = {"country": msg.country}
    _set(params, "values", msg.values)
    _set(params, "saved_addresses", list(msg.saved_addresses))
    _set(params, "validation_errors", msg.validation_errors)
    return {"name": "address_message", "parameters": params}


def _amount_out(amount: m.Amount) -> Wire:
    # value and offset always go out: Meta's examples write the offset even at its usual 100.
    out: Wire = {"value": amount.value, "offset": amount.offset}
    _set(out, "description", amount.description)
    _set(out, "discount_program_name", amount.discount_program_name)
    return out


def _item_out(item: m.OrderItem) -> Wire:
    out: Wire = {"retailer_id": item.retailer_id, "name": item.name}
    out["amount"] = _amount_out(item.amount)
    out["quantity"] = item.quantity
    if item.sale_amount is not None:
        out["sale_amount"] = _amount_out(item.sale_amount)
    for key in ("country_of_origin", "importer_name", "importer_address"):
        _set(out, key, getattr(item, key))
    return out


def _order_out(order: m.Order) -> Wire:
    out: Wire = {"status": order.status}
    _set(out, "catalog_id", order.catalog_id)
    _set(out, "expiration", order.expiration)
    out["items"] = [_item_out(item) for item in order.items]
    for key in ("subtotal", "tax", "shipping", "discount"):
        if (amount := getattr(order, key)) is not None:
            out[key] = _amount_out(amount)
    return out


def _order_details_out(msg: m.OrderDetails) -> Wire:
    params: Wire = {"reference_id": msg.reference_id, "type": msg.type}
    _set(params, "payment_type", msg.payment_type)
    _set(params, "payment_configuration", msg.payment_configuration)
    _set(params, "payment_settings", list(msg.payment_settings))
    params["currency"] = msg.currency
    params["total_amount"] = _amount_out(msg.total_amount)
    params["order"] = _order_out(msg.order)
    params.update(msg.extra)
    return {"name": "review_and_pay", "parameters": params}


def _order_status_out(msg: m.OrderStatus) -> Wire:
    order: Wire = {"status": msg.status}
    _set(order, "description", msg.description)
    params = {"reference_id": msg.reference_id, "order": order}
    return {"name": "review_order", "parameters": params}


def _product_list_out(msg: m.ProductList) -> Wire:
    sections = []
    for section in msg.sections:
        out: Wire = {} if section.title is None else {"title": section.title}
        out["product_items"] = [{"product_retailer_id": x} for x in section.product_retailer_ids]
        sections.append(out)
    return {"catalog_id": msg.catalog_id, "sections": sections}


def _catalog_out(msg: m.CatalogMessage) -> Wire:
    action: Wire = {"name": "catalog_message"}
    if msg.thumbnail_product_retailer_id is not None:
        thumbnail = msg.thumbnail_product_retailer_id
        action["parameters"] = {"thumbnail_product_retailer_id": thumbnail}
    return action


#: builder -> (Meta's interactive.type, its action object)
_INTERACTIVE_OUT: dict[type[Any], tuple[str, Callable[[Any], Wire]]] = {
    m.ReplyButtons: (
        "button",
        lambda msg: {
            "buttons": [
                {"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in msg.buttons
            ]
        },
    ),
    m.ListMessage: (
        "list",
        lambda msg: {"button": msg.button, "sections": [_section_out(s) for s in msg.sections]},
    ),
    m.CtaUrl: (
        "cta_url",
        lambda msg: {
            "name": "cta_url",
            "parameters": {"display_text": msg.display_text, "url": msg.url},
        },
    ),
    m.LocationRequest: ("location_request_message", lambda _: {"name": "send_location"}),
    m.Flow: ("flow", _flow_out),
    m.AddressMessage: ("address_message", _address_out),
    m.CallPermissionRequest: (
        "call_permission_request",
        lambda _: {"name": "call_permission_request"},
    ),
    m.Product: (
        "product",
        lambda msg: {"catalog_id": msg.catalog_id, "product_retailer_id": msg.product_retailer_id},
    ),
    m.ProductList: ("product_list", _product_list_out),
    m.CatalogMessage: ("catalog_message", _catalog_out),
    m.OrderDetails: ("order_details", _order_details_out),
    m.OrderStatus: ("order_status", _order_status_out),
}


def _message_out(msg: Any) -> Wire:
    interactive = _INTERACTIVE_OUT.get(type(msg))
    if interactive is not None:
        kind, action = interactive
        return _interactive(kind, msg, action(msg))
    if isinstance(msg, m.Contacts):
        return {"type": "contacts", "contacts": [_contact_out(x) for x in msg.contacts]}
    if isinstance(msg, m.UnknownMessage):
        return {**msg.payload, "type": msg.type}  # the tag says what it is, whatever the payload
    for tag, cls in _NESTED_MESSAGES.items():
        if isinstance(msg, cls):
            return {"type": tag, tag: wire_fields(msg)}
    raise TypeError(f"not a message builder: {type(msg).__name__}")


def _unknown(data: Mapping[str, Any]) -> m.UnknownMessage:
    return m.UnknownMessage(
        type=data["type"], payload={k: v for k, v in data.items() if k != "type"}
    )


def _contact_in(data: Any, where: str) -> m.Contact:
    raw = expect_mapping(data, where)
    kwargs: dict[str, Any] = {
        key: [build(cls, x, f"{where}.{key}") for x in expect_list(raw[key], f"{where}.{key}")]
        for key, cls in _CONTACT_LISTS.items()
        if raw.get(key)  # an empty list means the default
    }
    if "org" in raw:
        kwargs["org"] = build(m.ContactOrg, raw["org"], f"{where}.org")
    if "birthday" in raw:
        kwargs["birthday"] = raw["birthday"]
    return m.Contact(
        name=build(m.ContactName, required(raw, "name", where), f"{where}.name"), **kwargs
    )


def _only(data: Mapping[str, Any], keys: Iterable[str]) -> Mapping[str, Any]:
    """``data`` when it holds no key but ``keys``; else the message is kept whole."""
    if not data.keys() <= set(keys):
        raise _KeepWhole
    return data


def _exact(cls: type[Any], data: Any, where: str) -> Any:
    """``build`` for a nested object that must be read without losing a key."""
    raw = expect_mapping(data, where)
    _only(raw, (f.name for f in attrs.fields(cls)))
    return build(cls, raw, where)


def _header_in(header: Mapping[str, Any]) -> m.Header:
    tag = header["type"]
    if tag == "text":
        _only(header, ("type", "text"))  # a sub_text, say, has no place in a TextHeader
        return m.TextHeader(required(header, "text", "interactive.header"))
    _only(header, ("type", tag))
    return _exact(_MEDIA_HEADERS[tag], header.get(tag), f"interactive.header.{tag}")  # type: ignore[no-any-return]


_ALL_HEADERS = ("text", *_MEDIA_HEADERS)
_INTERACTIVE_KEYS = ("type", "header", "body", "footer", "action")


def _interactive_in(data: Mapping[str, Any]) -> m.Message:
    inner = expect_mapping(data.get("interactive"), "interactive")
    spec = _INTERACTIVE_IN.get(inner.get("type"))
    header = expect_mapping(inner.get("header") or {}, "interactive.header")
    if spec is None or (header and header.get("type") not in spec.headers):
        return _unknown(data)  # a kind (or a header) this version cannot hold: keep it whole
    if "footer" in inner and not spec.footer:
        return _unknown(data)
    try:
        _only(inner, _INTERACTIVE_KEYS)
        common: dict[str, Any] = {}
        if "body" in inner or spec.body_required:
            body = required(expect_mapping(inner.get("body"), "body"), "text", "body")
            common["body"] = body
        if header:
            common["header"] = _header_in(header)
        if "footer" in inner:
            common["footer"] = required(expect_mapping(inner["footer"], "footer"), "text", "footer")
        return spec.decode(expect_mapping(inner.get("action", {}), "action"), common)
    except _KeepWhole:
        return _unknown(data)


def _buttons_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.ReplyButtons:
    at = "action.buttons"
    buttons = [
        build(
            m.ReplyButton,
            required(expect_mapping(b, f"{at}[{i}]"), "reply", f"{at}[{i}]"),
            f"{at}[{i}]",
        )
        for i, b in enumerate(expect_list(required(action, "buttons", "action"), at))
    ]
    return m.ReplyButtons(buttons=buttons, **common)


def _list_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.ListMessage:
    sections = []
    for i, raw in enumerate(expect_list(required(action, "sections", "action"), "action.sections")):
        at = f"action.sections[{i}]"
        section = expect_mapping(raw, at)
        rows = expect_list(required(section, "rows", at), f"{at}.rows")
        built = [build(m.ListRow, row, f"{at}.rows[{j}]") for j, row in enumerate(rows)]
        sections.append(m.ListSection(title=section.get("title"), rows=built))
    return m.ListMessage(button=required(action, "button", "action"), sections=sections, **common)


def _cta_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.CtaUrl:
    params = expect_mapping(action.get("parameters"), "action.parameters")
    text = required(params, "display_text", "action.parameters")
    return m.CtaUrl(display_text=text, url=required(params, "url", "action.parameters"), **common)


def _named(action: Mapping[str, Any], name: str, keys: Iterable[str]) -> Mapping[str, Any]:
    """The ``parameters`` of an action named ``name``, holding only ``keys``."""
    if action.get("name") != name:
        raise _KeepWhole
    _only(action, ("name", "parameters"))
    return _only(expect_mapping(action.get("parameters", {}), "action.parameters"), keys)


_FLOW_KEYS = (
    "flow_message_version", "flow_id", "flow_name", "flow_cta", "flow_token", "flow_action",
    "flow_action_payload", "mode",
)  # fmt: skip


def _flow_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.Flow:
    params = _named(action, "flow", _FLOW_KEYS)
    where = "action.parameters"
    payload = _only(
        expect_mapping(params.get("flow_action_payload", {}), f"{where}.flow_action_payload"),
        ("screen", "data"),
    )
    plain = ("flow_message_version", "flow_id", "flow_name", "flow_token", "flow_action")
    kwargs = {k: params[k] for k in plain if k in params}
    return m.Flow(
        flow_cta=required(params, "flow_cta", where),
        screen=payload.get("screen"),
        data=payload.get("data"),
        mode=params.get("mode"),
        **kwargs,
        **common,
    )


def _address_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.AddressMessage:
    keys = ("country", "values", "saved_addresses", "validation_errors")
    params = _named(action, "address_message", keys)
    saved = expect_list(params.get("saved_addresses", []), "action.parameters.saved_addresses")
    return m.AddressMessage(
        country=required(params, "country", "action.parameters"),
        values=params.get("values"),
        saved_addresses=saved,
        validation_errors=params.get("validation_errors"),
        **common,
    )


def _bare(name: str, cls: type[Any]) -> Callable[[Mapping[str, Any], dict[str, Any]], Any]:
    """An action that is only its name (send_location, call_permission_request)."""

    def decode(action: Mapping[str, Any], common: dict[str, Any]) -> Any:
        if dict(action) != {"name": name}:
            raise _KeepWhole
        return cls(**common)

    return decode


def _product_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.Product:
    _only(action, ("catalog_id", "product_retailer_id"))
    return m.Product(
        catalog_id=required(action, "catalog_id", "action"),
        product_retailer_id=required(action, "product_retailer_id", "action"),
        **common,
    )


def _product_list_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.ProductList:
    _only(action, ("catalog_id", "sections"))
    sections = []
    for i, raw in enumerate(expect_list(required(action, "sections", "action"), "action.sections")):
        at = f"action.sections[{i}]"
        section = _only(expect_mapping(raw, at), ("title", "product_items"))
        items = expect_list(required(section, "product_items", at), f"{at}.product_items")
        ids = [
            required(
                _only(expect_mapping(x, at), ("product_retailer_id",)), "product_retailer_id", at
            )
            for x in items
        ]
        sections.append(m.ProductSection(title=section.get("title"), product_retailer_ids=ids))
    if "header" not in common:
        raise _KeepWhole  # Meta requires the text header; without one there is no ProductList
    return m.ProductList(
        catalog_id=required(action, "catalog_id", "action"), sections=sections, **common
    )


def _catalog_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.CatalogMessage:
    params = _named(action, "catalog_message", ("thumbnail_product_retailer_id",))
    thumbnail = params.get("thumbnail_product_retailer_id")
    return m.CatalogMessage(thumbnail_product_retailer_id=thumbnail, **common)


def _amount_in(data: Any, where: str) -> m.Amount:
    return _exact(m.Amount, data, where)  # type: ignore[no-any-return]


def _item_in(data: Any, where: str) -> m.OrderItem:
    raw = dict(_only(expect_mapping(data, where), (f.name for f in attrs.fields(m.OrderItem))))
    for key in ("amount", "sale_amount"):
        if key in raw:
            raw[key] = _amount_in(raw[key], f"{where}.{key}")
    return build(m.OrderItem, raw, where)


def _order_in(data: Any, where: str) -> m.Order:
    raw = dict(_only(expect_mapping(data, where), (f.name for f in attrs.fields(m.Order))))
    items = expect_list(required(raw, "items", where), f"{where}.items")
    raw["items"] = [_item_in(x, f"{where}.items[{i}]") for i, x in enumerate(items)]
    for key in ("subtotal", "tax", "shipping", "discount"):
        if key in raw:
            raw[key] = _amount_in(raw[key], f"{where}.{key}")
    return build(m.Order, raw, where)


_ORDER_DETAILS_KEYS = (
    "reference_id", "type", "payment_type", "payment_configuration", "payment_settings",
    "currency", "total_amount", "order",
)  # fmt: skip


def _order_details_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.OrderDetails:
    if action.get("name") != "review_and_pay":
        raise _KeepWhole
    _only(action, ("name", "parameters"))
    where = "action.parameters"
    params = expect_mapping(action.get("parameters"), where)
    known = {k: params[k] for k in _ORDER_DETAILS_KEYS if k in params}
    settings = expect_list(known.pop("payment_settings", []), f"{where}.payment_settings")
    return m.OrderDetails(
        reference_id=required(params, "reference_id", where),
        type=required(params, "type", where),
        currency=required(params, "currency", where),
        total_amount=_amount_in(required(params, "total_amount", where), f"{where}.total_amount"),
        order=_order_in(required(params, "order", where), f"{where}.order"),
        payment_type=known.get("payment_type"),
        payment_configuration=known.get("payment_configuration"),
        payment_settings=settings,
        extra={k: v for k, v in params.items() if k not in _ORDER_DETAILS_KEYS},
        **common,
    )


def _order_status_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.OrderStatus:
    params = _named(action, "review_order", ("reference_id", "order"))
    where = "action.parameters"
    order = _only(expect_mapping(required(params, "order", where), f"{where}.order"),
                  ("status", "description"))  # fmt: skip
    return m.OrderStatus(
        reference_id=required(params, "reference_id", where),
        status=required(order, "status", f"{where}.order"),
        description=order.get("description"),
        **common,
    )


@attrs.frozen
class _Kind:
    """How one ``interactive.type`` reads: its decoder, the headers and footer it takes."""

    decode: Callable[[Mapping[str, Any], dict[str, Any]], m.Message]
    headers: tuple[str, ...] = _ALL_HEADERS
    footer: bool = True
    body_required: bool = True


_INTERACTIVE_IN: dict[Any, _Kind] = {
    "button": _Kind(_buttons_in),
    "list": _Kind(_list_in, headers=("text",)),
    "cta_url": _Kind(_cta_in),
    "location_request_message": _Kind(
        _bare("send_location", m.LocationRequest), headers=(), footer=False
    ),
    "flow": _Kind(_flow_in),
    "address_message": _Kind(_address_in),
    "call_permission_request": _Kind(
        _bare("call_permission_request", m.CallPermissionRequest), headers=(), footer=False
    ),
    "product": _Kind(_product_in, headers=(), body_required=False),
    "product_list": _Kind(_product_list_in, headers=("text",)),
    "catalog_message": _Kind(_catalog_in, headers=()),
    "order_details": _Kind(_order_details_in),
    "order_status": _Kind(_order_status_in, headers=()),
}

#: The kinds a message object can be without its ``type``: the one key naming its content.
_CONTENT_KEYS = frozenset({*_NESTED_MESSAGES, "contacts", "interactive"})


def _kind_of(msg: Mapping[str, Any]) -> Any:
    """The message's ``type``; when it is missing (some of Meta's own examples leave it out),
    the one content key present (``text``, ``interactive``, ...) says it."""
    if "type" in msg:
        return msg["type"]
    present = [key for key in msg if key in _CONTENT_KEYS]
    return present[0] if len(present) == 1 else None


def _message_in(data: Any) -> m.Message:
    msg = expect_mapping(data, "message")
    kind = _kind_of(msg)
    if not isinstance(kind, str):
        raise invalid("message.type", "expected the message kind as a string")
    if "type" not in msg:
        msg = {**msg, "type": kind}
    if kind in _NESTED_MESSAGES:
        return build(_NESTED_MESSAGES[kind], required(msg, kind, "message"), kind)  # type: ignore[no-any-return]
    if kind == "contacts":
        items = expect_list(msg.get("contacts"), "contacts")
        return m.Contacts([_contact_in(x, f"contacts[{i}]") for i, x in enumerate(items)])
    if kind == "interactive":
        return _interactive_in(msg)
    return _unknown(msg)


# --- registration -------------------------------------------------------------------------


def register_message_hooks(converter: cattrs.BaseConverter) -> None:
    """Teach ``converter`` Meta's shapes for messages, headers, parameters and components."""
    kinds: list[type[Any]] = [*_KINDS, m.Contacts, *_INTERACTIVE_OUT]
    for cls in (*kinds, m.UnknownMessage):
        converter.register_unstructure_hook(cls, _message_out)
        converter.register_structure_hook(cls, expecting(cls, _message_in))
    for header in (m.TextHeader, *_MEDIA_HEADERS.values()):
        converter.register_unstructure_hook(header, _header_out)
    converter.register_unstructure_hook(m.Message, _message_out)
    converter.register_structure_hook(m.Message, lambda data, _: _message_in(data))
    register_component_hooks(converter)
