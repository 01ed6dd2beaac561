"""Meta's wire shapes for message builders and template components, as cattrs hooks.

A message is Meta's ``{"type": T, T: {...}}`` (``contacts`` carries a list, ``interactive``
nests a second tag, ``interactive.type``). Decoding is a tagged union on those tags with
:class:`UnknownMessage` as the fallback, so a kind this version does not know never fails.
Fields left at their default are not sent. Template components come out in Meta's lowercase
(``"body"``) with a button's ``index`` as a string; either case is read back.

The codec is plain functions that do not import the converter (the converter imports this
module to register them), so :func:`components_to_wire` needs no converter either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

import attrs
import cattrs
from attrs import AttrsInstance

from engagive_async._errors import ValidationError
from engagive_async.models import components as c
from engagive_async.models import messages as m

__all__ = ["components_to_wire", "register_message_hooks"]

T = TypeVar("T", bound=AttrsInstance)
_Wire = dict[str, Any]

_KINDS = (m.Text, m.Image, m.Video, m.Audio, m.Document, m.Sticker, m.Location)
_NESTED_MESSAGES: dict[str, type[Any]] = {cls.__name__.lower(): cls for cls in _KINDS}
_MEDIA_HEADERS: dict[str, type[Any]] = {
    "image": m.ImageHeader, "video": m.VideoHeader, "document": m.DocumentHeader
}  # fmt: skip
# Parameters whose value sits beside "type" ({"type": "payload", "payload": ...}) ...
_FLAT_PARAMS: dict[str, type[Any]] = {
    "text": c.TextParam, "payload": c.PayloadParam, "coupon_code": c.CouponCodeParam,
    "action": c.ActionParam,
}  # fmt: skip
# ... and those nested under their tag ({"type": "image", "image": {...}}).
_NESTED_PARAMS: dict[str, type[Any]] = {
    "currency": c.CurrencyParam, "date_time": c.DateTimeParam, "image": c.ImageParam,
    "video": c.VideoParam, "document": c.DocumentParam, "location": c.LocationParam,
}  # fmt: skip
_CONTACT_LISTS: dict[str, type[Any]] = {
    "phones": m.ContactPhone, "emails": m.ContactEmail, "urls": m.ContactUrl,
    "addresses": m.ContactAddress,
}  # fmt: skip
_RENAMES: dict[type[Any], dict[str, str]] = {c.TextParam: {"name": "parameter_name"}}
_COORDINATES = frozenset({"latitude", "longitude"})


# --- generic field handling ---------------------------------------------------------------


def _fields(obj: Any) -> _Wire:
    """The fields of a flat builder that differ from their default, under their wire names."""
    rename = _RENAMES.get(type(obj), {})
    out: _Wire = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if field.default is not attrs.NOTHING and value == field.default:
            continue
        if field.name in _COORDINATES:
            # Meta's location pages and OpenAPI type coordinates as strings: the float's shortest
            # digits, never an exponent ("1e-05" is not a coordinate a parser expects).
            value = value if isinstance(value, str) else format(Decimal(repr(float(value))), "f")
        out[rename.get(field.name, field.name)] = (
            dict(value) if isinstance(value, Mapping) else value
        )
    return out


def _bad(where: str, reason: str) -> NoReturn:
    # TypeError: cattrs' transform_error keeps its text ("invalid type (...)").
    raise TypeError(f"{where}: {reason}")


def _mapping(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        _bad(where, f"expected an object, got {type(data).__name__}")
    return data


def _list(data: Any, where: str) -> list[Any]:
    if not isinstance(data, list | tuple):
        _bad(where, f"expected a list, got {type(data).__name__}")
    return list(data)


def _get(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        _bad(f"{where}.{key}", "required field missing")
    return data[key]


def _build(cls: type[T], data: Any, where: str) -> T:
    """``cls`` from a flat wire object; keys it does not know are ignored (lenient in)."""
    wire_names = {v: k for k, v in _RENAMES.get(cls, {}).items()}
    known = {f.name for f in attrs.fields(cls)}
    kwargs = {wire_names.get(k, k): v for k, v in _mapping(data, where).items()}
    kwargs = {k: v for k, v in kwargs.items() if k in known}
    try:
        for name in _COORDINATES & kwargs.keys():
            kwargs[name] = float(kwargs[name])
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        _bad(where, str(exc))


# --- messages -----------------------------------------------------------------------------


def _header_out(header: m.Header) -> _Wire:
    if isinstance(header, m.TextHeader):
        return {"type": "text", "text": header.text}
    tag = next(tag for tag, cls in _MEDIA_HEADERS.items() if isinstance(header, cls))
    return {"type": tag, tag: _fields(header)}


def _interactive(kind: str, msg: Any, action: _Wire) -> _Wire:
    inner: _Wire = {"type": kind}
    if getattr(msg, "header", None) is not None:
        inner["header"] = _header_out(msg.header)
    inner["body"] = {"text": msg.body}
    if getattr(msg, "footer", None) is not None:
        inner["footer"] = {"text": msg.footer}
    inner["action"] = action
    return {"type": "interactive", "interactive": inner}


def _contact_out(contact: m.Contact) -> _Wire:
    out: _Wire = {"name": _fields(contact.name)}
    for key in _CONTACT_LISTS:
        if items := getattr(contact, key):
            out[key] = [_fields(item) for item in items]
    if contact.org is not None:
        out["org"] = _fields(contact.org)
    if contact.birthday is not None:
        out["birthday"] = contact.birthday
    return out


def _section_out(section: m.ListSection) -> _Wire:
    out: _Wire = {} if section.title is None else {"title": section.title}
    out["rows"] = [_fields(row) for row in section.rows]
    return out


def _message_out(msg: Any) -> _Wire:
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
            return {"type": tag, tag: _fields(msg)}
    raise TypeError(f"not a message builder: {type(msg).__name__}")


def _unknown(data: Mapping[str, Any]) -> m.UnknownMessage:
    return m.UnknownMessage(
        type=data["type"], payload={k: v for k, v in data.items() if k != "type"}
    )


def _contact_in(data: Any, where: str) -> m.Contact:
    raw = _mapping(data, where)
    kwargs: dict[str, Any] = {
        key: [_build(cls, x, f"{where}.{key}") for x in _list(raw[key], f"{where}.{key}")]
        for key, cls in _CONTACT_LISTS.items()
        if raw.get(key)  # an empty list means the default
    }
    if "org" in raw:
        kwargs["org"] = _build(m.ContactOrg, raw["org"], f"{where}.org")
    if "birthday" in raw:
        kwargs["birthday"] = raw["birthday"]
    return m.Contact(
        name=_build(m.ContactName, _get(raw, "name", where), f"{where}.name"), **kwargs
    )


def _header_in(header: Mapping[str, Any]) -> m.Header:
    tag = header["type"]
    if tag == "text":
        return m.TextHeader(_get(header, "text", "interactive.header"))
    return _build(_MEDIA_HEADERS[tag], header.get(tag), f"interactive.header.{tag}")  # type: ignore[no-any-return]


def _interactive_in(data: Mapping[str, Any]) -> m.Message:
    inner = _mapping(data.get("interactive"), "interactive")
    kind = inner.get("type")
    header = _mapping(inner.get("header") or {}, "interactive.header")
    headers = ("text",) if kind == "list" else ("text", *_MEDIA_HEADERS)
    if kind not in _INTERACTIVE or (header and header.get("type") not in headers):
        return _unknown(data)  # a kind (or a header) this version cannot hold: keep it whole
    common: dict[str, Any] = {"body": _get(_mapping(inner.get("body"), "body"), "text", "body")}
    if header:
        common["header"] = _header_in(header)
    if "footer" in inner:
        common["footer"] = _get(_mapping(inner["footer"], "footer"), "text", "footer")
    return _INTERACTIVE[kind](_mapping(inner.get("action", {}), "action"), common)


def _buttons_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.ReplyButtons:
    at = "action.buttons"
    buttons = [
        _build(m.ReplyButton, _get(_mapping(b, f"{at}[{i}]"), "reply", f"{at}[{i}]"), f"{at}[{i}]")
        for i, b in enumerate(_list(_get(action, "buttons", "action"), at))
    ]
    return m.ReplyButtons(buttons=buttons, **common)


def _list_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.ListMessage:
    sections = []
    for i, raw in enumerate(_list(_get(action, "sections", "action"), "action.sections")):
        at = f"action.sections[{i}]"
        section = _mapping(raw, at)
        rows = _list(_get(section, "rows", at), f"{at}.rows")
        built = [_build(m.ListRow, row, f"{at}.rows[{j}]") for j, row in enumerate(rows)]
        sections.append(m.ListSection(title=section.get("title"), rows=built))
    return m.ListMessage(button=_get(action, "button", "action"), sections=sections, **common)


def _cta_in(action: Mapping[str, Any], common: dict[str, Any]) -> m.CtaUrl:
    params = _mapping(action.get("parameters"), "action.parameters")
    text = _get(params, "display_text", "action.parameters")
    return m.CtaUrl(display_text=text, url=_get(params, "url", "action.parameters"), **common)


_INTERACTIVE: dict[Any, Callable[[Mapping[str, Any], dict[str, Any]], m.Message]] = {
    "button": _buttons_in,
    "list": _list_in,
    "cta_url": _cta_in,
    "location_request_message": lambda _, common: m.LocationRequest(body=common["body"]),
}


def _message_in(data: Any) -> m.Message:
    msg = _mapping(data, "message")
    kind = msg.get("type")
    if not isinstance(kind, str):
        _bad("message.type", "expected the message kind as a string")
    if kind in _NESTED_MESSAGES:
        return _build(_NESTED_MESSAGES[kind], _get(msg, kind, "message"), kind)  # type: ignore[no-any-return]
    if kind == "contacts":
        items = _list(msg.get("contacts"), "contacts")
        return m.Contacts([_contact_in(x, f"contacts[{i}]") for i, x in enumerate(items)])
    if kind == "interactive":
        return _interactive_in(msg)
    return _unknown(msg)


# --- template components ------------------------------------------------------------------


def _param_out(param: Any, where: str = "parameter") -> _Wire:
    if isinstance(param, Mapping):
        return dict(param)  # a raw Meta parameter, sent as given
    for tag, cls in _FLAT_PARAMS.items():
        if type(param) is cls:
            return {"type": tag, **_fields(param)}
    for tag, cls in _NESTED_PARAMS.items():
        if type(param) is cls:
            return {"type": tag, tag: _fields(param)}
    raise ValidationError(where, f"expected a template parameter, got {type(param).__name__}")


def _component_out(component: Any, where: str = "component") -> _Wire:
    out: _Wire
    if isinstance(component, c.ButtonComponent):
        # Meta's examples send the index as a string; integers are not confirmed everywhere.
        out = {"type": "button", "sub_type": component.sub_type, "index": str(component.index)}
    elif isinstance(component, c.HeaderComponent | c.BodyComponent):
        out = {"type": "header" if isinstance(component, c.HeaderComponent) else "body"}
    else:
        raise ValidationError(where, f"expected a component or a dict, got {type(component)}")
    if component.parameters:
        params = enumerate(component.parameters)
        out["parameters"] = [_param_out(p, f"{where}.parameters[{i}]") for i, p in params]
    return out


def components_to_wire(components: Iterable[c.Component | Mapping[str, Any]]) -> list[_Wire]:
    """Meta's component dicts: typed components encoded, dicts passed through unchanged.

    Raises:
        ValidationError: an item is neither a component nor a mapping (``components[i]``).
    """
    if isinstance(components, str | bytes | Mapping):
        raise ValidationError("components", "expected a list of components")
    return [
        (item if isinstance(item, dict) else dict(item))
        if isinstance(item, Mapping)
        else _component_out(item, f"components[{i}]")
        for i, item in enumerate(components)
    ]


def _param_in(data: Any, where: str = "parameter") -> c.Parameter:
    raw = _mapping(data, where)
    tag = raw.get("type")
    if tag in _FLAT_PARAMS:
        return _build(_FLAT_PARAMS[tag], raw, where)  # type: ignore[no-any-return]
    if tag in _NESTED_PARAMS:
        return _build(_NESTED_PARAMS[tag], _get(raw, tag, where), f"{where}.{tag}")  # type: ignore[no-any-return]
    _bad(f"{where}.type", f"unknown parameter type {tag!r}")


def _component_in(data: Any, where: str = "component") -> c.Component:
    raw = _mapping(data, where)
    kind = str(raw.get("type", "")).lower()  # Engagive's docs write "BODY", Meta "body"
    at = f"{where}.parameters"
    params = [
        _param_in(p, f"{at}[{i}]") for i, p in enumerate(_list(raw.get("parameters", []), at))
    ]
    if kind == "header":
        return c.HeaderComponent(parameters=params or ())
    if kind == "body":
        return c.BodyComponent(parameters=params or ())
    if kind != "button":
        _bad(f"{where}.type", f"unknown component type {raw.get('type')!r}")
    try:
        index = int(_get(raw, "index", where))
    except ValueError:
        _bad(f"{where}.index", "expected a whole number")
    sub_type = _get(raw, "sub_type", where)
    return c.ButtonComponent(sub_type=sub_type, index=index, parameters=params or ())


# --- registration -------------------------------------------------------------------------


def _expecting(cls: type[Any], decode: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def structure(data: Any, _: Any) -> Any:
        obj = decode(data)
        if not isinstance(obj, cls):
            _bad("$", f"expected {cls.__name__}, got {type(obj).__name__}")
        return obj

    return structure


def register_message_hooks(converter: cattrs.BaseConverter) -> None:
    """Teach ``converter`` Meta's shapes for messages, headers, parameters and components."""
    kinds: list[type[Any]] = [*_KINDS, m.Contacts, m.ReplyButtons, m.ListMessage, m.CtaUrl]
    for cls in (*kinds, m.LocationRequest, m.UnknownMessage):
        converter.register_unstructure_hook(cls, _message_out)
        converter.register_structure_hook(cls, _expecting(cls, _message_in))
    for header in (m.TextHeader, *_MEDIA_HEADERS.values()):
        converter.register_unstructure_hook(header, _header_out)
    for cls in (*_FLAT_PARAMS.values(), *_NESTED_PARAMS.values()):
        converter.register_unstructure_hook(cls, _param_out)
        converter.register_structure_hook(cls, _expecting(cls, _param_in))
    for cls in (c.HeaderComponent, c.BodyComponent, c.ButtonComponent):
        converter.register_unstructure_hook(cls, _component_out)
        converter.register_structure_hook(cls, _expecting(cls, _component_in))
    converter.register_unstructure_hook(m.Message, _message_out)
    converter.register_structure_hook(m.Message, lambda data, _: _message_in(data))
    converter.register_structure_hook(c.Parameter, lambda data, _: _param_in(data))
    converter.register_structure_hook(c.Component, lambda data, _: _component_in(data))
