"""The exception tree of engagive_async.

Every error the SDK raises derives from :class:`EngagiveError`::

    EngagiveError
    ├── ConfigurationError              the client cannot be built as asked
    │   └── ExpiredTokenError           the JWT's ``exp`` claim is already past
    ├── ClientClosedError               the client was used after ``aclose()``
    ├── ValidationError                 bad input, caught before any request; names the field
    │   └── TemplatePreflightError      a send's template is missing, not approved, lacks the
    │                                   language, or has another number of placeholders
    ├── PaginationError                 a server that pages in a loop, or past ``max_pages``
    └── APIError                        anything that happened on the wire
        ├── APIConnectionError          no HTTP answer; ``.request_sent`` tells whether
        │   └── APITimeoutError         the request left this process before it failed
        ├── ResponseDecodeError         an answer that is not Engagive's JSON envelope
        └── APIStatusError              Engagive answered with an error (this class itself
            │                           for other statuses, and for ``success: false`` under
            │                           2xx whose body names no error status)
            ├── BadRequestError         400
            ├── AuthenticationError     401
            ├── PermissionDeniedError   403
            ├── NotFoundError           404
            ├── RateLimitError          429 (``.retry_after``)
            ├── UpstreamError           502: Meta refused (``.meta_error``)
            └── InternalServerError     any other 5xx

httpx exceptions become these only in the ``_http`` package; the original stays reachable as
``__cause__``. No error message ever contains the bearer token: the pipeline never puts request
headers into a message, and the connection errors carry only the method and the URL.

Every error pickles with all its fields (Celery, arq and multiprocessing pickle them):
:meth:`EngagiveError.__reduce__` rebuilds it from its message and attributes without calling
``__init__``, so no subclass needs its own. The ``__cause__`` chain stays in the raising
process, as with any exception: the cause may be an httpx object that does not pickle, or one
that holds the request and its headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engagive_async.models.meta import MetaError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "EngagiveError",
    "ExpiredTokenError",
    "InternalServerError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "TemplatePreflightError",
    "UpstreamError",
    "ValidationError",
]


def _rebuild(cls: type[EngagiveError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Unpickle an error: its ``args`` and attributes back, ``__init__`` not called."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class EngagiveError(Exception):
    """Base of every error raised by engagive_async."""

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException's own reduce calls ``cls(*args)``, which fails for keyword-only fields.
        return _rebuild, (type(self), self.args, dict(self.__dict__))


class ConfigurationError(EngagiveError):
    """The client cannot be built with the arguments and environment given."""


class ExpiredTokenError(ConfigurationError):
    """The API token is a JWT whose ``exp`` claim lies in the past."""


class ClientClosedError(EngagiveError):
    """The client was used after ``aclose()`` or after its ``async with`` block ended."""


class ValidationError(EngagiveError, ValueError):
    """Input that Engagive or Meta would refuse, caught before any request is made.

    Attributes:
        field: dotted path of the offending field, e.g. ``"message.buttons[3].title"``.
        reason: what is wrong with it.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")

    def within(self, prefix: str) -> ValidationError:
        """The same error, its field placed under ``prefix`` (for nested objects)."""
        field = f"{prefix}.{self.field}" if not self.field.startswith("[") else prefix + self.field
        return ValidationError(field, self.reason)


class TemplatePreflightError(ValidationError):
    """A pre-flight check found that Meta would refuse every send of this template.

    Raised before the first send of a campaign (``send_many(..., preflight=True)``,
    ``templates.preflight(...)``, the CLI), so that not one message goes out.

    Attributes:
        template_name: the template the sends name.
        lang_code: the language they name.
        problem: what is wrong (``"does not exist"``, ``"is paused, not approved"``, ...).
        field: ``template_name``, ``lang_code`` or ``components``: the input to change.
    """

    def __init__(
        self, template_name: str, lang_code: str, problem: str, *, field: str = "template_name"
    ) -> None:
        self.template_name = template_name
        self.lang_code = lang_code
        self.problem = problem
        super().__init__(field, f"template {template_name!r} in {lang_code!r} {problem}")


