"""Helpers for the resource tests: recorded docs examples and request inspection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture(name: str) -> Any:
    """A recorded docs example from tests/fixtures/."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def ok(body: Any) -> httpx.Response:
    """A 200 answer with this JSON body."""
    return httpx.Response(200, json=body)


def sent_json(request: httpx.Request) -> Any:
    """The JSON body a request carried."""
    return json.loads(request.content)
