"""Fault injection: each fault kind's answer, scripting order, and the random mix."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest

from engagive_async.testing import FakeEngagive, Fault, FaultKind
from engagive_async.testing._asgi import Envelopes
from engagive_async.testing._faults import FaultMix, FaultPlan
from tests.testing._support import TEMPLATE_BODY, call, client

SEND = "messages.send_template"


async def send_with(fault: Fault, fake: FakeEngagive | None = None) -> httpx.Response:
    """One template send answered by ``fault``."""
    fake = fake or FakeEngagive()
    fake.script(fault, route=SEND)
    async with client(fake) as c:
        return await call(c, SEND, json=TEMPLATE_BODY)


async def test_status_fault_with_retry_after_seconds() -> None:
    """Fault.status(429, retry_after=) answers 429, a Retry-After header and the envelope."""
    fake = FakeEngagive()
    response = await send_with(Fault.status(429, retry_after=0.25), fake)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "0.25"
    assert response.json() == {"success": False, "error": "Too Many Requests"}
    assert fake.sent == []


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [
        (0, "0"),
        (2.0, "2"),
        (10, "10"),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ],
)
def test_retry_after_is_written_as_given(retry_after: str | float, header: str) -> None:
    """Seconds are written without a trailing .0; strings go as they are."""
    assert Fault.status(429, retry_after=retry_after).retry_after == header


def test_negative_waits_are_refused() -> None:
    """Negative Retry-After or delay seconds are a ValueError."""
    with pytest.raises(ValueError, match="retry_after"):
        Fault.status(429, retry_after=-1)
    with pytest.raises(ValueError, match="seconds"):
        Fault.delay(-0.1)


async def test_status_fault_with_custom_error_and_body() -> None:
    """error= sets the text; body= replaces the envelope (JSON or raw)."""
    response = await send_with(Fault.status(500, error="boom"))
    assert response.json() == {"success": False, "error": "boom"}
    response = await send_with(Fault.status(503, body={"oops": True}))
    assert (response.status_code, response.json()) == (503, {"oops": True})
    response = await send_with(Fault.status(500, body="not json"))
    assert response.content == b"not json"


async def test_meta_error_body_is_meta_shaped() -> None:
    """Fault.meta_error: 502, error text, and Meta's error object in metaResponse."""
    fault = Fault.meta_error(131056, subcode=2494055, details="pair limit")
    response = await send_with(fault)
    body = response.json()
    assert response.status_code == 502
    assert body["success"] is False
    assert body["error"] == "(#131056) (Business Account, Consumer Account) pair rate limit hit"
    error = body["metaResponse"]["error"]
    assert error["code"] == 131056
    assert error["message"] == body["error"]
    assert error["type"] == "OAuthException"
    assert error["error_subcode"] == 2494055
    assert error["error_data"] == {"messaging_product": "whatsapp", "details": "pair limit"}
    assert error["fbtrace_id"]


async def test_meta_error_defaults() -> None:
    """No subcode: no error_subcode; no details: the title; the HTTP status is settable."""
    response = await send_with(Fault.meta_error(999, status=400, message="Custom title"))
    error = response.json()["metaResponse"]["error"]
    assert response.status_code == 400
    assert "error_subcode" not in error
    assert error["message"] == "(#999) Custom title"
    assert error["error_data"]["details"] == "Custom title"


async def test_html_fault_is_a_proxy_page() -> None:
    """Fault.html answers text/html, not JSON."""
    response = await send_with(Fault.html(503))
    assert response.status_code == 503
    assert response.headers["content-type"] == "text/html"
    assert "<h1>503 Service Unavailable</h1>" in response.text


async def test_success_false_under_200() -> None:
    """Fault.success_false: HTTP 200 with success false."""
    response = await send_with(Fault.success_false(error="nope"))
    assert response.status_code == 200
    assert response.json() == {"success": False, "error": "nope"}


async def test_malformed_json_and_empty_bodies() -> None:
    """malformed_json is labelled JSON but does not parse; empty has no body at all."""
    response = await send_with(Fault.malformed_json())
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()
    response = await send_with(Fault.empty())
    assert (response.status_code, response.content) == (502, b"")
    assert "content-type" not in response.headers


async def test_delay_answers_late_and_counts_as_sent() -> None:
    """Fault.delay answers normally after the delay; the send was accepted at once."""
    fake = FakeEngagive()
    started = anyio.current_time()
    response = await send_with(Fault.delay(0.15), fake)
    assert anyio.current_time() - started >= 0.15
    assert response.json()["success"] is True
    assert [s.wamid for s in fake.sent] == [response.json()["metaResponse"]["messages"][0]["id"]]


async def test_delay_cut_short_by_a_client_timeout_still_sent() -> None:
    """A client that gives up during the delay leaves a logged send and nothing in flight."""
    fake = FakeEngagive()
    fake.script(Fault.delay(5), route=SEND)
    async with client(fake) as c:
        with anyio.move_on_after(0.1):
            await call(c, SEND, json=TEMPLATE_BODY)
    assert len(fake.sent) == 1
    assert fake.in_flight == 0


async def test_drop_in_process_raises_remote_protocol_error() -> None:
    """Fault.drop in process raises what httpx raises for a real drop; nothing is sent."""
    fake = FakeEngagive()
    fake.script(Fault.drop(), route=SEND)
    async with client(fake) as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await call(c, SEND, json=TEMPLATE_BODY)
        after = await call(c, SEND, json=TEMPLATE_BODY)
    assert after.status_code == 200
    assert len(fake.requests) == 2
    assert len(fake.sent) == 1


