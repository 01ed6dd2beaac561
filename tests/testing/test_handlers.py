"""Every route of FakeEngagive: happy paths, envelopes and the route-level errors."""

from __future__ import annotations

import pytest

from engagive_async._wire._routes import ROUTES, send_single_body
from engagive_async.testing import FakeEngagive
from engagive_async.testing._handlers import SEND_ROUTES, Backend
from tests.testing._support import TEMPLATE_BODY, call, client

ORDER_SHIPPED = {
    "id": 101,
    "code": "order_shipped",
    "name": "Order shipped",
    "category_code": "UTILITY",
    "option_code": "STANDARD",
    "parameter_format_code": "POSITIONAL",
    "status": "approved",
}
CONTENT_EN = {
    "id": 501,
    "lang_code": "en",
    "text": "Hi {{1}}, your order is on the way!",
    "is_draft": True,
}


def test_every_wire_route_has_a_handler() -> None:
    """The backend answers exactly the routes of _wire.ROUTES, and the send routes exist."""
    fake = FakeEngagive()
    assert fake._backend.routes == set(ROUTES)
    assert set(ROUTES) >= SEND_ROUTES
    assert isinstance(fake._backend, Backend)


async def test_templates_list_and_get_match_the_docs_examples() -> None:
    """The seeded template is the docs' order_shipped, in a list and by code."""
    fake = FakeEngagive()
    async with client(fake) as c:
        listed = await call(c, "templates.list")
        one = await call(c, "templates.get", template_code="order_shipped")
    assert listed.status_code == 200
    assert listed.json()["success"] is True
    assert listed.json()["message"] == "Templates retrieved"
    assert listed.json()["data"] == [ORDER_SHIPPED]
    assert one.json() == {"success": True, "message": "Template retrieved", "data": ORDER_SHIPPED}


async def test_templates_search_filters_code_and_name_case_insensitively() -> None:
    """search matches a substring of the code or the name, ignoring case."""
    fake = FakeEngagive()
    fake.add_template("welcome_msg", name="Greeting")
    fake.add_template("promo", name="Big ORDER sale")
    async with client(fake) as c:
        by_name = await call(c, "templates.list", params={"search": "order"})
        by_code = await call(c, "templates.list", params={"search": "WELCOME"})
        none = await call(c, "templates.list", params={"search": "zzz"})
    assert [t["code"] for t in by_name.json()["data"]] == ["promo", "order_shipped"]
    assert [t["code"] for t in by_code.json()["data"]] == ["welcome_msg"]
    assert none.json()["data"] == []


async def test_unknown_template_is_404() -> None:
    """A template code that does not exist answers 404 with an error envelope."""
    async with client(FakeEngagive()) as c:
        response = await call(c, "templates.get", template_code="nope")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Template not found"}


async def test_escaped_template_code_stays_one_segment() -> None:
    """A code with a slash, escaped by the SDK's Route.path, finds its template."""
    fake = FakeEngagive()
    fake.add_template("a/b")
    async with client(fake) as c:
        response = await call(c, "templates.get", template_code="a/b")
    assert response.status_code == 200
    assert response.json()["data"]["code"] == "a/b"


async def test_create_template_returns_201_and_lists_it_first() -> None:
    """A created template is returned as data (201) and is the newest in the list."""
    fake = FakeEngagive()
    body = {
        "code": "promo",
        "name": "Promo",
        "category_code": "MARKETING",
        "option_code": "STANDARD",
        "parameter_format_code": "NAMED",
        "header": "x",
    }
    async with client(fake) as c:
        created = await call(c, "templates.create", json=body)
        listed = await call(c, "templates.list")
    assert created.status_code == 201
    data = created.json()["data"]
    assert {k: data[k] for k in body} == body
    assert data["id"] == 102
    assert data["status"] == "draft"
    assert listed.json()["data"][0]["code"] == "promo"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "no code"}, "code is required"),
        ({"code": ""}, "code is required"),
        ({"code": "order_shipped"}, "A template with code 'order_shipped' already exists"),
        ([1, 2], "the request body must be a JSON object"),
    ],
)
async def test_create_template_refuses_bad_bodies(body: object, error: str) -> None:
    """A missing or taken code, or a body that is not an object, is a 400."""
    async with client(FakeEngagive()) as c:
        response = await call(c, "templates.create", json=body)
    assert response.status_code == 400
    assert response.json() == {"success": False, "error": error}


