"""What every client sends: one place for the token, path, headers and body."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCOUNT_ID",
    "CLIENTS",
    "HEADERS",
    "LANG_CODE",
    "SEND_PATH",
    "TEMPLATE_NAME",
    "TOKEN",
    "USER_AGENT",
    "recipient",
    "template_body",
]

# FakeEngagive's default token, which the canned server accepts too.
TOKEN = "test-token"  # noqa: S105 - a fake server's token, not a secret
ACCOUNT_ID = 1
SEND_PATH = f"/api/business/public/channels/whatsapp/accounts/{ACCOUNT_ID}/messages/send-template"
TEMPLATE_NAME = "order_shipped"
LANG_CODE = "en"
# The SDK's own User-Agent (engagive_async._config.DEFAULT_USER_AGENT), so that every client
# sends the same header set: Authorization, Accept, User-Agent, Content-Type (from json=).
USER_AGENT = "engagive-async-python"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Accept": "application/json",
    "User-Agent": USER_AGENT,
}

#: Client kinds, in the order tables and the chart list them.
CLIENTS = ("sdk", "sdk_httpx", "aiohttp", "httpx_aiohttp", "httpx")


def recipient(index: int) -> str:
    """A valid-looking number that varies per item, like a real campaign's."""
    return f"9230012345{index % 100:02d}"


def template_body(to: str) -> dict[str, Any]:
    """The documented send-template body, exactly as the SDK builds it (checked at start-up)."""
    return {"to": to, "content_json": {"template_name": TEMPLATE_NAME, "lang_code": LANG_CODE}}
