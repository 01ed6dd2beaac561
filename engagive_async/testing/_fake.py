"""FakeEngagive: an in-memory Engagive as a plain ASGI 3 app."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Literal

import anyio
import httpx

from engagive_async._errors import ValidationError
from engagive_async._wire._routes import ROUTES
from engagive_async.testing import _serve
from engagive_async.testing._asgi import (
    Envelopes,
    Receive,
    Reply,
    Scope,
    Send,
    lifespan,
    read_body,
    send_reply,
)
from engagive_async.testing._auth import Tokens
from engagive_async.testing._faults import Fault, FaultKind, FaultMix, FaultPlan
from engagive_async.testing._handlers import SEND_ROUTES, Backend, Call, Problem
from engagive_async.testing._paging import Convention, Paging
from engagive_async.testing._records import RecordedRequest, SentMessage
from engagive_async.testing._routing import Incoming
from engagive_async.testing._store import Store

__all__ = ["FakeEngagive"]


class _Dropped(Exception):
    """Raised inside the app when a Fault.drop says to close the connection unanswered."""


class FakeEngagive:
    """An in-memory Engagive for tests and demos: every SDK route, envelopes, faults, paging.

    Use it in process with ``httpx.ASGITransport(fake.app)`` (``AsyncClient(token,
    transport=...)``), or on a loopback socket with ``async with fake.serve() as base_url``.
    Paths, request bodies and envelopes follow the SDK's route table (``_wire._routes``) and the
    docs' examples; the data is seeded with the docs' ``order_shipped`` template (id 101) and
    its ``en`` content (id 501). Every account a token may use sees the same data.

    Requests are checked in this order: unknown path (404), wrong method (405), bearer token
    (401), account allowed for the token (403), then a scripted or random fault, then the route.
    A send-template naming a template the store lacks, one not approved, or a language without
    content is refused as Meta would refuse it (502, Meta's 132001 in ``metaResponse``; the
    shape is assumed, see ``_handlers.template_refusal``): add the templates your tests send.

    Args:
        tokens: token -> account ids it may use (default: ``{"test-token": [1]}``).
        latency: seconds added to every request; may be changed at any time.
        pagination: the paging convention of list endpoints (see ``_paging.CONVENTIONS``).
        page_size: items per page when the request names no size.
        max_page_size: the largest page a request may ask for (larger asks are capped).
        status_code_in_body: add ``"statusCode"`` to every envelope.
        error_field: where error envelopes put their text: ``"error"`` or ``"message"``.
        seed: start with the docs' example data.
        record: keep ``requests`` and ``sent`` logs (turn off for long benchmark runs).

    Attributes:
        store: the data (templates, contents, lookups), for direct inspection and edits.
        requests: every request received, in order of arrival.
        sent: every send accepted, in order.
        in_flight: requests being handled now.
        max_in_flight: the most requests ever handled at once (since ``reset_log``).
        latency: see Args.
    """

    def __init__(
        self,
        *,
        tokens: Mapping[str, Iterable[int | str]] | None = None,
        latency: float = 0.0,
        pagination: Convention = "page_limit",
        page_size: int = 20,
        max_page_size: int = 100,
        status_code_in_body: bool = False,
        error_field: Literal["error", "message"] = "error",
        seed: bool = True,
        record: bool = True,
    ) -> None:
        self.latency = latency
        self.store = Store(seed=seed)
        self.requests: list[RecordedRequest] = []
        self.sent: list[SentMessage] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._tokens = Tokens(tokens)
        self._paging = Paging(pagination, page_size, max_page_size)
        self._envelopes = Envelopes(
            status_code_in_body=status_code_in_body, error_field=error_field
        )
        self._backend = Backend(self.store, self._paging, self.sent)
        self._record = self._backend.record = record
        self._faults = FaultPlan()

    def __repr__(self) -> str:
        return (
            f"<engagive_async.testing.FakeEngagive templates={len(self.store.templates)} "
            f"requests={len(self.requests)} sent={len(self.sent)}>"
        )

    # --- settings ------------------------------------------------------------------------

    @property
    def pagination(self) -> Convention:
        """The paging convention of list endpoints; may be changed between requests."""
        return self._paging.convention

    @pagination.setter
    def pagination(self, convention: Convention) -> None:
        Paging(convention, self._paging.page_size, self._paging.max_page_size)  # validates
        self._paging.convention = convention

    @property
    def page_size(self) -> int:
        """Items per page when the request names no size; may be changed between requests."""
        return self._paging.page_size

    @page_size.setter
    def page_size(self, size: int) -> None:
        Paging(self._paging.convention, size, self._paging.max_page_size)  # validates
        self._paging.page_size = size

    @property
    def record(self) -> bool:
        """Whether ``requests`` and ``sent`` are kept."""
        return self._record

    @record.setter
    def record(self, on: bool) -> None:
        self._record = self._backend.record = on

    def allow(self, token: str, *account_ids: int | str) -> None:
        """Accept ``token`` for these accounts (in addition to those it had)."""
        self._tokens.allow(token, *account_ids)

    # --- data ----------------------------------------------------------------------------

    def add_template(self, code: str, **fields: Any) -> dict[str, Any]:
        """Add a template (served first: lists are newest first); return a copy of it.

        Unnamed fields default to an approved UTILITY / STANDARD / POSITIONAL template with
        the next id; ``fields`` may set them or add any other.

        Raises:
            ValueError: the code exists already.
        """
        return dict(self.store.add_template(code, **fields))

    def add_content(
        self, template_code: str, lang_code: str, *, text: str, is_draft: bool = True, **fields: Any
    ) -> dict[str, Any]:
        """Add one language's content to a template; return a copy of it.

        Raises:
            ValueError: no such template, or that language has content already.
        """
        content = self.store.add_content(
            template_code, lang_code, text=text, is_draft=is_draft, **fields
        )
        return dict(content)

    def seed_templates(self, n: int, prefix: str = "tpl_") -> list[str]:
        """Add ``n`` templates at once (``tpl_00001`` ... ``tpl_<n>``, the last is newest);
        return their codes, oldest first."""
        return [t["code"] for t in self.store.seed_templates(n, prefix)]

    # --- faults and logs -----------------------------------------------------------------

    def script(self, *faults: Fault, route: str | None = None) -> None:
        """Queue faults, consumed one per request in order.

        Args:
            *faults: the answers to give instead of the normal ones.
            route: a route name (``"messages.send_template"``) whose requests take them, or
                ``None`` for requests on any route (used after that route's own queue).

        Raises:
            ValidationError: an unknown route name.
        """
        if route is not None and route not in ROUTES:
            raise ValidationError(
                "route", f"unknown route {route!r}; see engagive_async._wire._routes.ROUTES"
            )
        self._faults.script(faults, route)

    def fault_mix(
        self,
        rates: Mapping[Fault, float] | None,
        *,
        seed: int | None = None,
        routes: Iterable[str] = SEND_ROUTES,
    ) -> None:
        """Give each request on ``routes`` (the send routes) at most one random fault.

        Scripted faults come first; the mix applies to requests that have none.

        Args:
            rates: fault -> probability (adding up to at most 1); ``None`` or ``{}`` stops it.
            seed: makes the draws repeatable.
            routes: the route names it applies to.
        """
        self._faults.mix(FaultMix(rates, seed) if rates else None, routes)

    @property
    def pending_faults(self) -> int:
        """How many scripted faults have not been consumed yet."""
        return self._faults.pending()

    def clear_faults(self) -> None:
        """Forget every scripted fault not consumed yet, and the random mix."""
        self._faults.clear()

    def reset_log(self) -> None:
        """Empty ``requests`` and ``sent``, and restart ``max_in_flight`` from now."""
        self.requests.clear()
        self.sent.clear()
        self.max_in_flight = self.in_flight

    # --- serving -------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractAsyncContextManager[str]:
        """Serve on a loopback socket in the running asyncio loop, until the block ends.

        ``async with fake.serve() as base_url:`` gives ``"http://127.0.0.1:<port>"``.
        Needs uvicorn (the ``testing`` extra).

        Raises:
            ValidationError: a host that is not a loopback address.
            RuntimeError: not on asyncio, or uvicorn is not installed.
        """
        return _serve.serve(self.socket_app, host, port)

    def serve_in_thread(
        self, host: str = "127.0.0.1", port: int = 0
    ) -> AbstractContextManager[str]:
        """Like :meth:`serve`, from synchronous code: the server runs in a daemon thread."""
        return _serve.serve_in_thread(self.socket_app, host, port)

    # --- ASGI ----------------------------------------------------------------------------

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI 3 application, for ``httpx.ASGITransport(fake.app)``.

        Raises:
            httpx.RemoteProtocolError: a ``Fault.drop`` (there is no socket to close).
        """
        try:
            await self._serve_request(scope, receive, send)
        except _Dropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response."
            ) from None

    async def socket_app(self, scope: Scope, receive: Receive, send: Send) -> str | None:
        """The ASGI app as :meth:`serve` gives it to uvicorn; for a uvicorn of your own.

        Like :attr:`app`, except that a ``Fault.drop`` returns a value instead of raising:
        uvicorn then closes the connection without answering.
        """
        try:
            await self._serve_request(scope, receive, send)
        except _Dropped:
            return _serve.DROPPED
        return None

    async def _serve_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await lifespan(receive, send)
            return
        self.in_flight += 1
        if self.in_flight > self.max_in_flight:
            self.max_in_flight = self.in_flight
        try:
            body = await read_body(receive)
            if body is None:
                return  # the client went away before sending everything
            await send_reply(send, await self._answer(scope, body))
        finally:
            self.in_flight -= 1

    async def _answer(self, scope: Scope, body: bytes) -> Reply:
        request = Incoming.parse(scope, body)
        name, params = request.route, request.params
        refusal = (
            None
            if name is None
            else self._tokens.refusal(request.headers.get("authorization"), params["account_id"])
        )
        # Taken on arrival, so scripted faults meet requests in the order they came in.
        fault = None if name is None or refusal is not None else self._faults.take(name)
        if self._record:
            self.requests.append(
                RecordedRequest(
                    method=request.method,
                    path=request.path,
                    route=name,
                    params=params,
                    query=request.query,
                    headers=request.headers,
                    json=request.json,
                    at=time.monotonic(),
                    fault=fault,
                )
            )
        if self.latency:
            await anyio.sleep(self.latency)
        errors = self._envelopes
        if name is None:
            if request.allowed:
                allow = ", ".join(request.allowed).encode()
                return errors.error(405, "Method not allowed", ((b"allow", allow),))
            return errors.error(404, f"Cannot {request.method} {request.path}")
        if refusal is not None:
            return errors.error(*refusal)
        if fault is not None and fault.kind is FaultKind.DROP:
            raise _Dropped
        if fault is not None and fault.kind is not FaultKind.DELAY:
            return fault.render(errors)
        if request.bad_json:
            reply = errors.error(400, "The request body is not valid JSON")
        else:
            call = Call(
                route=name,
                account_id=params["account_id"],
                params=params,
                query=request.query,
                body=request.json,
                self_url=request.self_url(scope),
            )
            try:
                ok = self._backend.handle(call)
            except Problem as problem:
                reply = problem.reply(errors)
            else:
                reply = errors.success(
                    ok.status, ok.message, ok.data, ok.pagination, ok.meta_response
                )
        if fault is not None:  # a delay: acted on now (the body is rendered), answered late
            await anyio.sleep(fault.seconds)
        return reply
