"""Meta's wire shapes for the send-single builders, as cattrs hooks.

A message is Meta's ``{"type": T, T: {...}}`` (``contacts`` carries a list, ``interactive``
nests a second tag, ``interactive.type``). Decoding is a tagged union on those tags with
:class:`UnknownMessage` as the fallback, so a kind this version does not know never fails.
Template components have their own codec (``_component_codec``), registered from here.

The codec is plain functions that do not import the converter (the converter imports this
module to register them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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


def _header_out(header: m.Header) -> Wire:
    if isinstance(header, m.TextHeader):
        return {"type": "text", "text": header.text}
    tag = next(tag for tag, cls in _MEDIA_HEADERS.items() if isinstance(header, cls))
    return {"type": tag, tag: wire_fields(header)}


def _interactive(kind: str, msg: Any, action: Wire) -> Wire:
    inner: Wire = {"type": kind}
    if getattr(msg, "header", None) is not None:
        inner["header"] = _header_out(msg.header)
    inner["body"] = {"text": msg.body}
    if getattr(msg, "footer", None) is not None:
        inner["footer"] = {"text": msg.footer}
    inner["action"] = action
    return {"type": "interactive", "interactive": inner}


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


def _message_out(msg: Any) -> Wire:
    if isinstance(msg, m.ReplyButtons):
        buttons = [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in msg.buttons]
        return _interactive("button", msg, {"buttons": buttons})
    if isinstance(msg, m.ListMessage):
        sections = [_section_out(section) for section in msg.sections]
        return _interactive("list", msg, {"button": msg.button, "sections": sections})
    if isinstance(msg, m.CtaUrl):
        params = {"display_text": msg.display_text, "url": msg.url}
        return _interactive("cta_url", msg, {"name": "cta_url", "parameters": params})
    if isinstance(msg, m.LocationRequest):
        return _interactive("location_request_message", msg, {"name": "send_location"})
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


def _header_in(header: Mapping[str, Any]) -> m.Header:
    tag = header["type"]
    if tag == "text":
        return m.TextHeader(required(header, "text", "interactive.header"))
    return build(_MEDIA_HEADERS[tag], header.get(tag), f"interactive.header.{tag}")  # type: ignore[no-any-return]


def _interactive_in(data: Mapping[str, Any]) -> m.Message:
    inner = expect_mapping(data.get("interactive"), "interactive")
    kind = inner.get("type")
    header = expect_mapping(inner.get("header") or {}, "interactive.header")
    headers = ("text",) if kind == "list" else ("text", *_MEDIA_HEADERS)
    if kind not in _INTERACTIVE or (header and header.get("type") not in headers):
        return _unknown(data)  # a kind (or a header) this version cannot hold: keep it whole
    common: dict[str, Any] = {
        "body": required(expect_mapping(inner.get("body"), "body"), "text", "body")
    }
    if header:
        common["header"] = _header_in(header)
    if "footer" in inner:
        common["footer"] = required(expect_mapping(inner["footer"], "footer"), "text", "footer")
    return _INTERACTIVE[kind](expect_mapping(inner.get("action", {}), "action"), common)


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


_INTERACTIVE: dict[Any, Callable[[Mapping[str, Any], dict[str, Any]], m.Message]] = {
    "button": _buttons_in,
    "list": _list_in,
    "cta_url": _cta_in,
    "location_request_message": lambda _, common: m.LocationRequest(body=common["body"]),
}


def _message_in(data: Any) -> m.Message:
    msg = expect_mapping(data, "message")
    kind = msg.get("type")
    if not isinstance(kind, str):
        raise invalid("message.type", "expected the message kind as a string")
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
    kinds: list[type[Any]] = [*_KINDS, m.Contacts, m.ReplyButtons, m.ListMessage, m.CtaUrl]
    for cls in (*kinds, m.LocationRequest, m.UnknownMessage):
        converter.register_unstructure_hook(cls, _message_out)
        converter.register_structure_hook(cls, expecting(cls, _message_in))
    for header in (m.TextHeader, *_MEDIA_HEADERS.values()):
        converter.register_unstructure_hook(header, _header_out)
    converter.register_unstructure_hook(m.Message, _message_out)
    converter.register_structure_hook(m.Message, lambda data, _: _message_in(data))
    register_component_hooks(converter)
