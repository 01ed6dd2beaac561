"""``to_dict()`` for the models, delegating to the exporter the wire layer installs.

Models do not serialise themselves: the one converter in ``_wire`` does. The models sit below
``_wire`` in the layers and may not import it, so ``_wire._export`` hands its function in here
when it is imported (which importing ``engagive_async`` always does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["JsonReady", "install_exporter"]

_exporter: Callable[[object], dict[str, Any]] | None = None


def install_exporter(exporter: Callable[[object], dict[str, Any]]) -> None:
    """Called once by ``_wire._export``: the function behind every ``to_dict()``."""
    global _exporter
    _exporter = exporter


class JsonReady:
    """Mixin of the models that offer ``to_dict()``."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """This object as plain JSON-ready data, for logs and job results.

        Field names as on the object; enums as their values; Meta's ``meta_response`` exactly
        as received; an error as ``{"type", "message", "status", "meta_code",
        "meta_response"}``. ``json.dumps(obj.to_dict())`` always works.
        """
        if _exporter is None:  # pragma: no cover - importing engagive_async installs it
            raise RuntimeError("import engagive_async before calling to_dict()")
        return _exporter(self)