async def test_submit_returns_meta_response_and_marks_contents_submitted() -> None:
    """Submit answers the template plus Meta's {success, id, status, category}."""
    fake = FakeEngagive()
    fake.add_content("order_shipped", "en_US", text="Hello {{1}}")
    async with client(fake) as c:
        first = await call(
            c, "templates.submit", json={"lang_code": "en"}, template_code="order_shipped"
        )
        again = await call(c, "templates.submit", json={}, template_code="order_shipped")
    body = first.json()
    assert first.status_code == 200
    assert body["data"]["code"] == "order_shipped"
    assert body["data"]["status"] == "pending"
    meta = body["metaResponse"]
    assert meta["success"] is True
    assert meta["status"] == "PENDING"
    assert meta["category"] == "UTILITY"
    assert meta["id"].isdigit()
    assert again.json()["metaResponse"]["id"] == meta["id"]
    contents = fake.store.contents["order_shipped"]
    assert contents["en"]["is_draft"] is False
    assert contents["en_US"]["is_draft"] is False


async def test_submit_of_one_language_leaves_the_others_as_drafts() -> None:
    """lang_code narrows the submit to that content."""
    fake = FakeEngagive()
    fake.add_content("order_shipped", "en_US", text="Hello {{1}}")
    async with client(fake) as c:
        await call(
            c, "templates.submit", json={"lang_code": "en_US"}, template_code="order_shipped"
        )
    assert fake.store.contents["order_shipped"]["en"]["is_draft"] is True
    assert fake.store.contents["order_shipped"]["en_US"]["is_draft"] is False


async def test_submit_errors_for_unknown_template_or_language() -> None:
    """Unknown template or language content: 404."""
    async with client(FakeEngagive()) as c:
        no_template = await call(c, "templates.submit", json={}, template_code="nope")
        no_lang = await call(
            c, "templates.submit", json={"lang_code": "fr"}, template_code="order_shipped"
        )
    assert no_template.status_code == 404
    assert no_lang.status_code == 404
    assert "fr" in no_lang.json()["error"]


async def test_lookups() -> None:
    """Categories, options per category (404 for unknown) and parameter formats."""
    async with client(FakeEngagive()) as c:
        categories = await call(c, "templates.lookups.categories")
        options = await call(c, "templates.lookups.options", category_code="MARKETING")
        unknown = await call(c, "templates.lookups.options", category_code="NOPE")
        formats = await call(c, "templates.lookups.parameter_formats")
    assert [x["code"] for x in categories.json()["data"]] == [
        "MARKETING",
        "UTILITY",
        "AUTHENTICATION",
    ]
    assert categories.json()["data"][0] == {"code": "MARKETING", "label": "Marketing"}
    assert options.json()["data"] == [
        {"code": "STANDARD", "label": "Standard message", "category_code": "MARKETING"}
    ]
    assert options.json()["message"] == "Options retrieved"
    assert unknown.status_code == 404
    assert [x["code"] for x in formats.json()["data"]] == ["POSITIONAL", "NAMED"]


async def test_contents_languages_and_list() -> None:
    """Languages en/en_US; the contents list is the docs' example; search filters it."""
    fake = FakeEngagive()
    fake.add_content("order_shipped", "en_US", text="Your parcel left")
    async with client(fake) as c:
        languages = await call(c, "contents.languages", template_code="order_shipped")
        listed = await call(c, "contents.list", template_code="order_shipped")
        by_text = await call(
            c, "contents.list", template_code="order_shipped", params={"search": "PARCEL"}
        )
        by_lang = await call(
            c, "contents.list", template_code="order_shipped", params={"search": "en_us"}
        )
        missing = await call(c, "contents.list", template_code="nope")
    assert languages.json()["data"] == [
        {"code": "en", "label": "English"},
        {"code": "en_US", "label": "English (US)"},
    ]
    assert listed.json()["data"][0] == CONTENT_EN
    assert listed.json()["message"] == "Template contents retrieved"
    assert [x["lang_code"] for x in by_text.json()["data"]] == ["en_US"]
    assert [x["lang_code"] for x in by_lang.json()["data"]] == ["en_US"]
    assert missing.status_code == 404


