"""What Engagive answers: the envelope, and the results of sends and submits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from engagive_async.models._export import JsonReady

__all__ = ["Envelope", "SendResult", "SubmitResult"]
__all__ = ["Envelope", "SendResult", "SubmitResult", "headers_dict"]

RawHeaders = Sequence[tuple[bytes, bytes]]


def headers_dict(raw: RawHeaders) -> dict[str, str]:
    """Header lines as a dict keyed by lower-case name; repeated names joined with ``", "``."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _request_id(raw: RawHeaders) -> str | None:
    for name, value in raw:
        if name.lower() == b"x-request-id":
            return value.decode("latin-1")
    return None


def _first_message_field(meta_response: Mapping[str, Any] | None, key: str) -> str | None:
    """``metaResponse.messages[0][key]`` when the payload has it as a string, else ``None``."""
    if not meta_response:
        return None
    messages = meta_response.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], Mapping):
        value = messages[0].get(key)
        return value if isinstance(value, str) else None
    return None


def wamid_of(meta_response: Mapping[str, Any] | None) -> str | None:
    """``metaResponse.messages[0].id`` when the payload has one, else ``None``."""
    return _first_message_field(meta_response, "id")


@attrs.frozen(kw_only=True)
class Envelope(JsonReady):
    """Engagive's response envelope, decoded but not interpreted.

    ``data`` is a list for list endpoints and a dict for single items and sends.
    """

    success: bool | None
    data: Any
    status_code: int | None = None
    message: str | None = None
    pagination: Mapping[str, Any] | None = None
    meta_response: Mapping[str, Any] | None = None
    #: The HTTP status of the answer (``statusCode`` is often absent from the body).
    http_status: int = 200
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    #: The answer's header lines as received (see :func:`headers_dict`).
    raw_headers: RawHeaders = attrs.field(default=(), repr=False, eq=False)


@attrs.frozen(kw_only=True)
class SendResult(JsonReady):
    """The outcome of a message send that Engagive accepted.

    Attributes:
        data: Engagive's ``data`` object (e.g. ``{"to": ..., "message_type": "template"}``).
        message: Engagive's human text (``"Template message sent successfully"``).
        status_code: the HTTP status (or the body's ``statusCode`` when present).
        meta_response: Meta's payload exactly as received, or ``None``.
        raw_headers: the answer's header lines as received; read them as :attr:`headers`.
    """

    data: Mapping[str, Any]
    message: str | None = None
    status_code: int = 200
    meta_response: Mapping[str, Any] | None = None
    raw_headers: RawHeaders = attrs.field(default=(), repr=False, eq=False)

    @property
    def headers(self) -> dict[str, str]:
        """The answer's HTTP headers, keyed by lower-case name."""
        return headers_dict(self.raw_headers)

    @property
    def request_id(self) -> str | None:
        """The answer's ``x-request-id`` header, when the server sent one."""
        return _request_id(self.raw_headers)

    @property
    def wamid(self) -> str | None:
        """The WhatsApp message id (``metaResponse.messages[0].id``), when Meta gave one."""
        return wamid_of(self.meta_response)

    @property
    def message_status(self) -> str | None:
        """Meta's ``message_status`` (``accepted``, ``held_for_quality_assessment``, ...)."""
        return _first_message_field(self.meta_response, "message_status")


@attrs.frozen(kw_only=True)
class SubmitResult(JsonReady):
    """The outcome of submitting a template to Meta (provisional endpoint)."""

    data: Any
    message: str | None = None
    status_code: int = 200
    meta_response: Mapping[str, Any] | None = None
    raw_headers: RawHeaders = attrs.field(default=(), repr=False, eq=False)

    @property
    def headers(self) -> dict[str, str]:
        """The answer's HTTP headers, keyed by lower-case name."""
        return headers_dict(self.raw_headers)

    @property
    def request_id(self) -> str | None:
        """The answer's ``x-request-id`` header, when the server sent one."""
        return _request_id(self.raw_headers)
