"""What FakeEngagive remembers: every request it received, and every send it accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from engagive_async.testing._faults import Fault

__all__ = ["RecordedRequest", "SentMessage"]

_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


def _redacted(headers: dict[str, str]) -> str:
    """The headers' repr with credentials masked: a log of requests must never show a token."""
    shown = {
        name: ("<redacted>" if name in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }
    return repr(shown)


@attrs.frozen(kw_only=True)
class RecordedRequest:
    """One request FakeEngagive received, whatever it answered.

    Attributes:
        method: the HTTP method.
        path: the URL path as received (percent-decoded, ``/api/business/public`` included).
        route: the matched route's name from ``engagive_async._wire._routes.ROUTES`` (e.g.
            ``"messages.send_template"``), or ``None`` when no route has that path.
        params: the path parameters (``account_id``, ``template_code``, ...), decoded.
        query: the query parameters; a repeated name keeps its last value.
        headers: the headers, names in lower case. The repr masks ``authorization``.
        json: the JSON body, or ``None`` when there was none or it was not JSON.
        at: when it arrived, in ``time.monotonic()`` seconds.
        fault: the scripted :class:`Fault` this request met, or ``None`` when it was answered
            normally. Tests use it to tell a send the server refused (a 429, Meta's rate
            limits) from one it acted on.
    """

    method: str
    path: str
    route: str | None
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str] = attrs.field(repr=_redacted)
    json: Any
    at: float
    fault: Fault | None = None


@attrs.frozen(kw_only=True)
class SentMessage:
    """A send that FakeEngagive accepted (answered with success and a fresh wamid).

    Attributes:
        route: ``"messages.send_template"``, ``"messages.send_single"`` or
            ``"messages.send_reaction"``.
        account_id: the account in the path, as a string.
        to: the recipient, as sent.
        body: the JSON body, as sent.
        wamid: the WhatsApp message id the fake answered with.
        reply_to: the parent wamid of a reply in thread (send-single's
            ``content_json.context.message_id``), else ``None``.
        at: when it was accepted, in ``time.monotonic()`` seconds.
    """

    route: str
    account_id: str
    to: str
    body: Any
    wamid: str
    reply_to: str | None
    at: float
