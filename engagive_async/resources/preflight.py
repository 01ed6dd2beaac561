"""Template pre-flight: would Meta take sends of this template, before the first one goes?

A campaign to a template that does not exist, is not approved, lacks the language or expects
another number of parameters fails on every row, and Meta answers each send with a refusal
(132001, 132000). Two reads per template and language (the template, its content) find that
out before anything is sent. The template is looked up by the name the sends carry, as
Engagive's codes are what its send-template takes (the docs show no other name).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from engagive_async._errors import NotFoundError, TemplatePreflightError, ValidationError
from engagive_async._sending._source import Items
from engagive_async._wire._component_codec import components_to_wire
from engagive_async.models.batch import SendItem, TemplateSend
from engagive_async.models.templates import TemplateContent

if TYPE_CHECKING:
    from engagive_async.resources.templates import TemplatesResource

__all__ = ["TemplatePreflight", "body_parameter_count", "placeholders"]

#: ``{{1}}`` or ``{{first_name}}``, as Meta writes a template's variables.
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def placeholders(text: str) -> list[str]:
    """The distinct variables of a template's text, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def body_parameter_count(components: Iterable[Any] | None) -> int | None:
    """Parameters of the ``body`` component (0 without one); ``None`` when unreadable, so that
    the item fails on its own validation instead."""
    try:
        wire = components_to_wire(components) if components else []
    except (ValidationError, TypeError, ValueError):
        return None
    return sum(
        len(c.get("parameters") or ())
        for c in wire
        if isinstance(c, Mapping) and c.get("type") == "body"
    )


class TemplatePreflight:
    """Checks sends against their templates; each template and language is read once.

    Keep one per campaign run: what it read stays cached for its lifetime.
    """

    def __init__(self, templates: TemplatesResource) -> None:
        self._templates = templates
        self._known: dict[tuple[str, str], TemplateContent | TemplatePreflightError] = {}

    async def check(
        self, template_name: str, lang_code: str, *, parameters: int | None = None
    ) -> TemplateContent:
        """The template's content in ``lang_code``, when sends of it would be taken.

        Raises:
            TemplatePreflightError: naming the template and what is wrong.
            APIError: the reads themselves failed.
        """
        key = (template_name, lang_code)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = await self._read(template_name, lang_code)
        if isinstance(known, TemplatePreflightError):
            raise known
        if parameters is not None and known.text is not None:
            expected = len(placeholders(known.text))
            if parameters != expected:
                raise TemplatePreflightError(
                    template_name,
                    lang_code,
                    f"has {_count(expected, 'body placeholder')} ({known.text!r}); "
                    f"the send gives {_count(parameters, 'body parameter')}",
                    field="components",
                )
        return known

    async def check_item(self, item: SendItem) -> None:
        """Check a ``TemplateSend``; other items need no template."""
        if isinstance(item, TemplateSend):
            count = body_parameter_count(item.components)
            await self.check(item.template_name, item.lang_code, parameters=count)

    async def check_all(self, items: Iterable[SendItem]) -> None:
        """Check every item of an input held in memory (a list), before any is sent."""
        for item in items:
            await self.check_item(item)

    async def checking(self, items: Items) -> AsyncGenerator[SendItem, None]:
        """The items of a lazy input, each checked as it is pulled (a generator is read once)."""
        if isinstance(items, AsyncIterable):
            async for item in items:
                await self.check_item(item)
                yield item
        else:
            for item in items:
                await self.check_item(item)
                yield item

    async def _read(
        self, template_name: str, lang_code: str
    ) -> TemplateContent | TemplatePreflightError:
        def refused(problem: str, field: str = "template_name") -> TemplatePreflightError:
            return TemplatePreflightError(template_name, lang_code, problem, field=field)

        try:
            template = await self._templates.get(template_name)
        except NotFoundError:
            return refused("does not exist")
        status = (template.status or "").lower()
        if status != "approved":
            return refused(f"is {template.status or 'of no status'}, not approved")
        contents = self._templates.contents(template_name)
        try:
            return await contents.get(lang_code)
        except NotFoundError:
            pass
        have = sorted({c.lang_code async for c in contents.list()})
        return refused(
            f"has no content in that language (it has: {', '.join(have) or 'none'})",
            field="lang_code",
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