async def test_content_get_create_update_delete() -> None:
    """Per-language content: create (201, 400 twice), get, update, delete (then 404)."""
    fake = FakeEngagive()
    async with client(fake) as c:
        created = await call(
            c,
            "contents.create",
            json={"text": "Hola {{1}}"},
            lang_code="es",
            template_code="order_shipped",
        )
        twice = await call(
            c, "contents.create", json={"text": "x"}, lang_code="es", template_code="order_shipped"
        )
        got = await call(c, "contents.get", lang_code="es", template_code="order_shipped")
        updated = await call(
            c,
            "contents.update",
            json={"is_draft": False},
            lang_code="es",
            template_code="order_shipped",
        )
        deleted = await call(c, "contents.delete", lang_code="es", template_code="order_shipped")
        gone = await call(c, "contents.get", lang_code="es", template_code="order_shipped")
        update_gone = await call(
            c, "contents.update", json={"text": "x"}, lang_code="es", template_code="order_shipped"
        )
        delete_gone = await call(
            c, "contents.delete", lang_code="es", template_code="order_shipped"
        )
    assert created.status_code == 201
    assert created.json()["data"] == {
        "id": 502,
        "lang_code": "es",
        "text": "Hola {{1}}",
        "is_draft": True,
    }
    assert twice.status_code == 400
    assert got.json()["data"]["text"] == "Hola {{1}}"
    assert updated.json()["data"] == {
        "id": 502,
        "lang_code": "es",
        "text": "Hola {{1}}",
        "is_draft": False,
    }
    assert deleted.status_code == 200
    assert deleted.json()["data"] == {}
    assert [gone.status_code, update_gone.status_code, delete_gone.status_code] == [404, 404, 404]


async def test_content_create_needs_text() -> None:
    """Creating content without text, or updating text to a non-string, is a 400."""
    async with client(FakeEngagive()) as c:
        no_text = await call(
            c,
            "contents.create",
            json={"is_draft": True},
            lang_code="es",
            template_code="order_shipped",
        )
        bad_text = await call(
            c, "contents.update", json={"text": 3}, lang_code="en", template_code="order_shipped"
        )
    assert no_text.status_code == 400
    assert bad_text.status_code == 400


async def test_send_template_answers_like_meta_and_logs_the_send() -> None:
    """data {to, message_type}, metaResponse with contacts and an accepted wamid, fake.sent."""
    fake = FakeEngagive()
    body = {"to": "+92 300 1234567", "content_json": TEMPLATE_BODY["content_json"]}
    async with client(fake) as c:
        response = await call(c, "messages.send_template", json=body)
    envelope = response.json()
    assert envelope["message"] == "Template message sent successfully"
    assert envelope["data"] == {"to": "+92 300 1234567", "message_type": "template"}
    meta = envelope["metaResponse"]
    assert meta["messaging_product"] == "whatsapp"
    assert meta["contacts"] == [{"input": "+92 300 1234567", "wa_id": "923001234567"}]
    (message,) = meta["messages"]
    assert message["id"].startswith("wamid.")
    assert message["message_status"] == "accepted"
    (sent,) = fake.sent
    assert sent.route == "messages.send_template"
    assert sent.account_id == "1"
    assert sent.to == "+92 300 1234567"
    assert sent.body == body
    assert sent.wamid == message["id"]
    assert sent.reply_to is None


