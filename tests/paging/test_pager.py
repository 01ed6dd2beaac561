"""AsyncPager: conventions, stopping, user controls, look-ahead, errors and cleanup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from contextlib import aclosing, asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
import httpx
import pytest
import trio

from engagive_async._errors import InternalServerError, PaginationError, ValidationError
from engagive_async._paging._page_info import PagingParams
from engagive_async._paging._pager import AsyncPager, Fetch, Page
from engagive_async._wire._converter import structure
from engagive_async._wire._routes import ROUTES
from engagive_async.models.results import Envelope
from engagive_async.models.templates import Template
from engagive_async.testing import CONVENTIONS, Convention, FakeEngagive, Fault, RecordedRequest
from engagive_async.testing._paging import Paging

#: Every convention FakeEngagive serves, and "bare": a block with nothing but the page number.
STYLES = [*(c for c in CONVENTIONS if c != "none"), "bare"]


def server_error(page: int) -> InternalServerError:
    return InternalServerError(
        f"boom on {page}", method="GET", url="https://h.test/x", status_code=500, body=None
    )


class Book:
    """A scripted list endpoint: ``n`` items of ``{"id": i}``, paged by FakeEngagive's paging
    in one convention, with the timing, failures and call log a pager test needs."""

    def __init__(self, n: int, *, size: int = 20, style: str = "page_limit") -> None:
        self.items: list[dict[str, Any]] = [{"id": i} for i in range(n)]
        self.size = size
        self.style = style
        self.delay = 0.0
        self.calls: list[dict[str, str]] = []
        self.in_flight = self.max_in_flight = self.cancelled = 0
        self.failures: dict[int, Exception] = {}
        self.on_call: Callable[[int], None] | None = None

    def pager(self, **options: Any) -> AsyncPager[dict[str, Any]]:
        return AsyncPager(fetch=self.fetch, decode=list, **options)

    async def fetch(self, params: Mapping[str, str], url: str | None) -> Envelope:
        if url is not None:
            params = dict(parse_qsl(urlsplit(url).query))
        self.calls.append(dict(params))
        if self.on_call is not None:
            self.on_call(len(self.calls))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await anyio.sleep(self.delay)
            return self.answer(params)
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1

    def answer(self, params: Mapping[str, str]) -> Envelope:
        # The fake's own paging draws every block; "bare" keeps a page block's number alone.
        convention = "page_limit" if self.style == "bare" else self.style
        paging = Paging(
            convention, page_size=self.size, max_page_size=max(self.size, len(self.items) + 1)
        )
        chunk, block = paging.page(self.items, params, "https://h.test/x")
        size = int(params.get("limit", self.size))
        page = chunk[0]["id"] // size + 1 if chunk else None
        if page in self.failures:
            raise self.failures[page]
        if self.style == "bare" and block is not None:
            block = {"page": block["page"]}
        return Envelope(success=True, data=chunk, pagination=block)


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}


async def settle() -> None:
    """Let the event loop finalise abandoned generators (a few turns of the loop)."""
    for _ in range(200):
        if not other_tasks():
            return
        await anyio.sleep(0.005)


async def drain(walk: AsyncIterable[Any], into: list[Any]) -> None:
    """Read a walk to its end, keeping what it yields before any error."""
    async for entry in walk:
        into.append(entry)


# --- conventions and stopping ---------------------------------------------------------------


@pytest.mark.parametrize("prefetch", [0, 4])
@pytest.mark.parametrize("style", STYLES)
async def test_every_convention_walks_every_item_once(style: str, prefetch: int) -> None:
    """Each convention yields all items in order, one request per page, none extra."""
    book = Book(95, style=style)
    assert ids(await book.pager(prefetch=prefetch).to_list()) == list(range(95))
    # 5 pages; a bare block (nothing but the page number) needs a short page to stop.
    assert len(book.calls) == 5


@pytest.mark.parametrize("style", STYLES)
async def test_exact_multiple_of_the_page_size(style: str) -> None:
    """When the last page is full, the walk still ends (by total, flag, or an empty page)."""
    book = Book(40, style=style)
    assert ids(await book.pager().to_list()) == list(range(40))
    assert len(book.calls) == (3 if style == "bare" else 2)


async def test_no_block_means_one_page() -> None:
    """A response without pagination is the whole list: one request."""
    book = Book(50, style="none")
    assert len(await book.pager().to_list()) == 50
    assert len(book.calls) == 1


@pytest.mark.parametrize("block", [{}, {"links": {}}, {"unknown": 1}])
async def test_a_block_with_nothing_readable_means_one_page(block: dict[str, Any]) -> None:
    """An empty or unreadable block (Engagive's docs show ``{}``) is one page, not a loop."""
    calls = 0

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        nonlocal calls
        calls += 1
        return Envelope(success=True, data=[{"id": 1}, {"id": 2}], pagination=block)

    assert len(await AsyncPager(fetch=fetch, decode=list).to_list()) == 2
    assert calls == 1


async def test_an_empty_page_stops_even_when_the_server_says_more() -> None:
    """An empty data list ends the walk whatever the block claims."""

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        return Envelope(success=True, data=[], pagination={"has_more": True, "page": 1})

    assert await AsyncPager(fetch=fetch, decode=list).to_list() == []


async def test_requests_carry_the_page_size_and_renamed_params() -> None:
    """page_size is sent under the configured limit name, and pages under the page name."""
    seen: list[dict[str, str]] = []

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        seen.append(dict(params))
        page = int(params.get("p", 1))
        return Envelope(success=True, data=[page], pagination={"page": page, "totalPages": 2})

    paging = PagingParams(page_param="p", limit_param="per_page")
    pager = AsyncPager(fetch=fetch, decode=list, paging=paging, page_size=7, prefetch=0)
    assert await pager.to_list() == [1, 2]
    assert seen == [{"per_page": "7"}, {"p": "2", "per_page": "7"}]


async def test_relative_next_url_is_passed_through_as_given() -> None:
    """A next link is handed to fetch as-is, with no params of ours."""
    seen: list[tuple[dict[str, str], str | None]] = []

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        seen.append((dict(params), url))
        block = {"next": "/api/x?cursor=2"} if url is None else {"next": None}
        return Envelope(success=True, data=[len(seen)], pagination=block)

    assert await AsyncPager(fetch=fetch, decode=list, page_size=5).to_list() == [1, 2]
    assert seen == [({"limit": "5"}, None), ({}, "/api/x?cursor=2")]


async def test_zero_based_server() -> None:
    """A server reporting page 0 first is walked 0, 1, 2 and stops at its last page."""
    book = Book(50, size=20)

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        page = int(params.get("page", 0))
        envelope = book.answer({"page": str(page + 1)})
        block = {"number": page, "size": 20, "totalPages": 3}
        return Envelope(success=True, data=envelope.data, pagination=block)

    items = await AsyncPager(fetch=fetch, decode=list).to_list()
    assert ids(items) == list(range(50))


async def test_pages_expose_number_raw_block_and_info() -> None:
    """pages() yields Page objects with the raw block, its reading and the page number; numbers
    sent as strings are read as numbers."""
    book = Book(45, size=20, style="snake_page")

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        envelope = await book.fetch(params, url)
        block = dict(envelope.pagination or {})
        block.update(page=str(block["page"]), page_size=str(block["page_size"]))
        return Envelope(success=True, data=envelope.data, pagination=block)

    pages = [page async for page in AsyncPager(fetch=fetch, decode=list).pages()]
    assert [page.number for page in pages] == [1, 2, 3]
    assert [len(page.items) for page in pages] == [20, 20, 5]
    assert pages[1].pagination == {
        "page": "2",
        "page_size": "20",
        "total_items": 45,
        "total_pages": 3,
        "has_next": True,
    }
    assert (pages[1].info.number, pages[1].info.size, pages[2].info.has_next) == (2, 20, False)


async def test_a_pager_can_be_walked_again() -> None:
    """Each iteration is a fresh walk from the start."""
    book = Book(30)
    pager = book.pager()
    assert await pager.to_list() == await pager.to_list()
    assert len(book.calls) == 4


# --- user controls ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefetch", [0, 4])
@pytest.mark.parametrize(("max_items", "requests"), [(0, 0), (1, 1), (20, 1), (21, 2), (60, 3)])
async def test_max_items_requests_only_the_pages_needed(
    max_items: int, requests: int, prefetch: int
) -> None:
    """max_items yields exactly that many items and asks for no page beyond them."""
    book = Book(200)
    items = await book.pager(max_items=max_items, prefetch=prefetch).to_list()
    assert ids(items) == list(range(max_items))
    assert len(book.calls) == requests


async def test_max_items_trims_the_last_page() -> None:
    """pages() under max_items trims the last page's items."""
    pages = [page async for page in Book(200).pager(max_items=30).pages()]
    assert [len(page.items) for page in pages] == [20, 10]


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_resume_at_a_page(prefetch: int) -> None:
    """start_page asks for that page first and walks on from it."""
    book = Book(95)
    items = await book.pager(start_page=3, prefetch=prefetch).to_list()
    assert ids(items) == list(range(40, 95))
    assert book.calls[0] == {"page": "3"}


@pytest.mark.parametrize("style", ["cursor", "cursor_camel"])
async def test_resume_at_a_cursor(style: str) -> None:
    """cursor= resumes a walk at a cursor an earlier walk handed out."""
    book = Book(95, style=style)
    first = [page async for page in book.pager(max_items=40).pages()]
    resume_at = first[-1].info.next_cursor
    assert resume_at is not None
    rest = await book.pager(cursor=resume_at).to_list()
    assert ids(rest) == list(range(40, 95))
    assert book.calls[2] == {"cursor": resume_at}


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_dedupe_under_inserts_while_walking(prefetch: int) -> None:
    """Offset paging repeats items when rows are inserted mid-walk; dedupe drops the repeats."""
    book = Book(95, style="offset")
    fresh = iter(range(1000, 2000))

    def insert_before_each_later_page(calls: int) -> None:
        if calls > 1:
            book.items.insert(0, {"id": next(fresh)})

    book.on_call = insert_before_each_later_page
    items = ids(await book.pager(prefetch=prefetch).to_list())
    assert len(items) == len(set(items))
    assert set(range(95)) <= set(items)


async def test_without_dedupe_repeats_come_through() -> None:
    """dedupe=False yields what the server sends, repeats included."""
    book = Book(60, style="offset")
    book.on_call = lambda calls: book.items.insert(0, {"id": 1000 + calls}) if calls > 1 else None
    items = ids(await book.pager(dedupe=False, prefetch=0).to_list())
    assert len(items) > len(set(items))


async def test_items_without_an_id_are_never_deduped() -> None:
    """Items without an id (or an unhashable one) are all yielded."""
    data = [{"code": "A"}, {"code": "A"}, {"id": [1]}, {"id": [1]}, {"id": 1}, {"id": 1}]

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        return Envelope(success=True, data=data)

    items = await AsyncPager(fetch=fetch, decode=list).to_list()
    assert items == data[:5]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"max_items": -1}, "max_items"),
        ({"prefetch": -1}, "prefetch"),
        ({"max_pages": 0}, "max_pages"),
        ({"start_page": -1}, "start_page"),
        ({"start_page": 2, "cursor": "c"}, "cursor"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], field: str) -> None:
    """Out-of-range options raise ValidationError naming the option, before any request."""
    with pytest.raises(ValidationError) as caught:
        Book(1).pager(**options)
    assert caught.value.field == field


