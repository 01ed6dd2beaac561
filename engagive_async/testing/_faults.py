"""Fault injection for FakeEngagive: what a failing Engagive, Meta, or proxy answers.

Build faults with the :class:`Fault` constructors and hand them to ``fake.script(...)`` (one
per request, in order) or ``fake.fault_mix({...})`` (at random, for demos); a
:class:`FaultPlan` holds what is still to come.
"""

from __future__ import annotations

import collections
import enum
import http
import random
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from engagive_async._errors import ValidationError
from engagive_async.testing._asgi import JSON, Envelopes, Reply, dump

__all__ = ["Fault", "FaultKind", "FaultMix", "FaultPlan"]

# Titles as Meta writes them in "(#code) title", for the codes tests and demos reach for.
_META_TITLES = {
    4: "Application request limit reached",
    100: "Invalid parameter",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131026: "Message undeliverable",
    131031: "Account has been locked",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement",
    131050: "User stopped marketing messages",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131057: "Account in maintenance mode",
    130429: "Rate limit hit",
    132001: "Template does not exist",
    80007: "Rate limit issues",
}
_HTML_PAGE = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class FaultKind(enum.Enum):
    """What a :class:`Fault` does to the answer."""

    STATUS = "status"
    META_ERROR = "meta_error"
    HTML = "html"
    SUCCESS_FALSE = "success_false"
    MALFORMED_JSON = "malformed_json"
    EMPTY = "empty"
    DELAY = "delay"
    DROP = "drop"