async def test_wamids_are_unique() -> None:
    """Every accepted send gets a wamid never handed out before."""
    fake = FakeEngagive()
    async with client(fake) as c:
        responses = [await call(c, "messages.send_template", json=TEMPLATE_BODY) for _ in range(50)]
    wamids = {r.json()["metaResponse"]["messages"][0]["id"] for r in responses}
    assert len(wamids) == 50
    assert wamids == {s.wamid for s in fake.sent}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"content_json": {"template_name": "a", "lang_code": "en"}}, "to is required"),
        ({"to": "923001234567"}, "content_json is required"),
        (
            {"to": "923001234567", "content_json": {"lang_code": "en"}},
            "content_json.template_name is required",
        ),
        (
            {"to": "923001234567", "content_json": {"template_name": "a"}},
            "content_json.lang_code is required",
        ),
        (None, "the request body must be a JSON object"),
    ],
)
async def test_send_template_refuses_incomplete_bodies(body: object, error: str) -> None:
    """Missing to, template_name or lang_code: 400, nothing logged as sent."""
    fake = FakeEngagive()
    async with client(fake) as c:
        response = await call(c, "messages.send_template", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert fake.sent == []


async def test_send_reaction() -> None:
    """A reaction answers data {} with a wamid but no message_status; bad bodies are 400."""
    fake = FakeEngagive()
    body = {"to": "923001234567", "whatsapp_message_id": "wamid.abc", "emoji": "👍"}
    async with client(fake) as c:
        ok = await call(c, "messages.send_reaction", json=body)
        no_wamid = await call(c, "messages.send_reaction", json={"to": "9230", "emoji": "👍"})
        no_emoji = await call(
            c, "messages.send_reaction", json={"to": "9230", "whatsapp_message_id": "w"}
        )
    assert ok.json()["data"] == {}
    assert ok.json()["message"] == "Reaction sent"
    assert "message_status" not in ok.json()["metaResponse"]["messages"][0]
    assert [no_wamid.status_code, no_emoji.status_code] == [400, 400]
    assert [s.route for s in fake.sent] == ["messages.send_reaction"]


async def test_send_single_records_the_reply_parent() -> None:
    """send-single reads _wire's body: message_type is the type; a reply's parent is kept."""
    fake = FakeEngagive()
    text = {"type": "text", "text": {"body": "hi"}}
    async with client(fake) as c:
        plain = await call(c, "messages.send_single", json=send_single_body("923001234567", text))
        reply = await call(
            c,
            "messages.send_single",
            json=send_single_body("923001234567", text, reply_to="wamid.parent"),
        )
    assert plain.json()["data"] == {"to": "923001234567", "message_type": "text"}
    assert reply.status_code == 200
    assert [s.reply_to for s in fake.sent] == [None, "wamid.parent"]
    assert "message_status" not in plain.json()["metaResponse"]["messages"][0]


@pytest.mark.parametrize(
    "body",
    [
        {"to": "923001234567"},
        {"to": "923001234567", "content_json": "text"},
        {"to": "923001234567", "content_json": {"text": {"body": "hi"}}},
        {"to": "923001234567", "content_json": {"type": "image", "text": {"body": "hi"}}},
        {"to": "923001234567", "content_json": {"type": "text", "text": {}, "context": {}}},
        {"content_json": {"type": "text", "text": {"body": "hi"}}},
    ],
)
async def test_send_single_refuses_other_shapes(body: object) -> None:
    """Not _wire's shape, no type, or no object named by the type: 400, not sent."""
    fake = FakeEngagive()
    async with client(fake) as c:
        response = await call(c, "messages.send_single", json=body)
    assert response.status_code == 400
    assert fake.sent == []


@pytest.mark.parametrize(
    ("template_name", "lang_code", "details"),
    [
        ("nope", "en", "template name (nope) does not exist in en"),
        ("order_shipped", "es", "template name (order_shipped) does not exist in es"),
        ("paused_one", "en", "template name (paused_one) does not exist in en (status paused)"),
    ],
    ids=["unknown-template", "unknown-language", "not-approved"],
)
async def test_send_template_to_a_template_meta_lacks_is_refused_like_meta(
    template_name: str, lang_code: str, details: str
) -> None:
    """An unknown template, language or a template not approved: 502, Meta's 132001, not sent."""
    fake = FakeEngagive()
    fake.add_template("paused_one", status="paused")
    fake.add_content("paused_one", "en", text="Hi")
    body = {
        "to": "923001234567",
        "content_json": {"template_name": template_name, "lang_code": lang_code},
    }
    async with client(fake) as c:
        response = await call(c, "messages.send_template", json=body)
    assert response.status_code == 502
    error = response.json()["metaResponse"]["error"]
    assert error["code"] == 132001
    assert error["error_data"]["details"] == details
    assert fake.sent == []
