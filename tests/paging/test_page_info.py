"""read_page_info: every pagination convention, normalised into one PageInfo."""

from __future__ import annotations

from typing import Any

import pytest

from engagive_async._paging._page_info import PageInfo, PagingParams, read_page_info


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        pytest.param(
            {"page": 2, "limit": 20, "total": 95, "totalPages": 5},
            PageInfo(number=2, size=20, total_items=95, total_pages=5),
            id="page_limit",
        ),
        pytest.param(
            {
                "currentPage": 1,
                "totalPages": 3,
                "totalItems": 41,
                "itemsPerPage": 20,
                "hasNextPage": True,
            },
            PageInfo(number=1, size=20, total_items=41, total_pages=3, has_next=True),
            id="current_page",
        ),
        pytest.param(
            {"page": 3, "per_page": 10, "total": 30, "last_page": 3},
            PageInfo(number=3, size=10, total_items=30, total_pages=3),
            id="per_page",
        ),
        pytest.param(
            {"page": 1, "page_size": 50, "total_items": 51, "total_pages": 2, "has_next": True},
            PageInfo(number=1, size=50, total_items=51, total_pages=2, has_next=True),
            id="snake_page",
        ),
        pytest.param(
            {"offset": 40, "limit": 20, "total": 45},
            PageInfo(offset=40, size=20, total_items=45),
            id="offset",
        ),
        pytest.param(
            {"next_cursor": "eyJpZCI6IDQyfQ", "has_more": True},
            PageInfo(next_cursor="eyJpZCI6IDQyfQ", has_next=True),
            id="cursor",
        ),
        pytest.param(
            {"nextCursor": "c2"}, PageInfo(next_cursor="c2", has_next=True), id="cursor_camel"
        ),
        pytest.param({"has_more": False}, PageInfo(has_next=False), id="has_more"),
        pytest.param({"hasMore": "true"}, PageInfo(has_next=True), id="hasMore_string"),
        pytest.param(
            {"pageSize": 25, "pageNumber": 4, "totalCount": 100, "hasNext": False},
            PageInfo(number=4, size=25, total_items=100, has_next=False),
            id="camel_misc",
        ),
        pytest.param(
            {"count": 45, "next": "https://api.example.test/items?page=3", "previous": None},
            PageInfo(
                total_items=45, next_url="https://api.example.test/items?page=3", has_next=True
            ),
            id="drf_style_count_next",
        ),
        pytest.param(
            {"current_page": 2, "lastPage": 7, "next_page_url": "/items?page=3"},
            PageInfo(number=2, total_pages=7, next_url="/items?page=3", has_next=True),
            id="laravel_style",
        ),
        pytest.param(
            {"size": 20, "number": 0, "totalElements": 45, "totalPages": 3},
            PageInfo(number=0, size=20, total_items=45, total_pages=3),
            id="spring_style_zero_based",
        ),
        pytest.param(
            {"nextPageToken": "tok"}, PageInfo(next_cursor="tok", has_next=True), id="page_token"
        ),
        pytest.param({}, PageInfo(), id="empty_block"),
    ],
)
def test_conventions(block: dict[str, Any], expected: PageInfo) -> None:
    """Each convention's block reads into the PageInfo it describes."""
    assert read_page_info(block) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        (3.0, 3),
        ("4.0", 4),
        (3.5, None),
        ("three", None),
        (-1, None),
        ("-2", None),
        (True, None),
        (None, None),
        ([3], None),
        ("", None),
    ],
)
def test_numbers_from_strings_and_odd_values(value: object, expected: int | None) -> None:
    """Numbers may come as numeric strings or integral floats; anything else is unknown."""
    assert read_page_info({"page": value}).number == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("false", False),
        ("TRUE", True),
        (1, True),
        (0, False),
        ("0", False),
        ("maybe", None),
        (2, None),
        (None, None),
    ],
)
def test_flags_from_strings_and_numbers(value: object, expected: bool | None) -> None:
    """has_next reads booleans, 0/1 and their strings; anything else is unknown."""
    assert read_page_info({"has_next": value}).has_next is expected


@pytest.mark.parametrize(
    ("value", "cursor", "url"),
    [
        ("https://api.engagive.test/x?page=2", None, "https://api.engagive.test/x?page=2"),
        ("/api/business/public/x?cursor=abc", None, "/api/business/public/x?cursor=abc"),
        ("?page=2&limit=20", None, "?page=2&limit=20"),
        ("eyJpZCI6IDQyfQ==", "eyJpZCI6IDQyfQ==", None),
        ("abc_DEF-123", "abc_DEF-123", None),
        ("12345", "12345", None),
        ("/no-query-looks-like-a-token", "/no-query-looks-like-a-token", None),
        ("https://", "https://", None),
    ],
)
def test_next_tells_urls_from_tokens(value: str, cursor: str | None, url: str | None) -> None:
    """A bare ``next`` is a link when it looks like one (http(s), or a path with a query)."""
    info = read_page_info({"next": value})
    assert (info.next_cursor, info.next_url, info.has_next) == (cursor, url, True)


