"""The route table and bodies, and the docs' coverage table that must tell the truth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engagive_async._wire import _routes as routes
from engagive_async._wire._routes import ROUTES

COVERAGE = Path(__file__).parents[2] / "docs" / "coverage.md"


def _coverage_rows() -> dict[str, tuple[str, str, str]]:
    """Coverage table rows: path -> (method, sdk call, status), keyed by method+path."""
    rows: dict[str, tuple[str, str, str]] = {}
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0].startswith("`/"):
            method, path = cells[1], cells[0].strip("`")
            rows[f"{method} {path}"] = (method, cells[2], cells[3].lower())
    return rows


def test_every_route_is_in_the_coverage_table_with_its_status() -> None:
    """Each route appears in the coverage table, marked verified or provisional as it is."""
    rows = _coverage_rows()
    for route in ROUTES.values():
        key = f"{route.method} {route.template}"
        assert key in rows, f"docs/coverage.md lacks {key}"
        status = rows[key][2]
        assert ("provisional" in status) is route.provisional, key
        assert ("verified" in status) is (not route.provisional), key


def test_coverage_table_lists_no_route_the_sdk_lacks() -> None:
    """Nothing in the coverage table is missing from the route table."""
    known = {f"{r.method} {r.template}" for r in ROUTES.values()}
    assert set(_coverage_rows()) <= known


@pytest.mark.parametrize("route", list(ROUTES.values()), ids=lambda r: r.name)
def test_each_route_matches_its_own_paths(route: routes.Route) -> None:
    """A path built by a route is matched back by that route's pattern, parameters intact."""
    names = re.findall(r"\{(\w+)\}", route.template)
    params = {name: f"v-{name}/x" for name in names}
    match = route.pattern.match(route.path(**params))
    assert match is not None
    assert {k: v.replace("%2F", "/") for k, v in match.groupdict().items()} == params


def test_lookup_routes_are_matched_before_template_codes() -> None:
    """'lookups' is not taken for a template code: the first matching route is the lookup."""
    path = ROUTES["templates.lookups.categories"].path(account_id=1)
    first = next(r for r in ROUTES.values() if r.method == "GET" and r.pattern.match(path))
    assert first.name == "templates.lookups.categories"


def test_send_single_body_round_trips() -> None:
    """The provisional send-single body parses back to what built it."""
    body = routes.send_single_body("1", {"type": "text", "text": {"body": "x"}}, reply_to="wamid.p")
    assert body["content_json"]["context"] == {"message_id": "wamid.p"}
    assert routes.parse_send_single_body(body) == (
        "1",
        {"type": "text", "text": {"body": "x"}},
        "wamid.p",
    )


def test_optional_bodies_omit_what_was_not_given() -> None:
    """Content and submit bodies carry only the fields set; components only when given."""
    assert routes.content_body(text=None, is_draft=None) == {}
    assert routes.submit_template_body(None) == {}
    assert "components" not in routes.send_template_body("1", "t", "en", None)["content_json"]
