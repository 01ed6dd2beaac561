"""Defaults, and the one place that reads the environment."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

__all__ = [
    "API_PREFIX",
    "DEFAULT_ATTEMPT_TIMEOUT",
    "DEFAULT_BASE_URL",
    "DEFAULT_CALL_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_KEEPALIVE_EXPIRY",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "ENV_BASE_URL",
    "ENV_LOG",
    "ENV_TOKEN",
    "env_base_url",
    "env_log_level",
    "env_otel_service_name",
    "env_proxy_for",
    "env_token",
    "is_loopback",
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

#: The most one attempt may take in all (waiting for a connection, sending, the whole answer).
#: The phase timeouts above restart with every byte read, so a server dripping one byte per
#: second would hold a call forever without this.
DEFAULT_ATTEMPT_TIMEOUT = 60.0
#: The most one call may take in all: its attempts and the waits between them (up to 4 attempts,
#: ``Retry-After`` honoured up to 60 s by the default retry policy).
DEFAULT_CALL_TIMEOUT = 180.0
#: The largest answer body read, as received and decoded. Engagive's answers are small JSON
#: (a page of templates is tens of kilobytes); anything this large is a broken or hostile peer.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

DEFAULT_USER_AGENT = "engagive-async-python"


def env_token() -> str | None:
    """The token from ``ENGAGIVE_API_TOKEN``, or ``None`` when unset or blank."""
    value = os.environ.get(ENV_TOKEN, "").strip()
    return value or None


def env_base_url() -> str | None:
    """The base URL from ``ENGAGIVE_BASE_URL``, or ``None`` when unset or blank."""
    value = os.environ.get(ENV_BASE_URL, "").strip()
    return value or None


def env_proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``,
    any case), or ``None`` when there is none or ``NO_PROXY`` exempts its host.

    Read once per client: the base URL is fixed, so no request needs to read the environment.
    """
    parts = urlsplit(url)
    import urllib.request  # only clients that read the environment's proxies need it: ~13 ms

    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or not parts.hostname or is_loopback(parts.hostname):
        return None  # a proxy cannot reach this machine's loopback
    # proxy_bypass_environment is public but missing from typeshed.
    if urllib.request.proxy_bypass_environment(parts.hostname, proxies):  # type: ignore[attr-defined]
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost`` or a loopback address (127.0.0.0/8, ::1).

    One rule for every place that trusts loopback (no proxy for it, plain http allowed).
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def env_log_level() -> str | None:
    """``ENGAGIVE_LOG`` lower-cased (``debug``, ``info``, ``warning``), or ``None`` when unset."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    return value or None


def env_otel_service_name() -> str | None:
    """OpenTelemetry's ``OTEL_SERVICE_NAME``, or ``None`` when unset or blank."""
    value = os.environ.get("OTEL_SERVICE_NAME", "").strip()
    return value or None
