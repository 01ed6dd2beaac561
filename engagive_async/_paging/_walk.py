"""One walk over a list endpoint: the pages it yields and the rules it follows. No I/O.

:class:`_Walk` decides what to ask for next (page number, offset, cursor or next URL, as the
server's ``pagination`` block allows), when to stop, and what to refuse: a page or cursor seen
twice, a page that repeats the one before, more than ``max_pages``. It also drops items already
yielded (``dedupe``) and the surplus past ``max_items``. :mod:`_pagination` drives it, strictly
sequentially or with look-ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from engagive_async._errors import PaginationError
from engagive_async._paging._page_info import PageInfo, PagingParams, read_page_info
from engagive_async.models.results import Envelope

__all__ = ["Page", "Request", "Step", "Walk"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a walk.

    Attributes:
        items: the page's items, minus those already yielded (``dedupe``) and those past
            ``max_items``.
        number: the page number the server reported, else the one asked for, else the page's
            position in the walk (1-based).
        pagination: the ``pagination`` block exactly as received (``None``: there was none).
        info: that block, normalised.
    """

    items: list[T]
    number: int
    pagination: Mapping[str, Any] | None
    info: PageInfo


@attrs.frozen
class Request:
    """One page to ask for. ``number`` is set in page mode, ``offset`` in offset mode."""

    ordinal: int  # 1-based position in the walk
    params: Mapping[str, str]
    url: str | None = None
    number: int | None = None
    offset: int | None = None
    cursor: str | None = None

    @property
    def key(self) -> tuple[str, object]:
        """What makes this request the same as another, for the loop guard."""
        for kind, value in (("url", self.url), ("cursor", self.cursor), ("offset", self.offset)):
            if value is not None:
                return kind, value
        return "page", self.number

    @property
    def label(self) -> int:
        """The page number put on errors."""
        return self.number if self.number is not None else self.ordinal


@attrs.frozen
class Step(Generic[T]):
    """A page accepted by the walk, with what the rules need to know about it."""

    page: Page[T]
    request: Request
    received: int  # items the server sent, before dedupe and max_items


@attrs.frozen(kw_only=True)
class WalkSpec(Generic[T]):
    """What a walk is asked to do: the pager's settings, and nothing of its I/O."""

    decode: Callable[[Any], list[T]]
    paging: PagingParams
    page_size: int | None
    max_items: int | None
    start_page: int | None
    cursor: str | None
    dedupe: bool
    max_pages: int