async def test_route_queue_comes_before_the_any_route_queue() -> None:
    """Faults are consumed FIFO per route; route=None faults serve any route afterwards."""
    fake = FakeEngagive()
    fake.script(Fault.status(500), Fault.status(501), route=SEND)
    fake.script(Fault.status(418))
    assert fake.pending_faults == 3
    async with client(fake) as c:
        statuses = [(await call(c, SEND, json=TEMPLATE_BODY)).status_code for _ in range(4)]
        other = await call(c, "templates.list")
    assert statuses == [500, 501, 418, 200]
    assert other.status_code == 200
    assert fake.pending_faults == 0


async def test_each_request_records_the_fault_it_met() -> None:
    """fake.requests says which scripted fault answered each request, None for normal ones."""
    fake = FakeEngagive()
    fake.script(Fault.status(429, retry_after=0), Fault.meta_error(131056), route=SEND)
    async with client(fake) as c:
        for _ in range(3):
            await call(c, SEND, json=TEMPLATE_BODY)
    met = [r.fault for r in fake.requests]
    assert [f.kind if f else None for f in met] == [FaultKind.STATUS, FaultKind.META_ERROR, None]
    assert met[0] is not None
    assert met[0].http_status == 429
    assert met[1] is not None
    assert met[1].meta_code == 131056


async def test_faults_apply_after_auth() -> None:
    """An unauthenticated request gets its 401 and leaves the scripted fault in place."""
    fake = FakeEngagive()
    fake.script(Fault.status(500), route=SEND)
    async with client(fake, token=None) as c:
        response = await call(c, SEND, json=TEMPLATE_BODY)
    assert response.status_code == 401
    assert fake.pending_faults == 1


def test_script_refuses_unknown_routes_and_clear_forgets() -> None:
    """script() names real routes only; clear_faults() empties the plan."""
    fake = FakeEngagive()
    with pytest.raises(ValueError, match="unknown route"):
        fake.script(Fault.drop(), route="messages.send")
    fake.script(Fault.drop())
    fake.fault_mix({Fault.status(429): 1.0})
    fake.clear_faults()
    assert fake.pending_faults == 0
    assert fake._faults.take(SEND) is None


async def test_fault_mix_hits_only_send_routes_and_is_repeatable() -> None:
    """With a seed, the same requests get the same faults; reads are untouched."""

    async def statuses(seed: int) -> list[int]:
        fake = FakeEngagive()
        fake.fault_mix({Fault.status(429): 0.3, Fault.meta_error(131026): 0.2}, seed=seed)
        async with client(fake) as c:
            reads = [(await call(c, "templates.list")).status_code for _ in range(20)]
            assert set(reads) == {200}
            return [(await call(c, SEND, json=TEMPLATE_BODY)).status_code for _ in range(200)]

    first, second = await statuses(7), await statuses(7)
    assert first == second
    assert 40 < first.count(429) < 80
    assert 20 < first.count(502) < 60
    assert first.count(200) == 200 - first.count(429) - first.count(502)


def test_fault_mix_draws_at_the_given_rates() -> None:
    """Over many draws each fault comes up at about its rate."""
    slow, meta = Fault.status(429), Fault.meta_error(130429)
    mix = FaultMix({slow: 0.1, meta: 0.05}, seed=1)
    draws = [mix.draw() for _ in range(10_000)]
    assert 900 < draws.count(slow) < 1100
    assert 400 < draws.count(meta) < 600


@pytest.mark.parametrize(
    "rates", [{Fault.drop(): 1.5}, {Fault.drop(): -0.1}, {Fault.drop(): 0.6, Fault.empty(): 0.6}]
)
def test_fault_mix_refuses_impossible_rates(rates: dict[Fault, float]) -> None:
    """Rates outside [0, 1] or adding up to more than 1 are refused."""
    with pytest.raises(ValueError, match="rate"):
        FaultMix(rates)


def test_plan_mix_applies_to_its_routes_only() -> None:
    """A mix given routes= leaves the other routes alone."""
    plan = FaultPlan()
    plan.mix(FaultMix({Fault.drop(): 1.0}), ["templates.list"])
    assert plan.take(SEND) is None
    assert plan.take("templates.list") == Fault.drop()


def test_faults_are_frozen_and_hashable() -> None:
    """Equal faults are equal and hash alike (they key fault_mix); they cannot be changed."""
    assert Fault.status(429, retry_after=1) == Fault.status(429, retry_after=1.0)
    assert len({Fault.status(429), Fault.status(429), Fault.drop()}) == 2
    with pytest.raises(AttributeError):
        Fault.drop().kind = FaultKind.EMPTY  # type: ignore[misc]


@pytest.mark.parametrize("fault", [Fault.drop(), Fault.delay(1)])
def test_delay_and_drop_have_no_body_of_their_own(fault: Fault) -> None:
    """render() is only for faults that replace the answer."""
    with pytest.raises(ValueError, match="no body"):
        fault.render(Envelopes())


def test_fault_envelopes_follow_the_fake_options() -> None:
    """statusCode and the error field of the fake apply to fault envelopes too."""
    envelopes = Envelopes(status_code_in_body=True, error_field="message")
    reply = Fault.status(500).render(envelopes)
    assert json.loads(reply.body) == {
        "success": False,
        "statusCode": 500,
        "message": "Internal Server Error",
    }
    meta = json.loads(Fault.meta_error(4).render(envelopes).body)
    assert meta["statusCode"] == 502
    assert meta["message"] == "(#4) Application request limit reached"
