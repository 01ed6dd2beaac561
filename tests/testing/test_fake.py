"""FakeEngagive as a whole: routing errors, auth, envelope options, logs and concurrency."""

from __future__ import annotations

import anyio
import pytest

from engagive_async.testing import DEFAULT_TOKEN, FakeEngagive
from tests.testing._support import TEMPLATE_BODY, call, client, path


async def test_unknown_path_is_a_404_envelope() -> None:
    """A path outside the API, or unknown inside it, answers 404 with success false."""
    fake = FakeEngagive()
    async with client(fake) as c:
        outside = await c.get("/health")
        inside = await c.get(path("templates.list") + "/order_shipped/nothing/here")
    for response in (outside, inside):
        assert response.status_code == 404
        assert response.json()["success"] is False
        assert response.json()["error"]
    assert [r.route for r in fake.requests] == [None, None]


async def test_known_path_wrong_method_is_405_with_allow() -> None:
    """A known path with the wrong method answers 405 and lists the allowed methods."""
    async with client(FakeEngagive()) as c:
        on_send = await c.get(path("messages.send_template"))
        on_content = await c.patch(
            path("contents.get", template_code="order_shipped", lang_code="en")
        )
    assert on_send.status_code == 405
    assert on_send.headers["allow"] == "POST"
    assert on_send.json() == {"success": False, "error": "Method not allowed"}
    assert on_content.headers["allow"] == "GET, POST, PUT, DELETE"


async def test_lookup_paths_are_not_taken_for_template_codes() -> None:
    """Routes match in _wire.ROUTES order: /templates/lookups/categories is the lookup."""
    fake = FakeEngagive()
    async with client(fake) as c:
        response = await call(c, "templates.lookups.categories")
    assert response.json()["message"] == "Categories retrieved"
    assert fake.requests[0].route == "templates.lookups.categories"


