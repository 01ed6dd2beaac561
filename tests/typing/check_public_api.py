"""Type-checked by mypy (make lint), never run: the public API as users write it."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any, assert_type

from engagive_async import (
    AsyncClient,
    AsyncPager,
    BatchReport,
    Category,
    Envelope,
    Language,
    OutcomeStatus,
    Page,
    SendOutcome,
    SendResult,
    Template,
    TemplateContent,
    TemplateSend,
)
from engagive_async.builders import Flow, ProductList, ProductSection, Text, otp


async def user_code() -> None:
    async with AsyncClient(token="t", base_url="https://stage.api.engagive.io") as client:
        acct = client.account(1)
        pager = acct.templates.list(search="order")
        assert_type(pager, AsyncPager[Template])
        async for template in pager:
            assert_type(template, Template)
        async for page in pager.pages():
            assert_type(page, Page[Template])
        assert_type(await acct.templates.get("order_shipped"), Template)
        assert_type(await acct.templates.lookups.categories(), list[Category])
        contents = acct.templates.contents("order_shipped")
        assert_type(await contents.languages(), list[Language])
        assert_type(await contents.list().to_list(), list[TemplateContent])
        result = await acct.messages.send_template(
            to="923001234567", template_name="hello_world", lang_code="en_US"
        )
        assert_type(result, SendResult)
        assert_type(result.wamid, str | None)
        assert_type(await acct.messages.send(to="923001234567", message=Text("hi")), SendResult)
        flow = Flow(body="Book", flow_cta="Book now", flow_id="1", header="Tables")
        await acct.messages.send(to="923001234567", message=flow)
        section = ProductSection(title="Breads", product_retailer_ids=["sku-1"])
        products = ProductList(header="Picks", body="b", catalog_id="1", sections=[section])
        await acct.messages.send(to="923001234567", message=products)
        await acct.messages.send_template(
            to="923001234567", template_name="login", lang_code="en", components=otp("482913")
        )
        items = [TemplateSend(to="923001234567", template_name="hello_world", lang_code="en_US")]
        async with aclosing(acct.messages.send_many(items, concurrency=64)) as outcomes:
            async for outcome in outcomes:
                assert_type(outcome, SendOutcome)
                if outcome.status is OutcomeStatus.SENT:
                    assert_type(outcome.result, SendResult | None)
                assert_type(outcome.to_dict(), dict[str, Any])
        async with aclosing(acct.messages.send_many(items, preflight=True)) as checked:
            async for outcome in checked:
                assert_type(outcome, SendOutcome)
        assert_type(
            await acct.templates.preflight("order_shipped", "en", parameters=1), TemplateContent
        )
        assert_type(result.to_dict(), dict[str, Any])
        assert_type(await acct.messages.send_batch(items), BatchReport)
        assert_type(await client.request("GET", "/x"), Envelope)


async def options_code() -> None:
    async with AsyncClient(
        token="t",
        attempt_timeout=20.0,
        call_timeout=60.0,
        max_response_bytes=1 << 20,
        max_retries=2,
        default_headers={"X-Team": "growth"},
        proxy="http://proxy.corp:3128",
        trust_env=False,
    ) as client:
        quick = client.with_options(timeout=3.0, max_retries=0)
        assert_type(quick, AsyncClient)
        acct = quick.account(1)
        template = await acct.templates.get("x", timeout=5.0, extra_headers={"X-Trace": "1"})
        assert_type(template, Template)
        result = await acct.messages.send_template(
            to="923001234567", template_name="hello_world", lang_code="en_US", timeout=10.0
        )
        assert_type(result.headers, dict[str, str])
        assert_type(result.request_id, str | None)
        items = [TemplateSend(to="923001234567", template_name="hello_world", lang_code="en_US")]
        assert_type(await acct.messages.send_batch(items, timeout=5.0), BatchReport)
