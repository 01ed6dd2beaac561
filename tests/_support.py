"""Helpers the test folders share."""

from __future__ import annotations

from typing import Any

import httpx

from engagive_async import AsyncClient
from engagive_async._wire._converter import structure
from engagive_async.testing import FakeEngagive

__all__ = ["decode", "fake_client"]


def decode(wire: Any, cls: Any) -> Any:
    """structure(), typed loosely: mypy's type[T] accepts no union such as Message or Component."""
    return structure(wire, cls)


def fake_client(fake: FakeEngagive, **options: Any) -> AsyncClient:
    """A client talking to ``fake`` in process (httpx's ASGI transport), on loopback http."""
    return AsyncClient(
        "test-token",
        base_url="http://127.0.0.1",
        transport=httpx.ASGITransport(fake.app),
        **options,
    )
