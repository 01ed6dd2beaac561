"""engagive_async: the asyncio SDK for Engagive's WhatsApp Business Platform API.

The root holds what users import daily: the client, the errors, the batch items and outcomes,
the results, the pager, the journals and the paces (``Throttle``, ``PostgresPacing``). Three
public subpackages hold the rest, each name in exactly one place:

* :mod:`engagive_async.builders`: message builders (``Text``, ``Image``, ``ReplyButtons``, ...)
  and template components and parameters;
* :mod:`engagive_async.journal`: what a journal's reads return (``JournalEntry``,
  ``JournalSummary``) and the reasons a rerun skips a row;
* :mod:`engagive_async.meta`: Meta's payloads (``MetaResponse``, ``MetaError``) and what Meta's
  error codes mean for a sender;
* :mod:`engagive_async.testing`: ``FakeEngagive``, an in-memory Engagive.

``__all__`` is sorted and a test keeps it equal to the set of public attributes. Every public
class and function says the door it is imported from as its ``__module__`` (reprs, tracebacks
and pickles name ``engagive_async``, not a private module).
"""

from engagive_async._client import AccountClient, AsyncClient
from engagive_async._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    EngagiveError,
    ExpiredTokenError,
    InternalServerError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    TemplatePreflightError,
    UpstreamError,
    ValidationError,
)
from engagive_async._http._retry import RetryPolicy
from engagive_async._journal import PostgresJournal, SqliteJournal
from engagive_async._pacing import Pacing, PacingUnavailableError, PostgresPacing, Throttle
from engagive_async._paging._page_info import PageInfo, PagingParams
from engagive_async._paging._pager import AsyncPager, Page
from engagive_async._public import present as _present
from engagive_async._sending._batch import SendJournal
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
from engagive_async.models.results import Envelope, SendResult, SubmitResult
from engagive_async.models.templates import (
    Category,
    CategoryOption,
    Language,
    ParameterFormat,
    Template,
    TemplateContent,
)

#: Declared for type checkers; the value comes from ``__getattr__`` on first use.
__version__: str


def __getattr__(name: str) -> str:
    # __version__ is read on demand: importlib.metadata alone costs a tenth of the import time.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib.metadata

    global __version__
    try:
        __version__ = importlib.metadata.version("engagive_async")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source tree
        __version__ = "0.0.0"
    return __version__


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AccountClient",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "BatchProgress",
    "BatchReport",
    "Category",
    "CategoryOption",
    "ClientClosedError",
    "ConfigurationError",
    "EngagiveError",
    "Envelope",
    "ExpiredTokenError",
    "InternalServerError",
    "Language",
    "NotFoundError",
    "OutcomeStatus",
    "Pacing",
    "PacingUnavailableError",
    "Page",
    "PageInfo",
    "PaginationError",
    "PagingParams",
    "ParameterFormat",
    "PermissionDeniedError",
    "PostgresJournal",
    "PostgresPacing",
    "RateLimitError",
    "ReactionSend",
    "ResponseDecodeError",
    "RetryPolicy",
    "SendItem",
    "SendJournal",
    "SendOutcome",
    "SendResult",
    "SingleSend",
    "SqliteJournal",
    "SubmitResult",
    "Template",
    "TemplateContent",
    "TemplatePreflightError",
    "TemplateSend",
    "Throttle",
    "UpstreamError",
    "ValidationError",
    "__version__",
]

_present(__name__, globals(), [name for name in __all__ if name != "__version__"])