def test_repr_names_the_public_class() -> None:
    """The repr reads engagive_async.AsyncPager and shows the options."""
    assert repr(Book(1).pager(page_size=5)).startswith("engagive_async.AsyncPager(page_size=5")


# --- the loop guard ---------------------------------------------------------------------------


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_a_server_that_repeats_a_page_is_stopped(prefetch: int) -> None:
    """A server ignoring the page parameter (page 1 again) raises PaginationError."""

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        return Envelope(success=True, data=[{"id": 1}], pagination={"page": 1, "totalPages": 3})

    pager = AsyncPager(fetch=fetch, decode=list, prefetch=prefetch)
    seen: list[Any] = []
    with pytest.raises(PaginationError, match="page 1 again"):
        await drain(pager, seen)
    assert seen == [{"id": 1}]


async def test_a_server_that_repeats_a_cursor_is_stopped() -> None:
    """A next cursor already followed raises PaginationError instead of looping."""
    calls = 0

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        nonlocal calls
        calls += 1
        return Envelope(success=True, data=[calls], pagination={"next_cursor": "same"})

    with pytest.raises(PaginationError, match="cursor 'same'"):
        await AsyncPager(fetch=fetch, decode=list).to_list()
    assert calls == 2


async def test_a_server_that_repeats_the_same_items_is_stopped() -> None:
    """has_more forever with the same items each time raises instead of walking max_pages."""
    calls = 0

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        nonlocal calls
        calls += 1
        return Envelope(success=True, data=[{"id": 1}, {"id": 2}], pagination={"has_more": True})

    with pytest.raises(PaginationError, match="repeats the page before"):
        await AsyncPager(fetch=fetch, decode=list, dedupe=False).to_list()
    assert calls == 2


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_max_pages_ends_the_walk_with_an_error(prefetch: int) -> None:
    """Past max_pages the walk raises, after yielding the pages it read, asking no more."""
    book = Book(200, style="page_limit")
    got: list[Page[dict[str, Any]]] = []
    with pytest.raises(PaginationError, match="max_pages=3"):
        await drain(book.pager(max_pages=3, prefetch=prefetch).pages(), got)
    assert [page.number for page in got] == [1, 2, 3]
    assert len(book.calls) == 3


