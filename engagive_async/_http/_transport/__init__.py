"""Which httpx transport carries requests, and how aiohttp's failures read as httpx's.

On asyncio the default transport is :class:`AiohttpTransport`: httpx stays the client API (event
hooks, respx and custom transports keep working) while aiohttp's connection pool does the I/O,
because httpx's own pool spends CPU that grows with the number of pooled connections. On trio,
where aiohttp cannot run, httpx's pool is used.

Modules: ``_aiohttp`` (the aiohttp transport and the request templates the pipeline's shortcut
sends), ``_exceptions`` (the aiohttp -> httpx exception table, and the "never sent" contract it
keeps), ``_choice`` (which transport: :func:`build_transport`, :class:`AutoTransport`).

May import: httpx, aiohttp, ``_checks`` (argument checks); nothing else of ``_http``'s above it.
"""

from engagive_async._http._transport._aiohttp import (
    AiohttpTransport,
    DirectAnswer,
    DirectTemplate,
    aiohttp_headers,
)
from engagive_async._http._transport._choice import (
    AutoTransport,
    TransportKind,
    build_transport,
    direct_transport,
)
from engagive_async._http._transport._exceptions import (
    EXCEPTION_MAP,
    ResponseTooLarge,
    map_exception,
)

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
