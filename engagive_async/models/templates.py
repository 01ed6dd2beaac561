"""Templates, their lookups and their per-language contents, as Engagive returns them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from engagive_async.models._export import JsonReady

__all__ = [
    "Category",
    "CategoryOption",
    "Language",
    "ParameterFormat",
    "Template",
    "TemplateContent",
]

#: Ids are integers in every docs example, but their type is not stated (GAPS 19).
Id = int | str


@attrs.frozen(kw_only=True)
class Template(JsonReady):
    """A WhatsApp message template, addressed by its stable ``code``.

    ``extra`` holds any field Engagive sends that this version does not know yet.
    """

    code: str
    id: Id | None = None
    name: str | None = None
    category_code: str | None = None
    option_code: str | None = None
    parameter_format_code: str | None = None
    #: Lower-case in the docs (``"approved"``); the full set of values is not documented.
    status: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Category(JsonReady):
    """A template category code (``MARKETING``, ``UTILITY``, ...) and its label."""

    code: str
    label: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class CategoryOption(JsonReady):
    """An ``option_code`` valid for one category."""

    code: str
    label: str | None = None
    category_code: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class ParameterFormat(JsonReady):
    """A template parameter format (``POSITIONAL``, ``NAMED``). Provisional lookup."""

    code: str
    label: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class Language(JsonReady):
    """A language a template's content can be written in."""

    code: str
    label: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class TemplateContent(JsonReady):
    """One language's content of a template: body text with ``{{1}}``-style placeholders."""

    lang_code: str
    id: Id | None = None
    text: str | None = None
    is_draft: bool | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
