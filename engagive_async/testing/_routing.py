"""Reading an ASGI request: which route it is for, and what it carries.

Routes come from ``engagive_async._wire._routes.ROUTES``, matched in that dict's order with their
precompiled patterns (the lookups come first, before the routes that would take ``lookups``
for a template code). The raw path is matched, so a path segment escaped by the SDK (``%2F``
in a template code) stays one segment.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote

import attrs

from engagive_async._config import API_PREFIX
from engagive_async._wire._routes import ROUTES
from engagive_async.testing._asgi import Scope

__all__ = ["Incoming", "match"]

_ROUTES = [(route.name, route.method, route.pattern) for route in ROUTES.values()]
_SEEN: dict[tuple[str, str], tuple[str | None, dict[str, str], tuple[str, ...]]] = {}
_SEEN_MAX = 4096


@attrs.frozen(kw_only=True)
class Incoming:
    """One request, parsed.

    Attributes:
        route: the matched route name, or ``None``.
        allowed: when the path is known but the method is not, the methods it allows.
        bad_json: a body was sent and is not JSON.
    """

    method: str
    path: str
    raw_path: str
    route: str | None
    params: dict[str, str]
    allowed: tuple[str, ...]
    headers: dict[str, str]
    query: dict[str, str]
    json: Any
    bad_json: bool

    @classmethod
    def parse(cls, scope: Scope, body: bytes) -> Incoming:
        """Parse an HTTP scope and its body."""
        method: str = scope["method"]
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        raw_path = raw.decode("latin-1")
        route, params, allowed = match(method, raw_path)
        payload: Any = None
        bad_json = False
        if body:
            try:
                payload = json.loads(body)
            except ValueError:
                bad_json = True
        return cls(
            method=method,
            path=scope["path"],
            raw_path=raw_path,
            route=route,
            params=params,
            allowed=allowed,
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]},
            query=dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)),
            json=payload,
            bad_json=bad_json,
        )

    def self_url(self, scope: Scope) -> str:
        """This request's absolute URL without its query (the base of ``next`` links)."""
        host = self.headers.get("host")
        if host is None:
            server_host, server_port = scope.get("server") or ("127.0.0.1", 80)
            host = f"{server_host}:{server_port}"
        return f"{scope.get('scheme', 'http')}://{host}{self.raw_path}"


def match(method: str, raw_path: str) -> tuple[str | None, dict[str, str], tuple[str, ...]]:
    """The route for this request, its decoded path parameters, and, when only the method is
    wrong, the methods the path allows."""
    # Bulk sends hit the same few paths over and over: remember them, within a bound.
    known = _SEEN.get((method, raw_path))
    if known is None:
        known = _match(method, raw_path)
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        _SEEN[(method, raw_path)] = known
    name, params, allowed = known
    return name, dict(params), allowed


def _match(method: str, raw_path: str) -> tuple[str | None, dict[str, str], tuple[str, ...]]:
    if not raw_path.startswith(API_PREFIX):
        return None, {}, ()
    rest = raw_path[len(API_PREFIX) :]
    allowed: list[str] = []
    for name, route_method, pattern in _ROUTES:
        found = pattern.match(rest)
        if found is None:
            continue
        if route_method == method:
            return name, {k: unquote(v) for k, v in found.groupdict().items()}, ()
        if route_method not in allowed:
            allowed.append(route_method)
    return None, {}, tuple(allowed)