# --- errors mid-walk -------------------------------------------------------------------------


@pytest.mark.parametrize("prefetch", [0, 1, 4])
async def test_a_failed_page_raises_with_its_number_after_earlier_items(prefetch: int) -> None:
    """Page 3 failing: pages 1-2 were yielded, the typed error names page 3."""
    book = Book(200)
    book.failures[3] = server_error(3)
    got: list[dict[str, Any]] = []
    with pytest.raises(InternalServerError) as caught:
        await drain(book.pager(prefetch=prefetch), got)
    assert ids(got) == list(range(40))
    assert caught.value.page == 3
    assert str(caught.value).endswith("(while fetching page 3)")


async def test_a_decode_failure_names_its_page() -> None:
    """An API error raised while decoding a page carries that page's number too."""
    book = Book(60)

    def decode(data: Any) -> list[Any]:
        if data[0]["id"] == 20:
            raise server_error(2)
        return list(data)

    with pytest.raises(InternalServerError) as caught:
        await AsyncPager(fetch=book.fetch, decode=decode).to_list()
    assert caught.value.page == 2


# --- look-ahead, early exit, cancellation ----------------------------------------------------


async def test_look_ahead_keeps_prefetch_requests_in_flight() -> None:
    """With the page count known, up to prefetch pages are fetched at once, in order."""
    book = Book(400)
    book.delay = 0.01
    items = await book.pager(prefetch=4).to_list()
    assert ids(items) == list(range(400))
    assert book.max_in_flight == 4


