"""Server-side paging: every convention's block, its page contents, and bad paging queries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from engagive_async.testing import CONVENTIONS, Convention, FakeEngagive
from engagive_async.testing._paging import (
    Paging,
    PagingQueryError,
    decode_cursor,
    encode_cursor,
)
from tests.testing._support import call, client, path

ITEMS = list(range(1, 46))  # 45 items: pages of 20, 20 and 5
URL = "http://fake.test/list"


def page(convention: Convention, **query: str) -> tuple[list[int], dict[str, Any] | None]:
    """One page of ITEMS under a convention, page size 20."""
    return Paging(convention, 20, 50).page(ITEMS, query, URL)


@pytest.mark.parametrize(
    ("convention", "query", "items", "block"),
    [
        ("page_limit", {}, ITEMS[:20], {"page": 1, "limit": 20, "total": 45, "totalPages": 3}),
        (
            "page_limit",
            {"page": "3"},
            ITEMS[40:],
            {"page": 3, "limit": 20, "total": 45, "totalPages": 3},
        ),
        (
            "current_page",
            {"page": "2"},
            ITEMS[20:40],
            {
                "currentPage": 2,
                "totalPages": 3,
                "totalItems": 45,
                "itemsPerPage": 20,
                "hasNextPage": True,
            },
        ),
        (
            "current_page",
            {"page": "3"},
            ITEMS[40:],
            {
                "currentPage": 3,
                "totalPages": 3,
                "totalItems": 45,
                "itemsPerPage": 20,
                "hasNextPage": False,
            },
        ),
        (
            "per_page",
            {"per_page": "10", "page": "2"},
            ITEMS[10:20],
            {"page": 2, "per_page": 10, "total": 45, "last_page": 5},
        ),
        (
            "snake_page",
            {"page_size": "15", "page": "3"},
            ITEMS[30:45],
            {"page": 3, "page_size": 15, "total_items": 45, "total_pages": 3, "has_next": False},
        ),
        (
            "offset",
            {"offset": "7", "limit": "5"},
            ITEMS[7:12],
            {"offset": 7, "limit": 5, "total": 45},
        ),
        ("offset", {}, ITEMS[:20], {"offset": 0, "limit": 20, "total": 45}),
        ("cursor", {}, ITEMS[:20], {"next_cursor": encode_cursor(20), "has_more": True}),
        (
            "cursor",
            {"cursor": encode_cursor(40)},
            ITEMS[40:],
            {"next_cursor": None, "has_more": False},
        ),
        ("cursor_camel", {"pageSize": "30"}, ITEMS[:30], {"nextCursor": encode_cursor(30)}),
        ("cursor_camel", {"cursor": encode_cursor(30)}, ITEMS[30:], {"nextCursor": None}),
        ("has_more", {"page": "2"}, ITEMS[20:40], {"has_more": True}),
        ("has_more", {"page": "3"}, ITEMS[40:], {"has_more": False}),
        ("next_url", {"page": "3"}, ITEMS[40:], {"next": None}),
        ("none", {"page": "2", "limit": "5"}, ITEMS, None),
    ],
)
def test_blocks_and_contents(
    convention: Convention, query: dict[str, str], items: list[int], block: dict[str, Any] | None
) -> None:
    """Each convention returns the asked slice and its exact block."""
    assert page(convention, **query) == (items, block)


def test_next_url_keeps_the_query_and_adds_page_and_limit() -> None:
    """The next link is absolute, keeps other params, and carries page and the size."""
    _, block = page("next_url", search="x")
    assert block == {"next": f"{URL}?search=x&page=2&limit=20"}
    _, block = page("next_url", per_page="10", page="2")
    assert block == {"next": f"{URL}?per_page=10&page=3"}


def test_out_of_range_pages_are_empty_with_their_block() -> None:
    """A page past the end has no items and still says where the list ends."""
    assert page("page_limit", page="9") == (
        [],
        {"page": 9, "limit": 20, "total": 45, "totalPages": 3},
    )
    assert page("offset", offset="100") == ([], {"offset": 100, "limit": 20, "total": 45})


def test_size_aliases_are_read_in_order_and_capped() -> None:
    """limit wins over per_page; sizes above max_page_size are capped."""
    assert page("page_limit", limit="5", per_page="7")[1] == {
        "page": 1,
        "limit": 5,
        "total": 45,
        "totalPages": 9,
    }
    assert page("page_limit", limit="500")[1] == {
        "page": 1,
        "limit": 50,
        "total": 45,
        "totalPages": 1,
    }


def test_empty_lists() -> None:
    """An empty list pages as one empty page; Laravel's last_page stays 1."""
    empty: list[int] = []
    assert Paging("page_limit", 20, 20).page(empty, {}, URL) == (
        [],
        {"page": 1, "limit": 20, "total": 0, "totalPages": 0},
    )
    assert Paging("per_page", 20, 20).page(empty, {}, URL)[1] == {
        "page": 1,
        "per_page": 20,
        "total": 0,
        "last_page": 1,
    }


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "x"},
        {"limit": "0"},
        {"limit": "-1"},
        {"page": "²"},
        {"page": "9" * 40},
    ],
)
def test_bad_page_queries_are_refused(query: dict[str, str]) -> None:
    """Non-numeric, zero, negative or absurd page numbers and sizes raise PagingQueryError."""
    with pytest.raises(PagingQueryError):
        page("page_limit", **query)


