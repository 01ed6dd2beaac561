"""Templates: list, get, and the provisional create and submit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engagive_async._http import HttpPipeline
from engagive_async._paging._page_info import PagingParams
from engagive_async._paging._pager import AsyncPager
from engagive_async._wire import _routes as routes
from engagive_async.models.results import SubmitResult
from engagive_async.models.templates import Template
from engagive_async.resources._base import Resource
from engagive_async.resources.contents import ContentsResource
from engagive_async.resources.lookups import LookupsResource

__all__ = ["TemplatesResource"]


class TemplatesResource(Resource):
    """``acct.templates``: the account's WhatsApp message templates."""

    def __init__(self, pipeline: HttpPipeline, account_id: int | str, paging: PagingParams) -> None:
        super().__init__(pipeline, account_id, paging)
        self.lookups = LookupsResource(pipeline, account_id, paging)

    def list(self, search: str | None = None, **options: Any) -> AsyncPager[Template]:
        """Every template of the account, page by page (``async for t in ...``).

        Args:
            search: filter by name or code (the query key ``search`` is assumed; the docs do
                not show it).
            **options: pager options: ``page_size``, ``max_items``, ``start_page``,
                ``cursor``, ``prefetch``, ``dedupe``, ``max_pages``.
        """
        return self._pager("templates.list", Template, query={"search": search}, **options)

    async def get(self, template_code: str) -> Template:
        """One template by its stable code (not its numeric id).

        Raises:
            NotFoundError: no such template in your organisation.
        """
        return await self._one("templates.get", Template, template_code=template_code)

    def contents(self, template_code: str) -> ContentsResource:
        """The per-language contents of one template (no I/O)."""
        return ContentsResource(self._pipeline, self._account_id, self._paging, template_code)

    async def create(
        self,
        *,
        code: str,
        name: str,
        category_code: str,
        option_code: str,
        parameter_format_code: str,
        extra: Mapping[str, Any] | None = None,
    ) -> Template:
        """Create a template from lookup codes. Provisional (route and body assumed).

        Args:
            code: the stable code the template will be addressed by.
            name: a display name.
            category_code: from ``lookups.categories()``.
            option_code: from ``lookups.options(category_code)``.
            parameter_format_code: from ``lookups.parameter_formats()``.
            extra: further body fields, sent as given.
        """
        body = routes.create_template_body(
            code=code,
            name=name,
            category_code=category_code,
            option_code=option_code,
            parameter_format_code=parameter_format_code,
            extra=extra,
        )
        return await self._one("templates.create", Template, json=body)

    async def submit(self, template_code: str, *, lang_code: str | None = None) -> SubmitResult:
        """Submit a template to Meta for review. Provisional (route and body assumed).

        Args:
            template_code: the template.
            lang_code: submit only this language's content; all when ``None``.
        """
        route = routes.ROUTES["templates.submit"]
        envelope = await self._pipeline.request(
            route.method,
            self._path(route.name, template_code=template_code),
            json=routes.submit_template_body(lang_code),
            template=route.template,
        )
        return SubmitResult(
            data=envelope.data,
            message=envelope.message,
            status_code=envelope.status_code or envelope.http_status,
            meta_response=envelope.meta_response,
        )