@pytest.mark.parametrize(
    ("authorization", "error"),
    [
        (None, "Missing Authorization header (Bearer token)"),
        ("test-token", "Malformed Authorization header; use Bearer <token>"),
        ("Basic dGVzdA==", "Malformed Authorization header; use Bearer <token>"),
        ("Bearer ", "Malformed Authorization header; use Bearer <token>"),
        ("Bearer wrong-token", "Invalid or expired token"),
    ],
)
async def test_bad_credentials_are_401(authorization: str | None, error: str) -> None:
    """Missing, malformed or unknown tokens answer 401 without echoing the token."""
    fake = FakeEngagive()
    headers = {} if authorization is None else {"Authorization": authorization}
    async with client(fake, token=None) as c:
        response = await c.get(path("templates.list"), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": error}
    assert "wrong-token" not in response.text


async def test_bearer_scheme_is_case_insensitive() -> None:
    """'bearer <token>' is accepted like 'Bearer <token>'."""
    async with client(FakeEngagive(), token=None) as c:
        response = await c.get(
            path("templates.list"), headers={"Authorization": "bearer test-token"}
        )
    assert response.status_code == 200


async def test_other_accounts_are_403() -> None:
    """A valid token on an account it may not use answers 403; allow() grants more."""
    fake = FakeEngagive(tokens={"tok-a": [1, "7"], "tok-b": [2]})
    async with client(fake, token="tok-a") as c:
        mine = await call(c, "templates.list", account_id=7)
        theirs = await call(c, "templates.list", account_id=2)
        fake.allow("tok-a", 2)
        granted = await call(c, "templates.list", account_id=2)
    assert mine.status_code == 200
    assert theirs.status_code == 403
    assert theirs.json() == {"success": False, "error": "Not allowed for account 2"}
    assert granted.status_code == 200


async def test_default_token_is_for_account_1() -> None:
    """Without tokens=, test-token works on account 1 and nowhere else."""
    assert DEFAULT_TOKEN == "test-token"
    async with client(FakeEngagive()) as c:
        assert (await call(c, "templates.list")).status_code == 200
        assert (await call(c, "templates.list", account_id=2)).status_code == 403


async def test_status_code_in_body_and_message_error_field() -> None:
    """status_code_in_body adds statusCode; error_field='message' moves the error text."""
    fake = FakeEngagive(status_code_in_body=True, error_field="message")
    async with client(fake) as c:
        ok = await call(c, "templates.get", template_code="order_shipped")
        created = await call(c, "templates.create", json={"code": "x"})
        missing = await call(c, "templates.get", template_code="nope")
        unauthorised = await c.get(path("templates.list"), headers={"Authorization": "Bearer no"})
    assert ok.json()["statusCode"] == 200
    assert created.json()["statusCode"] == 201
    assert missing.json() == {"success": False, "statusCode": 404, "message": "Template not found"}
    assert unauthorised.json()["statusCode"] == 401


def test_error_field_is_checked() -> None:
    """Only 'error' and 'message' are valid error fields."""
    with pytest.raises(ValueError, match="error_field"):
        FakeEngagive(error_field="detail")  # type: ignore[arg-type]


async def test_request_log_records_what_came_in() -> None:
    """Each request is logged with method, path, route, params, query, headers and JSON."""
    fake = FakeEngagive()
    async with client(fake) as c:
        await call(c, "templates.list", params={"search": "order", "page": "2"})
        await call(c, "messages.send_template", json=TEMPLATE_BODY, account_id=1)
        await c.post(path("messages.send_template"), content=b"{not json")
    listed, sent, broken = fake.requests
    assert listed.method == "GET"
    assert listed.path == path("templates.list")
    assert listed.route == "templates.list"
    assert listed.params == {"account_id": "1"}
    assert listed.query == {"search": "order", "page": "2"}
    assert listed.headers["authorization"] == "Bearer test-token"
    assert listed.json is None
    assert sent.json == TEMPLATE_BODY
    assert sent.route == "messages.send_template"
    assert listed.at <= sent.at <= broken.at
    assert broken.json is None


async def test_invalid_json_body_is_a_400() -> None:
    """A body that is not JSON answers 400 and is not sent."""
    fake = FakeEngagive()
    async with client(fake) as c:
        response = await c.post(path("messages.send_template"), content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"] == "The request body is not valid JSON"
    assert fake.sent == []


async def test_in_flight_counts_concurrent_requests() -> None:
    """max_in_flight is the high-water mark of concurrent requests; in_flight returns to 0."""
    fake = FakeEngagive(latency=0.3)
    seen: list[int] = []
    async with client(fake) as c:

        async def one() -> None:
            await call(c, "messages.send_template", json=TEMPLATE_BODY)

        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(one)
            await anyio.sleep(0.15)
            seen.append(fake.in_flight)
    assert seen == [6]
    assert fake.max_in_flight == 6
    assert fake.in_flight == 0
    assert len(fake.sent) == 6


async def test_latency_delays_every_answer_and_can_change() -> None:
    """latency is added to each request and may be changed after construction."""
    fake = FakeEngagive(latency=0.1)
    async with client(fake) as c:
        started = anyio.current_time()
        await call(c, "templates.list")
        slow = anyio.current_time() - started
        fake.latency = 0
        started = anyio.current_time()
        await call(c, "templates.list")
        fast = anyio.current_time() - started
    assert slow >= 0.1
    assert fast < 0.05


async def test_reset_log_and_record_off() -> None:
    """reset_log empties both logs; record=False keeps none but still answers."""
    fake = FakeEngagive()
    async with client(fake) as c:
        await call(c, "messages.send_template", json=TEMPLATE_BODY)
        fake.reset_log()
        assert (fake.requests, fake.sent, fake.max_in_flight) == ([], [], 0)
        fake.record = False
        response = await call(c, "messages.send_template", json=TEMPLATE_BODY)
    assert response.status_code == 200
    assert fake.requests == []
    assert fake.sent == []
    assert FakeEngagive(record=False).record is False


def test_data_helpers_return_copies() -> None:
    """add_template/add_content/seed_templates add data; the returned dicts are copies."""
    fake = FakeEngagive(seed=False)
    template = fake.add_template("promo", category_code="MARKETING")
    template["status"] = "changed"
    content = fake.add_content("promo", "en", text="Hi", is_draft=False)
    codes = fake.seed_templates(3, prefix="bulk_")
    assert fake.store.templates["promo"]["status"] == "approved"
    assert content == {"id": 501, "lang_code": "en", "text": "Hi", "is_draft": False}
    assert codes == ["bulk_00001", "bulk_00002", "bulk_00003"]
    assert [t["code"] for t in fake.store.newest_first()][:2] == ["bulk_00003", "bulk_00002"]


def test_repr_is_short_and_public() -> None:
    """The repr names the public class and counts, nothing else."""
    fake = FakeEngagive()
    assert repr(fake) == "<engagive_async.testing.FakeEngagive templates=1 requests=0 sent=0>"


async def test_lifespan_and_other_scopes_are_answered() -> None:
    """A server's lifespan handshake completes; websocket scopes are ignored."""
    fake = FakeEngagive()
    incoming: list[dict[str, object]] = [
        {"type": "lifespan.startup"},
        {"type": "lifespan.shutdown"},
    ]
    sent: list[object] = []

    async def receive() -> dict[str, object]:
        return incoming.pop(0)

    async def send(message: object) -> None:
        sent.append(message)

    await fake.app({"type": "lifespan"}, receive, send)
    await fake.app({"type": "websocket"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_client_gone_before_the_body_is_not_answered() -> None:
    """A disconnect while the body is read ends the request quietly, nothing in flight."""
    fake = FakeEngagive()
    sent: list[object] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: object) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": []}
    await fake.app(scope, receive, send)
    assert sent == []
    assert fake.in_flight == 0


async def test_works_under_trio() -> None:
    """The app uses anyio only, so an httpx client on trio can drive it."""
    import trio

    fake = FakeEngagive(latency=0.001)

    async def main() -> int:
        async with client(fake) as c:
            return (await call(c, "templates.list")).status_code

    assert await anyio.to_thread.run_sync(lambda: trio.run(main)) == 200
