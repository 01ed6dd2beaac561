"""What the message and component codecs share: flat builders to and from Meta's objects.

Fields left at their default are not sent; coordinates go out as decimal strings; keys a builder
does not know are ignored on the way in. Failures raise ``TypeError`` with the field's path,
which cattrs' error transform keeps as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from attrs import AttrsInstance

from engagive_async.models import components as c

__all__ = [
    "Wire",
    "build",
    "expect_list",
    "expect_mapping",
    "expecting",
    "invalid",
    "required",
    "wire_fields",
    "wire_keys",
]

T = TypeVar("T", bound=AttrsInstance)
Wire = dict[str, Any]

_RENAMES: dict[type[Any], dict[str, str]] = {c.TextParam: {"name": "parameter_name"}}
_COORDINATES = frozenset({"latitude", "longitude"})


def wire_fields(obj: Any) -> Wire:
    """The fields of a flat builder that differ from their default, under their wire names."""
    rename = _RENAMES.get(type(obj), {})
    out: Wire = {}
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


def wire_keys(cls: type[Any]) -> frozenset[str]:
    """The keys a flat builder reads: its fields under their wire names."""
    rename = _RENAMES.get(cls, {})
    return frozenset(rename.get(f.name, f.name) for f in attrs.fields(cls))


def invalid(where: str, reason: str) -> TypeError:
    """The error for a wire object that does not fit: raise it.

    A TypeError, because cattrs' ``transform_error`` keeps its text ("invalid type (...)").
    """
    return TypeError(f"{where}: {reason}")


def expect_mapping(data: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise invalid(where, f"expected an object, got {type(data).__name__}")
    return data


def expect_list(data: Any, where: str) -> list[Any]:
    if not isinstance(data, list | tuple):
        raise invalid(where, f"expected a list, got {type(data).__name__}")
    return list(data)


def required(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise invalid(f"{where}.{key}", "required field missing")
    return data[key]


def build(cls: type[T], data: Any, where: str) -> T:
    """``cls`` from a flat wire object; keys it does not know are ignored (lenient in)."""
    wire_names = {v: k for k, v in _RENAMES.get(cls, {}).items()}
    known = {f.name for f in attrs.fields(cls)}
    kwargs = {wire_names.get(k, k): v for k, v in expect_mapping(data, where).items()}
    kwargs = {k: v for k, v in kwargs.items() if k in known}
    try:
        for name in _COORDINATES & kwargs.keys():
            kwargs[name] = float(kwargs[name])
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise invalid(where, str(exc)) from exc


def expecting(cls: type[Any], decode: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def structure(data: Any, _: Any) -> Any:
        obj = decode(data)
        if not isinstance(obj, cls):
            raise invalid("$", f"expected {cls.__name__}, got {type(obj).__name__}")
        return obj

    return structure