async def test_look_ahead_replans_when_an_offset_page_comes_back_short() -> None:
    """Offsets planned ahead are dropped when a short page moves the next offset."""
    data = list(range(100))
    asked: list[int] = []

    async def fetch(params: Mapping[str, str], url: str | None) -> Envelope:
        offset = int(params.get("offset", 0))
        asked.append(offset)
        await anyio.sleep(0.002 if offset else 0.0)
        count = 15 if offset == 20 else 20  # the server's page at offset 20 is short
        block = {"offset": offset, "limit": 20, "total": 100}
        return Envelope(success=True, data=data[offset : offset + count], pagination=block)

    items = await AsyncPager(fetch=fetch, decode=list, prefetch=4).to_list()
    assert items == data
    assert 35 in asked
    assert asked[-1] == 95


async def test_prefetch_zero_is_strictly_sequential() -> None:
    """prefetch=0 never has two requests in flight."""
    book = Book(100)
    book.delay = 0.005
    await book.pager(prefetch=0).to_list()
    assert book.max_in_flight == 1


@pytest.mark.parametrize("prefetch", [1, 2, 4])
async def test_pages_held_ahead_of_a_slow_reader_are_bounded(prefetch: int) -> None:
    """A slow reader never has more than prefetch pages requested beyond the one it reads."""
    book = Book(400)
    ahead: list[int] = []
    consumed = 0
    async for _page in book.pager(prefetch=prefetch).pages():
        consumed += 1
        await anyio.sleep(0.005)  # the producer fills the window meanwhile
        ahead.append(len(book.calls) - consumed)
    assert max(ahead) == prefetch
    assert book.max_in_flight <= prefetch


