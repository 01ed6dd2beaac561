"""engagive_async: the asyncio SDK for Engagive's WhatsApp Business Platform API."""

from importlib.metadata import PackageNotFoundError, version

from engagive_async._retry import RetryPolicy
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
    UpstreamError,
    ValidationError,
)

try:
    __version__ = version("engagive_async")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

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
    "RetryPolicy",
    "UpstreamError",
    "ValidationError",
    "__version__",
]
