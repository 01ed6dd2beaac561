"""Meta's wire shapes for template parameters and components, as cattrs hooks.

Components come out in Meta's lowercase (``"body"``) with a button's ``index`` as a string;
either case is read back. Meta's own component dicts pass through :func:`components_to_wire`
unchanged, so users can mix typed components with raw ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import cattrs

from engagive_async._errors import ValidationError
from engagive_async._wire._codec_support import (
    Wire,
    build,
    expect_list,
    expect_mapping,
    expecting,
    invalid,
    required,
    wire_fields,
    wire_keys,
)
from engagive_async.models import components as c

__all__ = ["components_to_wire", "register_component_hooks"]

# Parameters whose value sits beside "type" ({"type": "payload", "payload": ...}) ...
_FLAT_PARAMS: dict[str, type[Any]] = {
    "text": c.TextParam, "payload": c.PayloadParam, "coupon_code": c.CouponCodeParam,
    "action": c.ActionParam,
}  # fmt: skip
# ... and those nested under their tag ({"type": "image", "image": {...}}).
_NESTED_PARAMS: dict[str, type[Any]] = {
    "currency": c.CurrencyParam, "date_time": c.DateTimeParam, "image": c.ImageParam,
    "video": c.VideoParam, "document": c.DocumentParam, "location": c.LocationParam,
    "limited_time_offer": c.LimitedTimeOfferParam, "product": c.ProductParam,
}  # fmt: skip


def _param_out(param: Any, where: str = "parameter") -> Wire:
    if isinstance(param, Mapping):
        return dict(param)  # a raw Meta parameter, sent as given
    if isinstance(param, c.UnknownParam):
        return {**param.payload, "type": param.type}
    for tag, cls in _FLAT_PARAMS.items():
        if type(param) is cls:
            return {"type": tag, **wire_fields(param)}
    for tag, cls in _NESTED_PARAMS.items():
        if type(param) is cls:
            return {"type": tag, tag: wire_fields(param)}
    raise ValidationError(where, f"expected a template parameter, got {type(param).__name__}")


def _parameters_out(params: Any, where: str) -> list[Wire]:
    return [_param_out(p, f"{where}.parameters[{i}]") for i, p in enumerate(params)]


def _component_out(component: Any, where: str = "component") -> Wire:
    out: Wire
    if isinstance(component, Mapping):
        return dict(component)  # a raw Meta component (a carousel card's), sent as given
    if isinstance(component, c.OtpButton):
        # Copy-code, one-tap and zero-tap buttons all carry the code as the url parameter.
        index = str(component.index)
        params = [{"type": "text", "text": component.code}]
        return {"type": "button", "sub_type": "url", "index": index, "parameters": params}
    if isinstance(component, c.CarouselComponent):
        cards = []
        for i, card in enumerate(component.cards):
            at = f"{where}.cards[{i}]"
            if not isinstance(card, c.CarouselCard):
                raise ValidationError(at, f"expected a CarouselCard, got {type(card).__name__}")
            inner = enumerate(card.components)
            comps = [_component_out(x, f"{at}.components[{j}]") for j, x in inner]
            cards.append({"card_index": card.card_index, "components": comps})
        return {"type": "carousel", "cards": cards}
    if isinstance(component, c.UnknownComponent):
        return {**component.payload, "type": component.type}
    if isinstance(component, c.LimitedTimeOfferComponent):
        out = {"type": "limited_time_offer"}
    elif isinstance(component, c.ButtonComponent):
        # Meta's examples send the index as a string; integers are not confirmed everywhere.
        out = {"type": "button", "sub_type": component.sub_type, "index": str(component.index)}
    elif isinstance(component, c.HeaderComponent | c.BodyComponent):
        out = {"type": "header" if isinstance(component, c.HeaderComponent) else "body"}
    else:
        raise ValidationError(where, f"expected a component or a dict, got {type(component)}")
    if component.parameters:
        out["parameters"] = _parameters_out(component.parameters, where)
    return out


def components_to_wire(components: Iterable[c.Component | Mapping[str, Any]]) -> list[Wire]:
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


def _holds(cls: type[Any], data: Mapping[str, Any], *extra: str) -> bool:
    """Whether ``cls`` can hold every key of ``data`` (beside ``extra``), so none is dropped."""
    return data.keys() <= wire_keys(cls) | set(extra)


def _param_in(data: Any, where: str = "parameter") -> c.Parameter:
    raw = expect_mapping(data, where)
    tag = raw.get("type")
    if not isinstance(tag, str):
        raise invalid(f"{where}.type", "expected the parameter type as a string")
    if tag in _FLAT_PARAMS and _holds(_FLAT_PARAMS[tag], raw, "type"):
        return build(_FLAT_PARAMS[tag], raw, where)  # type: ignore[no-any-return]
    if tag in _NESTED_PARAMS and raw.keys() <= {"type", tag}:
        nested = expect_mapping(required(raw, tag, where), f"{where}.{tag}")
        if _holds(_NESTED_PARAMS[tag], nested):
            return build(_NESTED_PARAMS[tag], nested, f"{where}.{tag}")  # type: ignore[no-any-return]
    # A kind this version does not model, or a known one with keys its builder has no field
    # for (a newer Meta field): kept whole, never dropped.
    return c.UnknownParam(type=tag, payload={k: v for k, v in raw.items() if k != "type"})


def _card_in(data: Any, where: str) -> c.CarouselCard | None:
    """A card, or ``None`` when it holds keys a CarouselCard cannot."""
    raw = expect_mapping(data, where)
    if not raw.keys() <= {"card_index", "components"}:
        return None
    try:
        index = int(required(raw, "card_index", where))
    except ValueError as exc:
        raise invalid(f"{where}.card_index", "expected a whole number") from exc
    at = f"{where}.components"
    items = expect_list(required(raw, "components", where), at)
    return c.CarouselCard(
        card_index=index, components=[_component_in(x, f"{at}[{i}]") for i, x in enumerate(items)]
    )


#: The keys each known component kind holds; a component with others is kept whole.
_COMPONENT_KEYS = {
    "header": {"type", "parameters"},
    "body": {"type", "parameters"},
    "limited_time_offer": {"type", "parameters"},
    "button": {"type", "sub_type", "index", "parameters"},
    "carousel": {"type", "cards"},
}


def _component_in(data: Any, where: str = "component") -> c.Component:
    raw = expect_mapping(data, where)
    if not isinstance(raw.get("type"), str):
        raise invalid(f"{where}.type", "expected the component type as a string")
    kind = raw["type"].lower()  # Engagive's docs write "BODY", Meta "body"
    whole = c.UnknownComponent(
        type=raw["type"], payload={k: v for k, v in raw.items() if k != "type"}
    )
    if kind not in _COMPONENT_KEYS or not raw.keys() <= _COMPONENT_KEYS[kind]:
        # A kind this version does not model (a footer, ...), or a known one with a key its
        # builder has no field for: kept whole, never dropped.
        return whole
    if kind == "carousel":
        at = f"{where}.cards"
        cards = expect_list(required(raw, "cards", where), at)
        read = [_card_in(x, f"{at}[{i}]") for i, x in enumerate(cards)]
        return whole if None in read else c.CarouselComponent(cards=read)  # type: ignore[arg-type]
    at = f"{where}.parameters"
    params = [
        _param_in(p, f"{at}[{i}]") for i, p in enumerate(expect_list(raw.get("parameters", []), at))
    ]
    if kind == "header":
        return c.HeaderComponent(parameters=params or ())
    if kind == "body":
        return c.BodyComponent(parameters=params or ())
    if kind == "limited_time_offer":
        return c.LimitedTimeOfferComponent(parameters=params or ())
    try:
        index = int(required(raw, "index", where))
    except ValueError as exc:
        raise invalid(f"{where}.index", "expected a whole number") from exc
    sub_type = required(raw, "sub_type", where)
    return c.ButtonComponent(sub_type=sub_type, index=index, parameters=params or ())


def register_component_hooks(converter: cattrs.BaseConverter) -> None:
    """Teach ``converter`` Meta's shapes for template parameters and components."""
    for cls in (*_FLAT_PARAMS.values(), *_NESTED_PARAMS.values(), c.UnknownParam):
        converter.register_unstructure_hook(cls, _param_out)
        converter.register_structure_hook(cls, expecting(cls, _param_in))
    # An OtpButton reads back as the url ButtonComponent it is on the wire: encode only.
    converter.register_unstructure_hook(c.OtpButton, _component_out)
    components = (c.HeaderComponent, c.BodyComponent, c.ButtonComponent)
    more = (c.LimitedTimeOfferComponent, c.CarouselComponent, c.UnknownComponent)
    for cls in (*components, *more):
        converter.register_unstructure_hook(cls, _component_out)
        converter.register_structure_hook(cls, expecting(cls, _component_in))
    converter.register_structure_hook(c.Parameter, lambda data, _: _param_in(data))
    converter.register_structure_hook(c.Component, lambda data, _: _component_in(data))
