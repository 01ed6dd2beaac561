"""Errors pickle with every field (Celery, arq and multiprocessing pickle them)."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

import engagive_async._errors as errors
from engagive_async import AsyncClient, RetryPolicy
from engagive_async.models.meta import MetaError
from engagive_async.testing import FakeEngagive, Fault

TOKEN = "tok-SECRET-0123456789"
_META = MetaError(code=131026, message="Message undeliverable", details="not on WhatsApp")
_META_RESPONSE = {"error": {"code": 131026, "message": "Message undeliverable"}}


def _build(cls: type[errors.EngagiveError], *, with_meta: bool) -> errors.EngagiveError:
    """One instance of ``cls`` with every field set to a value that differs from its default."""
    where: dict[str, Any] = {"method": "POST", "url": "https://api.example/x/messages"}
    if issubclass(cls, errors.APIStatusError):
        status: dict[str, Any] = {
            "status_code": 502 if with_meta else 400,
            "body": {"success": False, "error": "refused"},
            "request_id": "req-7",
        }
        if with_meta:
            status |= {"meta_response": _META_RESPONSE, "meta_error": _META}
        if cls is errors.RateLimitError:
            status["retry_after"] = 2.5
        return cls("refused", **where, **status)
    if issubclass(cls, errors.APIConnectionError):
        return cls("cannot connect to api.example", **where, request_sent=True)
    if cls is errors.ResponseDecodeError:
        return cls("not JSON", **where, status_code=502, body="<html>")
    if cls is errors.APIError:
        return cls("went wrong", **where)
    if cls is errors.TemplatePreflightError:
        return cls("order_shipped", "es", "has no content in that language", field="lang_code")
    if cls is errors.ValidationError:
        return cls("message.text", "is empty")
    return cls("went wrong")


ALL = [getattr(errors, name) for name in errors.__all__]


@pytest.mark.parametrize("with_meta", [False, True], ids=["plain", "meta"])
@pytest.mark.parametrize("chained", [False, True], ids=["alone", "chained"])
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_every_error_round_trips_through_pickle(
    cls: type[errors.EngagiveError], with_meta: bool, chained: bool
) -> None:
    """Type, message and every attribute survive; the token (held by the cause) never travels."""
    error = _build(cls, with_meta=with_meta)
    if isinstance(error, errors.APIError):
        error.attempts, error.waited, error.page = 3, 1.5, 2
    if chained:
        # An httpx error holds the request and its Authorization header, and does not pickle.
        request = httpx.Request("POST", "https://api.example", headers={"Authorization": TOKEN})
        cause = httpx.ConnectError(f"refused {TOKEN}", request=request)
        try:
            raise error from cause
        except errors.EngagiveError as raised:
            error = raised
    data = pickle.dumps(error)
    assert TOKEN.encode() not in data
    back = pickle.loads(data)  # noqa: S301 - our own bytes
    assert type(back) is cls
    assert str(back) == str(error)
    assert back.args == error.args
    assert vars(back) == vars(error)
    assert back.__cause__ is None


async def test_an_error_from_a_real_call_pickles_without_the_token() -> None:
    """A 502 from a call made with a token comes back whole, Meta's error included."""
    fake = FakeEngagive()
    fake.allow(TOKEN, 1)
    fake.script(Fault.meta_error(131026))
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient(TOKEN, transport=transport, retry=RetryPolicy(max_attempts=1)) as c:
        with pytest.raises(errors.UpstreamError) as caught:
            await c.account(1).messages.send_template(
                to="923001234567", template_name="order_shipped", lang_code="en"
            )
    data = pickle.dumps(caught.value)
    assert TOKEN.encode() not in data
    back = pickle.loads(data)  # noqa: S301 - our own bytes
    assert back.meta_error == caught.value.meta_error
    assert back.meta_error.code == 131026
    assert back.meta_response == caught.value.meta_response
    assert str(back) == str(caught.value)


async def test_exhausted_retries_say_attempts_and_wait() -> None:
    """A 429 retried until the budget ran out says how many attempts and how long was waited."""
    fake = FakeEngagive()
    fake.allow(TOKEN, 1)
    fake.script(*[Fault.status(429, retry_after=0.05)] * 3)
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient(TOKEN, transport=transport, retry=RetryPolicy(max_attempts=3)) as c:
        with pytest.raises(errors.RateLimitError) as caught:
            await c.account(1).templates.get("order_shipped")
    assert (caught.value.attempts, caught.value.waited) == (3, pytest.approx(0.1))
    assert (
        str(caught.value)
        == "HTTP 429: Too Many Requests (gave up after 3 attempts, 0.10s of waiting)"
    )


def test_an_error_of_the_first_attempt_says_nothing_of_retries() -> None:
    """No retry, no retry note."""
    assert "attempts" not in str(_build(errors.RateLimitError, with_meta=False))
