"""templates list/get and contents list against FakeEngagive on a socket."""

from __future__ import annotations

import json

import pytest

from engagive_async.testing import FakeEngagive
from tests.cli.conftest import invoke

pytestmark = pytest.mark.usefixtures("base_url")


def test_templates_list_shows_the_account_templates(fake: FakeEngagive) -> None:
    """templates list prints a table of templates, and JSON with --json."""
    fake.add_template("spring_sale", name="Spring sale", category_code="MARKETING")
    table = invoke("templates", "list", "--account", "1")
    assert table.exit_code == 0, table.stderr
    assert "order_shipped" in table.stdout
    assert "spring_sale" in table.stdout
    found = json.loads(invoke("templates", "list", "--account", "1", "--json").stdout)
    assert {"order_shipped", "spring_sale"} <= {t["code"] for t in found}


def test_templates_list_search_and_limit(fake: FakeEngagive) -> None:
    """--search filters on the server and --limit stops after that many templates."""
    fake.seed_templates(30, prefix="promo_")
    searched = json.loads(
        invoke("templates", "list", "--account", "1", "--search", "order", "--json").stdout
    )
    assert [t["code"] for t in searched] == ["order_shipped"]
    limited = json.loads(
        invoke("templates", "list", "--account", "1", "--limit", "5", "--json").stdout
    )
    assert len(limited) == 5


def test_templates_get_shows_one_template() -> None:
    """templates get prints the template's fields; an unknown code exits 1 with the error."""
    shown = invoke("templates", "get", "order_shipped", "--account", "1")
    assert shown.exit_code == 0, shown.stderr
    assert "UTILITY" in shown.stdout
    data = json.loads(
        invoke("templates", "get", "order_shipped", "--account", "1", "--json").stdout
    )
    assert (data["code"], data["id"]) == ("order_shipped", 101)
    missing = invoke("templates", "get", "nope", "--account", "1")
    assert missing.exit_code == 1
    assert "404" in missing.stderr


def test_contents_list_shows_each_language() -> None:
    """contents list prints the template's contents by language."""
    shown = invoke("contents", "list", "order_shipped", "--account", "1")
    assert shown.exit_code == 0, shown.stderr
    assert "your order is on the way" in shown.stdout
    data = json.loads(
        invoke("contents", "list", "order_shipped", "--account", "1", "--json").stdout
    )
    assert [(c["lang_code"], c["is_draft"]) for c in data] == [("en", True)]


def test_forbidden_account_exits_2() -> None:
    """An account the token may not use is a configuration error (exit 2)."""
    result = invoke("templates", "list", "--account", "999")
    assert result.exit_code == 2
    assert "403" in result.stderr
