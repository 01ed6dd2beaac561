"""How public names present themselves: as the door they are imported from.

Classes and functions are defined in private modules; each public door (the root, ``builders``,
``journal``, ``meta``) calls :func:`present` once over its ``__all__`` so that reprs, tracebacks,
docs and pickles name the door (``engagive_async.Text``) and not the private module.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from typing import Any

import attrs


def present(door: str, namespace: Mapping[str, Any], names: Iterable[str]) -> None:
    """Set ``__module__`` of every class and function in ``names`` to ``door``.

    Type aliases and constants are left alone: they have no module of their own to correct.
    Pickle finds a class by ``__module__`` and ``__qualname__``, so the door must export it.
    An attrs class has its string annotations resolved first, in the module that wrote them:
    afterwards they would be looked up in the door, which lacks the private aliases they use.
    """
    for name in names:
        obj = namespace[name]
        if isinstance(obj, type) and attrs.has(obj):
            attrs.resolve_types(obj)
        if isinstance(obj, type | types.FunctionType):
            obj.__module__ = door
