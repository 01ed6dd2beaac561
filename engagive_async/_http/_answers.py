"""Reading answers: the JSON envelope, and the typed error for every way a call can fail.

A status or a body becomes an :class:`~engagive_async.APIStatusError` subclass (or a
:class:`~engagive_async.ResponseDecodeError` when there is no envelope to read); a transport
failure becomes an :class:`~engagive_async.APIConnectionError`. The one question for every
failure is whether the request can have reached Engagive: a connect failure or a pool timeout
means it did not; anything after the request was handed to the connection means it may have,
which decides retries for sends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from engagive_async._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    UpstreamError,
)
from engagive_async._http._retry import parse_retry_after
from engagive_async._http._transport import ResponseTooLarge
from engagive_async._pacing._protocol import Pacing
from engagive_async._policy._meta_codes import pauses_everyone
from engagive_async._wire._converter import parse_meta_error
from engagive_async.models.results import Envelope, headers_dict

if TYPE_CHECKING:  # aiohttp loads on first use (see _transport)
    from engagive_async._http._transport import DirectAnswer

__all__ = [
    "MAX_JSON_DEPTH",
    "Answer",
    "connection_error",
    "decode_error",
    "load_json",
    "plain_envelope",
    "read_envelope",
    "slow_everyone",
    "undecodable_body",
]

#: Nesting deeper than this is refused: Engagive's answers nest about six levels, and a deep
#: structure only exhausts the stack of whatever walks it later (repr, cattrs, the user's code).
MAX_JSON_DEPTH = 64

_ENVELOPE_KEYS = frozenset(
    {"success", "statusCode", "message", "data", "pagination", "metaResponse", "error"}
)
_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    502: UpstreamError,
}
# A client error with a non-JSON body (a proxy's page) is still that client error.
_STATUSES_WITHOUT_BODY = frozenset(_STATUS_ERRORS) - {502}
_BODY_EXCERPT = 2000


class Answer:
    """An HTTP answer with its body read and decoded, from either way of sending.

    Attributes:
        status: the HTTP status.
        headers: the headers (case-insensitive mapping).
        raw_headers: the header lines as received, kept on results and errors.
        content: the body, ``Content-Encoding`` undone.
        reason: the status line's reason phrase.
    """

    __slots__ = ("content", "headers", "raw_headers", "reason", "status")

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        raw_headers: Sequence[tuple[bytes, bytes]],
        content: bytes,
        reason: str,
    ) -> None:
        self.status = status
        self.headers = headers
        self.raw_headers = raw_headers
        self.content = content
        self.reason = reason


class _NotJson(ValueError):
    """A body that is not JSON we accept; the text says why."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        # Which value wins differs between parsers: a proxy and we could read different answers.
        raise _NotJson("an object repeats a key")
    return obj


def _no_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not JSON")


_JSON = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)


