"""Template pre-flight: a campaign Meta would refuse stops before its first send."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from engagive_async import (
    AccountClient,
    AsyncClient,
    OutcomeStatus,
    ReactionSend,
    RetryPolicy,
    SendOutcome,
    TemplatePreflightError,
    TemplateSend,
    ValidationError,
)
from engagive_async.builders import body_text
from engagive_async.resources.preflight import body_parameter_count, placeholders
from engagive_async.testing import FakeEngagive

READS = {"templates.get", "contents.get", "contents.list"}


@asynccontextmanager
async def account(fake: FakeEngagive) -> AsyncIterator[AccountClient]:
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient("test-token", transport=transport, retry=RetryPolicy()) as client:
        yield client.account(1)


def sends(
    n: int, template: str = "order_shipped", lang: str = "en", params: int = 1
) -> list[TemplateSend]:
    return [
        TemplateSend(
            to=f"92300{i:07d}",
            template_name=template,
            lang_code=lang,
            components=[body_text(*[f"p{j}" for j in range(params)])] if params else None,
        )
        for i in range(n)
    ]


def _fake() -> FakeEngagive:
    fake = FakeEngagive()
    fake.add_template("paused_promo", status="paused")
    fake.add_content("paused_promo", "en", text="Hi {{1}}")
    return fake


@pytest.mark.parametrize(
    ("items", "field", "message"),
    [
        (sends(3, template="nope"), "template_name", "template 'nope' in 'en' does not exist"),
        (
            sends(3, template="paused_promo"),
            "template_name",
            "template 'paused_promo' in 'en' is paused, not approved",
        ),
        (
            sends(3, lang="es"),
            "lang_code",
            "template 'order_shipped' in 'es' has no content in that language (it has: en)",
        ),
        (
            sends(3, params=2),
            "components",
            "template 'order_shipped' in 'en' has 1 body placeholder "
            "('Hi {{1}}, your order is on the way!'); the send gives 2 body parameters",
        ),
    ],
    ids=["unknown", "not-approved", "no-language", "parameter-count"],
)
async def test_a_mismatch_stops_the_campaign_before_any_send(
    items: list[TemplateSend], field: str, message: str
) -> None:
    """The typed error names the template and what is wrong; nothing was sent at all."""
    fake = _fake()
    async with account(fake) as acct:
        stream = acct.messages.send_many(items, preflight=True)
        with pytest.raises(TemplatePreflightError) as caught:
            await anext(stream)
        await stream.aclose()
    assert isinstance(caught.value, ValidationError)
    assert caught.value.field == field
    assert caught.value.reason == message
    assert str(caught.value) == f"{field}: {message}"
    assert fake.sent == []
    assert {r.route for r in fake.requests} <= READS


async def test_a_valid_campaign_reads_each_template_once_and_sends_all() -> None:
    """Two reads for the whole list (cached per run), then every item is sent."""
    fake = FakeEngagive()
    items = [*sends(20), ReactionSend(to="923001234567", whatsapp_message_id="wamid.X", emoji="👍")]
    async with account(fake) as acct:
        report = await acct.messages.send_batch(items, preflight=True)
    assert report.by_status[OutcomeStatus.SENT] == 21
    reads = [r.route for r in fake.requests if r.route in READS]
    assert reads == ["templates.get", "contents.get"]


async def test_without_preflight_nothing_is_read_and_the_fake_refuses_each_send() -> None:
    """Opt-in: by default the sends go, and each meets Meta's 132001 refusal."""
    fake = FakeEngagive()
    async with account(fake) as acct:
        report = await acct.messages.send_batch(sends(2, template="nope"))
    assert report.by_status[OutcomeStatus.FAILED] == 2
    assert report.by_meta_error == {132001: 2}
    assert not any(r.route in READS for r in fake.requests)


async def test_a_lazy_input_is_checked_as_it_is_pulled() -> None:
    """A generator is read once: a template first met late stops the batch there."""
    fake = FakeEngagive()

    def rows() -> Iterator[TemplateSend]:
        yield from sends(3)
        yield from sends(1, template="nope")
        yield from sends(3)

    outcomes: list[SendOutcome] = []

    async def run(acct: AccountClient) -> None:
        async for outcome in acct.messages.send_many(rows(), preflight=True, concurrency=1):
            outcomes.append(outcome)

    async with account(fake) as acct:
        with pytest.raises(TemplatePreflightError, match="'nope'"):
            await run(acct)
    assert [o.status for o in outcomes] == [OutcomeStatus.SENT] * 3
    assert len(fake.sent) == 3


async def test_the_helper_returns_the_content_and_raises_the_same_error() -> None:
    """templates.preflight() is the same check, for a campaign the caller runs itself."""
    fake = FakeEngagive()
    async with account(fake) as acct:
        content = await acct.templates.preflight("order_shipped", "en", parameters=1)
        assert content.text == "Hi {{1}}, your order is on the way!"
        with pytest.raises(TemplatePreflightError) as caught:
            await acct.templates.preflight("order_shipped", "en", parameters=0)
    assert caught.value.template_name == "order_shipped"
    assert caught.value.problem.endswith("the send gives 0 body parameters")


def test_placeholders_are_distinct_positional_or_named() -> None:
    """{{1}} twice counts once; named variables count too."""
    assert placeholders("Hi {{1}}, {{2}} and {{1}} again") == ["1", "2"]
    assert placeholders("Hi {{ first_name }}, code {{code}}") == ["first_name", "code"]
    assert placeholders("No variables {here}") == []


def test_body_parameter_count_reads_typed_and_dict_components() -> None:
    """Only the body's parameters count; unreadable components are left to validation."""
    assert body_parameter_count(None) == 0
    assert body_parameter_count([body_text("a", "b")]) == 2
    header = {"type": "header", "parameters": [{"type": "text", "text": "h"}]}
    assert body_parameter_count([header, {"type": "body", "parameters": []}]) == 0
    assert body_parameter_count([42]) is None
