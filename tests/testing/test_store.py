"""The fake's data: seeding like the docs, adding templates and contents, newest first."""

from __future__ import annotations

import pytest

from engagive_async.testing import Store


def test_seeded_like_the_docs() -> None:
    """The seed is order_shipped (101, approved) with its en draft content (501)."""
    store = Store()
    assert list(store.templates) == ["order_shipped"]
    assert store.templates["order_shipped"]["id"] == 101
    assert store.contents["order_shipped"]["en"] == {
        "id": 501,
        "lang_code": "en",
        "text": "Hi {{1}}, your order is on the way!",
        "is_draft": True,
    }
    assert [c["code"] for c in store.categories] == ["MARKETING", "UTILITY", "AUTHENTICATION"]
    assert Store(seed=False).templates == {}


def test_add_template_defaults_ids_and_overrides() -> None:
    """New templates get the next id and docs-like defaults; fields override or extend."""
    store = Store()
    plain = store.add_template("welcome_back")
    custom = store.add_template("otp", category_code="AUTHENTICATION", id=500, quality="GREEN")
    after = store.add_template("later")
    assert plain["id"] == 102
    assert plain["name"] == "Welcome back"
    assert plain["status"] == "approved"
    assert (custom["id"], custom["category_code"], custom["quality"]) == (
        500,
        "AUTHENTICATION",
        "GREEN",
    )
    assert after["id"] == 501
    assert store.contents["later"] == {}


def test_duplicate_template_codes_are_refused() -> None:
    """Adding a code twice raises ValueError."""
    with pytest.raises(ValueError, match="exists already"):
        Store().add_template("order_shipped")


def test_newest_first_follows_insertions() -> None:
    """Lists are newest first, and an insertion shows at once."""
    store = Store()
    store.seed_templates(3)
    assert [t["code"] for t in store.newest_first()] == [
        "tpl_00003",
        "tpl_00002",
        "tpl_00001",
        "order_shipped",
    ]
    store.add_template("fresh")
    assert store.newest_first()[0]["code"] == "fresh"


def test_add_content_checks_template_and_language() -> None:
    """Content needs an existing template and a language without content."""
    store = Store()
    added = store.add_content("order_shipped", "en_US", text="Hello", is_draft=False, footer="f")
    assert added == {
        "id": 502,
        "lang_code": "en_US",
        "text": "Hello",
        "is_draft": False,
        "footer": "f",
    }
    with pytest.raises(ValueError, match="no template"):
        store.add_content("nope", "en", text="x")
    with pytest.raises(ValueError, match="content already"):
        store.add_content("order_shipped", "en", text="x")
