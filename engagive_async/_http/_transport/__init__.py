"""Which httpx transport carries requests, and how aiohttp's failures read as httpx's.

On asyncio the default transport is :class:`AiohttpTransport`: httpx stays the client API (event
hooks, respx and custom transports keep working) while aiohttp's connection pool does the I/O,
because httpx's own pool spends CPU that grows with the number of pooled connections. On trio,
where aiohttp cannot run, httpx's pool is used.

Modules: ``_aiohttp`` (the aiohttp transport and the request templates the pipeline's shortcut
sends), ``_exceptions`` (the aiohttp -> httpx exception table, and the "never sent" contract it
keeps), ``_choice`` (which transport: :func:`build_transport`, :class:`AutoTransport`),
``_too_large`` (the error of a body past the cap, free of aiohttp).

May import: httpx, aiohttp, ``_checks`` (argument checks); nothing else of ``_http``'s above it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from engagive_async._http._transport._choice import (
    AutoTransport,
    TransportKind,
    build_transport,
    direct_transport,
)
from engagive_async._http._transport._too_large import ResponseTooLarge

if TYPE_CHECKING:
    from engagive_async._http._transport._aiohttp import (
        AiohttpTransport,
        DirectAnswer,
        DirectTemplate,
        aiohttp_headers,
    )
    from engagive_async._http._transport._exceptions import EXCEPTION_MAP, map_exception

# aiohttp costs a third of ``import engagive_async``: its modules load on first use (the first
# request of a client on asyncio), not on import.
_LAZY = {
    "AiohttpTransport": "_aiohttp",
    "DirectAnswer": "_aiohttp",
    "DirectTemplate": "_aiohttp",
    "aiohttp_headers": "_aiohttp",
    "EXCEPTION_MAP": "_exceptions",
    "map_exception": "_exceptions",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "EXCEPTION_MAP",
    "AiohttpTransport",
    "AutoTransport",
    "DirectAnswer",
    "DirectTemplate",
    "ResponseTooLarge",
    "TransportKind",
    "aiohttp_headers",
    "build_transport",
    "direct_transport",
    "map_exception",
]
