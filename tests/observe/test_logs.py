"""The logger tree: masked numbers, structured fields, and the ENGAGIVE_LOG switch."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import httpx
import pytest

from engagive_async import AsyncClient, RetryPolicy
from engagive_async._observe import get_logger, mask_number, mask_numbers
from engagive_async.testing import FakeEngagive, Fault

QUICK = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0, max_retry_after=0.2)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("923001234567", "9230*****567"),
        ("+923001234567", "9230*****567"),
        ("14155550123", "1415****123"),
        ("1234567", "*******"),
    ],
)
def test_mask_number(number: str, masked: str) -> None:
    """The country and a few digits stay; the middle never shows."""
    assert mask_number(number) == masked


def test_mask_numbers_in_text_leaves_short_ids_alone() -> None:
    """Numbers inside a sentence are masked; account ids, codes and words are not."""
    text = (
        "recipient 923001234567 (or +44 7700 900123) on account 12, code 131026, wamid.HB12345678"
    )
    assert mask_numbers(text) == (
        "recipient 9230*****567 (or 4477*****123) on account 12, code 131026, wamid.HB12345678"
    )


def test_every_sdk_logger_masks_its_records(caplog: pytest.LogCaptureFixture) -> None:
    """A number passed in a log call's arguments reaches no handler whole."""
    caplog.set_level(logging.INFO, logger="engagive_async")
    get_logger("sending").info("answer for %s", "923001234567")
    (record,) = [r for r in caplog.records if r.name == "engagive_async.sending"]
    assert record.getMessage() == "answer for 9230*****567"
    assert "923001234567" not in caplog.text


async def test_a_retry_is_logged_with_fields_and_a_masked_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The retry line on ``engagive_async.http`` carries structured fields; the server's text
    quoting the recipient comes out masked."""
    caplog.set_level(logging.DEBUG, logger="engagive_async")
    fake = FakeEngagive()
    fake.script(
        Fault.status(429, retry_after=0, error="too many messages to 923001234567"),
        route="messages.send_template",
    )
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient(
        "test-token", base_url="https://api.engagive.test", transport=transport, retry=QUICK
    ) as client:
        await client.account(1).messages.send_template(
            to="923001234567", template_name="order_shipped", lang_code="en"
        )
    (retry,) = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    assert retry.name == "engagive_async.http"
    assert "9230*****567" in retry.getMessage()
    assert retry.__dict__["http_method"] == "POST"
    assert retry.__dict__["url_template"].endswith("/messages/send-template")
    assert retry.__dict__["error_type"] == "429"
    assert retry.__dict__["attempt"] == 1
    assert "923001234567" not in caplog.text


def test_engagive_log_prints_the_tree_to_stderr() -> None:
    """``ENGAGIVE_LOG=debug`` makes the SDK log to stderr, numbers masked, with no setup."""
    script = textwrap.dedent(
        """
        import asyncio, httpx
        from engagive_async import AsyncClient, TemplateSend
        from engagive_async.testing import FakeEngagive

        BASE = "https://x.test"

        async def main():
            transport = httpx.ASGITransport(FakeEngagive().app)
            async with AsyncClient("test-token", base_url=BASE, transport=transport) as c:
                await c.account(1).messages.send_template(
                    to="923001234567", template_name="order_shipped", lang_code="en"
                )
                await c.account(1).messages.send_batch(
                    [TemplateSend(to="923001234568", template_name="order_shipped", lang_code="en")]
                )

        asyncio.run(main())
        """
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"ENGAGIVE_LOG": "debug"},
    )
    assert "DEBUG engagive_async.http: POST https://x.test/api/business/public" in done.stderr
    assert "INFO engagive_async.sending: batch ended" in done.stderr
    assert "923001234567" not in done.stderr
    assert "923001234568" not in done.stderr