@pytest.mark.parametrize(
    "block",
    [
        {"next": None},
        {"next_cursor": None},
        {"nextCursor": ""},
        {"next_url": None},
        {"nextPage": None},
        {"links": {"next": None}},
    ],
)
def test_an_empty_next_link_means_no_next_page(block: dict[str, Any]) -> None:
    """A next cursor or link that is present but empty says this is the last page."""
    assert read_page_info(block).has_next is False


def test_an_explicit_flag_wins_over_an_empty_link() -> None:
    """has_more is taken as said, even next to an empty cursor."""
    assert read_page_info({"next_cursor": None, "has_more": True}).has_next is True


@pytest.mark.parametrize("value", [3, "3"])
def test_a_next_page_number_means_there_is_one(value: object) -> None:
    """nextPage holding a number says a next page exists, without a cursor or link."""
    info = read_page_info({"nextPage": value})
    assert (info.has_next, info.next_cursor, info.next_url) == (True, None, None)


def test_a_number_under_next_is_a_page_number_not_a_cursor() -> None:
    """A JSON number under ``next`` is a page number; only strings become cursors."""
    assert read_page_info({"next": 3}) == PageInfo(has_next=True)


def test_numeric_cursor_under_a_cursor_key_is_text() -> None:
    """A cursor key holding a number gives that number as a token."""
    assert read_page_info({"next_cursor": 42}).next_cursor == "42"


@pytest.mark.parametrize(
    "block",
    [
        {"links": {"next": "https://api.engagive.test/x?page=2"}},
        {"_links": {"next": {"href": "https://api.engagive.test/x?page=2"}}},
    ],
)
def test_nested_links(block: dict[str, Any]) -> None:
    """JSON:API ``links.next`` and HAL ``_links.next.href`` give the next URL."""
    assert read_page_info(block).next_url == "https://api.engagive.test/x?page=2"


def test_a_cursor_is_preferred_but_both_are_kept() -> None:
    """A block with a cursor and a link keeps both."""
    info = read_page_info({"next_cursor": "c", "next_url": "https://h.test/x?c=c"})
    assert (info.next_cursor, info.next_url) == ("c", "https://h.test/x?c=c")


@pytest.mark.parametrize("block", [None, [], "page=2", 3])
def test_no_block_or_not_a_mapping_knows_nothing(block: Any) -> None:
    """None, or anything but a mapping, reads as an empty PageInfo rather than failing."""
    assert read_page_info(block) == PageInfo()


def test_keys_ignore_case_and_separators() -> None:
    """TotalPages, total_pages, total-pages and totalpages are one key."""
    for key in ("TotalPages", "total_pages", "total-pages", "totalpages"):
        assert read_page_info({key: 7}).total_pages == 7


def test_the_best_key_wins_and_bad_values_fall_through() -> None:
    """``total`` beats ``count``; an unreadable ``total`` lets ``count`` through."""
    assert read_page_info({"count": 20, "total": 95}).total_items == 95
    assert read_page_info({"count": 20, "total": "lots"}).total_items == 20


def test_page_size_zero_is_unknown() -> None:
    """A page size of 0 cannot size pages, so it reads as unknown."""
    assert read_page_info({"limit": 0}).size is None


@pytest.mark.parametrize(
    ("info", "last"),
    [
        (PageInfo(total_pages=4, total_items=1000, size=10), 4),
        (PageInfo(total_items=95, size=20), 5),
        (PageInfo(total_items=100, size=20), 5),
        (PageInfo(total_items=0, size=20), 0),
        (PageInfo(total_items=95), None),
        (PageInfo(size=20), None),
    ],
)
def test_last_page_reported_or_computed(info: PageInfo, last: int | None) -> None:
    """last_page is the reported page count, else ceil(total / size), else unknown."""
    assert info.last_page == last


def test_paging_params_defaults_and_overrides() -> None:
    """The query names default to page/limit/offset/cursor and each can be renamed."""
    assert PagingParams() == PagingParams(
        page_param="page", limit_param="limit", offset_param="offset", cursor_param="cursor"
    )
    assert PagingParams(limit_param="per_page").limit_param == "per_page"
