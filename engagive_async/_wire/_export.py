"""Models as JSON-ready dicts for logs and job results (``to_dict()``), from the one converter.

The export converter is a copy of ``_converter.converter``, so every wire rule (message and
component codecs) carries over; it differs in two ways. Defaults are kept, since a log line
should say ``status_code: 200`` rather than leave it out. Exceptions (an outcome's ``error``)
become a small dict a log or a dashboard can filter on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from cattrs.gen import make_dict_unstructure_fn, override

from engagive_async._wire._converter import converter
from engagive_async._wire._message_codec import register_message_hooks
from engagive_async.models._export import install_exporter

__all__ = ["error_to_dict", "to_dict"]

#: Fields left out of exports: an answer's header lines are bytes pairs, which JSON cannot hold,
#: and a log wants the answer itself (``.headers`` and ``.request_id`` stay on the object).
_NOT_EXPORTED = frozenset({"raw_headers"})


def _export_fn(cls: type) -> Any:
    omitted: dict[str, Any] = {
        f.name: override(omit=True) for f in attrs.fields(cls) if f.name in _NOT_EXPORTED
    }
    return make_dict_unstructure_fn(cls, _exporter, **omitted)


_exporter = converter.copy()
_exporter.register_unstructure_hook_factory(attrs.has, _export_fn)
# Registered again after the catch-all above, so that they win over it.
register_message_hooks(_exporter)


def error_to_dict(error: BaseException) -> dict[str, Any]:
    """An error as ``type``, ``message``, HTTP ``status``, Meta's code and ``meta_response``."""
    meta_error = getattr(error, "meta_error", None)
    meta_response = getattr(error, "meta_response", None)
    status = getattr(error, "status_code", None)
    return {
        "type": type(error).__name__,
        "message": str(error),
        "status": status if isinstance(status, int) else None,
        "meta_code": getattr(meta_error, "code", None),
        "meta_response": _exporter.unstructure(meta_response)
        if isinstance(meta_response, Mapping)
        else None,
    }


_exporter.register_unstructure_hook_func(
    lambda cls: isinstance(cls, type) and issubclass(cls, BaseException), error_to_dict
)


def to_dict(obj: object) -> dict[str, Any]:
    """``obj`` (an attrs model) as plain, JSON-ready data."""
    data = _exporter.unstructure(obj, type(obj))
    if not isinstance(data, dict):  # pragma: no cover - every exported model is an attrs class
        raise TypeError(f"{type(obj).__name__} does not export to a dict")
    return data


install_exporter(to_dict)
