"""Template lookups: the codes a template is made of."""

from __future__ import annotations

from engagive_async.models.templates import Category, CategoryOption, ParameterFormat
from engagive_async.resources._base import Resource

__all__ = ["LookupsResource"]


class LookupsResource(Resource):
    """``acct.templates.lookups``: categories, their options, and parameter formats."""

    async def categories(self) -> list[Category]:
        """The template categories (``MARKETING``, ``UTILITY``, ...)."""
        return await self._all("templates.lookups.categories", Category)

    async def options(self, category_code: str) -> list[CategoryOption]:
        """The ``option_code`` values valid for one category.

        Args:
            category_code: a code from :meth:`categories`.
        """
        return await self._all(
            "templates.lookups.options", CategoryOption, category_code=category_code
        )

    async def parameter_formats(self) -> list[ParameterFormat]:
        """The parameter formats (``POSITIONAL``, ``NAMED``).

        Provisional: the docs name this lookup without its path; see docs/coverage.md.
        """
        return await self._all("templates.lookups.parameter_formats", ParameterFormat)
