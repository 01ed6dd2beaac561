"""AsyncPager and Page: every item of a list endpoint behind one ``async for``.

The pager knows nothing of HTTP: it is given ``fetch(params, next_url)``, which returns one
page's envelope (retrying transient failures itself), and ``decode(data)``, which turns the
page's ``data`` into models. ``_walk.Walk`` holds the rules (what to ask for next, when to
stop, the loop guard, dedupe, ``max_items``) and does no I/O. The pager runs it strictly
sequentially (``prefetch=0``), or from a background producer that keeps requests in flight
whenever the pages ahead are known (the server reported the page count, or the total and the
page size): two at first, twice as many after each page handed out, at most ``prefetch``.
The producer's task group lives in a task of its own (``_background``), so nothing yields from
inside it, and the consumer leaving stops it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing, contextmanager
from typing import Any, Generic, TypeVar

import anyio
from anyio.abc import TaskGroup

from engagive_async._background import Producer, stream_from_background
from engagive_async._errors import APIError, PaginationError, ValidationError
from engagive_async._observe import get_logger, refresh
from engagive_async._paging._page_info import PagingParams
from engagive_async._paging._walk import Page, Request, Step, Walk, WalkSpec
from engagive_async.models.results import Envelope

__all__ = ["AsyncPager", "Fetch", "Page"]

T = TypeVar("T")
log = get_logger("paging")
#: The look-ahead's bound by default: 16 pages ahead takes a 100-page walk in about 9 round
#: trips instead of 100, while holding at most 17 pages and never 16 requests at once for a
#: walk shorter than 5 pages (the window starts at _FIRST_WINDOW and doubles).
_DEFAULT_PREFETCH = 16
_FIRST_WINDOW = 2
#: ``fetch(params, next_url)``: one page with these query params, or ``next_url`` as given.
Fetch = Callable[[Mapping[str, str], str | None], Awaitable[Envelope]]


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
        prefetch: the most requests kept in flight ahead of the page being read, when the
            pages ahead are known. The look-ahead starts at two pages and doubles with each
            page handed out, up to ``prefetch``, so a walk left after a page or two asked for
            little more, and a long walk takes a few round trips instead of one per page. At
            most ``prefetch + 1`` pages are held at once; no page past the last is asked for.
            ``0``: strictly sequential, nothing is requested before you ask for it.
        max_pages: the most pages one walk may read.
        template: the route's path template, named on the walk's span (each walk is one
            ``page_walk`` span, its page requests under it, when a tracer provider is set).

    Raises:
        ValidationError: an argument is out of range, or both ``start_page`` and ``cursor``.
    """

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
        prefetch: int = _DEFAULT_PREFETCH,
        max_pages: int = 10_000,
        template: str | None = None,
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
        self.prefetch = prefetch
        self._template = template
        self._spec = WalkSpec(
            decode=decode,
            paging=paging or PagingParams(),
            page_size=page_size,
            max_items=max_items,
            start_page=start_page,
            cursor=cursor,
            dedupe=dedupe,
            max_pages=max_pages,
        )

    # Read-only views of one frozen spec, so that a walk under way never sees its settings change.
    @property
    def decode(self) -> Callable[[Any], list[T]]:
        """What turns a page's ``data`` into items."""
        return self._spec.decode

    @property
    def paging(self) -> PagingParams:
        """The query parameter names sent."""
        return self._spec.paging

    @property
    def page_size(self) -> int | None:
        """The page size asked for; the server's default when ``None``."""
        return self._spec.page_size

    @property
    def max_items(self) -> int | None:
        """Stop after this many items."""
        return self._spec.max_items

    @property
    def start_page(self) -> int | None:
        """The page number a walk starts at."""
        return self._spec.start_page

    @property
    def cursor(self) -> str | None:
        """The cursor a walk starts at."""
        return self._spec.cursor

    @property
    def dedupe(self) -> bool:
        """Whether an item whose ``id`` was already yielded is skipped."""
        return self._spec.dedupe

    @property
    def max_pages(self) -> int:
        """The most pages one walk may read."""
        return self._spec.max_pages

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
        telemetry = refresh()
        span = telemetry.start_walk(self._template)
        pages = 0
        failure: BaseException | None = None
        try:
            walk = Walk(self._spec)
            request = walk.first_request()
            while request is not None:
                # The span is current around each fetch only: a generator must not yield
                # while a context it attached is still in place.
                with _tagged(request), telemetry.activate(span):
                    step = walk.accept(request, await self.fetch(request.params, request.url))
                pages += 1
                yield step.page
                request = walk.next_request(step)
        except Exception as exc:
            failure = exc
            raise
        finally:
            if span is not None:
                telemetry.end_walk(span, pages=pages, error=failure)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("walked %d pages", pages, extra={"url_template": self._template})

    async def _produce(self, out: Producer[Page[T]]) -> None:
        telemetry = refresh()
        span = telemetry.start_walk(self._template)
        failure: Exception | None = None
        try:
            with telemetry.activate(span):  # the background task's own context: no yields
                walk = Walk(self._spec)
                first = walk.first_request()
                if first is None:
                    return
                async with anyio.create_task_group() as tg:
                    # Raised outside the group, so the consumer sees the error, not a group.
                    try:
                        await _Window(self, walk, tg).run(first, out)
                    except Exception as exc:  # noqa: BLE001 - raised again below, unwrapped
                        failure = exc
                    tg.cancel_scope.cancel()
        finally:
            if span is not None:
                telemetry.end_walk(span, pages=None, error=failure)
        if failure is not None:
            raise failure
        if log.isEnabledFor(logging.DEBUG):
            log.debug("walk done (look-ahead)", extra={"url_template": self._template})


class _Slot:
    """A page being fetched in the background."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()
        self.envelope: Envelope | None = None
        self.error: Exception | None = None


class _Window(Generic[T]):
    """Keeps up to ``window`` pages in flight (ramping up to ``prefetch``), handed out in order."""

    def __init__(self, pager: AsyncPager[T], walk: Walk[T], tg: TaskGroup) -> None:
        self._pager = pager
        self._walk = walk
        self._tg = tg
        self._slots: deque[_Slot] = deque()
        self._planned: deque[Request] = deque()
        # Requests allowed in flight now: grows with each page handed out (see AsyncPager).
        self._window = min(pager.prefetch, _FIRST_WINDOW)

    async def run(self, first: Request, out: Producer[Page[T]]) -> None:
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
            # The reader took one more page: trust it with twice the look-ahead, to the bound.
            self._window = min(self._pager.prefetch, self._window * 2)
            if stop is not None:
                raise stop
            self._top_up()

    def _replan(self, step: Step[T], following: Request | None) -> None:
        """Make the pages in flight after the head match what the head says comes next."""
        wanted: list[Request] = []
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
        while self._planned and len(self._slots) < self._window:
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
def _tagged(request: Request) -> Iterator[None]:
    """Put the page number on an API error raised while fetching or decoding that page."""
    try:
        yield
    except APIError as exc:
        if exc.page is None:
            exc.page = request.label
        raise
