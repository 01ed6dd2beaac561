"""The adaptive look-ahead: it ramps up, stays bounded, keeps items in order, never over-fetches."""

from __future__ import annotations

import random
from collections.abc import Mapping
from contextlib import aclosing

import anyio
import pytest

from engagive_async import AsyncPager
from engagive_async.models.results import Envelope
from tests.paging.test_pager import Book, ids


async def test_items_stay_in_order_when_pages_answer_out_of_order() -> None:
    """Pages finishing in any order still yield every item once, in the server's order."""
    book = Book(2000, size=20)
    rng = random.Random(7)
    answered: list[int] = []

    async def shuffled(params: Mapping[str, str], url: str | None) -> Envelope:
        await anyio.sleep(rng.uniform(0, 0.01))  # later pages often answer first
        answered.append(int(params.get("page", 1)))
        return await book.fetch(params, url)

    pager = AsyncPager(fetch=shuffled, decode=list, prefetch=16)
    assert ids(await pager.to_list()) == list(range(2000))
    assert answered != sorted(answered)  # the answers did come out of order


@pytest.mark.parametrize("prefetch", [1, 3, 16, 32])
async def test_requests_in_flight_never_pass_prefetch(prefetch: int) -> None:
    book = Book(40 * 20, size=20)
    book.delay = 0.01  # long enough for a window's requests to overlap on a busy machine
    items = await book.pager(prefetch=prefetch).to_list()
    assert ids(items) == list(range(800))
    assert book.max_in_flight == prefetch  # reached, never passed


async def test_the_window_starts_small_and_doubles_with_each_page_read() -> None:
    """In flight when each page is asked for: 1 (the first), then at most 2, 4, 8, 16."""
    book = Book(100 * 20, size=20)
    book.delay = 0.01
    peaks: list[int] = []
    book.on_call = lambda _calls: peaks.append(book.in_flight + 1)
    await book.pager(prefetch=16).to_list()
    assert peaks[0] == 1
    assert max(peaks[1:3]) <= 2  # before the reader took a page, two pages at most
    assert max(peaks) == 16


async def test_a_reader_that_leaves_after_the_first_page_asked_for_little_more() -> None:
    book = Book(100 * 20, size=20)
    book.delay = 0.002
    async with aclosing(book.pager(prefetch=32).pages()) as pages:
        async for _page in pages:
            break
    # The first page and the window opened when it was handed over (2, doubled to 4), not 32.
    assert len(book.calls) <= 5


@pytest.mark.parametrize("style", ["page_limit", "current_page", "per_page", "offset"])
@pytest.mark.parametrize("total", [1, 19, 20, 21, 399, 400])
async def test_no_page_past_the_total_is_asked_for(style: str, total: int) -> None:
    book = Book(total, size=20, style=style)
    book.delay = 0.001
    items = await book.pager(prefetch=16).to_list()
    assert ids(items) == list(range(total))
    assert len(book.calls) == -(-total // 20)  # exactly the pages that hold items


@pytest.mark.parametrize("max_items", [1, 20, 21, 250])
async def test_no_page_past_max_items_is_asked_for(max_items: int) -> None:
    book = Book(1000, size=20)
    book.delay = 0.001
    items = await book.pager(prefetch=16, max_items=max_items).to_list()
    assert ids(items) == list(range(max_items))
    assert len(book.calls) == -(-max_items // 20)


async def test_a_slow_reader_holds_at_most_prefetch_pages_beyond_the_one_it_reads() -> None:
    book = Book(100 * 20, size=20)
    ahead: list[int] = []
    consumed = 0
    async for _page in book.pager(prefetch=16).pages():
        consumed += 1
        await anyio.sleep(0.002)  # the producer fills the window meanwhile
        ahead.append(len(book.calls) - consumed)
    assert max(ahead) == 16


async def test_the_default_bound_is_sixteen() -> None:
    book = Book(100 * 20, size=20)
    book.delay = 0.01
    await book.pager().to_list()
    assert book.max_in_flight == 16