class Walk(Generic[T]):
    """The rules of one walk, and its memory (ids yielded, pages seen). No I/O."""

    def __init__(self, spec: WalkSpec[T]) -> None:
        self._p = spec
        self._seen_ids: set[Any] = set()
        self._asked: set[tuple[str, object]] = set()
        self._numbers: set[int] = set()
        self._taken = 0  # items handed out, counted against max_items
        self._received = 0  # items the server sent in this walk
        self._size: int | None = None  # the server's page size, as the first page showed it
        self._base = 0 if spec.start_page == 0 else 1
        self._last_idents: tuple[object, ...] = ()

    def first_request(self) -> Request | None:
        p = self._p
        if p.max_items == 0:
            return None
        params = self._sized({})
        if p.cursor is not None:
            return Request(1, {**params, p.paging.cursor_param: p.cursor}, cursor=p.cursor)
        if p.start_page is not None:
            page = {**params, p.paging.page_param: str(p.start_page)}
            return Request(1, page, number=p.start_page)
        return Request(1, params)

    def accept(self, request: Request, envelope: Envelope) -> Step[T]:
        """Decode a page, check it against the loop guard, drop duplicates and the surplus."""
        received = self._p.decode(envelope.data)
        info = read_page_info(envelope.pagination)
        if request.ordinal == 1 and info.number == 0 and self._p.start_page is None:
            self._base = 0  # a zero-based server
        if info.number is not None:
            if info.number in self._numbers:
                raise PaginationError(
                    f"the server answered page {request.label} with page {info.number} again; "
                    f"it does not seem to follow the {self._p.paging.page_param!r} parameter"
                )
            self._numbers.add(info.number)
        self._asked.add(request.key)
        self._check_not_a_repeat(request, received)
        if self._size is None and received:
            self._size = len(received)
        items = [item for item in received if self._is_new(item)]
        if self._p.max_items is not None:
            items = items[: self._p.max_items - self._taken]
        self._taken += len(items)
        self._received += len(received)
        number = info.number if info.number is not None else request.label
        page = Page(items=items, number=number, pagination=envelope.pagination, info=info)
        return Step(page, request, len(received))

    def next_request(self, step: Step[T]) -> Request | None:
        """The page after ``step``, or ``None`` when the walk is over.

        Raises:
            PaginationError: the next page was asked for already, or it would pass max_pages.
        """
        info, p = step.page.info, self._p
        if p.max_items is not None and self._taken >= p.max_items:
            return None
        # A block that says nothing readable (Engagive's docs show ``"pagination": {}``) is
        # taken as no block: asking for page 2 of a server that ignores paging would loop.
        if info == _NOTHING or step.received == 0 or info.has_next is False:
            return None
        if info.has_next is None and not (info.next_cursor or info.next_url) and self._at_end(step):
            return None
        request = self._after(step)
        if request.key in self._asked:
            kind, value = request.key
            raise PaginationError(
                f"the server sent the walk back to {kind} {str(value)[:80]!r}, already read "
                f"(after page {step.page.number}); stopped instead of looping"
            )
        if request.ordinal > p.max_pages:
            raise PaginationError(
                f"the walk reached max_pages={p.max_pages} and the server reports more pages; "
                "raise max_pages= or narrow the query"
            )
        return request

    def ahead(self, step: Step[T], after: Request, limit: int) -> list[Request]:
        """Requests beyond ``after`` that are known now (up to ``limit``), for look-ahead."""
        info, p = step.page.info, self._p
        size = info.size or self._size
        if p.max_items is not None:
            if not size:
                return []
            limit = min(limit, -(-(p.max_items - self._taken) // size) - 1)
        limit = min(limit, p.max_pages - after.ordinal)
        if after.number is not None:
            last = self._last_number(info)
            if last is None:
                return []
            numbers = range(after.number + 1, min(last, after.number + limit) + 1)
            return [self._page(after.ordinal + i, n) for i, n in enumerate(numbers, 1)]
        if after.offset is not None and info.total_items is not None and size == step.received:
            offsets = range(after.offset + size, info.total_items, size)[: max(limit, 0)]
            return [self._at_offset(after.ordinal + i, o) for i, o in enumerate(offsets, 1)]
        return []

    def _at_end(self, step: Step[T]) -> bool:
        info, received = step.page.info, step.received
        offset = self._offset_of(step)
        if offset is not None and info.total_items is not None:
            return offset + received >= info.total_items
        last = self._last_number(info)
        if last is not None and offset is None:
            return step.page.number >= last
        if info.total_items is not None and self._p.start_page is None and self._p.cursor is None:
            return self._received >= info.total_items
        size = info.size or self._size
        return size is not None and received < size

    def _after(self, step: Step[T]) -> Request:
        info, p, ordinal = step.page.info, self._p.paging, step.request.ordinal + 1
        if info.next_cursor:
            params = self._sized({p.cursor_param: info.next_cursor})
            return Request(ordinal, params, cursor=info.next_cursor)
        if info.next_url:
            return Request(ordinal, {}, url=info.next_url)
        offset = self._offset_of(step)
        if offset is not None:
            return self._at_offset(ordinal, offset + step.received)
        return self._page(ordinal, step.page.number + 1)

    def _page(self, ordinal: int, number: int) -> Request:
        params = self._sized({self._p.paging.page_param: str(number)})
        return Request(ordinal, params, number=number)

    def _at_offset(self, ordinal: int, offset: int) -> Request:
        params = self._sized({self._p.paging.offset_param: str(offset)})
        return Request(ordinal, params, offset=offset)

    def _offset_of(self, step: Step[T]) -> int | None:
        """The page's offset in offset mode (no page number reported), else ``None``."""
        if step.page.info.number is not None:
            return None
        # The offset the server reports wins: one that ignores ours then trips the loop guard.
        reported = step.page.info.offset
        return reported if reported is not None else step.request.offset

    def _last_number(self, info: PageInfo) -> int | None:
        last = info.last_page
        if last is None and info.total_items is not None and self._size:
            last = -(-info.total_items // self._size)
        return None if last is None else last - 1 + self._base

    def _sized(self, params: dict[str, str]) -> dict[str, str]:
        if self._p.page_size is not None:
            params[self._p.paging.limit_param] = str(self._p.page_size)
        return params

    def _check_not_a_repeat(self, request: Request, received: list[T]) -> None:
        """A page with the very ids of the page before is a server ignoring our paging."""
        idents = tuple(_identity(item) for item in received)
        if idents and self._last_idents == idents and None not in idents:
            raise PaginationError(
                f"page {request.label} repeats the page before it item for item; the server "
                "does not seem to follow the paging parameters"
            )
        self._last_idents = idents

    def _is_new(self, item: Any) -> bool:
        if not self._p.dedupe:
            return True
        ident = _identity(item)
        if ident is None:
            return True
        try:
            if ident in self._seen_ids:
                return False
            self._seen_ids.add(ident)
        except TypeError:  # an unhashable id: such items are never deduped
            pass
        return True


_NOTHING = PageInfo()


def _identity(item: Any) -> object:
    """An item's ``id`` (attribute, or key of a mapping), ``None`` when it has none."""
    return item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
