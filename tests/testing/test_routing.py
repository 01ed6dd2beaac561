"""Reading requests: route matching in _wire.ROUTES order, escaped segments, parsed parts."""

from __future__ import annotations

from typing import Any

from engagive_async.testing._routing import Incoming, match
from tests.testing._support import path


def test_match_names_route_and_decodes_params() -> None:
    """A path gives its route name and its percent-decoded parameters."""
    raw = path("contents.get", template_code="a/b c", lang_code="en_US")
    assert "%2F" in raw
    assert match("GET", raw) == (
        "contents.get",
        {"account_id": "1", "template_code": "a/b c", "lang_code": "en_US"},
        (),
    )


def test_match_prefers_lookups_over_template_codes() -> None:
    """The lookup routes come first, so 'lookups' is never taken for a template code."""
    assert match("GET", path("templates.lookups.parameter_formats"))[0] == (
        "templates.lookups.parameter_formats"
    )
    assert match("GET", path("contents.languages", template_code="x"))[0] == "contents.languages"


def test_match_reports_allowed_methods_or_nothing() -> None:
    """Wrong method: the allowed ones, once each; unknown path or prefix: nothing."""
    assert match("PATCH", path("templates.list")) == (None, {}, ("GET", "POST"))
    assert match("GET", "/api/business/public/nowhere") == (None, {}, ())
    assert match("GET", "/elsewhere" + path("templates.list")) == (None, {}, ())


def scope(**extra: Any) -> dict[str, Any]:
    """An HTTP scope for GET /api/business/public/.../templates?search=a&search=b."""
    raw = path("templates.list")
    return {
        "type": "http",
        "method": "GET",
        "path": raw,
        "raw_path": raw.encode(),
        "query_string": b"search=a&search=b&empty=",
        "headers": [(b"Host", b"h:1"), (b"X-Thing", b"v")],
        "scheme": "https",
        **extra,
    }


def test_parse_reads_query_headers_and_json() -> None:
    """Last repeated query value wins; header names are lower-cased; JSON is parsed."""
    request = Incoming.parse(scope(), b'{"a": 1}')
    assert request.query == {"search": "b", "empty": ""}
    assert request.headers == {"host": "h:1", "x-thing": "v"}
    assert (request.json, request.bad_json) == ({"a": 1}, False)
    assert request.route == "templates.list"
    assert request.self_url(scope()) == "https://h:1" + path("templates.list")


def test_parse_flags_bad_json_and_falls_back_without_host_or_raw_path() -> None:
    """Bad JSON is flagged; without Host the server address makes the URL."""
    bare = scope(headers=[], server=("10.0.0.1", 8080))
    del bare["raw_path"]
    request = Incoming.parse(bare, b"{nope")
    assert (request.json, request.bad_json) == (None, True)
    assert request.route == "templates.list"
    assert request.self_url(bare) == "https://10.0.0.1:8080" + path("templates.list")
