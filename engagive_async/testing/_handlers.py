"""What FakeEngagive does on each route, once the request is authenticated and not faulted.

One method per route name of the route table (``_wire._routes.ROUTES``). Bodies of the
provisional routes are read with the same assumptions the SDK writes them with (``_wire``), so
the two cannot drift apart.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from engagive_async._wire import _routes as routes
from engagive_async.testing._asgi import Envelopes, Reply
from engagive_async.testing._faults import Fault
from engagive_async.testing._paging import Paging, PagingQueryError
from engagive_async.testing._records import SentMessage
from engagive_async.testing._store import Store

__all__ = ["Backend", "Call", "Ok", "Problem", "template_refusal"]

SEND_ROUTES = frozenset(
    {"messages.send_template", "messages.send_single", "messages.send_reaction"}
)


@attrs.frozen(kw_only=True)
class Call:
    """An authenticated request on a known route."""

    route: str
    account_id: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    #: The request's absolute URL without its query, for ``next`` links.
    self_url: str


@attrs.frozen(kw_only=True)
class Ok:
    """A success envelope's parts."""

    message: str
    data: Any
    status: int = 200
    pagination: dict[str, Any] | None = None
    meta_response: dict[str, Any] | None = None


class Problem(Exception):
    """An error answer: HTTP status and the envelope's error text, or Meta's refusal."""

    def __init__(self, status: int, text: str, *, meta: Fault | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        #: When Meta refused: the answer is rendered as that fault's (502 and metaResponse).
        self.meta = meta

    def reply(self, envelopes: Envelopes) -> Reply:
        """The answer this problem gives."""
        if self.meta is not None:
            return self.meta.render(envelopes)
        return envelopes.error(self.status, self.text)


def template_refusal(template_name: str, lang_code: str, reason: str) -> Problem:
    """How a send to a template Meta does not have (or not in that language, or not approved)
    is refused. ASSUMED, the one place of it: the docs say nothing of this case (GAPS 16, 17).
    Engagive passes ``content_json`` to Meta, so we answer as for any Meta refusal the docs
    show: HTTP 502 with Meta's error in ``metaResponse``; Meta's code is 132001 ("Template
    does not exist": no approved template of that name in that language) and its
    ``error_data.details`` reads ``template name (X) does not exist in LANG``.
    """
    details = f"template name ({template_name}) does not exist in {lang_code}"
    if reason:
        details += f" ({reason})"
    return Problem(502, details, meta=Fault.meta_error(132001, details=details))


class Backend:
    """The route handlers over a :class:`Store`.

    Args:
        store: the data.
        paging: how lists are paged.
        sent: where accepted sends are appended (when ``record`` is on).
    """

    def __init__(self, store: Store, paging: Paging, sent: list[SentMessage]) -> None:
        self.store = store
        self.paging = paging
        self.sent = sent
        self.record = True
        self._wamid_prefix = "HBgL" + secrets.token_hex(6).upper()
        self._wamids = itertools.count(1)
        self._handlers: dict[str, Callable[[Call], Ok]] = {
            "templates.lookups.categories": self._categories,
            "templates.lookups.options": self._options,
            "templates.lookups.parameter_formats": self._parameter_formats,
            "templates.list": self._list_templates,
            "templates.create": self._create_template,
            "templates.get": self._get_template,
            "templates.submit": self._submit_template,
            "contents.languages": self._languages,
            "contents.list": self._list_contents,
            "contents.get": self._get_content,
            "contents.create": self._create_content,
            "contents.update": self._update_content,
            "contents.delete": self._delete_content,
            "messages.send_single": self._send_single,
            "messages.send_template": self._send_template,
            "messages.send_reaction": self._send_reaction,
        }

    @property
    def routes(self) -> frozenset[str]:
        """The route names this backend answers."""
        return frozenset(self._handlers)

    def handle(self, call: Call) -> Ok:
        """Answer one call.

        Raises:
            Problem: the error to answer with.
        """
        return self._handlers[call.route](call)

    def new_wamid(self) -> str:
        """A WhatsApp message id never handed out before by this fake."""
        return f"wamid.{self._wamid_prefix}{next(self._wamids):012d}"

    # --- lookups and templates -----------------------------------------------------------

    def _categories(self, call: Call) -> Ok:
        return self._page("Categories retrieved", self.store.categories, call)

    def _options(self, call: Call) -> Ok:
        options = self.store.options.get(call.params["category_code"])
        if options is None:
            raise Problem(404, "Category not found")
        return self._page("Options retrieved", options, call)

    def _parameter_formats(self, call: Call) -> Ok:
        return self._page("Parameter formats retrieved", self.store.parameter_formats, call)

    def _list_templates(self, call: Call) -> Ok:
        templates = self.store.newest_first()
        needle = call.query.get("search", "").casefold()
        if needle:
            templates = [
                t
                for t in templates
                if needle in str(t.get("code", "")).casefold()
                or needle in str(t.get("name", "")).casefold()
            ]
        return self._page("Templates retrieved", templates, call)

    def _get_template(self, call: Call) -> Ok:
        return Ok(message="Template retrieved", data=self._template(call))

    def _create_template(self, call: Call) -> Ok:
        body = _object(call.body)
        code = body.get("code")
        if not isinstance(code, str) or not code:
            raise Problem(400, "code is required")
        if self.store.template(code) is not None:
            raise Problem(400, f"A template with code {code!r} already exists")
        fields = {k: v for k, v in body.items() if k not in ("code", "id")}
        fields.setdefault("status", "draft")
        template = self.store.add_template(code, **fields)
        return Ok(message="Template created", data=template, status=201)

    def _submit_template(self, call: Call) -> Ok:
        template = self._template(call)
        body = _object(call.body) if call.body is not None else {}
        contents = self.store.contents[template["code"]]
        lang_code = body.get("lang_code")
        if lang_code is not None:
            if lang_code not in contents:
                raise Problem(404, f"No {lang_code!r} content for this template")
            submitted = [contents[lang_code]]
        else:
            submitted = list(contents.values())
        for content in submitted:
            content["is_draft"] = False
        template["status"] = "pending"
        meta_id = self.store.meta_template_ids.setdefault(
            template["code"], str(10**15 + secrets.randbelow(9 * 10**15))
        )
        meta = {
            "success": True,
            "id": meta_id,
            "status": "PENDING",
            "category": template.get("category_code"),
        }
        return Ok(message="Template submitted", data=template, meta_response=meta)

    # --- contents ------------------------------------------------------------------------

    def _languages(self, call: Call) -> Ok:
        self._template(call)
        return self._page("Languages retrieved", self.store.languages, call)

    def _list_contents(self, call: Call) -> Ok:
        contents = list(self._contents(call).values())
        needle = call.query.get("search", "").casefold()
        if needle:
            contents = [
                c
                for c in contents
                if needle in str(c.get("text", "")).casefold()
                or needle in str(c.get("lang_code", "")).casefold()
            ]
        return self._page("Template contents retrieved", contents, call)

    def _get_content(self, call: Call) -> Ok:
        return Ok(message="Template content retrieved", data=self._content(call))

    def _create_content(self, call: Call) -> Ok:
        contents = self._contents(call)
        lang_code = call.params["lang_code"]
        body = _object(call.body)
        text = body.get("text")
        if not isinstance(text, str):
            raise Problem(400, "text is required")
        if lang_code in contents:
            raise Problem(400, f"Content for {lang_code!r} already exists")
        is_draft = body.get("is_draft", True)
        extra = {k: v for k, v in body.items() if k not in ("text", "is_draft", "id", "lang_code")}
        content = self.store.add_content(
            call.params["template_code"], lang_code, text=text, is_draft=bool(is_draft), **extra
        )
        return Ok(message="Template content created", data=content, status=201)

    def _update_content(self, call: Call) -> Ok:
        content = self._content(call)
        body = _object(call.body)
        if "text" in body and not isinstance(body["text"], str):
            raise Problem(400, "text must be a string")
        content.update({k: v for k, v in body.items() if k not in ("id", "lang_code")})
        return Ok(message="Template content updated", data=content)

    def _delete_content(self, call: Call) -> Ok:
        self._content(call)
        del self._contents(call)[call.params["lang_code"]]
        return Ok(message="Template content deleted", data={})

    # --- messages ------------------------------------------------------------------------

    def _send_template(self, call: Call) -> Ok:
        body = _object(call.body)
        to = _recipient(body)
        content = body.get("content_json")
        if not isinstance(content, Mapping):
            raise Problem(400, "content_json is required")
        for field in ("template_name", "lang_code"):
            if not isinstance(content.get(field), str) or not content[field]:
                raise Problem(400, f"content_json.{field} is required")
        self._check_template(content["template_name"], content["lang_code"])
        meta = self._accept(call, to, reply_to=None, status="accepted")
        data = {"to": to, "message_type": "template"}
        return Ok(message="Template message sent successfully", data=data, meta_response=meta)

    def _send_reaction(self, call: Call) -> Ok:
        body = _object(call.body)
        to = _recipient(body)
        wamid = body.get("whatsapp_message_id")
        if not isinstance(wamid, str) or not wamid:
            raise Problem(400, "whatsapp_message_id is required")
        if not isinstance(body.get("emoji"), str):
            raise Problem(400, "emoji is required")
        meta = self._accept(call, to, reply_to=None, status=None)
        return Ok(message="Reaction sent", data={}, meta_response=meta)

    def _send_single(self, call: Call) -> Ok:
        body = _object(call.body)
        _recipient(body)
        try:
            to, message, reply_to = routes.parse_send_single_body(body)
        except (KeyError, TypeError, ValueError):
            raise Problem(400, "expected {to, content_json: {type, <type>: {...}}}") from None
        kind = message.get("type")
        if not isinstance(kind, str) or not kind:
            raise Problem(400, "content_json.type is required")
        if not isinstance(message.get(kind), Mapping | list):
            raise Problem(400, f"content_json.{kind} is required for type {kind!r}")
        meta = self._accept(call, to, reply_to=reply_to, status=None)
        data = {"to": to, "message_type": kind}
        return Ok(message="Message sent successfully", data=data, meta_response=meta)

    # --- helpers -------------------------------------------------------------------------

    def _check_template(self, template_name: str, lang_code: str) -> None:
        """Refuse, as Meta would, a template that is unknown, not approved, or not in that
        language (a draft content counts: the fake does not model Meta's own review)."""
        template = self.store.template(template_name)
        if template is None:
            raise template_refusal(template_name, lang_code, "")
        if str(template.get("status", "")).lower() != "approved":
            raise template_refusal(template_name, lang_code, f"status {template.get('status')}")
        if lang_code not in self.store.contents.get(template_name, {}):
            raise template_refusal(template_name, lang_code, "")

    def _accept(
        self, call: Call, to: str, *, reply_to: str | None, status: str | None
    ) -> dict[str, Any]:
        """Log the send as accepted and build Meta's answer for it."""
        wamid = self.new_wamid()
        if self.record:
            self.sent.append(
                SentMessage(
                    route=call.route,
                    account_id=call.account_id,
                    to=to,
                    body=call.body,
                    wamid=wamid,
                    reply_to=reply_to,
                    at=time.monotonic(),
                )
            )
        message: dict[str, Any] = {"id": wamid}
        if status is not None:
            message["message_status"] = status
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to if to.isdigit() else _digits(to)}],
            "messages": [message],
        }

    def _page(self, message: str, items: list[dict[str, Any]], call: Call) -> Ok:
        try:
            chunk, block = self.paging.page(items, call.query, call.self_url)
        except PagingQueryError as exc:
            raise Problem(400, str(exc)) from None
        return Ok(message=message, data=chunk, pagination=block)

    def _template(self, call: Call) -> dict[str, Any]:
        template = self.store.template(call.params["template_code"])
        if template is None:
            raise Problem(404, "Template not found")
        return template

    def _contents(self, call: Call) -> dict[str, dict[str, Any]]:
        self._template(call)
        return self.store.contents[call.params["template_code"]]

    def _content(self, call: Call) -> dict[str, Any]:
        content = self._contents(call).get(call.params["lang_code"])
        if content is None:
            raise Problem(404, "Template content not found")
        return content


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Problem(400, "the request body must be a JSON object")
    return body


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _recipient(body: Mapping[str, Any]) -> str:
    to = body.get("to")
    if not isinstance(to, str) or not to:
        raise Problem(400, "to is required")
    return to
