"""acct.templates.lookups: categories, options, parameter formats."""

from __future__ import annotations

import httpx
import pytest
import respx

from engagive_async import (
    AsyncClient,
    Category,
    CategoryOption,
    ParameterFormat,
    PermissionDeniedError,
)
from tests.resources._support import fixture, ok

LOOKUPS = "/channels/whatsapp/accounts/1/templates/lookups"


async def test_categories(scripted: AsyncClient, router: respx.MockRouter) -> None:
    """GET .../lookups/categories returns the docs' categories, typed."""
    router.get(f"{LOOKUPS}/categories").mock(return_value=ok(fixture("lookups_categories")))
    categories = await scripted.account(1).templates.lookups.categories()
    assert categories == [
        Category(code="MARKETING", label="Marketing"),
        Category(code="UTILITY", label="Utility"),
    ]


async def test_options_for_a_category(scripted: AsyncClient, router: respx.MockRouter) -> None:
    """GET .../categories/{code}/options returns the options of that category."""
    route = router.get(f"{LOOKUPS}/categories/MARKETING/options").mock(
        return_value=ok(fixture("lookups_options"))
    )
    options = await scripted.account(1).templates.lookups.options("MARKETING")
    assert options == [
        CategoryOption(code="STANDARD", label="Standard message", category_code="MARKETING")
    ]
    assert route.calls.last.request.method == "GET"


async def test_parameter_formats_provisional(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Provisional: GET .../lookups/parameter-formats."""
    router.get(f"{LOOKUPS}/parameter-formats").mock(
        return_value=ok({"success": True, "data": [{"code": "POSITIONAL", "label": "Positional"}]})
    )
    formats = await scripted.account(1).templates.lookups.parameter_formats()
    assert formats == [ParameterFormat(code="POSITIONAL", label="Positional")]


async def test_lookup_lists_follow_pages_when_the_server_pages(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """Should a lookup be paged, every page is read into the one list."""
    route = router.get(f"{LOOKUPS}/categories").mock(
        side_effect=[
            ok(
                {
                    "success": True,
                    "data": [{"code": "A"}],
                    "pagination": {"page": 1, "totalPages": 2},
                }
            ),
            ok(
                {
                    "success": True,
                    "data": [{"code": "B"}],
                    "pagination": {"page": 2, "totalPages": 2},
                }
            ),
        ]
    )
    codes = [c.code for c in await scripted.account(1).templates.lookups.categories()]
    assert codes == ["A", "B"]
    assert route.call_count == 2


async def test_a_refused_lookup_does_not_speak_of_pages(
    scripted: AsyncClient, router: respx.MockRouter
) -> None:
    """A lookup is one call to its caller: its error names no page number."""
    router.get(f"{LOOKUPS}/categories").mock(
        return_value=httpx.Response(403, json={"success": False, "error": "Not allowed"})
    )
    with pytest.raises(PermissionDeniedError) as caught:
        await scripted.account(1).templates.lookups.categories()
    assert caught.value.page is None
    assert "page" not in str(caught.value)
