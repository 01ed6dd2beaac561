"""The request pipeline: URL and auth, send, retry, decode the envelope, map errors.

This is the only package that turns httpx's exceptions into ours (``raise ... from exc``), and
the only one that reads HTTP answers.

Modules: ``_pipeline`` (:class:`HttpPipeline`: the retry loop, one attempt, URLs),
``_shortcut`` (the way past httpx's client for clients the SDK built, and
:func:`create_http_client` that builds them),
``_answers`` (the JSON envelope, and the typed error for every status, body and transport
failure), ``_retry`` (:class:`RetryPolicy`: what is retried, backoff, Retry-After),
``_auth`` (the bearer token, kept out of every repr), ``_transport/`` (which httpx transport
carries requests: the aiohttp-backed default, and its exception map).

May import: ``_pacing``, ``_wire``, ``_checks``, ``_policy``, ``_observe``, ``_errors``,
``_config``, ``models``; and httpx and aiohttp, which no layer above it imports.
"""

from engagive_async._http._pipeline import (
    CallOptions,
    CallTrace,
    HttpPipeline,
    Limits,
    PageFetcher,
    build_timeout,
)
from engagive_async._http._shortcut import create_http_client

__all__ = [
    "CallOptions",
    "CallTrace",
    "HttpPipeline",
    "Limits",
    "PageFetcher",
    "build_timeout",
    "create_http_client",
]
