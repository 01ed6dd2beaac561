"""A template's per-language contents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engagive_async._http import HttpPipeline
from engagive_async._paging._page_info import PagingParams
from engagive_async._paging._pager import AsyncPager
from engagive_async._wire import _routes as routes
from engagive_async.models.templates import Language, TemplateContent
from engagive_async.resources._base import Resource, call_options

__all__ = ["ContentsResource"]


class ContentsResource(Resource):
    """``acct.templates.contents(code)``: one template's contents, by language (no I/O)."""

    def __init__(
        self,
        pipeline: HttpPipeline,
        account_id: int | str,
        paging: PagingParams,
        template_code: str,
    ) -> None:
        super().__init__(pipeline, account_id, paging)
        self.template_code = template_code

    async def languages(
        self, *, timeout: float | None = None, extra_headers: Mapping[str, str] | None = None
    ) -> list[Language]:
        """The languages this template's content can be written in.

        Every method here takes ``timeout=`` (seconds the call may take in all, retries
        included) and ``extra_headers=`` (header lines added to its requests).
        """
        return await self._all(
            "contents.languages",
            Language,
            call=call_options(timeout, extra_headers),
            template_code=self.template_code,
        )

    def list(
        self,
        search: str | None = None,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> AsyncPager[TemplateContent]:
        """Every content of the template, page by page.

        Args:
            search: filter on text or language (the query key ``search`` is assumed; the docs
                do not show it).
            timeout: seconds each page's call may take in all, retries included.
            extra_headers: header lines added to every page's request.
            **options: pager options: ``page_size``, ``max_items``, ``start_page``,
                ``cursor``, ``prefetch``, ``dedupe``, ``max_pages``.
        """
        return self._pager(
            "contents.list",
            TemplateContent,
            query={"search": search},
            path_params={"template_code": self.template_code},
            call=call_options(timeout, extra_headers),
            **options,
        )

    async def get(
        self,
        lang_code: str,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> TemplateContent:
        """One language's content. Provisional (route assumed, see docs/coverage.md)."""
        return await self._one(
            "contents.get",
            TemplateContent,
            call=call_options(timeout, extra_headers),
            **self._params(lang_code),
        )

    async def create(
        self,
        lang_code: str,
        *,
        text: str,
        is_draft: bool | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> TemplateContent:
        """Add a language's content. Provisional (route and body assumed).

        Args:
            lang_code: e.g. ``en`` or ``en_US``.
            text: body text with ``{{1}}``-style placeholders.
            is_draft: keep it as a draft.
            extra: further body fields, sent as given.
        """
        body = routes.content_body(text=text, is_draft=is_draft, extra=extra)
        return await self._one(
            "contents.create",
            TemplateContent,
            json=body,
            call=call_options(timeout, extra_headers),
            **self._params(lang_code),
        )

    async def update(
        self,
        lang_code: str,
        *,
        text: str | None = None,
        is_draft: bool | None = None,
        extra: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> TemplateContent:
        """Change a language's content; fields left ``None`` are not sent. Provisional."""
        body = routes.content_body(text=text, is_draft=is_draft, extra=extra)
        return await self._one(
            "contents.update",
            TemplateContent,
            json=body,
            call=call_options(timeout, extra_headers),
            **self._params(lang_code),
        )

    async def delete(
        self,
        lang_code: str,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        """Remove a language's content. Provisional (route assumed)."""
        route = routes.ROUTES["contents.delete"]
        await self._pipeline.request(
            route.method,
            self._path(route.name, **self._params(lang_code)),
            options=call_options(timeout, extra_headers),
            template=route.template,
        )

    def _params(self, lang_code: str) -> dict[str, object]:
        return {"template_code": self.template_code, "lang_code": lang_code}
