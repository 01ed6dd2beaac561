"""Server-side paging for FakeEngagive's list endpoints, in every convention the SDK must read.

Engagive's docs show a ``pagination`` block without its fields (GAPS.md, item 11), so the fake
can speak each common convention; the client's pager is tested against all of them. Items are
paged over the store as it is when the request arrives: an insertion between two requests
shifts the offsets, exactly as on a real server with offset paging (cursors here encode an
offset too, so they shift alike).

Query parameters read: the page size from the first present of ``limit``, ``per_page``,
``page_size``, ``pageSize`` (capped at ``max_page_size``); ``page`` (1-based) for the page
conventions; ``offset`` for ``"offset"``; ``cursor`` for ``"cursor"`` and ``"cursor_camel"``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar, get_args
from urllib.parse import urlencode

from engagive_async._errors import ValidationError

__all__ = ["CONVENTIONS", "SIZE_PARAMS", "Convention", "Paging", "PagingQueryError"]

T = TypeVar("T")

#: The names of the conventions; each one's block is drawn in :meth:`Paging.page`.
Convention = Literal[
    "page_limit",
    "current_page",
    "per_page",
    "snake_page",
    "offset",
    "cursor",
    "cursor_camel",
    "next_url",
    "has_more",
    "none",
]
CONVENTIONS: tuple[Convention, ...] = get_args(Convention)
#: Page-size query names, in the order they are looked for.
SIZE_PARAMS = ("limit", "per_page", "page_size", "pageSize")
_CURSOR_PREFIX = "offset:"


class PagingQueryError(ValueError):
    """A paging query parameter the fake refuses (answered with a 400 envelope)."""


class Paging:
    """How a FakeEngagive pages its lists; its attributes may be changed between requests.

    Args:
        convention: one of :data:`CONVENTIONS`.
        page_size: items per page when the request names no size.
        max_page_size: the largest size a request may ask for; larger asks are capped.

    Raises:
        ValidationError: an unknown convention, or sizes that are not positive.
    """

    def __init__(self, convention: Convention, page_size: int, max_page_size: int) -> None:
        self.convention = convention
        self.page_size = page_size
        self.max_page_size = max_page_size
        self.check()

    def check(self) -> None:
        """Raise ``ValidationError`` when the settings are not usable."""
        if self.convention not in CONVENTIONS:
            raise ValidationError(
                "pagination", f"unknown pagination {self.convention!r}; use one of {CONVENTIONS}"
            )
        if self.page_size < 1 or self.max_page_size < self.page_size:
            raise ValidationError("page_size", "must be at least 1 and at most max_page_size")

    def page(
        self, items: Sequence[T], query: Mapping[str, str], self_url: str
    ) -> tuple[list[T], dict[str, Any] | None]:
        """The slice of ``items`` the query asks for, and the ``pagination`` block to send.

        A page past the end is empty and still carries its block. ``"none"`` returns every
        item and no block.

        Args:
            items: the whole list, in the order it is served.
            query: the request's query parameters.
            self_url: the request's absolute URL without its query (for ``next`` links).

        Raises:
            PagingQueryError: a size, page, offset or cursor that is not valid.
        """
        convention = self.convention
        if convention == "none":
            return list(items), None
        size = self._size(query)
        total = len(items)
        if convention == "offset":
            offset = _int(query, "offset", 0, minimum=0)
            return list(items[offset : offset + size]), {
                "offset": offset,
                "limit": size,
                "total": total,
            }
        if convention in ("cursor", "cursor_camel"):
            start = decode_cursor(query.get("cursor"))
            end = start + size
            following = encode_cursor(end) if end < total else None
            if convention == "cursor":
                block = {"next_cursor": following, "has_more": following is not None}
            else:
                block = {"nextCursor": following}
            return list(items[start:end]), block
        number = _int(query, "page", 1, minimum=1)
        start = (number - 1) * size
        chunk = list(items[start : start + size])
        pages = -(-total // size)
        has_next = number < pages
        return chunk, self._page_block(number, size, total, pages, has_next, query, self_url)

    def _page_block(
        self,
        number: int,
        size: int,
        total: int,
        pages: int,
        has_next: bool,
        query: Mapping[str, str],
        self_url: str,
    ) -> dict[str, Any]:
        convention = self.convention
        if convention == "page_limit":
            return {"page": number, "limit": size, "total": total, "totalPages": pages}
        if convention == "current_page":
            return {
                "currentPage": number,
                "totalPages": pages,
                "totalItems": total,
                "itemsPerPage": size,
                "hasNextPage": has_next,
            }
        if convention == "per_page":
            # Laravel's convention, whose last_page is 1 for an empty list.
            return {"page": number, "per_page": size, "total": total, "last_page": max(pages, 1)}
        if convention == "snake_page":
            return {
                "page": number,
                "page_size": size,
                "total_items": total,
                "total_pages": pages,
                "has_next": has_next,
            }
        if convention == "next_url":
            return {"next": _next_url(self_url, query, number + 1, size) if has_next else None}
        return {"has_more": has_next}

    def _size(self, query: Mapping[str, str]) -> int:
        for name in SIZE_PARAMS:
            if name in query:
                return min(_int(query, name, self.page_size, minimum=1), self.max_page_size)
        return self.page_size


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the item at ``offset``."""
    raw = (_CURSOR_PREFIX + str(offset)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for; no cursor means the start.

    Raises:
        PagingQueryError: a cursor this fake did not hand out.
    """
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise PagingQueryError("invalid cursor") from None
    number = text.removeprefix(_CURSOR_PREFIX)
    if number == text or not (number.isascii() and number.isdigit() and len(number) <= 18):
        raise PagingQueryError("invalid cursor")
    return int(number)


def _int(query: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    value = query.get(name)
    if value is None or value == "":
        return default
    # ASCII digits only, and short enough to be a real page number (int() refuses huge ones).
    if not (value.isascii() and value.isdigit() and len(value) <= 18) or int(value) < minimum:
        raise PagingQueryError(f"query parameter {name!r} must be an integer >= {minimum}")
    return int(value)


def _next_url(self_url: str, query: Mapping[str, str], number: int, size: int) -> str:
    params = dict(query)
    params["page"] = str(number)
    if not any(name in params for name in SIZE_PARAMS):
        params["limit"] = str(size)
    return f"{self_url}?{urlencode(params)}"
