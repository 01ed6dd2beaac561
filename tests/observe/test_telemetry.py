"""Spans and metrics through the user's OpenTelemetry providers, as in-memory exporters see them."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode

from engagive_async import AsyncClient, OutcomeStatus, RetryPolicy, SqliteJournal, TemplateSend
from engagive_async._observe import OFF, current, use_providers
from engagive_async._sending._observed import sampler
from engagive_async.testing import FakeEngagive, Fault
from tests.observe.conftest import Otel, make_otel

TOKEN = "test-token"
QUICK = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0, max_retry_after=0.2)
SEND_TEMPLATE = "/channels/whatsapp/accounts/{account_id}/messages/send-template"
SEND_SPAN_NAME = f"POST {SEND_TEMPLATE}"


@asynccontextmanager
async def in_process(fake: FakeEngagive) -> AsyncIterator[AsyncClient]:
    """A client over the fake in process (through httpx's client)."""
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient(
        TOKEN, base_url="https://api.engagive.test", transport=transport, retry=QUICK
    ) as client:
        yield client


@asynccontextmanager
async def on_socket(fake: FakeEngagive) -> AsyncIterator[AsyncClient]:
    """A client over the fake on 127.0.0.1 with the default transport (the shortcut path)."""
    async with fake.serve() as base_url, AsyncClient(TOKEN, base_url=base_url, retry=QUICK) as c:
        yield c


def items(n: int) -> list[TemplateSend]:
    return [
        TemplateSend(to=f"92300{i:07d}", template_name="order_shipped", lang_code="en")
        for i in range(n)
    ]


def test_off_without_providers() -> None:
    """With no provider set (the API's defaults), telemetry is the inert OFF."""
    assert use_providers(restore=True) is OFF
    assert current().tracing is False
    assert current().metrics is False


@pytest.mark.parametrize("connect", [in_process, on_socket], ids=["httpx", "shortcut"])
async def test_send_is_a_producer_span_over_a_client_span(otel: Otel, connect: object) -> None:
    """A send: a ``send`` PRODUCER span with the wamid, its HTTP CLIENT span under it."""
    fake = FakeEngagive()
    async with connect(fake) as client:  # type: ignore[operator]
        result = await client.account(1).messages.send_template(
            to="923001234567", template_name="order_shipped", lang_code="en"
        )
    (http,) = otel.spans(SEND_SPAN_NAME)
    (send,) = otel.spans("send")
    assert http.kind is SpanKind.CLIENT
    assert http.parent is not None
    assert http.parent.span_id == send.context.span_id
    assert http.attributes is not None
    assert send.attributes is not None
    assert http.attributes["http.request.method"] == "POST"
    assert http.attributes["url.template"] == SEND_TEMPLATE
    assert http.attributes["http.response.status_code"] == 200
    assert http.attributes["server.address"] in ("api.engagive.test", "127.0.0.1")
    assert "http.request.resend_count" not in http.attributes
    assert send.kind is SpanKind.PRODUCER
    assert send.attributes["messaging.message.id"] == result.wamid
    assert send.attributes["messaging.operation.name"] == "send"
    assert send.attributes["messaging.system"] == "engagive"
    assert send.attributes["engagive.outcome.status"] == "sent"


@pytest.mark.parametrize("connect", [in_process, on_socket], ids=["httpx", "shortcut"])
async def test_traceparent_names_the_client_span(otel: Otel, connect: object) -> None:
    """The request carries a W3C traceparent naming the call's span."""
    fake = FakeEngagive()
    async with connect(fake) as client:  # type: ignore[operator]
        await client.account(1).templates.get("order_shipped")
    (span,) = otel.spans("GET /channels/whatsapp/accounts/{account_id}/templates/{template_code}")
    context = span.get_span_context()
    version, trace_id, span_id, flags = fake.requests[-1].headers["traceparent"].split("-")
    assert (version, trace_id, span_id) == (
        "00",
        f"{context.trace_id:032x}",
        f"{context.span_id:016x}",
    )
    assert int(flags, 16) & 1  # sampled


async def test_no_traceparent_when_the_span_does_not_record() -> None:
    """A sampled-out span is not recording: nothing is propagated."""
    recorded, tracer_provider, meter_provider = make_otel(sampler=ALWAYS_OFF)
    use_providers(tracer_provider, meter_provider)
    try:
        fake = FakeEngagive()
        async with on_socket(fake) as client:
            await client.account(1).templates.get("order_shipped")
    finally:
        use_providers(restore=True)
    assert "traceparent" not in fake.requests[-1].headers
    assert recorded.spans() == []
    assert recorded.total("http.client.request.duration") == 1  # metrics do not sample


async def test_no_traceparent_without_providers() -> None:
    """No provider: the request goes out exactly as before."""
    use_providers(restore=True)
    fake = FakeEngagive()
    async with on_socket(fake) as client:
        await client.account(1).templates.get("order_shipped")
    assert "traceparent" not in fake.requests[-1].headers


async def test_a_retry_counts_by_cause_and_on_the_span(otel: Otel) -> None:
    """A 429 then a success: resend count 1, a retry event, a retry counted as rate_limited."""
    fake = FakeEngagive()
    fake.script(Fault.status(429, retry_after=0), route="messages.send_template")
    async with in_process(fake) as client:
        await client.account(1).messages.send_template(
            to="923001234567", template_name="order_shipped", lang_code="en"
        )
    (http,) = otel.spans(SEND_SPAN_NAME)
    assert http.attributes is not None
    assert http.attributes["http.request.resend_count"] == 1
    assert [e.name for e in http.events] == ["retry"]
    assert http.events[0].attributes is not None
    assert http.events[0].attributes["engagive.retry.cause"] == "rate_limited"
    assert otel.total("engagive.http.retries", **{"engagive.retry.cause": "rate_limited"}) == 1
    duration = "http.client.request.duration"
    assert otel.total(duration, **{"http.response.status_code": 429, "error.type": "429"}) == 1
    assert otel.total(duration, **{"http.response.status_code": 200}) == 1


async def test_a_meta_refusal_marks_the_send_failed(otel: Otel) -> None:
    """Meta's 131026: the spans end in error with the status and code, the outcome counts."""
    fake = FakeEngagive()
    fake.script(Fault.meta_error(131026), route="messages.send_template")
    async with in_process(fake) as client:
        with pytest.raises(Exception, match="131026"):
            await client.account(1).messages.send_template(
                to="923001234567", template_name="order_shipped", lang_code="en"
            )
    (http,) = otel.spans(SEND_SPAN_NAME)
    (send,) = otel.spans("send")
    assert http.status.status_code is StatusCode.ERROR
    assert http.attributes is not None
    assert http.attributes["error.type"] == "502"
    assert send.attributes is not None
    assert send.attributes["engagive.outcome.status"] == "failed"
    assert send.attributes["engagive.meta.error_code"] == 131026
    sends = {"engagive.outcome.status": "failed", "engagive.meta.error_code": 131026}
    assert otel.total("engagive.sends", **sends) == 1
    assert otel.total("engagive.send.duration", **{"engagive.outcome.status": "failed"}) == 1


async def test_send_many_hangs_every_send_under_its_span(otel: Otel) -> None:
    """One ``send_many`` span, every send and its call under it; counts on the batch span."""
    fake = FakeEngagive()
    async with in_process(fake) as client:
        report = await client.account(1).messages.send_batch(items(6), concurrency=3)
    assert report.by_status[OutcomeStatus.SENT] == 6
    (batch,) = otel.spans("send_many")
    sends = otel.spans("send")
    assert len(sends) == 6
    assert {s.parent.span_id for s in sends if s.parent} == {batch.context.span_id}
    send_ids = {s.context.span_id for s in sends}
    calls = otel.spans(SEND_SPAN_NAME)
    assert len(calls) == 6
    assert all(c.parent and c.parent.span_id in send_ids for c in calls)
    assert batch.attributes is not None
    assert batch.attributes["messaging.batch.message_count"] == 6
    assert batch.attributes["engagive.batch.sent"] == 6
    assert batch.attributes["engagive.batch.total"] == 6
    assert otel.total("engagive.sends", **{"engagive.outcome.status": "sent"}) == 6


async def test_per_send_spans_switch_off_and_sample(otel: Otel) -> None:
    """``trace_sends=False`` keeps only the batch span; a ratio traces that share; metrics
    count every item either way."""
    fake = FakeEngagive()
    async with in_process(fake) as client:
        await client.account(1).messages.send_batch(items(8), trace_sends=False)
        assert [s.name for s in otel.spans()] == ["send_many"]
        otel.exporter.clear()
        await client.account(1).messages.send_batch(items(8), trace_sends=0.25)
    assert len(otel.spans("send")) == 2
    assert len(otel.spans(SEND_SPAN_NAME)) == 2
    assert otel.total("engagive.sends") == 16
    assert otel.total("http.client.request.duration") == 16


def test_sampler_spreads_the_share_evenly() -> None:
    """A ratio picks that share of indexes, spread over the campaign; bad ratios are refused."""
    chosen = [i for i in range(100) if sampler(0.1)(i)]
    assert len(chosen) == 10
    assert all(b - a == 10 for a, b in itertools.pairwise(chosen))
    assert all(sampler(True)(i) for i in range(5))
    assert not any(sampler(0.0)(i) for i in range(5))
    with pytest.raises(ValueError, match="trace_sends"):
        sampler(1.5)


@pytest.mark.parametrize("prefetch", [0, 4])
async def test_a_page_walk_is_the_parent_of_its_pages(otel: Otel, prefetch: int) -> None:
    """Each walk: one ``page_walk`` span, every page request under it."""
    fake = FakeEngagive()
    fake.seed_templates(45)
    async with in_process(fake) as client:
        found = await client.account(1).templates.list(page_size=20, prefetch=prefetch).to_list()
    assert len(found) > 40
    (walk,) = otel.spans("page_walk")
    pages = otel.spans("GET /channels/whatsapp/accounts/{account_id}/templates")
    assert len(pages) >= 3
    assert all(p.parent and p.parent.span_id == walk.context.span_id for p in pages)
    assert walk.attributes is not None
    assert walk.attributes["url.template"] == "/channels/whatsapp/accounts/{account_id}/templates"
    if prefetch == 0:
        assert walk.attributes["engagive.paging.pages"] == len(pages)


async def test_throttle_pauses_are_counted_in_seconds(otel: Otel) -> None:
    """A 429 with Retry-After pauses the batch (reason server); a rate makes sends wait."""
    fake = FakeEngagive()
    fake.script(Fault.status(429, retry_after=0.05), route="messages.send_template")
    async with in_process(fake) as client:
        await client.account(1).messages.send_batch(items(2), concurrency=1)
        await client.account(1).messages.send_batch(items(4), rate_limit=20)
    assert otel.total("engagive.throttle.paused", **{"engagive.throttle.reason": "server"}) > 0
    assert otel.total("engagive.throttle.paused", **{"engagive.throttle.reason": "rate"}) > 0


async def test_journal_writes_are_timed(otel: Otel, tmp_path: Path) -> None:
    """Each item's claim and record are one journal write measurement each."""
    fake = FakeEngagive()
    async with (
        in_process(fake) as client,
        SqliteJournal(tmp_path / "j.sqlite", campaign="c") as journal,
        aclosing(client.account(1).messages.send_many(items(4), journal=journal)) as stream,
    ):
        outcomes = [o async for o in stream]
    assert len(outcomes) == 4
    write = "engagive.journal.write.duration"
    assert otel.total(write, **{"engagive.journal.operation": "claim"}) == 4
    assert otel.total(write, **{"engagive.journal.operation": "record"}) == 4


def test_global_providers_are_picked_up() -> None:
    """Providers set globally (as applications do) are used by clients made afterwards."""
    script = textwrap.dedent(
        """
        import asyncio, httpx
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from engagive_async import AsyncClient
        from engagive_async.testing import FakeEngagive

        BASE = "https://x.test"
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)

        async def main():
            transport = httpx.ASGITransport(FakeEngagive().app)
            async with AsyncClient("test-token", base_url=BASE, transport=transport) as c:
                await c.account(1).templates.get("order_shipped")

        asyncio.run(main())
        print([s.name for s in exporter.get_finished_spans()])
        """
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert "GET /channels/whatsapp/accounts/{account_id}/templates/{template_code}" in done.stdout


def test_trio_batches_are_traced_too(otel: Otel) -> None:
    """Under trio the batch's sends hang under its span as on asyncio."""
    import trio

    async def main() -> None:
        async with in_process(FakeEngagive()) as client:
            await client.account(1).messages.send_batch(items(3))

    trio.run(main)
    (batch,) = otel.spans("send_many")
    sends = otel.spans("send")
    assert len(sends) == 3
    assert all(s.parent and s.parent.span_id == batch.context.span_id for s in sends)


def test_without_opentelemetry_installed_nothing_changes() -> None:
    """An environment without the otel extra sends, walks and batches as before."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["opentelemetry"] = None  # as if the extra were not installed
        import asyncio, httpx
        from engagive_async import AsyncClient, OutcomeStatus, TemplateSend
        from engagive_async._observe import OFF, current
        from engagive_async.testing import FakeEngagive

        BASE = "https://x.test"

        async def main():
            fake = FakeEngagive()
            transport = httpx.ASGITransport(fake.app)
            async with AsyncClient("test-token", base_url=BASE, transport=transport) as c:
                acct = c.account(1)
                await acct.messages.send_template(to="923001234567", template_name="order_shipped",
                                                  lang_code="en")
                report = await acct.messages.send_batch(
                    [TemplateSend(to="923001234568", template_name="order_shipped",
                                  lang_code="en")],
                    trace_sends=0.5,
                )
                await acct.templates.list().to_list()
            assert current() is OFF
            assert "traceparent" not in fake.requests[0].headers
            print("sent", report.by_status[OutcomeStatus.SENT])

        asyncio.run(main())
        """
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "sent 1"
