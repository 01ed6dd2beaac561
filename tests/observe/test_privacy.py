"""No recipient number, message text, template parameter or token leaves the SDK through
telemetry: a whole campaign with faults, every span, metric point and log record searched."""

from __future__ import annotations

import json
import logging
from contextlib import aclosing, suppress
from pathlib import Path

import httpx
import pytest

from engagive_async import (
    AsyncClient,
    EngagiveError,
    OutcomeStatus,
    ReactionSend,
    RetryPolicy,
    SendItem,
    SingleSend,
    SqliteJournal,
    TemplateSend,
)
from engagive_async._observe import mask_number
from engagive_async.builders import Text, body_text
from engagive_async.testing import FakeEngagive, Fault
from tests.observe.conftest import Otel

TOKEN = "sk-live-PRIVACY-TOKEN-4242"
NAME = "Ayesha Khanum"
ORDER = "ORD-SECRET-99812"
TEXT = "Your one-time code is 5531-SECRET"
QUICK = RetryPolicy(max_attempts=3, initial_backoff=0, max_backoff=0, max_retry_after=0.1)
NUMBERS = [f"92321{i:07d}" for i in range(60)]
#: The number the server's error texts quote back (as real gateways do).
QUOTED = NUMBERS[3]


def campaign() -> list[SendItem]:
    items: list[SendItem] = []
    for i, to in enumerate(NUMBERS):
        if i % 5 == 0:
            items.append(SingleSend(to=to, message=Text(TEXT)))
        elif i % 7 == 0:
            items.append(ReactionSend(to=to, whatsapp_message_id="wamid.HBgLparent", emoji="👍"))
        else:
            components = [body_text(NAME, ORDER)]
            items.append(
                TemplateSend(
                    to=to, template_name="order_shipped", lang_code="en", components=components
                )
            )
    return items


def faulty_fake() -> FakeEngagive:
    fake = FakeEngagive(tokens={TOKEN: [7]})
    fake.fault_mix(
        {
            Fault.status(429, retry_after=0, error=f"too many messages to {QUOTED}"): 0.15,
            Fault.meta_error(131026, details=f"{QUOTED} is not a WhatsApp user"): 0.1,
            Fault.meta_error(130429): 0.1,
            Fault.success_false(error=f"recipient {QUOTED} refused"): 0.05,
            Fault.status(500): 0.05,
            Fault.malformed_json(): 0.03,
        },
        seed=12,
    )
    return fake


async def test_a_campaign_exports_no_number_text_parameter_or_token(
    otel: Otel, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Spans, metrics and logs of a faulty campaign hold none of the private values."""
    caplog.set_level(logging.DEBUG, logger="engagive_async")
    fake = faulty_fake()
    transport = httpx.ASGITransport(fake.app)
    async with (
        AsyncClient(
            TOKEN, base_url="https://api.engagive.test", transport=transport, retry=QUICK
        ) as client,
        SqliteJournal(tmp_path / "campaign.sqlite", campaign="spring") as journal,
    ):
        messages = client.account(7).messages
        stream = messages.send_many(campaign(), concurrency=8, journal=journal, rate_limit=2000)
        async with aclosing(stream) as outcomes:
            by_status = dict.fromkeys(OutcomeStatus, 0)
            async for outcome in outcomes:
                by_status[outcome.status] += 1
        for to in NUMBERS[:5]:  # single sends, some of them refused
            with suppress(EngagiveError):
                await messages.send_template(
                    to=to,
                    template_name="order_shipped",
                    lang_code="en",
                    components=[body_text(NAME)],
                )
        await client.account(7).templates.list(search=NAME).to_list()

    assert by_status[OutcomeStatus.SENT] > 20
    assert by_status[OutcomeStatus.FAILED] > 0  # the faults did happen
    spans = [json.loads(span.to_json()) for span in otel.spans()]
    metrics = otel.reader.get_metrics_data()
    assert metrics is not None
    exported_metrics = metrics.to_json()
    logs = [
        {"rendered": record.getMessage(), **{k: str(v) for k, v in record.__dict__.items()}}
        for record in caplog.records
    ]
    assert len(spans) > 60
    assert '"engagive.sends"' in exported_metrics
    exported = json.dumps({"spans": spans, "logs": logs}) + exported_metrics

    for number in NUMBERS:
        assert number not in exported
        assert number[2:] not in exported  # nor without its country code
    for secret in (NAME, ORDER, TEXT, TOKEN, "5531-SECRET"):
        assert secret not in exported
    # The server's texts quoting a number did reach the logs, masked.
    assert any(mask_number(QUOTED) in line["rendered"] for line in logs)
