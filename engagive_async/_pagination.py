"""AsyncPager and Page: every item of a list endpoint behind one ``async for``.

The pager knows nothing of HTTP: it is given ``fetch(params, next_url)``, which returns one
page's envelope (retrying transient failures itself), and ``decode(data)``, which turns the
page's ``data`` into models. :class:`_Walk` holds the rules (what to ask for next, when to stop,
the loop guard, dedupe, ``max_items``) and does no I/O. The pager runs it strictly sequentially
(``prefetch=0``), or from a background producer that keeps up to ``prefetch`` requests in flight
whenever the pages ahead are known (the server reported the page count, or the total and the
page size). The producer's task group lives in a task of its own (``_background``), so nothing
yields from inside it, and the consumer leaving stops it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing, contextmanager
from typing import Any, Generic, TypeVar

import anyio
import attrs
from anyio.abc import TaskGroup

from engagive_async._background import Producer, stream_from_background
from engagive_async._errors import APIError, PaginationError, ValidationError
from engagive_async._page_info import PageInfo, PagingParams, read_page_info
from engagive_async.models.results import Envelope

__all__ = ["AsyncPager", "Fetch", "Page"]

T = TypeVar("T")
#: ``fetch(params, next_url)``: one page with these query params, or ``next_url`` as given.
Fetch = Callable[[Mapping[str, str], str | None], Awaitable[Envelope]]


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
class _Request:
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
class _Step(Generic[T]):
    """A page accepted by the walk, with what the rules need to know about it."""

    page: Page[T]
    request: _Request
    received: int  # items the server sent, before dedupe and max_items


class _Walk(Generic[T]):
    """The rules of one walk, and its memory (ids yielded, pages seen). No I/O."""

    def __init__(self, pager: AsyncPager[T]) -> None:
        self._p = pager
        self._seen_ids: set[Any] = set()
        self._asked: set[tuple[str, object]] = set()
        self._numbers: set[int] = set()
        self._taken = 0  # items handed out, counted against max_items
        self._received = 0  # items the server sent in this walk
        self._size: int | None = None  # the server's page size, as the first page showed it
        self._base = 0 if pager.start_page == 0 else 1
        self._last_idents: tuple[object, ...] = ()

    def first_request(self) -> _Request | None:
        p = self._p
        if p.max_items == 0:
            return None
        params = self._sized({})
        if p.cursor is not None:
            return _Request(1, {**params, p.paging.cursor_param: p.cursor}, cursor=p.cursor)
        if p.start_page is not None:
            page = {**params, p.paging.page_param: str(p.start_page)}
            return _Request(1, page, number=p.start_page)
        return _Request(1, params)

    def accept(self, request: _Request, envelope: Envelope) -> _Step[T]:
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
        return _Step(page, request, len(received))

    def next_request(self, step: _Step[T]) -> _Request | None:
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

    def ahead(self, step: _Step[T], after: _Request, limit: int) -> list[_Request]:
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

    def _at_end(self, step: _Step[T]) -> bool:
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

    def _after(self, step: _Step[T]) -> _Request:
        info, p, ordinal = step.page.info, self._p.paging, step.request.ordinal + 1
        if info.next_cursor:
            params = self._sized({p.cursor_param: info.next_cursor})
            return _Request(ordinal, params, cursor=info.next_cursor)
        if info.next_url:
            return _Request(ordinal, {}, url=info.next_url)
        offset = self._offset_of(step)
        if offset is not None:
            return self._at_offset(ordinal, offset + step.received)
        return self._page(ordinal, step.page.number + 1)

    def _page(self, ordinal: int, number: int) -> _Request:
        params = self._sized({self._p.paging.page_param: str(number)})
        return _Request(ordinal, params, number=number)

    def _at_offset(self, ordinal: int, offset: int) -> _Request:
        params = self._sized({self._p.paging.offset_param: str(offset)})
        return _Request(ordinal, params, offset=offset)

    def _offset_of(self, step: _Step[T]) -> int | None:
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

    def _check_not_a_repeat(self, request: _Request, received: list[T]) -> None:
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


class AsyncPager(Generic[T]):
    """Every item of a list endpoint, fetched page by page as you iterate.

    ``async for item in pager`` yields items; ``pager.pages()`` yields :class:`Page` objects;
    ``await pager.to_list()`` collects everything. Each iteration is a fresh walk from the
    start (or from ``start_page`` / ``cursor``), so a pager can be iterated again.

    The walk stops on: no ``pagination`` block, or one with nothing readable (one page); an
    empty page; the last page by number or total; ``has_next``/``has_more`` false; an empty
    next cursor or link; or a short page when the server says nothing else. A server that sends
    the walk back to a page, offset, cursor or link already read, or answers with the same
    items as the page before, or a walk longer than ``max_pages``, raises
    :class:`PaginationError`.

    Leaving the loop early (``break``, an exception, cancellation) cancels the requests in
    flight. With ``contextlib.aclosing(pager.items())`` or ``aclosing(pager.pages())`` that
    happens at the end of the ``async with``; without it, when asyncio finalises the abandoned
    iterator (at once on CPython). Trio does the same but warns about an async generator left
    unclosed, so on trio use ``aclosing`` or read to the end (``to_list()`` does).

    Args:
        fetch: ``fetch(params, next_url)`` returns one page's envelope; it retries transient
            failures itself and raises the SDK's typed errors.
        decode: turns a page's ``data`` into a list of models.
        paging: the query parameter names to send.
        page_size: sent as the page size parameter; the server's default when ``None``.
        max_items: stop after this many items, asking for no page beyond those needed.
        start_page: resume at this page number.
        cursor: resume at this cursor (a ``Page.info.next_cursor`` of an earlier walk).
        dedupe: skip an item whose ``id`` was already yielded (offset paging repeats items when
            rows are inserted while walking). Items without an ``id`` are always yielded.
        prefetch: requests kept in flight ahead of the page being read, when the pages ahead
            are known; at most ``prefetch + 1`` pages are held at once. ``0``: strictly
            sequential, nothing is requested before you ask for it.
        max_pages: the most pages one walk may read.

    Raises:
        ValidationError: an argument is out of range, or both ``start_page`` and ``cursor``.
    """

    __module__ = "engagive_async"

    def __init__(
        self,
        *,
        fetch: Fetch,
        decode: Callable[[Any], list[T]],
        paging: PagingParams | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        start_page: int | None = None,
        cursor: str | None = None,
        dedupe: bool = True,
        prefetch: int = 4,
        max_pages: int = 10_000,
    ) -> None:
        for name, value, least in (
            ("page_size", page_size, 1),
            ("max_items", max_items, 0),
            ("start_page", start_page, 0),
            ("prefetch", prefetch, 0),
            ("max_pages", max_pages, 1),
        ):
            if value is not None and value < least:
                raise ValidationError(name, f"must be at least {least}, got {value}")
        if start_page is not None and cursor is not None:
            raise ValidationError("cursor", "give start_page or cursor, not both")
        self.fetch = fetch
        self.decode = decode
        self.paging = paging or PagingParams()
        self.page_size = page_size
        self.max_items = max_items
        self.start_page = start_page
        self.cursor = cursor
        self.dedupe = dedupe
        self.prefetch = prefetch
        self.max_pages = max_pages

    def __repr__(self) -> str:
        return (
            f"engagive_async.AsyncPager(page_size={self.page_size}, max_items={self.max_items}, "
            f"prefetch={self.prefetch})"
        )

    def __aiter__(self) -> AsyncIterator[T]:
        return self.items()

    async def items(self) -> AsyncGenerator[T, None]:
        """Every item, in the server's order (what ``async for item in pager`` runs).

        Raises:
            APIError: a page failed; ``.page`` names it. Items before it were yielded.
            PaginationError: the server loops, or the walk passed ``max_pages``.
        """
        async with aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield item

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """Every page, in order, each as a :class:`Page` (raises as :meth:`items` does)."""
        if self.prefetch == 0:
            return self._sequential()
        return stream_from_background(self._produce)

    async def to_list(self) -> list[T]:
        """Every item in a list (raises as :meth:`items` does)."""
        async with aclosing(self.items()) as items:
            return [item async for item in items]

    async def _sequential(self) -> AsyncGenerator[Page[T], None]:
        walk = _Walk(self)
        request = walk.first_request()
        while request is not None:
            with _tagged(request):
                step = walk.accept(request, await self.fetch(request.params, request.url))
            yield step.page
            request = walk.next_request(step)

    async def _produce(self, out: Producer[Page[T]]) -> None:
        walk = _Walk(self)
        first = walk.first_request()
        if first is None:
            return
        failure: Exception | None = None
        async with anyio.create_task_group() as tg:
            # Raised outside the group, so the consumer sees the error, not an ExceptionGroup.
            try:
                await _Window(self, walk, tg).run(first, out)
            except Exception as exc:  # noqa: BLE001 - raised again below, unwrapped
                failure = exc
            tg.cancel_scope.cancel()
        if failure is not None:
            raise failure


class _Slot:
    """A page being fetched in the background."""

    def __init__(self, request: _Request) -> None:
        self.request = request
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()
        self.envelope: Envelope | None = None
        self.error: Exception | None = None


class _Window(Generic[T]):
    """Keeps up to ``prefetch`` pages in flight and hands them out in walk order."""

    def __init__(self, pager: AsyncPager[T], walk: _Walk[T], tg: TaskGroup) -> None:
        self._pager = pager
        self._walk = walk
        self._tg = tg
        self._slots: deque[_Slot] = deque()
        self._planned: deque[_Request] = deque()

    async def run(self, first: _Request, out: Producer[Page[T]]) -> None:
        self._planned.append(first)
        self._top_up()
        while self._slots:
            head = self._slots[0]
            await head.done.wait()
            with _tagged(head.request):
                if head.error is not None:
                    raise head.error
                assert head.envelope is not None  # set whenever error is not
                step = self._walk.accept(head.request, head.envelope)
            stop: PaginationError | None = None
            try:
                following = self._walk.next_request(step)
            except PaginationError as exc:  # raised once this page is handed out
                following, stop = None, exc
            self._replan(step, following)
            await out.emit(step.page)
            if out.consumer_gone:
                return
            self._slots.popleft()
            if stop is not None:
                raise stop
            self._top_up()

    def _replan(self, step: _Step[T], following: _Request | None) -> None:
        """Make the pages in flight after the head match what the head says comes next."""
        wanted: list[_Request] = []
        if following is not None:
            ahead = self._walk.ahead(step, following, self._pager.prefetch - 1)
            wanted = [following, *ahead]
        launched = list(self._slots)[1:]
        keep = 0
        while keep < min(len(launched), len(wanted)):
            if launched[keep].request.key != wanted[keep].key:
                break
            keep += 1
        for slot in launched[keep:]:
            slot.scope.cancel()  # a plan the head's answer proved wrong
            self._slots.remove(slot)
        self._planned = deque(wanted[keep:])
        self._top_up()

    def _top_up(self) -> None:
        while self._planned and len(self._slots) < self._pager.prefetch:
            slot = _Slot(self._planned.popleft())
            self._slots.append(slot)
            self._tg.start_soon(self._fetch, slot)

    async def _fetch(self, slot: _Slot) -> None:
        try:
            with slot.scope:
                slot.envelope = await self._pager.fetch(slot.request.params, slot.request.url)
        except Exception as exc:  # noqa: BLE001 - raised by the walk when this page's turn comes
            slot.error = exc
        finally:
            slot.done.set()


@contextmanager
def _tagged(request: _Request) -> Iterator[None]:
    """Put the page number on an API error raised while fetching or decoding that page."""
    try:
        yield
    except APIError as exc:
        if exc.page is None:
            exc.page = request.label
        raise