def load_json(content: bytes) -> Any:
    """``content`` parsed as strict JSON.

    Raises:
        ValueError: not JSON (the text says why), an object with a repeated key, ``NaN`` or
            ``Infinity``, an integer past Python's digit limit, or nesting deeper than
            :data:`MAX_JSON_DEPTH`.
    """
    try:
        value = _JSON.decode(content.decode(json.detect_encoding(content)))
    except RecursionError:
        raise _NotJson(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    # Cheap first: fewer brackets than the limit cannot nest past it.
    if content.count(b"[") + content.count(b"{") > MAX_JSON_DEPTH and _too_deep(value):
        raise _NotJson(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


def read_envelope(
    answer: Answer, method: str, url: str, *, token_expires_at: float | None
) -> Envelope:
    """The envelope of a successful answer; anything else raised as its typed error.

    Args:
        answer: the answer, its body read and decoded.
        method: the request's method, for the error.
        url: the request's URL, for the error.
        token_expires_at: the token's JWT ``exp`` (epoch seconds), to explain a 401.

    Raises:
        APIStatusError: an error status, or ``success: false`` in the body.
        ResponseDecodeError: a body that is not the JSON envelope.
    """
    status = answer.status
    content = answer.content
    why: str | None = None
    try:
        body = load_json(content) if content else None
    except ValueError as exc:
        body, why = None, str(exc)
    if not isinstance(body, dict):
        raise _not_an_envelope(answer, method, url, token_expires_at, why)
    if status < 400 and body.get("success") is not False:
        return _make_envelope(body, answer)
    raise _status_error(answer, body, method, url, token_expires_at)


def plain_envelope(answer: DirectAnswer) -> Envelope | None:
    """The envelope of a plain success (JSON, not encoded, no cookie), else ``None``."""
    headers = answer.headers
    if answer.status >= 400 or "content-encoding" in headers or "set-cookie" in headers:
        return None
    try:
        body = load_json(answer.content)
    except ValueError:
        return None  # read again by read_envelope, which says why
    if not isinstance(body, dict) or body.get("success") is False:
        return None
    return _make_envelope(body, answer)


def _make_envelope(body: dict[str, Any], answer: Answer | DirectAnswer) -> Envelope:
    extra = {k: v for k, v in body.items() if k not in _ENVELOPE_KEYS}
    return Envelope(
        success=body.get("success"),
        data=body.get("data"),
        status_code=body.get("statusCode"),
        message=body.get("message"),
        pagination=body.get("pagination"),
        meta_response=body.get("metaResponse"),
        http_status=answer.status,
        extra=extra,
        raw_headers=answer.raw_headers,
    )


def _status_error(
    answer: Answer,
    body: dict[str, Any] | None,
    method: str,
    url: str,
    token_expires_at: float | None,
) -> APIStatusError:
    status = answer.status
    body = body or {}
    declared = body.get("statusCode")
    if status < 400 and isinstance(declared, int) and declared >= 400:
        status = declared  # success: false under 200, with the real status in the body
    meta_response = body.get("metaResponse")
    meta_error = parse_meta_error(meta_response)
    message = _error_text(body) or answer.reason or "request failed"
    if status == 401 and token_expires_at is not None and token_expires_at <= time.time():
        message += f" (the API token expired at {_iso(token_expires_at)})"
    if status in _STATUS_ERRORS:
        cls = _STATUS_ERRORS[status]
    elif status >= 500:
        cls = InternalServerError
    elif meta_error is not None:
        cls = UpstreamError
    else:
        cls = APIStatusError
    kwargs: dict[str, Any] = {
        "method": method,
        "url": url,
        "status_code": status,
        "body": body or None,
        "meta_response": meta_response if isinstance(meta_response, Mapping) else None,
        "meta_error": meta_error,
        "request_id": answer.headers.get("x-request-id"),
        "headers": headers_dict(answer.raw_headers),
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=parse_retry_after(answer.headers), **kwargs)
    return cls(message, **kwargs)


def _not_an_envelope(
    answer: Answer, method: str, url: str, token_expires_at: float | None, why: str | None
) -> APIError:
    status = answer.status
    content = answer.content
    excerpt = content[: _BODY_EXCERPT * 4].decode("utf-8", "replace")[:_BODY_EXCERPT]
    kind = answer.headers.get("content-type", "no content type")
    if status in _STATUSES_WITHOUT_BODY:
        return _status_error(answer, None, method, url, token_expires_at)
    if not content:
        detail = "an empty body"
    elif why is not None and kind.startswith("application/json"):
        detail = f"a JSON body we refuse: {why}"
    else:
        detail = f"a body that is not the JSON envelope ({kind})"
    return ResponseDecodeError(
        f"{method} {url}: HTTP {status} with {detail}",
        method=method,
        url=url,
        status_code=status,
        body=excerpt,
        request_id=answer.headers.get("x-request-id"),
        headers=headers_dict(answer.raw_headers),
    )


def decode_error(reason: str, data: Any, method: str, url: str) -> ResponseDecodeError:
    """An envelope's ``data`` that does not fit the model the call returns."""
    return ResponseDecodeError(
        f"{method} {url}: {reason}",
        method=method,
        url=url,
        status_code=200,
        body=repr(data)[:_BODY_EXCERPT],
    )


def undecodable_body(
    exc: httpx.DecodingError, method: str, url: str, status: int = 0
) -> ResponseDecodeError:
    """A body too large to read, or whose ``Content-Encoding`` could not be undone."""
    what = "was not read" if isinstance(exc, ResponseTooLarge) else "could not be decoded"
    return ResponseDecodeError(
        f"{method} {url}: the body {what} ({exc})",
        method=method,
        url=url,
        status_code=status,
        body="",
    )


def connection_error(exc: httpx.TransportError, method: str, url: str) -> APIConnectionError:
    """The typed error for a transport failure, saying whether the request may have gone."""
    # The transports raise the connect family only when nothing was written (see _transport).
    never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    what = f"{method} {url}: {type(exc).__name__}: {exc}"
    if never_sent:
        what += " (the request was not sent)"
    else:
        what += " (the request may have reached the server)"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(what, method=method, url=url, request_sent=not never_sent)
    return APIConnectionError(what, method=method, url=url, request_sent=not never_sent)


async def slow_everyone(pacing: Pacing, error: APIError, delay: float | None) -> None:
    """Pause a batch's shared pace when ``error`` says the server wants everyone slower."""
    if isinstance(error, RateLimitError):
        await pacing.pause(
            delay
            if delay is not None
            else (error.retry_after if error.retry_after is not None else 1.0)
        )
    elif (
        isinstance(error, APIStatusError)
        and error.meta_error is not None
        and pauses_everyone(error.meta_error.code)
    ):
        await pacing.pause(delay if delay is not None else 1.0)


def _error_text(body: Mapping[str, Any]) -> str | None:
    error = body.get("error")
    if isinstance(error, Mapping):
        error = error.get("message")
    text = error if isinstance(error, str) and error else body.get("message")
    return text if isinstance(text, str) and text else None


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))
