"""Defaults, and the one place that reads the environment."""

from __future__ import annotations

import os

__all__ = [
    "API_PREFIX",
    "DEFAULT_BASE_URL",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_KEEPALIVE_EXPIRY",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "ENV_BASE_URL",
    "ENV_LOG",
    "ENV_TOKEN",
    "env_base_url",
    "env_log_level",
    "env_otel_service_name",
    "env_token",
]

#: The only host the public docs show (there is no documented production host yet).
DEFAULT_BASE_URL = "https://stage.api.engagive.io"
#: Added by the SDK in front of every documented path.
API_PREFIX = "/api/business/public"

ENV_TOKEN = "ENGAGIVE_API_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_BASE_URL = "ENGAGIVE_BASE_URL"
#: ``debug``, ``info`` or ``warning``: the SDK logs to stderr at that level (see ``_observe``).
ENV_LOG = "ENGAGIVE_LOG"

#: Connections kept per client. Bulk jobs raise it together with ``send_many(concurrency=)``.
DEFAULT_MAX_CONNECTIONS = 100
#: Establishing a TCP+TLS connection should take well under this.
DEFAULT_CONNECT_TIMEOUT = 10.0
#: Engagive relays sends to Meta synchronously; Meta answers in well under a second normally,
#: so 30 s leaves room for its slow moments without hanging a worker forever.
DEFAULT_READ_TIMEOUT = 30.0
#: Waiting for a free pooled connection: a send that waits this long was never sent.
DEFAULT_POOL_TIMEOUT = 30.0
#: Idle keep-alive connections are closed after this, below common server idle limits, so that
#: a request is rarely written to a socket the server is closing (which would leave a send's
#: fate unknown).
DEFAULT_KEEPALIVE_EXPIRY = 15.0

DEFAULT_USER_AGENT = "engagive-async-python"


def env_token() -> str | None:
    """The token from ``ENGAGIVE_API_TOKEN``, or ``None`` when unset or blank."""
    value = os.environ.get(ENV_TOKEN, "").strip()
    return value or None


def env_base_url() -> str | None:
    """The base URL from ``ENGAGIVE_BASE_URL``, or ``None`` when unset or blank."""
    value = os.environ.get(ENV_BASE_URL, "").strip()
    return value or None


def env_log_level() -> str | None:
    """``ENGAGIVE_LOG`` lower-cased (``debug``, ``info``, ``warning``), or ``None`` when unset."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    return value or None


def env_otel_service_name() -> str | None:
    """OpenTelemetry's ``OTEL_SERVICE_NAME``, or ``None`` when unset or blank."""
    value = os.environ.get("OTEL_SERVICE_NAME", "").strip()
    return value or None
