"""The request pipeline: envelopes, error mapping, retries and the at-most-once rule."""

from __future__ import annotations

import email.utils
import json
import logging
import time

import anyio
import httpx
import pytest
import respx

from engagive_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    UpstreamError,
)
from tests.conftest import BASE, FAST_RETRY, TOKEN

LIST = "/channels/whatsapp/accounts/1/templates"
SEND = "/channels/whatsapp/accounts/1/messages/send-template"
SEND_BODY = {"to": "923001234567", "content_json": {"template_name": "x", "lang_code": "en"}}

META_ERROR = {
    "error": {
        "message": "(#130429) Rate limit hit",
        "type": "OAuthException",
        "code": 130429,
        "error_subcode": 2494055,
        "error_data": {"messaging_product": "whatsapp", "details": "too many messages"},
        "fbtrace_id": "Az8or2yhqkZfEZ",
    }
}


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


async def test_success_envelope_is_decoded_with_unknown_keys_kept(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Every documented envelope key is read, and unknown ones stay reachable in extra."""
    router.get(LIST).mock(
        return_value=_json(
            200,
            {
                "success": True,
                "statusCode": 200,
                "message": "Templates retrieved",
                "data": [{"code": "a"}],
                "pagination": {"page": 1},
                "traceId": "t-1",
            },
        )
    )
    envelope = await scripted.request("GET", LIST)
    assert envelope.success is True
    assert envelope.status_code == 200
    assert envelope.message == "Templates retrieved"
    assert envelope.data == [{"code": "a"}]
    assert envelope.pagination == {"page": 1}
    assert envelope.meta_response is None
    assert envelope.extra == {"traceId": "t-1"}


async def test_minimal_envelope_needs_only_success_and_data(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """statusCode, message, pagination and metaResponse are all optional."""
    router.get(LIST).mock(return_value=_json(200, {"success": True, "data": {}}))
    envelope = await scripted.request("GET", LIST)
    assert (envelope.status_code, envelope.message, envelope.pagination) == (None, None, None)
    assert envelope.http_status == 200


async def test_request_carries_auth_prefix_query_and_json(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """The pipeline adds the API prefix, the bearer header, the query and the JSON body."""
    route = router.post(SEND).mock(return_value=_json(200, {"success": True, "data": {}}))
    await scripted.request("POST", SEND, json=SEND_BODY, params={"x": "1", "none": None})
    sent = route.calls.last.request
    assert str(sent.url) == f"{BASE}/api/business/public{SEND}?x=1"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.content) == SEND_BODY


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, APIStatusError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, UpstreamError),
        (503, InternalServerError),
    ],
)
async def test_each_status_maps_to_its_error_class(
    scripted: AsyncClient, router: respx.MockRouter, status: int, error_class: type[Exception]
) -> None:
    """Every documented status (and a few undocumented ones) has its own error class."""
    router.post(SEND).mock(return_value=_json(status, {"success": False, "error": "nope"}))
    with pytest.raises(error_class) as caught:
        await scripted.request("POST", SEND, json=SEND_BODY)
    assert type(caught.value) is error_class
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert caught.value.message == "nope"  # type: ignore[attr-defined]
    assert "nope" in str(caught.value)


async def test_error_text_falls_back_to_message_field(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Engagive's failure text may come as `error` or as `message`."""
    router.get(LIST).mock(return_value=_json(404, {"success": False, "message": "Not visible"}))
    with pytest.raises(NotFoundError, match="Not visible"):
        await scripted.request("GET", LIST)


async def test_success_false_under_200_is_an_error_using_the_body_status(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """`success: false` under HTTP 200 raises, typed by the body's statusCode when present."""
    router.get(LIST).mock(
        side_effect=[
            _json(200, {"success": False, "statusCode": 403, "error": "not your account"}),
            _json(200, {"success": False, "error": "something failed"}),
        ]
    )
    with pytest.raises(PermissionDeniedError):
        await scripted.request("GET", LIST)
    with pytest.raises(APIStatusError) as caught:
        await scripted.request("GET", LIST)
    assert caught.value.status_code == 200
    assert "something failed" in str(caught.value)


async def test_502_with_meta_response_parses_meta_error(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A 502 carries Meta's payload as received, and its error parsed into meta_error."""
    router.post(SEND).mock(
        return_value=_json(502, {"success": False, "error": "Meta", "metaResponse": META_ERROR})
    )
    policy = RetryPolicy(max_attempts=1)
    with pytest.raises(UpstreamError) as caught:
        await scripted._pipeline.request("POST", SEND, json=SEND_BODY, retry=policy)
    error = caught.value
    assert error.meta_response == META_ERROR
    assert error.meta_error is not None
    assert error.meta_error.code == 130429
    assert error.meta_error.error_subcode == 2494055
    assert error.meta_error.type == "OAuthException"
    assert error.meta_error.fbtrace_id == "Az8or2yhqkZfEZ"
    assert error.meta_error.details == "too many messages"
    assert "Meta error 130429" in str(error)


@pytest.mark.parametrize(
    ("response", "status"),
    [
        (httpx.Response(502, text="<html><body>Bad gateway</body></html>"), 502),
        (httpx.Response(502), 502),
        (httpx.Response(200, text="{not json"), 200),
        (httpx.Response(200, json=["a", "list"]), 200),
    ],
)
async def test_bodies_that_are_not_the_envelope_raise_decode_error(
    scripted: AsyncClient, router: respx.MockRouter, response: httpx.Response, status: int
) -> None:
    """HTML proxy pages, empty bodies and non-JSON become ResponseDecodeError, not a crash."""
    router.post(SEND).mock(return_value=response)
    with pytest.raises(ResponseDecodeError) as caught:
        await scripted.request("POST", SEND, json=SEND_BODY)
    assert caught.value.status_code == status


async def test_client_error_with_html_body_keeps_its_status_class(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A proxy's HTML 401 is still an AuthenticationError (its status says what happened)."""
    router.get(LIST).mock(return_value=httpx.Response(401, text="<html>denied</html>"))
    with pytest.raises(AuthenticationError):
        await scripted.request("GET", LIST)


async def test_reads_retry_transient_failures_until_success(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """GET retries 5xx, non-JSON 502 pages and dropped connections."""
    route = router.get(LIST).mock(
        side_effect=[
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            httpx.Response(502, text="<html>proxy</html>"),
            _json(200, {"success": True, "data": []}),
        ]
    )
    envelope = await scripted.request("GET", LIST)
    assert envelope.data == []
    assert route.call_count == 3


async def test_reads_give_up_after_the_attempt_budget(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """The last failure is raised once max_attempts is spent."""
    route = router.get(LIST).mock(return_value=_json(503, {"success": False, "error": "busy"}))
    with pytest.raises(InternalServerError):
        await scripted.request("GET", LIST)
    assert route.call_count == FAST_RETRY.max_attempts


async def test_send_is_not_retried_after_a_server_error(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A 500 on a send may mean Engagive acted: the send is tried once only."""
    route = router.post(SEND).mock(return_value=_json(500, {"success": False, "error": "boom"}))
    with pytest.raises(InternalServerError):
        await scripted.request("POST", SEND, json=SEND_BODY)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
        httpx.WriteTimeout("write timed out"),
    ],
)
async def test_send_is_not_retried_once_the_request_went_out(
    scripted: AsyncClient, router: respx.MockRouter, failure: Exception
) -> None:
    """A timeout or disconnect after sending is final, flagged request_sent=True."""
    route = router.post(SEND).mock(side_effect=failure)
    with pytest.raises(APIConnectionError) as caught:
        await scripted.request("POST", SEND, json=SEND_BODY)
    assert caught.value.request_sent is True
    assert route.call_count == 1
    assert isinstance(caught.value, APITimeoutError) == isinstance(failure, httpx.TimeoutException)


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("full")],
)
async def test_send_is_retried_when_no_connection_was_made(
    scripted: AsyncClient, router: respx.MockRouter, failure: Exception
) -> None:
    """Connect failures and pool timeouts prove the request never left: retry is safe."""
    route = router.post(SEND).mock(side_effect=[failure, _json(200, {"success": True, "data": {}})])
    await scripted.request("POST", SEND, json=SEND_BODY)
    assert route.call_count == 2


async def test_send_connect_failure_reports_not_sent(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """When every attempt failed to connect, the error says the request was not sent."""
    router.post(SEND).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        await scripted.request("POST", SEND, json=SEND_BODY)
    assert caught.value.request_sent is False
    assert "not sent" in str(caught.value)


async def test_send_is_retried_after_429_and_meta_pace_errors_only(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """429 and Meta 130429 are retried; Meta 131026 (undeliverable) is final."""
    undeliverable = {"error": {"code": 131026, "message": "(#131026) Message undeliverable"}}
    route = router.post(SEND).mock(
        side_effect=[
            _json(429, {"success": False, "error": "slow down"}),
            _json(502, {"success": False, "error": "Meta", "metaResponse": META_ERROR}),
            _json(502, {"success": False, "error": "Meta", "metaResponse": undeliverable}),
        ]
    )
    with pytest.raises(UpstreamError) as caught:
        await scripted.request("POST", SEND, json=SEND_BODY)
    assert caught.value.meta_error is not None
    assert caught.value.meta_error.code == 131026
    assert route.call_count == 3


async def test_retry_after_seconds_and_http_date_are_honoured(
    router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait before a retry is the server's Retry-After, in seconds or as an HTTP date."""
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("engagive_async._http._pipeline.anyio.sleep", record_sleep)
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    router.get(LIST).mock(
        side_effect=[
            _json(429, {"success": False, "error": "wait"}, {"Retry-After": "2"}),
            _json(429, {"success": False, "error": "wait"}, {"Retry-After": future}),
            _json(200, {"success": True, "data": []}),
        ]
    )
    transport = httpx.MockTransport(router.async_handler)
    async with AsyncClient(TOKEN, base_url=BASE, transport=transport) as client:
        await client.request("GET", LIST)
    assert waits[0] == 2.0
    assert 27 <= waits[1] <= 30


async def test_retry_after_beyond_the_cap_is_not_waited(router: respx.MockRouter) -> None:
    """An advice longer than max_retry_after ends the retries with RateLimitError."""
    route = router.get(LIST).mock(
        return_value=_json(429, {"success": False, "error": "later"}, {"Retry-After": "3600"})
    )
    transport = httpx.MockTransport(router.async_handler)
    policy = RetryPolicy(max_retry_after=5)
    async with AsyncClient(TOKEN, base_url=BASE, transport=transport, retry=policy) as client:
        with pytest.raises(RateLimitError) as caught:
            await client.request("GET", LIST)
    assert caught.value.retry_after == 3600
    assert route.call_count == 1


async def test_token_never_appears_in_errors_or_logs(
    router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither str/repr of errors, their causes, nor DEBUG logs carry the bearer token."""
    secret = "s3cr3t-token-value"
    router.get(LIST).mock(
        side_effect=[httpx.ConnectError("refused"), _json(401, {"success": False, "error": "x"})]
    )
    caplog.set_level(logging.DEBUG, logger="engagive_async")
    transport = httpx.MockTransport(router.async_handler)
    async with AsyncClient(secret, base_url=BASE, transport=transport, retry=FAST_RETRY) as c:
        with pytest.raises(AuthenticationError) as caught:
            await c.request("GET", LIST)
        texts = [str(caught.value), repr(caught.value), repr(c), caplog.text]
    cause: BaseException | None = caught.value
    while cause is not None:
        texts.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    assert caplog.text  # the requests were logged
    assert not any(secret in text for text in texts)


async def test_401_explains_an_expired_jwt(router: respx.MockRouter) -> None:
    """A 401 for a JWT whose exp passed since construction says when it expired."""
    import base64

    claims = base64.urlsafe_b64encode(json.dumps({"exp": time.time() + 0.05}).encode()).decode()
    jwt = f"eyJhbGciOiJIUzI1NiJ9.{claims.rstrip('=')}.sig"
    router.get(LIST).mock(return_value=_json(401, {"success": False, "error": "expired"}))
    transport = httpx.MockTransport(router.async_handler)
    async with AsyncClient(jwt, base_url=BASE, transport=transport) as client:
        await anyio.sleep(0.06)
        with pytest.raises(AuthenticationError, match="token expired at"):
            await client.request("GET", LIST)


async def test_links_to_another_origin_are_refused(scripted: AsyncClient) -> None:
    """A next-page link to another host is not followed (it would carry our token)."""
    with pytest.raises(ConfigurationError, match="another origin"):
        await scripted._pipeline.request("GET", "https://evil.example/steal")