@pytest.mark.parametrize("cursor", ["%%%", "bm90LWEtY3Vyc29y", encode_cursor(5)[:-2] + "!!"])
def test_foreign_cursors_are_refused(cursor: str) -> None:
    """A cursor the fake did not hand out is refused."""
    with pytest.raises(PagingQueryError):
        decode_cursor(cursor)


def test_cursor_round_trip() -> None:
    """A cursor is opaque text that decodes back to its offset."""
    assert decode_cursor(encode_cursor(1234)) == 1234
    assert "1234" not in encode_cursor(1234)
    assert decode_cursor(None) == decode_cursor("") == 0


@pytest.mark.parametrize(
    ("convention", "size", "maximum"),
    [("pages", 20, 100), ("page_limit", 0, 100), ("page_limit", 20, 10)],
)
def test_settings_are_checked(convention: str, size: int, maximum: int) -> None:
    """Unknown conventions and impossible sizes are refused at construction."""
    with pytest.raises(ValueError, match=r"pagination|page_size"):
        Paging(convention, size, maximum)  # type: ignore[arg-type]


async def walk(c: httpx.AsyncClient, convention: Convention, size: int = 7) -> list[str]:
    """Every template code, walking the list the way the convention says."""
    codes: list[str] = []
    query: dict[str, str] = {"limit": str(size)}
    url: str | None = None
    number = 1
    for _ in range(100):
        if url is not None:
            response = await c.get(url)
        else:
            response = await call(c, "templates.list", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        codes += [t["code"] for t in body["data"]]
        block = body.get("pagination")
        if convention == "none":
            assert block is None
            return codes
        if convention in ("cursor", "cursor_camel"):
            cursor = block.get("next_cursor", block.get("nextCursor"))
            if cursor is None:
                return codes
            query["cursor"] = cursor
        elif convention == "next_url":
            url = block["next"]
            if url is None:
                return codes
        elif convention == "offset":
            if not body["data"]:
                return codes
            query["offset"] = str(block["offset"] + len(body["data"]))
        else:
            if not body["data"]:
                return codes
            number += 1
            query["page"] = str(number)
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_walking_the_fake_yields_every_template_once(convention: Convention) -> None:
    """Following each convention's block over the app lists all templates, newest first."""
    fake = FakeEngagive(pagination=convention)
    fake.seed_templates(30)
    async with client(fake) as c:
        codes = await walk(c, convention)
    assert codes == [t["code"] for t in fake.store.newest_first()]
    assert len(codes) == 31


async def test_insert_mid_walk_repeats_an_item_with_offset_paging() -> None:
    """Offsets are over the store at request time: an insert shifts the next page by one."""
    fake = FakeEngagive(pagination="offset")
    fake.seed_templates(9)
    async with client(fake) as c:
        first = await call(c, "templates.list", params={"limit": "5"})
        fake.add_template("late_arrival")
        second = await call(c, "templates.list", params={"limit": "5", "offset": "5"})
    first_codes = [t["code"] for t in first.json()["data"]]
    second_codes = [t["code"] for t in second.json()["data"]]
    assert second_codes[0] == first_codes[-1]
    assert "late_arrival" not in first_codes + second_codes
    assert second.json()["pagination"]["total"] == 11


async def test_bad_paging_query_is_a_400_envelope() -> None:
    """A page the fake refuses answers 400 with the error text."""
    async with client(FakeEngagive()) as c:
        response = await call(c, "templates.list", params={"page": "zero"})
    assert response.status_code == 400
    assert "page" in response.json()["error"]


async def test_next_url_uses_the_request_host() -> None:
    """next links point at the scheme and host the request came to."""
    fake = FakeEngagive(pagination="next_url", page_size=1)
    fake.seed_templates(1)
    async with client(fake, base_url="http://other.host:8123") as c:
        response = await call(c, "templates.list")
    expected = "http://other.host:8123" + path("templates.list") + "?page=2&limit=1"
    assert response.json()["pagination"] == {"next": expected}


async def test_lookups_are_paged_too() -> None:
    """Lookups carry the block of the convention in use."""
    async with client(FakeEngagive(pagination="has_more", page_size=2)) as c:
        response = await call(c, "templates.lookups.categories")
    assert len(response.json()["data"]) == 2
    assert response.json()["pagination"] == {"has_more": True}


def test_convention_and_page_size_can_change_between_requests() -> None:
    """fake.pagination and fake.page_size are settable and validated."""
    fake = FakeEngagive()
    fake.pagination = "cursor"
    fake.page_size = 5
    assert (fake.pagination, fake.page_size) == ("cursor", 5)
    with pytest.raises(ValueError, match="pagination"):
        fake.pagination = "pages"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="page_size"):
        fake.page_size = 1000
