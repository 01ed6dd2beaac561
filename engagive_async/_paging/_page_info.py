"""Reading a list response's ``pagination`` block, whatever convention the server follows.

Engagive's docs show a ``pagination`` object in list envelopes but never its fields (GAPS.md,
item 11), so nothing here assumes one shape: :func:`read_page_info` recognises the common
conventions (page/limit/total/totalPages, currentPage/itemsPerPage/hasNextPage,
page/per_page/last_page, offset/limit/total, next_cursor, a ``next`` URL or token, has_more, ...)
in camelCase and snake_case alike, and normalises them into one :class:`PageInfo`. Keys are
compared with case, ``_`` and ``-`` ignored, so ``totalPages``, ``total_pages`` and
``TotalPages`` are the same key. Values may be numbers or numeric strings. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import attrs

__all__ = ["PageInfo", "PagingParams", "read_page_info"]

V = TypeVar("V")


@attrs.frozen(kw_only=True)
class PagingParams:
    """The query parameter names the client sends to ask for a page.

    The defaults follow the most common convention; change them with
    ``AsyncClient(paging=PagingParams(page_param="p"))`` for a server that names them otherwise.
    A server's ``next`` URL is always followed as given, whatever these say.

    Attributes:
        page_param: the page number (1-based unless the server reports page 0 first).
        limit_param: the page size, sent only when ``page_size=`` is given.
        offset_param: the offset, for servers whose block reports an ``offset``.
        cursor_param: the cursor, for servers whose block hands out a next cursor.
    """

    page_param: str = "page"
    limit_param: str = "limit"
    offset_param: str = "offset"
    cursor_param: str = "cursor"


@attrs.frozen(kw_only=True)
class PageInfo:
    """One ``pagination`` block, normalised. ``None`` means the server did not say.

    Attributes:
        number: the page number the server reports (``page``, ``currentPage``, ...).
        size: the page size (``limit``, ``per_page``, ``pageSize``, ``itemsPerPage``, ...).
        total_items: the number of items in the whole list (``total``, ``totalItems``, ...).
        total_pages: the number of pages (``totalPages``, ``last_page``, ``pages``, ...).
        has_next: whether another page follows (``hasNextPage``, ``has_more``, or ``False``
            when a next cursor or next link is present but empty).
        next_cursor: an opaque token for the next page.
        next_url: the next page's URL, absolute or relative to the server.
        offset: the offset of this page's first item.
    """

    number: int | None = None
    size: int | None = None
    total_items: int | None = None
    total_pages: int | None = None
    has_next: bool | None = None
    next_cursor: str | None = None
    next_url: str | None = None
    offset: int | None = None

    @property
    def last_page(self) -> int | None:
        """The number of pages, as reported or computed from the totals (``None``: unknown)."""
        if self.total_pages is not None:
            return self.total_pages
        if self.total_items is not None and self.size:
            return -(-self.total_items // self.size)
        return None


# Normalised key names (lower case, no "_" or "-"), best first within each field.
_NUMBER = ("page", "currentpage", "pagenumber", "pageno", "pagenum", "number")
_SIZE = ("limit", "perpage", "pagesize", "itemsperpage", "pagelimit", "size")
_TOTAL_ITEMS = (
    "total",
    "totalitems",
    "totalcount",
    "totalrecords",
    "totalresults",
    "totalelements",
    "count",
)
_TOTAL_PAGES = ("totalpages", "lastpage", "pagecount", "pages", "numpages", "pagestotal")
_HAS_NEXT = ("hasnext", "hasnextpage", "hasmore", "morepages")
_OFFSET = ("offset", "skip")
_CURSOR = ("nextcursor", "nextpagetoken", "nexttoken", "endcursor")
_URL = ("nexturl", "nextpageurl", "nextlink", "nexthref")
# Keys whose value may be a URL, a token, or a next page number, told apart by its shape.
_AMBIGUOUS = ("next", "nextpage")


def read_page_info(block: Mapping[str, Any] | None) -> PageInfo:
    """Normalise a ``pagination`` block into a :class:`PageInfo`.

    Unknown keys are ignored and values of the wrong kind count as absent: a block this function
    cannot read yields an empty :class:`PageInfo`, never an exception.

    Args:
        block: the envelope's ``pagination`` value (``None`` or a non-mapping: nothing known).
    """
    if not isinstance(block, Mapping):
        return PageInfo()
    keys = {_normalise(key): value for key, value in block.items() if isinstance(key, str)}
    cursor, url, more = _next_link(keys)
    has_next = _first(keys, _HAS_NEXT, _to_bool)
    return PageInfo(
        number=_first(keys, _NUMBER, _to_int),
        size=_first(keys, _SIZE, _to_positive),
        total_items=_first(keys, _TOTAL_ITEMS, _to_int),
        total_pages=_first(keys, _TOTAL_PAGES, _to_int),
        has_next=has_next if has_next is not None else more,
        next_cursor=cursor,
        next_url=url,
        offset=_first(keys, _OFFSET, _to_int),
    )


def _next_link(keys: Mapping[str, Any]) -> tuple[str | None, str | None, bool | None]:
    """The next cursor, the next URL, and what their presence says about a next page.

    A next-link key that is present but empty (``"next": null``) means there is no next page;
    a next page number (``"nextPage": 3``) means there is one.
    """
    cursor = url = None
    present = hinted = False
    for name, value in _next_candidates(keys):
        present = True
        # A next page number; a numeric string under "next" stays a token (ids make cursors).
        number_like = not isinstance(value, str) or name == "nextpage"
        if name in _AMBIGUOUS and number_like and _to_int(value) is not None:
            hinted = True
            continue
        text = _to_text(value)
        if text is None:
            continue
        is_url = name in _URL or (name in _AMBIGUOUS and _looks_like_url(text))
        if is_url:
            url = url or text
        else:
            cursor = cursor or text
    if cursor or url or hinted:
        return cursor, url, True
    return None, None, (False if present else None)


def _next_candidates(keys: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Every next-link key present, cursors first, including ``links.next`` (JSON:API, HAL)."""
    found = [(name, keys[name]) for name in (*_CURSOR, *_URL, *_AMBIGUOUS) if name in keys]
    links = keys.get("links")  # "links" and HAL's "_links" alike, once normalised
    if isinstance(links, Mapping):
        nested = {_normalise(k): v for k, v in links.items() if isinstance(k, str)}
        if "next" in nested:
            target = nested["next"]
            if isinstance(target, Mapping):  # HAL: {"next": {"href": "..."}}
                target = target.get("href")
            found.append(("nexturl", target))
    return found


def _looks_like_url(text: str) -> bool:
    """Tell a next-page link from an opaque token.

    An absolute http(s) URL, or a relative one starting with ``/`` or ``?`` that carries a
    query. Opaque tokens are usually base64url (no ``/`` or ``?``) or plain ids.
    """
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        return bool(parts.netloc)
    return text.startswith(("/", "?")) and "?" in text and not any(c.isspace() for c in text)


def _normalise(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _first(
    keys: Mapping[str, Any], names: tuple[str, ...], read: Callable[[Any], V | None]
) -> V | None:
    for name in names:
        if name in keys:
            value = read(keys[name])
            if value is not None:
                return value
    return None


def _to_int(value: Any) -> int | None:
    """A non-negative integer from an int, an integral float or a numeric string."""
    if isinstance(value, bool):
        return None  # True is an int in Python, never a page number
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() and number >= 0 else None
    return None


def _to_positive(value: Any) -> int | None:
    number = _to_int(value)
    return number if number else None


_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _to_text(value: Any) -> str | None:
    """A cursor or link as text; ``None``, ``""`` and non-scalars mean none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None