async def test_early_break_sequential_makes_no_further_request() -> None:
    """With prefetch=0, breaking after the first item asks for nothing more."""
    book = Book(200)
    async for _item in book.pager(prefetch=0):
        break
    assert len(book.calls) == 1


async def test_early_break_cancels_look_ahead_and_leaves_no_task() -> None:
    """Breaking out of a look-ahead walk cancels its requests and leaves nothing running."""
    book = Book(400)
    book.delay = 0.05
    async with aclosing(book.pager(prefetch=4).items()) as items:
        async for _item in items:
            break
    assert book.in_flight == 0
    assert book.cancelled >= 1
    assert not other_tasks()
    assert len(book.calls) <= 5


async def test_break_without_aclosing_is_cleaned_up_by_the_event_loop() -> None:
    """An abandoned iterator is finalised soon after the loop: no task, no request left."""
    book = Book(400)
    book.delay = 0.05
    async for _item in book.pager(prefetch=4):
        break
    await settle()
    assert not other_tasks()
    assert book.in_flight == 0
    assert book.cancelled >= 1


async def test_an_exception_in_the_loop_body_cancels_look_ahead() -> None:
    """An error raised by the caller's loop body stops the walk's requests."""
    book = Book(400)
    book.delay = 0.05

    async def failing_body() -> None:
        async with aclosing(book.pager(prefetch=4).items()) as items:
            async for _item in items:
                raise KeyError("caller")

    with pytest.raises(KeyError):
        await failing_body()
    assert book.in_flight == 0
    assert not other_tasks()


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_cancellation_mid_walk_leaves_no_task(prefetch: int) -> None:
    """move_on_after around a walk cancels it cleanly: nothing in flight, no task left."""
    book = Book(4000)
    book.delay = 0.02
    got: list[Any] = []
    with anyio.move_on_after(0.1) as scope:
        async for item in book.pager(prefetch=prefetch):
            got.append(item)
    assert scope.cancelled_caught
    assert 0 < len(got) < 4000
    await settle()
    assert not other_tasks()
    assert book.in_flight == 0


def test_trio() -> None:
    """On trio: the walks, a failing page, and an early exit under aclosing, cleanly."""
    book = Book(95, style="offset")
    book.delay = 0.001
    failing = Book(95)
    failing.failures[2] = server_error(2)
    slow = Book(400)
    slow.delay = 0.05

    async def main() -> tuple[list[Any], list[Any], int | None]:
        items = await book.pager(prefetch=3).to_list()
        sequential = await book.pager(prefetch=0).to_list()
        async with aclosing(slow.pager(prefetch=4).items()) as walk:
            async for _item in walk:
                break
        try:
            await failing.pager().to_list()
        except InternalServerError as exc:
            return items, sequential, exc.page
        return items, sequential, None

    items, sequential, failed_page = trio.run(main)
    assert ids(items) == ids(sequential) == list(range(95))
    assert failed_page == 2
    assert (slow.in_flight, slow.cancelled) == (0, 4)


