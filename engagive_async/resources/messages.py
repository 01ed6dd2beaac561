"""Messages: templates, reactions, free-form messages and replies, one at a time or in bulk."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, aclosing
from typing import Any

from engagive_async._checks import _fields as check
from engagive_async._checks._messages import validate_message, validate_typed_components
from engagive_async._http import CallOptions, CallTrace
from engagive_async._http._pipeline import NO_OPTIONS
from engagive_async._http._retry import RetryPolicy
from engagive_async._pacing._protocol import Pacing
from engagive_async._sending._batch import (
    BatchOptions,
    ItemJournal,
    Items,
    Sender,
    SendJournal,
    run_batch,
)
from engagive_async._sending._observed import send_one
from engagive_async._sending._options import DEFAULT_CONCURRENCY
from engagive_async._wire import _routes as routes
from engagive_async._wire._component_codec import components_to_wire
from engagive_async._wire._converter import converter
from engagive_async.models.batch import (
    BatchProgress,
    BatchReport,
    OutcomeStatus,
    ReactionSend,
    SendItem,
    SendOutcome,
    SingleSend,
    TemplateSend,
)
from engagive_async.models.messages import Message
from engagive_async.models.results import Envelope, SendResult
from engagive_async.resources._base import Resource, call_options
from engagive_async.resources.preflight import TemplatePreflight
from engagive_async.resources.templates import TemplatesResource

__all__ = ["MessagesResource"]


class MessagesResource(Resource):
    """``acct.messages``: every send validates its input before any request is made.

    Sends follow the at-most-once rule: a send is retried only when Engagive cannot have acted
    on it (no connection was made, a 429, or a Meta "refused for pace" error).
    """

    async def send_template(
        self,
        *,
        to: str,
        template_name: str,
        lang_code: str,
        components: Sequence[Any] | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SendResult:
        """Send an approved template.

        Args:
            to: the recipient's number with country code (``"923001234567"``; a leading
                ``+`` is accepted and dropped).
            template_name: the approved template's name.
            lang_code: the language it was approved in, e.g. ``en_US``.
            components: Meta's send-time components: typed (``body_text("Ann")``) or dicts.
            timeout: seconds this call may take in all (every send method takes it): an
                attempt cut by it after the request went out is an ``APITimeoutError`` with
                ``request_sent=True``, never retried.
            extra_headers: header lines added to this call's request (every send takes it).

        Raises:
            ValidationError: bad input, before any request.
            APIError: Engagive or Meta refused, or no answer came.
        """
        call = call_options(timeout, extra_headers)
        item = TemplateSend(
            to=to, template_name=template_name, lang_code=lang_code, components=components
        )
        return await send_one(item, self._prepare(item, call=call))

    async def send_reaction(
        self,
        *,
        to: str,
        whatsapp_message_id: str,
        emoji: str,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SendResult:
        """React to a message (``emoji=""`` removes the reaction).

        Args:
            to: the recipient's number.
            whatsapp_message_id: the wamid of the message reacted to.
            emoji: one emoji.
        """
        call = call_options(timeout, extra_headers)
        item = ReactionSend(to=to, whatsapp_message_id=whatsapp_message_id, emoji=emoji)
        return await send_one(item, self._prepare(item, call=call))

    async def send(
        self,
        *,
        to: str,
        message: Message,
        reply_to: str | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SendResult:
        """Send a text, media, location, contacts, sticker or interactive message.

        Provisional: the send-single body is not in the public docs; the assumed shape lives in
        ``routes.send_single_body`` (see docs/coverage.md).

        Args:
            to: the recipient's number.
            message: a builder such as ``Text("hi")`` or ``ReplyButtons(...)``.
            reply_to: the parent message's wamid, to reply in thread.
        """
        call = call_options(timeout, extra_headers)
        item = SingleSend(to=to, message=message, reply_to=reply_to)
        return await send_one(item, self._prepare(item, call=call))

    async def reply(
        self,
        *,
        to: str,
        parent_wamid: str,
        message: Message,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SendResult:
        """Reply in thread to ``parent_wamid`` (Meta's ``context.message_id``). Provisional."""
        return await self.send(
            to=to,
            message=message,
            reply_to=parent_wamid,
            timeout=timeout,
            extra_headers=extra_headers,
        )

    def send_many(
        self,
        items: Items,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = False,
        rate_limit: float | None = None,
        pacing: Pacing | None = None,
        deadline: float | dt.datetime | None = None,
        grace: float = 10.0,
        stop_on: Callable[[SendOutcome], bool] | None = None,
        on_progress: Callable[[BatchProgress], object] | None = None,
        journal: SendJournal | ItemJournal | None = None,
        retry: RetryPolicy | None = None,
        preflight: bool = False,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
        trace_sends: bool | float = True,
    ) -> AsyncGenerator[SendOutcome, None]:
        """Send many items concurrently; yield one :class:`SendOutcome` per item.

        The input is pulled lazily (any iterable or async iterable of ``TemplateSend``,
        ``SingleSend``, ``ReactionSend``), so memory stays flat however long it is. After a
        stop (deadline, ``stop_on``, leaving the loop) nothing more is pulled: the rest of a
        list is reported SKIPPED, a generator is left where it stopped.

        Args:
            items: what to send.
            concurrency: requests in flight at most.
            ordered: yield outcomes in input order (else as they complete).
            rate_limit: client-side cap in messages per second for this batch, smoothed:
                at most a tenth of a second's worth may start back to back.
            pacing: the pace to send at instead of ``rate_limit``: a
                :class:`~engagive_async.Throttle` of your own, or a
                :class:`~engagive_async.PostgresPacing` that every worker sending for the same
                number shares (rate, pause after a 429, spacing per recipient). The batch uses
                it and leaves it open.
            deadline: seconds from now, or an aware datetime: then stop starting items
                and give in-flight ones ``grace`` seconds.
            grace: seconds in-flight items may still take after a stop, before they are
                cancelled and reported UNKNOWN.
            stop_on: stop the batch when this returns true for an outcome.
            on_progress: called with a :class:`BatchProgress` after every outcome.
            journal: durable record of the campaign, which other workers may share (see
                ``SendJournal``): the input is checked with it a chunk at a time, items it
                says are done are SKIPPED, and each other item is claimed before its request
                (one another worker holds is SKIPPED).
            retry: the retry policy for this batch (default: the client's).
            preflight: check each template the items name first (it exists, is approved,
                has the language, its body has as many placeholders as the item gives
                parameters; see ``templates.preflight``), reading each template and language
                once. A list is checked whole before anything is sent; a lazy input item by
                item as it is pulled, so a new template met late stops the batch there.
            timeout: seconds each item's call may take in all, its retries included (default:
                the client's ``call_timeout``); each attempt also stays within the client's
                ``attempt_timeout``. An item cut after its request went out is UNKNOWN.
            extra_headers: header lines added to every item's request.
            trace_sends: with an OpenTelemetry tracer provider set, which items get a
                ``send`` span (and their HTTP span) under the batch's ``send_many`` span:
                every one (``True``), none (``False``), or an evenly spread share
                (``0.01``: one in a hundred). Metrics count every item whatever this says.

        Raises:
            ValidationError: an option out of range (``concurrency`` below 1, a ``rate_limit``
                not positive, a negative ``grace``, a naive ``deadline`` datetime), at once,
                before any item is pulled.
            TemplatePreflightError: with ``preflight``, from the first step of the loop.
        """
        call = call_options(timeout, extra_headers)
        options = BatchOptions(
            concurrency=concurrency,
            ordered=ordered,
            rate_limit=rate_limit,
            pacing=pacing,
            deadline=deadline,
            grace=grace,
            stop_on=stop_on,
            on_progress=on_progress,
            journal=journal,
            retry=retry,
            trace_sends=trace_sends,
        )

        def start(checked: Items) -> AsyncGenerator[SendOutcome, None]:
            return run_batch(
                checked, lambda item: self._prepare(item, retry=options.retry, call=call), options
            )

        if not preflight:
            return start(items)
        templates = TemplatesResource(self._pipeline, self._account_id, self._paging)
        return _checked_first(TemplatePreflight(templates), items, start)

    async def send_batch(self, items: Items, **options: Any) -> BatchReport:
        """Send a small batch and gather it into a :class:`BatchReport` (input order).

        Takes the options of :meth:`send_many`. Holds every outcome in memory: for large
        campaigns iterate :meth:`send_many` instead.
        """
        started = time.perf_counter()
        outcomes: list[SendOutcome] = []
        async with aclosing(self.send_many(items, **options)) as stream:
            async for outcome in stream:
                outcomes.append(outcome)
        outcomes.sort(key=lambda o: o.index)
        by_status = dict.fromkeys(OutcomeStatus, 0)
        by_meta_error: dict[int, int] = {}
        for outcome in outcomes:
            by_status[outcome.status] += 1
            if outcome.meta_error_code is not None:
                code = outcome.meta_error_code
                by_meta_error[code] = by_meta_error.get(code, 0) + 1
        return BatchReport(
            outcomes=outcomes,
            by_status=by_status,
            by_meta_error=by_meta_error,
            elapsed=time.perf_counter() - started,
        )

    # --- one item: validate, then a sender that makes the request -----------------------

    def _prepare(
        self,
        item: SendItem,
        *,
        retry: RetryPolicy | None = None,
        call: CallOptions = NO_OPTIONS,
    ) -> Sender:
        route, body, recipient = self._route_and_body(item)
        path = self._path(route.name)
        pipeline = self._pipeline

        async def send(pacing: Pacing, trace: CallTrace) -> SendResult:
            envelope = await pipeline.request(
                route.method,
                path,
                json=body,
                pacing=pacing,
                recipient=recipient,
                trace=trace,
                retry=retry,
                options=call,
                template=route.template,
            )
            return _send_result(envelope)

        return send

    def _route_and_body(self, item: SendItem) -> tuple[routes.Route, dict[str, Any], str]:
        """The item's route and body, and its recipient as checked (the pace spaces by it)."""
        if isinstance(item, TemplateSend):
            check.validate_template_name(item.template_name)
            check.validate_lang_code(item.lang_code)
            if item.components:
                validate_typed_components(item.components)
            components = components_to_wire(item.components) if item.components else None
            if components:
                check.validate_components(components)
            to = check.validate_recipient(item.to)
            body = routes.send_template_body(to, item.template_name, item.lang_code, components)
            return routes.ROUTES["messages.send_template"], body, to
        if isinstance(item, ReactionSend):
            check.validate_wamid(item.whatsapp_message_id, field="whatsapp_message_id")
            check.validate_emoji(item.emoji)
            to = check.validate_recipient(item.to)
            body = routes.send_reaction_body(to, item.whatsapp_message_id, item.emoji)
            return routes.ROUTES["messages.send_reaction"], body, to
        if isinstance(item, SingleSend):
            validate_message(item.message)
            if item.reply_to is not None:
                check.validate_wamid(item.reply_to, field="reply_to")
            payload: Mapping[str, Any] = converter.unstructure(item.message, Message)
            to = check.validate_recipient(item.to)
            body = routes.send_single_body(to, payload, reply_to=item.reply_to)
            return routes.ROUTES["messages.send_single"], body, to
        raise TypeError(
            f"send items are TemplateSend, SingleSend or ReactionSend, got {type(item).__name__}"
        )


async def _checked_first(
    checker: TemplatePreflight,
    items: Items,
    start: Callable[[Items], AsyncGenerator[SendOutcome, None]],
) -> AsyncGenerator[SendOutcome, None]:
    async with AsyncExitStack() as stack:
        if isinstance(items, Sequence):
            await checker.check_all(items)
            checked: Items = items  # still a list: the batch knows its size
        else:
            checked = await stack.enter_async_context(aclosing(checker.checking(items)))
        stream = await stack.enter_async_context(aclosing(start(checked)))
        async for outcome in stream:
            yield outcome


def _send_result(envelope: Envelope) -> SendResult:
    data = envelope.data
    return SendResult(
        data=data if isinstance(data, Mapping) else {},
        message=envelope.message,
        status_code=envelope.status_code or envelope.http_status,
        meta_response=envelope.meta_response,
        raw_headers=envelope.raw_headers,
    )
