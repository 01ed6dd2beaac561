"""Where each endpoint lives and what its request body looks like: the one module that knows.

The public docs give the method, path and example body of the endpoints marked verified below.
The others (``provisional=True``) are named by the docs without a recovered wire shape
(``GAPS.md`` items 1-7); for them this module holds our assumption, chosen to follow the
documented endpoints' conventions (``to`` + ``content_json``, snake_case fields, per-language
routes keyed by ``lang_code``). When Engagive publishes the real shape, this file is the only one
to change: the resources and :class:`~engagive_async.testing.FakeEngagive` both read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import attrs

__all__ = ["ROUTES", "Route"]

_ACCOUNT = "/channels/whatsapp/accounts/{account_id}"
_TEMPLATE = _ACCOUNT + "/templates/{template_code}"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@attrs.frozen
class Route:
    """One endpoint: its method, its path template (after the API prefix), and whether the
    docs confirm it."""

    name: str
    method: str
    template: str
    provisional: bool = False
    pattern: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)

    @pattern.default
    def _compile(self) -> re.Pattern[str]:
        literals = _PLACEHOLDER.split(self.template)
        # split() alternates literal text and placeholder names: escape only the literals.
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)"
            for i, part in enumerate(literals)
        )
        return re.compile(f"^{regex}$")

    def path(self, **params: object) -> str:
        """The path with each parameter URL-escaped as one segment (``/`` included)."""
        return self.template.format_map({k: quote(str(v), safe="") for k, v in params.items()})


def _routes(*routes: Route) -> dict[str, Route]:
    return {route.name: route for route in routes}


ROUTES: dict[str, Route] = _routes(
    # Lookups come before the template routes that would otherwise swallow "lookups" as a code.
    Route("templates.lookups.categories", "GET", _ACCOUNT + "/templates/lookups/categories"),
    Route(
        "templates.lookups.options",
        "GET",
        _ACCOUNT + "/templates/lookups/categories/{category_code}/options",
    ),
    Route(
        "templates.lookups.parameter_formats",
        "GET",
        _ACCOUNT + "/templates/lookups/parameter-formats",
        provisional=True,
    ),
    Route("templates.list", "GET", _ACCOUNT + "/templates"),
    Route("templates.create", "POST", _ACCOUNT + "/templates", provisional=True),
    Route("templates.get", "GET", _TEMPLATE),
    Route("templates.submit", "POST", _TEMPLATE + "/submit", provisional=True),
    Route("contents.languages", "GET", _TEMPLATE + "/contents/lookups/languages"),
    Route("contents.list", "GET", _TEMPLATE + "/contents"),
    Route("contents.get", "GET", _TEMPLATE + "/contents/{lang_code}", provisional=True),
    Route("contents.create", "POST", _TEMPLATE + "/contents/{lang_code}", provisional=True),
    Route("contents.update", "PUT", _TEMPLATE + "/contents/{lang_code}", provisional=True),
    Route("contents.delete", "DELETE", _TEMPLATE + "/contents/{lang_code}", provisional=True),
    # The send-single path is documented; its body is not (see send_single_body).
    Route("messages.send_single", "POST", _ACCOUNT + "/messages/send-single", provisional=True),
    Route("messages.send_template", "POST", _ACCOUNT + "/messages/send-template"),
    Route("messages.send_reaction", "POST", _ACCOUNT + "/messages/send-reaction"),
)


# --- documented bodies -------------------------------------------------------------------


def send_template_body(
    to: str, template_name: str, lang_code: str, components: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """Documented: ``{"to", "content_json": {"template_name", "lang_code", "components"}}``."""
    content: dict[str, Any] = {"template_name": template_name, "lang_code": lang_code}
    if components:
        content["components"] = list(components)
    return {"to": to, "content_json": content}


def send_reaction_body(to: str, whatsapp_message_id: str, emoji: str) -> dict[str, Any]:
    """Documented: ``{"to", "whatsapp_message_id", "emoji"}``."""
    return {"to": to, "whatsapp_message_id": whatsapp_message_id, "emoji": emoji}


# --- provisional bodies ------------------------------------------------------------------


def send_single_body(
    to: str, message: Mapping[str, Any], *, reply_to: str | None = None
) -> dict[str, Any]:
    """Provisional: ``{"to", "content_json": <Meta message object>}``.

    ``content_json`` follows send-template's pass-through convention and carries Meta's message
    object without ``messaging_product`` and ``to``: ``{"type": "text", "text": {...}}``. A reply
    in thread adds Meta's ``context.message_id`` (the parent wamid) inside it.
    """
    content = dict(message)
    if reply_to is not None:
        content["context"] = {"message_id": reply_to}
    return {"to": to, "content_json": content}


def parse_send_single_body(body: Mapping[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    """The inverse of :func:`send_single_body`: ``(to, message, reply_to)``.

    Raises:
        KeyError, TypeError: when the body is not of that shape.
    """
    content = dict(body["content_json"])
    context = content.pop("context", None)
    reply_to = context["message_id"] if isinstance(context, Mapping) else None
    return str(body["to"]), content, reply_to


def create_template_body(
    *,
    code: str,
    name: str,
    category_code: str,
    option_code: str,
    parameter_format_code: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Provisional: the template object's own field names, with the lookup codes."""
    return {
        "code": code,
        "name": name,
        "category_code": category_code,
        "option_code": option_code,
        "parameter_format_code": parameter_format_code,
        **(extra or {}),
    }


def submit_template_body(lang_code: str | None) -> dict[str, Any]:
    """Provisional: an empty body submits every language; ``lang_code`` narrows it to one."""
    return {} if lang_code is None else {"lang_code": lang_code}


def content_body(
    *, text: str | None, is_draft: bool | None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Provisional: the content object's own field names; fields left ``None`` are not sent."""
    body: dict[str, Any] = dict(extra or {})
    if text is not None:
        body["text"] = text
    if is_draft is not None:
        body["is_draft"] = is_draft
    return body
