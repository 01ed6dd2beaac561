"""The one cattrs converter: lenient on input, omit-if-default on output.

Response models are decoded leniently: fields this version does not know never fail decoding;
they land in the model's ``extra`` mapping so they stay reachable. Request bodies are encoded
with fields left at their default omitted, so the wire carries only what the caller set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter

from engagive_async._wire._message_codec import register_message_hooks
from engagive_async.models.meta import MetaError, MetaResponse

__all__ = ["DecodeFailure", "converter", "parse_meta_error", "parse_meta_response", "structure"]

T = TypeVar("T")

converter = make_converter(forbid_extra_keys=False)


class DecodeFailure(ValueError):
    """A payload that does not fit its model; ``messages`` are cattrs' readable reasons."""

    def __init__(self, model: type[Any], messages: list[str]) -> None:
        self.messages = messages
        super().__init__(
            f"cannot decode {getattr(model, '__name__', repr(model))}: " + "; ".join(messages)
        )


def _has_extra(cls: type[Any]) -> bool:
    return attrs.has(cls) and any(a.name == "extra" for a in attrs.fields(cls))


def _lenient_structure_hook(cls: type[Any]) -> Callable[[Any, type[Any]], Any]:
    base = make_dict_structure_fn(cls, converter, extra=override(omit=True))
    known = frozenset(a.alias or a.name for a in attrs.fields(cls) if a.name != "extra")

    def structure_keeping_unknown(data: Any, _: type[Any]) -> Any:
        if not isinstance(data, Mapping):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        obj = base(data, cls)
        unknown = {k: v for k, v in data.items() if k not in known}
        # Rare (a newer server); evolve keeps the model frozen and costs only on that path.
        return attrs.evolve(obj, extra=unknown) if unknown else obj

    return structure_keeping_unknown


converter.register_structure_hook_factory(_has_extra, _lenient_structure_hook)
converter.register_unstructure_hook_factory(
    attrs.has,
    lambda cls: make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True),
)
register_message_hooks(converter)


def structure(data: Any, cls: type[T]) -> T:
    """Decode ``data`` into ``cls``.

    Raises:
        DecodeFailure: naming every field that did not fit.
    """
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # cattrs raises several kinds; all mean "does not fit"
        raise DecodeFailure(cls, cattrs.transform_error(exc)) from exc


def _optional_int(value: Any) -> int | None:
    # Meta's codes are ints, but clients in the wild still see them as strings.
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_meta_error(meta_response: Mapping[str, Any] | None) -> MetaError | None:
    """Meta's error from a ``metaResponse``: ``{"error": {...}}`` or the flat webhook form."""
    if not isinstance(meta_response, Mapping):
        return None
    raw = meta_response.get("error")
    if not isinstance(raw, Mapping):
        raw = meta_response if "code" in meta_response else None
    if raw is None:
        return None
    error_data = raw.get("error_data")
    details = error_data.get("details") if isinstance(error_data, Mapping) else None
    known = {
        "code",
        "message",
        "title",
        "type",
        "error_subcode",
        "fbtrace_id",
        "error_data",
        "error_user_title",
        "error_user_msg",
        "is_transient",
    }
    message = raw.get("message", raw.get("title"))
    return MetaError(
        code=_optional_int(raw.get("code")),
        message=str(message) if message is not None else None,
        type=raw.get("type"),
        error_subcode=_optional_int(raw.get("error_subcode")),
        fbtrace_id=raw.get("fbtrace_id"),
        details=str(details) if details is not None else None,
        error_user_title=raw.get("error_user_title"),
        error_user_msg=raw.get("error_user_msg"),
        is_transient=raw.get("is_transient"),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def parse_meta_response(meta_response: Mapping[str, Any]) -> MetaResponse:
    """Meta's send answer as a typed :class:`MetaResponse` (its error parsed as above).

    Raises:
        DecodeFailure: when ``contacts`` or ``messages`` are not of Meta's shape.
    """
    body = {k: v for k, v in meta_response.items() if k != "error"}
    parsed = structure(body, MetaResponse)
    error = parse_meta_error(meta_response) if "error" in meta_response else None
    return attrs.evolve(parsed, error=error) if error is not None else parsed
