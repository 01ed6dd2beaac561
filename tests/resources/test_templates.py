"""acct.templates: list, get, and the provisional create and submit."""

from __future__ import annotations

import httpx
import pytest
import respx

from engagive_async import (
    AsyncClient,
    NotFoundError,
    ResponseDecodeError,
    SubmitResult,
    Template,
    ValidationError,
)
from tests.conftest import TOKEN
from tests.resources._support import fixture, ok, sent_json

BASE_PATH = "/channels/whatsapp/accounts/1/templates"


async def test_list_decodes_the_docs_example(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """GET .../templates with search returns typed templates, as in the docs."""
    route = router.get(BASE_PATH).mock(return_value=ok(fixture("templates_list")))
    templates = await scripted.account(1).templates.list(search="order").to_list()
    assert templates == [
        Template(
            id=101,
            code="order_shipped",
            name="Order shipped",
            category_code="UTILITY",
            option_code="STANDARD",
            parameter_format_code="POSITIONAL",
            status="approved",
        )
    ]
    request = route.calls.last.request
    assert request.method == "GET"
    assert request.url.params["search"] == "order"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


async def test_list_without_search_sends_no_search_key(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """No search argument: no search key on the wire."""
    route = router.get(BASE_PATH).mock(return_value=ok({"success": True, "data": []}))
    assert await scripted.account(1).templates.list().to_list() == []
    assert "search" not in route.calls.last.request.url.params


async def test_get_decodes_extra_and_missing_fields(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Unknown fields land in extra; missing optional fields are None."""
    router.get(f"{BASE_PATH}/order_shipped").mock(
        return_value=ok({"success": True, "data": {"code": "order_shipped", "quality": "GREEN"}})
    )
    template = await scripted.account(1).templates.get("order_shipped")
    assert template.code == "order_shipped"
    assert template.name is None
    assert template.extra == {"quality": "GREEN"}


async def test_get_refuses_codes_that_would_change_the_path(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A code with a slash or space is a ValidationError naming it; nothing is requested."""
    route = router.get(url__regex=r".*").mock(return_value=ok(fixture("templates_get")))
    with pytest.raises(ValidationError) as caught:
        await scripted.account(7).templates.get("a/b c")
    assert caught.value.field == "template_code"
    with pytest.raises(ValidationError) as bad_account:
        scripted.account("7/8")
    assert bad_account.value.field == "account_id"
    assert route.call_count == 0


async def test_get_unknown_code_raises_not_found(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A 404 envelope becomes NotFoundError."""
    router.get(f"{BASE_PATH}/nope").mock(
        return_value=httpx.Response(404, json={"success": False, "error": "no"})
    )
    with pytest.raises(NotFoundError):
        await scripted.account(1).templates.get("nope")


async def test_create_posts_the_lookup_codes(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Provisional create: POST .../templates with the template's own field names."""
    route = router.post(BASE_PATH).mock(return_value=ok(fixture("templates_get")))
    template = await scripted.account(1).templates.create(
        code="order_shipped",
        name="Order shipped",
        category_code="UTILITY",
        option_code="STANDARD",
        parameter_format_code="POSITIONAL",
    )
    assert template.id == 101
    assert sent_json(route.calls.last.request) == {
        "code": "order_shipped",
        "name": "Order shipped",
        "category_code": "UTILITY",
        "option_code": "STANDARD",
        "parameter_format_code": "POSITIONAL",
    }


async def test_submit_returns_meta_response(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Provisional submit: POST .../{code}/submit; Meta's answer is kept as received."""
    meta = {"id": "5555", "status": "PENDING", "category": "UTILITY"}
    route = router.post(f"{BASE_PATH}/order_shipped/submit").mock(
        return_value=ok({"success": True, "message": "Submitted", "data": {}, "metaResponse": meta})
    )
    result = await scripted.account(1).templates.submit("order_shipped", lang_code="en")
    assert result == SubmitResult(data={}, message="Submitted", status_code=200, meta_response=meta)
    assert sent_json(route.calls.last.request) == {"lang_code": "en"}


async def test_data_of_the_wrong_shape_is_a_decode_error(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A template that is not an object, or a list that is not a list: ResponseDecodeError."""
    router.get(f"{BASE_PATH}/odd").mock(return_value=ok({"success": True, "data": "odd"}))
    with pytest.raises(ResponseDecodeError, match="Template") as caught:
        await scripted.account(1).templates.get("odd")
    assert caught.value.body == "'odd'"
    router.get(BASE_PATH).mock(return_value=ok({"success": True, "data": {"id": 1}}))
    with pytest.raises(ResponseDecodeError, match="expected a list in data, got dict"):
        await scripted.account(1).templates.list().to_list()
