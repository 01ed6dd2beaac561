"""What every command shares: exit codes, connection options, error reporting."""

from __future__ import annotations

import enum
import json
import socket
import ssl
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import anyio
import click
from rich.console import Console
from rich.markup import escape

from engagive_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    EngagiveError,
    PermissionDeniedError,
    _config,
)
from engagive_async._client import AsyncClient
from engagive_async._journal import journal_errors
from engagive_async._journal._postgres import is_postgres_dsn

__all__ = [
    "ExitCode",
    "api_options",
    "concurrency_option",
    "connect",
    "connection_failure",
    "fail",
    "journal_target",
    "print_json",
    "rate_limit_option",
    "run_async",
    "stderr",
    "stdout",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class ExitCode(enum.IntEnum):
    """The process exit codes (documented in ``engagive-async --help``)."""

    OK = 0
    #: Some rows failed or their fate is unknown; or the API refused a request.
    FAILED = 1
    #: Bad input: usage, options, configuration (a refused token or account too), rows of
    #: the file, or a journal file that cannot be used.
    BAD_INPUT = 2
    #: Stopped by Ctrl-C (SIGINT).
    INTERRUPTED = 130


stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def api_options(command: F) -> F:
    """Add ``--token`` and ``--base-url`` (defaults from the environment, never printed)."""
    command = click.option(
        "--base-url",
        metavar="URL",
        help="API scheme and host [default: $ENGAGIVE_BASE_URL, else Engagive's stage host].",
    )(command)
    return click.option(
        "--token",
        metavar="TOKEN",
        help="API token [default: $ENGAGIVE_API_TOKEN]. Prefer the variable: a flag is "
        "visible to other users of the machine.",
    )(command)


def concurrency_option(help_text: str) -> Callable[[F], F]:
    """``--concurrency``: requests in flight, 1 to 1024, 32 unless given."""
    return click.option(
        "--concurrency",
        type=click.IntRange(1, 1024),
        default=32,
        show_default=True,
        help=help_text,
    )


def rate_limit_option(help_text: str) -> Callable[[F], F]:
    """``--rate-limit``: messages per second, any positive number, none unless given."""
    return click.option("--rate-limit", type=click.FloatRange(0, min_open=True), help=help_text)


def connect(token: str | None, base_url: str | None, **options: Any) -> AsyncClient:
    """The client; configuration problems exit with BAD_INPUT, in terms of the CLI's flags."""
    if not (token or "").strip() and _config.env_token() is None:
        fail(
            f"no API token: pass --token TOKEN or set the {_config.ENV_TOKEN} environment variable",
            ExitCode.BAD_INPUT,
        )
    try:
        # None lets the SDK read the environment itself: the token never passes through here.
        return AsyncClient(token, base_url=base_url, **options)
    except ConfigurationError as exc:
        # The SDK names its own argument; here the user typed a flag (or set the variable).
        fail(str(exc).replace("base_url", "--base-url"), ExitCode.BAD_INPUT)


def connection_failure(error: APIConnectionError) -> str:
    """One plain sentence for a failed connection: which host, and what went wrong there.

    The error's own text carries the transport's details (exception classes, socket
    addresses), which help a bug report more than someone at a terminal.
    """
    host = urlsplit(error.url).netloc or error.url
    tries = f" (tried {error.attempts} times)" if error.attempts > 1 else ""
    if error.request_sent:
        return (
            f"the connection to {host} broke before an answer came{tries}; "
            "the request may have reached the server"
        )
    return f"cannot connect to {host}: {_reason(error)}{tries}; check --base-url and the network"


def _reason(error: APIConnectionError) -> str:
    if isinstance(error, APITimeoutError):
        return "no answer in time"
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        for inner in (getattr(cause, "certificate_error", None), getattr(cause, "os_error", None)):
            if isinstance(inner, BaseException):
                cause = inner
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "its TLS certificate could not be verified"
        if isinstance(cause, ssl.SSLError):
            return "the TLS handshake failed"
        if isinstance(cause, socket.gaierror):
            return "the host name could not be resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused"
        if isinstance(cause, TimeoutError):
            return "no answer in time"
        cause = cause.__cause__ or cause.__context__
    return "the connection failed"


def run_async(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main`` on asyncio; API errors exit FAILED, Ctrl-C exits INTERRUPTED."""
    try:
        return anyio.run(main)
    except (ConfigurationError, AuthenticationError, PermissionDeniedError) as exc:
        # A token or account the API refuses is configuration to fix, like a missing token.
        fail(str(exc), ExitCode.BAD_INPUT)
    except journal_errors() as exc:
        fail(f"the journal cannot be used: {exc}", ExitCode.BAD_INPUT)
    except APIConnectionError as exc:
        fail(connection_failure(exc), ExitCode.FAILED)
    except EngagiveError as exc:
        fail(str(exc), ExitCode.FAILED)
    except KeyboardInterrupt:
        fail("interrupted", ExitCode.INTERRUPTED)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    stderr.print(f"[bold red]error:[/] {escape(message)}")
    sys.exit(int(code))


def print_json(value: Any) -> None:
    """One JSON document on stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def journal_target(value: str) -> str | Path:
    """``--journal``: a ``postgresql://`` URL stays a string, anything else is a file path."""
    return value if is_postgres_dsn(value) else Path(value)
