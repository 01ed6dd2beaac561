"""Templates: list, get, and the provisional create and submit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engagive_async._checks._fields import validate_path_segment
from engagive_async._http import HttpPipeline
from engagive_async._paging._page_info import PagingParams
from engagive_async._paging._pager import AsyncPager
from engagive_async._wire import _routes as routes
from engagive_async.models.results import SubmitResult
from engagive_async.models.templates import Template, TemplateContent
from engagive_async.resources._base import Resource, call_options
from engagive_async.resources.contents import ContentsResource
from engagive_async.resources.lookups import LookupsResource
from engagive_async.resources.preflight import TemplatePreflight

__all__ = ["TemplatesResource"]


class TemplatesResource(Resource):
    """``acct.templates``: the account's WhatsApp message templates."""

    def __init__(self, pipeline: HttpPipeline, account_id: int | str, paging: PagingParams) -> None:
        super().__init__(pipeline, account_id, paging)
        self.lookups = LookupsResource(pipeline, account_id, paging)

    def list(
        self,
        search: str | None = None,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> AsyncPager[Template]:
        """Every template of the account, page by page (``async for t in ...``).

        Args:
            search: filter by name or code (the query key ``search`` is assumed; the docs do
                not show it).
            timeout: seconds each page's call may take in all, retries included.
            extra_headers: header lines added to every page's request.
            **options: pager options: ``page_size``, ``max_items``, ``start_page``,
                ``cursor``, ``prefetch``, ``dedupe``, ``max_pages``.
        """
        return self._pager(
            "templates.list",
            Template,
            query={"search": search},
            call=call_options(timeout, extra_headers),
            **options,
        )

    async def get(
        self,
        template_code: str,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Template:
        """One template by its stable code (not its numeric id).

        Args:
            template_code: the template's code.
            timeout: seconds this call may take in all, retries included.
            extra_headers: header lines added to this call's requests.

        Raises:
            ValidationError: a code that cannot stand in a URL path (``/``, ``..``, ...).
            NotFoundError: no such template in your organisation.
        """
        return await self._one(
            "templates.get",
            Template,
            call=call_options(timeout, extra_headers),
            template_code=template_code,
        )

    async def preflight(
        self, template_name: str, lang_code: str, *, parameters: int | None = None
    ) -> TemplateContent:
        """Check that sends of this template would be taken, before a campaign starts.

        The template exists, is approved, has content in ``lang_code``, and (when
        ``parameters`` is given) its body has that many placeholders. ``send_many(...,
        preflight=True)`` runs the same check for every template its items name.

        Args:
            template_name: the template the sends will name (its code).
            lang_code: the language they will name.
            parameters: how many body parameters each send gives; ``None`` skips that check.

        Returns:
            The template's content in that language.

        Raises:
            TemplatePreflightError: naming the template and what is wrong.
        """
        return await TemplatePreflight(self).check(template_name, lang_code, parameters=parameters)

    def contents(self, template_code: str) -> ContentsResource:
        """The per-language contents of one template (no I/O).

        Raises:
            ValidationError: a code that cannot stand in a URL path (``/``, ``..``, ...).
        """
        validate_path_segment(template_code, "template_code")
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
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Template:
        """Create a template from lookup codes. Provisional (route and body assumed).

        Args:
            code: the stable code the template will be addressed by.
            name: a display name.
            category_code: from ``lookups.categories()``.
            option_code: from ``lookups.options(category_code)``.
            parameter_format_code: from ``lookups.parameter_formats()``.
            extra: further body fields, sent as given.
            timeout: seconds this call may take in all, retries included.
            extra_headers: header lines added to this call's requests.
        """
        call = call_options(timeout, extra_headers)
        body = routes.create_template_body(
            code=code,
            name=name,
            category_code=category_code,
            option_code=option_code,
            parameter_format_code=parameter_format_code,
            extra=extra,
        )
        return await self._one("templates.create", Template, json=body, call=call)

    async def submit(
        self,
        template_code: str,
        *,
        lang_code: str | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SubmitResult:
        """Submit a template to Meta for review. Provisional (route and body assumed).

        Args:
            template_code: the template.
            lang_code: submit only this language's content; all when ``None``.
            timeout: seconds this call may take in all (a POST is never retried blindly).
            extra_headers: header lines added to this call's requests.
        """
        call = call_options(timeout, extra_headers)
        route = routes.ROUTES["templates.submit"]
        envelope = await self._pipeline.request(
            route.method,
            self._path(route.name, template_code=template_code),
            json=routes.submit_template_body(lang_code),
            options=call,
            template=route.template,
        )
        return SubmitResult(
            data=envelope.data,
            message=envelope.message,
            status_code=envelope.status_code or envelope.http_status,
            meta_response=envelope.meta_response,
            raw_headers=envelope.raw_headers,
        )
