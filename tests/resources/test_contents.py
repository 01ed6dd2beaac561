"""acct.templates.contents(code): languages, list, and the provisional per-language routes."""

from __future__ import annotations

import httpx
import pytest
import respx

from engagive_async import AsyncClient, Language, NotFoundError, TemplateContent
from tests.resources._support import fixture, ok, sent_json

CONTENTS = "/channels/whatsapp/accounts/1/templates/order_shipped/contents"


async def test_languages(scripted: AsyncClient, router: respx.MockRouter) -> None:
    """GET .../contents/lookups/languages returns the docs' languages."""
    router.get(f"{CONTENTS}/lookups/languages").mock(return_value=ok(fixture("contents_languages")))
    languages = await scripted.account(1).templates.contents("order_shipped").languages()
    assert languages == [
        Language(code="en", label="English"),
        Language(code="en_US", label="English (US)"),
    ]


async def test_list_with_search(scripted: AsyncClient, router: respx.MockRouter) -> None:
    """GET .../contents?search= returns typed contents."""
    route = router.get(CONTENTS).mock(return_value=ok(fixture("contents_list")))
    contents = (
        await scripted.account(1).templates.contents("order_shipped").list(search="en").to_list()
    )
    assert contents == [
        TemplateContent(
            id=501, lang_code="en", text="Hi {{1}}, your order is on the way!", is_draft=True
        )
    ]
    assert route.calls.last.request.url.params["search"] == "en"


async def test_per_language_routes_are_provisional_crud(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """get/create/update/delete hit .../contents/{lang} with GET/POST/PUT/DELETE."""
    content = {"id": 9, "lang_code": "en_US", "text": "Hi {{1}}", "is_draft": True}
    get = router.get(f"{CONTENTS}/en_US").mock(return_value=ok({"success": True, "data": content}))
    create = router.post(f"{CONTENTS}/en_US").mock(
        return_value=ok({"success": True, "data": content})
    )
    update = router.put(f"{CONTENTS}/en_US").mock(
        return_value=ok({"success": True, "data": content})
    )
    delete = router.delete(f"{CONTENTS}/en_US").mock(return_value=ok({"success": True, "data": {}}))
    resource = scripted.account(1).templates.contents("order_shipped")

    assert (await resource.get("en_US")).text == "Hi {{1}}"
    await resource.create("en_US", text="Hi {{1}}", is_draft=True)
    assert sent_json(create.calls.last.request) == {"text": "Hi {{1}}", "is_draft": True}
    await resource.update("en_US", is_draft=False)
    assert sent_json(update.calls.last.request) == {"is_draft": False}
    assert await resource.delete("en_US") is None
    assert get.called
    assert delete.called


async def test_delete_of_missing_language_raises(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A 404 on delete surfaces as NotFoundError."""
    router.delete(f"{CONTENTS}/fr").mock(return_value=httpx.Response(404, json={"success": False}))
    with pytest.raises(NotFoundError):
        await scripted.account(1).templates.contents("order_shipped").delete("fr")
