"""Template lookups: the codes a template is made of."""

from __future__ import annotations

from collections.abc import Mapping

from engagive_async.models.templates import Category, CategoryOption, ParameterFormat
from engagive_async.resources._base import Resource, call_options

__all__ = ["LookupsResource"]


class LookupsResource(Resource):
    """``acct.templates.lookups``: categories, their options, and parameter formats."""

    async def categories(
        self, *, timeout: float | None = None, extra_headers: Mapping[str, str] | None = None
    ) -> list[Category]:
        """The template categories (``MARKETING``, ``UTILITY``, ...).

        Args:
            timeout: seconds this call may take in all, retries included.
            extra_headers: header lines added to this call's requests.
        """
        call = call_options(timeout, extra_headers)
        return await self._all("templates.lookups.categories", Category, call=call)

    async def options(
        self,
        category_code: str,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[CategoryOption]:
        """The ``option_code`` values valid for one category.

        Args:
            category_code: a code from :meth:`categories`.
            timeout: seconds this call may take in all, retries included.
            extra_headers: header lines added to this call's requests.
        """
        return await self._all(
            "templates.lookups.options",
            CategoryOption,
            call=call_options(timeout, extra_headers),
            category_code=category_code,
        )

    async def parameter_formats(
        self, *, timeout: float | None = None, extra_headers: Mapping[str, str] | None = None
    ) -> list[ParameterFormat]:
        """The parameter formats (``POSITIONAL``, ``NAMED``).

        Provisional: the docs name this lookup without its path; see docs/coverage.md.
        Takes ``timeout=`` and ``extra_headers=`` as :meth:`categories` does.
        """
        call = call_options(timeout, extra_headers)
        return await self._all("templates.lookups.parameter_formats", ParameterFormat, call=call)
