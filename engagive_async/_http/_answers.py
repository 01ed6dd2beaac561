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
from collections.abc import Mapping
from typing import Any

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
from engagive_async._http._transport import DirectAnswer
from engagive_async._pacing._protocol import Pacing
from engagive_async._policy._meta_codes import pauses_everyone
from engagive_async._wire._converter import parse_meta_error
from engagive_async.models.results import Envelope

__all__ = [
    "connection_error",
    "decode_error",
    "plain_envelope",
    "read_envelope",
    "slow_everyone",
    "undecodable_body",
]

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


def read_envelope(
    response: httpx.Response, method: str, url: str, *, token_expires_at: float | None
) -> Envelope:
    """The envelope of a successful answer; anything else raised as its typed error.

    Args:
        response: the answer, its body read.
        method: the request's method, for the error.
        url: the request's URL, for the error.
        token_expires_at: the token's JWT ``exp`` (epoch seconds), to explain a 401.

    Raises:
        APIStatusError: an error status, or ``success: false`` in the body.
        ResponseDecodeError: a body that is not the JSON envelope.
    """
    status = response.status_code
    content = response.content
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _not_an_envelope(response, method, url, token_expires_at)
    if status < 400 and body.get("success") is not False:
        return _make_envelope(body, status)
    raise _status_error(response, body, method, url, token_expires_at)


def plain_envelope(answer: DirectAnswer) -> Envelope | None:
    """The envelope of a plain success (JSON, not encoded, no cookie), else ``None``."""
    headers = answer.headers
    if answer.status >= 400 or "content-encoding" in headers or "set-cookie" in headers:
        return None
    try:
        body = json.loads(answer.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("success") is False:
        return None
    return _make_envelope(body, answer.status)


def _make_envelope(body: dict[str, Any], status: int) -> Envelope:
    extra = {k: v for k, v in body.items() if k not in _ENVELOPE_KEYS}
    return Envelope(
        success=body.get("success"),
        data=body.get("data"),
        status_code=body.get("statusCode"),
        message=body.get("message"),
        pagination=body.get("pagination"),
        meta_response=body.get("metaResponse"),
        http_status=status,
        extra=extra,
    )


def _status_error(
    response: httpx.Response,
    body: dict[str, Any] | None,
    method: str,
    url: str,
    token_expires_at: float | None,
) -> APIStatusError:
    status = response.status_code
    body = body or {}
    declared = body.get("statusCode")
    if status < 400 and isinstance(declared, int) and declared >= 400:
        status = declared  # success: false under 200, with the real status in the body
    meta_response = body.get("metaResponse")
    meta_error = parse_meta_error(meta_response)
    message = _error_text(body) or response.reason_phrase or "request failed"
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
        "request_id": response.headers.get("x-request-id"),
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=parse_retry_after(response.headers), **kwargs)
    return cls(message, **kwargs)


def _not_an_envelope(
    response: httpx.Response, method: str, url: str, token_expires_at: float | None
) -> APIError:
    status = response.status_code
    excerpt = response.text[:_BODY_EXCERPT] if response.content else ""
    kind = response.headers.get("content-type", "no content type")
    if status in _STATUSES_WITHOUT_BODY:
        return _status_error(response, None, method, url, token_expires_at)
    detail = "an empty body" if not excerpt else f"a body that is not the JSON envelope ({kind})"
    return ResponseDecodeError(
        f"{method} {url}: HTTP {status} with {detail}",
        method=method,
        url=url,
        status_code=status,
        body=excerpt,
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


def undecodable_body(exc: httpx.DecodingError, method: str, url: str) -> ResponseDecodeError:
    """A body whose ``Content-Encoding`` could not be undone."""
    return ResponseDecodeError(
        f"{method} {url}: the body could not be decoded ({exc})",
        method=method,
        url=url,
        status_code=0,
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