class PaginationError(EngagiveError):
    """The server repeated a page or cursor, or the walk passed ``max_pages``."""


class APIError(EngagiveError):
    """Something went wrong talking to Engagive.

    Attributes:
        method: HTTP method of the request.
        url: full URL of the request (never contains the token).
        attempts: requests made for the call, this failed one included.
        waited: seconds spent waiting between those attempts.
    """

    def __init__(self, message: str, *, method: str, url: str) -> None:
        self.method = method
        self.url = url
        #: Set by the pager when the failure happened while fetching a page.
        self.page: int | None = None
        #: Requests made for this call, the failed one included (set by the pipeline).
        self.attempts = 1
        #: Seconds waited between those attempts, in all.
        self.waited = 0.0
        super().__init__(message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.attempts > 1:
            text += f" (gave up after {self.attempts} attempts, {self.waited:.2f}s of waiting)"
        return f"{text} (while fetching page {self.page})" if self.page is not None else text


class APIConnectionError(APIError):
    """No HTTP answer came back.

    Attributes:
        request_sent: ``False`` when the request provably never reached the server (the
            connection could not be made, or no pooled connection became free), ``True`` when it
            may have been received: the server may have acted on it.
    """

    def __init__(self, message: str, *, method: str, url: str, request_sent: bool) -> None:
        self.request_sent = request_sent
        super().__init__(message, method=method, url=url)


class APITimeoutError(APIConnectionError):
    """A timeout elapsed before the answer came (connect, pool, write or read)."""


class ResponseDecodeError(APIError):
    """The answer was not Engagive's JSON envelope (an HTML proxy page, an empty or cut body).

    Attributes:
        status_code: the HTTP status of that answer.
        body: up to 2,000 characters of the body as text, for logs.
        request_id: the ``x-request-id`` header of the answer, when present.
        headers: the answer's headers (lower-case names), when one came.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status_code: int,
        body: str,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.headers = dict(headers) if headers else {}
        super().__init__(message, method=method, url=url)


class APIStatusError(APIError):
    """Engagive answered with an error status, or with ``success: false``.

    Attributes:
        status_code: the HTTP status.
        message: Engagive's ``error`` or ``message`` text.
        body: the decoded JSON body (a dict), or ``None`` when it was not JSON.
        meta_response: Meta's payload exactly as Engagive relayed it, or ``None``.
        meta_error: Meta's error, parsed from ``meta_response``, or ``None``.
        request_id: the ``x-request-id`` header of the answer, when present.
        headers: the answer's headers (lower-case names).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status_code: int,
        body: Mapping[str, Any] | None,
        meta_response: Mapping[str, Any] | None = None,
        meta_error: MetaError | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.headers = dict(headers) if headers else {}
        self.status_code = status_code
        self.message = message
        self.body = body
        self.meta_response = meta_response
        self.meta_error = meta_error
        self.request_id = request_id
        super().__init__(self._describe(), method=method, url=url)

    def _describe(self) -> str:
        text = f"HTTP {self.status_code}: {self.message}"
        if self.meta_error is not None:
            text += f" (Meta error {self.meta_error.code}"
            if self.meta_error.details:
                text += f": {self.meta_error.details}"
            text += ")"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text


class BadRequestError(APIStatusError):
    """HTTP 400: invalid body, query or path parameters."""


class AuthenticationError(APIStatusError):
    """HTTP 401: missing, invalid or expired bearer token."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403: authenticated, but the role or the ``account_id`` is not allowed."""


class NotFoundError(APIStatusError):
    """HTTP 404: not found, or not visible to your organisation."""


class RateLimitError(APIStatusError):
    """HTTP 429. ``retry_after`` is the server's advice in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class UpstreamError(APIStatusError):
    """HTTP 502: WhatsApp (Meta) refused or failed; see ``meta_error``."""


class InternalServerError(APIStatusError):
    """Any other 5xx, or ``success: false`` under a 2xx status."""