# --- end to end against FakeEngagive, over httpx -------------------------------------------

TEMPLATES_PATH = "/api/business/public" + ROUTES["templates.list"].path(account_id=1)


def fetch_over(http: httpx.AsyncClient, path: str = TEMPLATES_PATH) -> Fetch:
    """The client pipeline's part for a pager, in a few lines: GET, then read the envelope."""

    async def fetch(params: Mapping[str, str], next_url: str | None) -> Envelope:
        if next_url is not None:
            response = await http.get(next_url)
        else:
            response = await http.get(path, params=dict(params))
        body = response.json()
        if response.status_code >= 500:
            raise InternalServerError(
                body.get("error", ""),
                method="GET",
                url=str(response.url),
                status_code=response.status_code,
                body=body,
            )
        return Envelope(
            success=body.get("success"), data=body.get("data"), pagination=body.get("pagination")
        )

    return fetch


def decode_templates(data: Any) -> list[Template]:
    return [structure(item, Template) for item in data]


@asynccontextmanager
async def over_http(fake: FakeEngagive) -> AsyncIterator[Fetch]:
    """A fetch for the fake's template list, through httpx's ASGI transport."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app),
        base_url="http://testserver",
        headers={"Authorization": "Bearer test-token"},
    ) as http:
        yield fetch_over(http)


def list_calls(fake: FakeEngagive) -> list[RecordedRequest]:
    return [request for request in fake.requests if request.route == "templates.list"]


def newest_first(fake: FakeEngagive) -> list[str]:
    return [template["code"] for template in fake.store.newest_first()]


@pytest.mark.parametrize("prefetch", [0, 4])
@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_fake_every_convention_end_to_end(convention: Convention, prefetch: int) -> None:
    """Each convention FakeEngagive speaks is walked to the end: every template once, in order."""
    fake = FakeEngagive(pagination=convention, page_size=20)
    fake.seed_templates(44)  # 45 with the docs' order_shipped: 3 pages, the last one short
    async with over_http(fake) as fetch:
        pager = AsyncPager(fetch=fetch, decode=decode_templates, prefetch=prefetch)
        codes = [template.code async for template in pager]
    assert codes == newest_first(fake)
    assert len(list_calls(fake)) == (1 if convention == "none" else 3)


async def test_fake_page_size_is_sent_and_honoured() -> None:
    """page_size reaches the server as ``limit`` and sets the number of requests."""
    fake = FakeEngagive(page_size=20)
    fake.seed_templates(99)
    async with over_http(fake) as fetch:
        pages = [
            p async for p in AsyncPager(fetch=fetch, decode=decode_templates, page_size=50).pages()
        ]
    assert [len(page.items) for page in pages] == [50, 50]
    assert all(call.query["limit"] == "50" for call in list_calls(fake))


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_fake_max_items_counts_requests(prefetch: int) -> None:
    """max_items=45 over pages of 20 reads exactly three pages, whatever the look-ahead."""
    fake = FakeEngagive(page_size=20)
    fake.seed_templates(200)
    async with over_http(fake) as fetch:
        pager = AsyncPager(fetch=fetch, decode=decode_templates, max_items=45, prefetch=prefetch)
        codes = [template.code for template in await pager.to_list()]
    assert codes == newest_first(fake)[:45]
    assert [call.query.get("page") for call in list_calls(fake)] == [None, "2", "3"]


async def test_fake_early_break_makes_no_further_request() -> None:
    """Sequential walk, break after one item: the server saw one request."""
    fake = FakeEngagive(page_size=20)
    fake.seed_templates(200)
    async with over_http(fake) as fetch:
        async for _template in AsyncPager(fetch=fetch, decode=decode_templates, prefetch=0):
            break
    assert len(list_calls(fake)) == 1


async def test_fake_early_break_with_look_ahead_leaves_nothing_running() -> None:
    """Look-ahead walk, break after one item: in-flight requests end, no task is left."""
    fake = FakeEngagive(page_size=20, latency=0.05)
    fake.seed_templates(200)
    async with over_http(fake) as fetch:
        pager = AsyncPager(fetch=fetch, decode=decode_templates, prefetch=4)
        async with aclosing(pager.items()) as items:
            async for _template in items:
                break
        assert fake.in_flight == 0
        assert not other_tasks()
    assert len(list_calls(fake)) <= 5


@pytest.mark.parametrize("convention", ["page_limit", "snake_page", "has_more"])
async def test_fake_resume_at_a_page(convention: Convention) -> None:
    """start_page=3 reads from the third page to the end."""
    fake = FakeEngagive(pagination=convention, page_size=20)
    fake.seed_templates(79)
    async with over_http(fake) as fetch:
        pager = AsyncPager(fetch=fetch, decode=decode_templates, start_page=3)
        codes = [template.code for template in await pager.to_list()]
    assert codes == newest_first(fake)[40:]


@pytest.mark.parametrize("convention", ["cursor", "cursor_camel"])
async def test_fake_resume_at_a_cursor(convention: Convention) -> None:
    """The next cursor of an interrupted walk resumes it where it stopped."""
    fake = FakeEngagive(pagination=convention, page_size=20)
    fake.seed_templates(79)
    async with over_http(fake) as fetch:
        first = [
            page
            async for page in AsyncPager(fetch=fetch, decode=decode_templates, max_items=40).pages()
        ]
        cursor = first[-1].info.next_cursor
        assert cursor is not None
        rest = await AsyncPager(fetch=fetch, decode=decode_templates, cursor=cursor).to_list()
    assert [template.code for template in rest] == newest_first(fake)[40:]
    assert list_calls(fake)[2].query["cursor"] == cursor


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_fake_dedupe_while_templates_are_inserted(prefetch: int) -> None:
    """Offset paging with inserts mid-walk repeats rows; each template is yielded once."""
    fake = FakeEngagive(pagination="offset", page_size=10)
    fake.seed_templates(59)
    before = set(newest_first(fake))
    async with over_http(fake) as fetch:
        codes: list[str] = []
        pager = AsyncPager(fetch=fetch, decode=decode_templates, prefetch=prefetch)
        async for page in pager.pages():
            codes += [template.code for template in page.items]
            fake.add_template(f"inserted_{page.number}")  # newest first: shifts every offset
    assert len(codes) == len(set(codes))
    assert before <= set(codes)


async def test_fake_without_dedupe_inserts_show_as_repeats() -> None:
    """The same walk with dedupe=False yields some templates twice (what dedupe prevents)."""
    fake = FakeEngagive(pagination="offset", page_size=10)
    fake.seed_templates(59)
    async with over_http(fake) as fetch:
        codes: list[str] = []
        pager = AsyncPager(fetch=fetch, decode=decode_templates, dedupe=False, prefetch=0)
        async for page in pager.pages():
            codes += [template.code for template in page.items]
            fake.add_template(f"inserted_{page.number}")
    assert len(codes) > len(set(codes))


async def test_fake_failure_on_a_page_names_it() -> None:
    """The fake failing page 3 (500): pages 1-2 were read, the typed error says page 3."""
    fake = FakeEngagive(page_size=20)
    fake.seed_templates(99)
    read: list[str] = []

    async def walk(fetch: Fetch) -> None:
        pager = AsyncPager(fetch=fetch, decode=decode_templates, prefetch=0)
        async with aclosing(pager.pages()) as pages:
            async for page in pages:
                read.extend(template.code for template in page.items)
                if page.number == 2:  # the next request, page 3, gets the fault
                    fake.script(Fault.status(500, error="down"), route="templates.list")

    async with over_http(fake) as fetch:
        with pytest.raises(InternalServerError) as caught:
            await walk(fetch)
    assert read == newest_first(fake)[:40]
    assert caught.value.page == 3
    assert str(caught.value).endswith("(while fetching page 3)")