@attrs.frozen(kw_only=True)
class Fault:
    """One scripted misbehaviour. Build it with the class methods, not the constructor.

    Faults are frozen and hashable, so they can key the rates of ``fake.fault_mix``. A faulted
    send is not accepted (it is not logged in ``fake.sent``), except :meth:`delay`, which
    answers normally, only late.
    """

    kind: FaultKind
    http_status: int = 200
    error: str | None = None
    retry_after: str | None = None
    body: bytes | None = None
    meta_code: int | None = None
    meta_subcode: int | None = None
    details: str | None = None
    seconds: float = 0.0

    @classmethod
    def status(
        cls,
        code: int,
        *,
        error: str | None = None,
        retry_after: str | float | None = None,
        body: Any = None,
    ) -> Fault:
        """Answer with HTTP ``code`` and an error envelope (e.g. 429, 500, 503).

        Args:
            code: the HTTP status.
            error: the envelope's error text (default: the status's reason phrase).
            retry_after: a ``Retry-After`` header: seconds, or a string sent as is (an HTTP
                date, or garbage to test a client's parser).
            body: a body to send instead of the envelope: JSON-able, or ``bytes``/``str`` sent
                as is.
        """
        if isinstance(retry_after, (int, float)):
            if retry_after < 0:
                raise ValidationError("retry_after", "must not be negative")
            retry_after = format(retry_after, ".6f").rstrip("0").rstrip(".")
        if body is not None and not isinstance(body, bytes):
            body = body.encode() if isinstance(body, str) else dump(body)
        return cls(
            kind=FaultKind.STATUS, http_status=code, error=error, retry_after=retry_after, body=body
        )

    @classmethod
    def meta_error(
        cls,
        code: int,
        *,
        status: int = 502,
        subcode: int | None = None,
        details: str | None = None,
        message: str | None = None,
    ) -> Fault:
        """Meta refused: Engagive relays Meta's error object in ``metaResponse``.

        Args:
            code: Meta's error code (130429 rate limit, 131026 undeliverable, ...).
            status: the HTTP status Engagive answers with (502 in its docs).
            subcode: Meta's ``error_subcode``, left out when ``None``.
            details: ``error_data.details`` (default: the title).
            message: the title after ``(#code)`` (default: Meta's title for known codes).
        """
        return cls(
            kind=FaultKind.META_ERROR,
            http_status=status,
            meta_code=code,
            meta_subcode=subcode,
            details=details,
            error=message,
        )

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        """A proxy's HTML error page (``text/html``) instead of Engagive's JSON."""
        return cls(kind=FaultKind.HTML, http_status=status)

    @classmethod
    def success_false(cls, status: int = 200, error: str = "Something went wrong") -> Fault:
        """``{"success": false, "error": ...}`` under a success status."""
        return cls(kind=FaultKind.SUCCESS_FALSE, http_status=status, error=error)

    @classmethod
    def malformed_json(cls, status: int = 200) -> Fault:
        """A body cut off in the middle of its JSON, labelled ``application/json``."""
        return cls(kind=FaultKind.MALFORMED_JSON, http_status=status)

    @classmethod
    def empty(cls, status: int = 502) -> Fault:
        """An empty body."""
        return cls(kind=FaultKind.EMPTY, http_status=status)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Act on the request now and answer ``seconds`` later (a client's timeout fires first).

        A delayed send is accepted and logged in ``fake.sent``, as a real server would have
        acted on it.
        """
        if seconds < 0:
            raise ValidationError("seconds", "must not be negative")
        return cls(kind=FaultKind.DELAY, seconds=seconds)

    @classmethod
    def drop(cls) -> Fault:
        """Read the request, then close the connection without answering.

        Served on a socket the client sees the connection close; in process (through
        ``httpx.ASGITransport``) the app raises ``httpx.RemoteProtocolError``, which is what
        httpx raises for a real drop. The message is not accepted.
        """
        return cls(kind=FaultKind.DROP)

    def render(self, envelopes: Envelopes) -> Reply:
        """The answer this fault gives (not for :meth:`delay` and :meth:`drop`, which change
        how the normal answer is given)."""
        status = self.http_status
        kind = self.kind
        if kind is FaultKind.STATUS:
            headers = (
                () if self.retry_after is None else ((b"retry-after", self.retry_after.encode()),)
            )
            if self.body is not None:
                return Reply(status, self.body, JSON, headers)
            return envelopes.error(status, self.error or _phrase(status), headers)
        if kind is FaultKind.META_ERROR:
            return Reply(status, dump(self._meta_body(envelopes)))
        if kind is FaultKind.HTML:
            page = _HTML_PAGE.format(status=status, phrase=_phrase(status))
            return Reply(status, page.encode(), b"text/html")
        if kind is FaultKind.SUCCESS_FALSE:
            return envelopes.error(status, self.error or "Something went wrong")
        if kind is FaultKind.MALFORMED_JSON:
            return Reply(status, b'{"success": true, "message": "ok", "data": {"to": "9230')
        if kind is FaultKind.EMPTY:
            return Reply(status, b"", None)
        raise ValueError(f"{kind} changes how the answer is given; it has no body of its own")

    def _meta_body(self, envelopes: Envelopes) -> dict[str, Any]:
        code = self.meta_code if self.meta_code is not None else 0
        title = self.error or _META_TITLES.get(code, "Meta error")
        message = f"(#{code}) {title}"
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
        if self.meta_subcode is not None:
            error["error_subcode"] = self.meta_subcode
        error["error_data"] = {"messaging_product": "whatsapp", "details": self.details or title}
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        body = envelopes.error_body(self.http_status, message)
        body["metaResponse"] = {"error": error}
        return body


class FaultMix:
    """Random faults at given rates: each request draws at most one fault.

    Args:
        rates: fault -> probability; the probabilities add up to at most 1.
        seed: makes the draws repeatable.

    Raises:
        ValidationError: a rate outside [0, 1], or rates adding up to more than 1.
    """

    def __init__(self, rates: Mapping[Fault, float], seed: int | None = None) -> None:
        total = 0.0
        self._bounds: list[tuple[float, Fault]] = []
        for fault, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValidationError("rates", f"the rate of {fault.kind.value} must lie in [0, 1]")
            total += rate
            self._bounds.append((total, fault))
        if total > 1.0 + 1e-9:
            raise ValidationError("rates", "fault rates add up to more than 1")
        self._random = random.Random(seed)

    def draw(self) -> Fault | None:
        """The fault for the next request, or ``None`` for a normal answer."""
        point = self._random.random()
        for bound, fault in self._bounds:
            if point < bound:
                return fault
        return None


class FaultPlan:
    """The faults still to come: scripted queues per route, then an optional random mix."""

    def __init__(self) -> None:
        self._queues: dict[str | None, collections.deque[Fault]] = {}
        self._mix: FaultMix | None = None
        self._mix_routes: frozenset[str] = frozenset()

    def script(self, faults: Iterable[Fault], route: str | None) -> None:
        """Queue ``faults`` for ``route`` (``None``: any route, after the route's own queue)."""
        self._queues.setdefault(route, collections.deque()).extend(faults)

    def mix(self, mix: FaultMix | None, routes: Iterable[str]) -> None:
        """Draw from ``mix`` for requests on ``routes`` that have no scripted fault."""
        self._mix = mix
        self._mix_routes = frozenset(routes)

    def clear(self) -> None:
        """Forget the queues and the mix."""
        self._queues.clear()
        self._mix = None

    def pending(self) -> int:
        """How many scripted faults are not consumed yet."""
        return sum(len(queue) for queue in self._queues.values())

    def take(self, route: str) -> Fault | None:
        """The fault for the next request on ``route``, or ``None`` for a normal answer."""
        if self._queues:
            for key in (route, None):
                queue = self._queues.get(key)
                if queue:
                    return queue.popleft()
        if self._mix is not None and route in self._mix_routes:
            return self._mix.draw()
        return None


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
