"""``python -m engagive_async.testing``: serve a FakeEngagive on loopback until stopped.

Prints one line, ``serving http://127.0.0.1:<port>``, once it accepts connections, so a parent
process can read the URL. Requests are not logged (nobody could read the log), so memory stays
flat over long benchmark runs. SIGTERM or Ctrl-C stops it.

Example: ``python -m engagive_async.testing --port 0 --latency 0.03 --fault-rate 429=0.02
--fault-rate meta:131026=0.01 --seed 1 --templates 500``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from typing import cast

from engagive_async.testing._auth import DEFAULT_TOKEN
from engagive_async.testing._fake import FakeEngagive
from engagive_async.testing._faults import Fault
from engagive_async.testing._paging import CONVENTIONS, Convention
from engagive_async.testing._serve import listening_socket, make_server, url_of, wait_started

__all__ = ["build", "main", "parse_fault"]


def parse_fault(spec: str) -> Fault:
    """A fault from a short text, for the command line.

    ``429`` or ``429:1.5`` (status, optional Retry-After seconds), ``meta:131026`` or
    ``meta:131026:400`` (Meta code, optional HTTP status), ``html``, ``empty``, ``malformed``,
    ``success_false`` (each with an optional ``:status``), ``delay:2``, ``drop``.

    Raises:
        ValueError: a text that names no fault.
    """
    head, _, rest = spec.partition(":")
    try:
        if head.isdigit():
            return Fault.status(int(head), retry_after=float(rest) if rest else None)
        if head == "meta":
            code, _, status = rest.partition(":")
            return Fault.meta_error(int(code), status=int(status) if status else 502)
        if head == "delay":
            return Fault.delay(float(rest))
        if head == "drop" and not rest:
            return Fault.drop()
        simple = {
            "html": Fault.html,
            "empty": Fault.empty,
            "malformed": Fault.malformed_json,
            "success_false": Fault.success_false,
        }
        if head in simple:
            return simple[head](int(rest)) if rest else simple[head]()
    except ValueError as exc:
        raise ValueError(f"bad fault {spec!r}: {exc}") from None
    raise ValueError(f"unknown fault {spec!r}")


def _rate(text: str) -> tuple[Fault, float]:
    spec, sep, rate = text.rpartition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected FAULT=RATE, got {text!r}")
    try:
        return parse_fault(spec), float(rate)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m engagive_async.testing", description="Serve an in-memory Engagive."
    )
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bearer token accepted")
    parser.add_argument(
        "--account", action="append", default=None, help="an account id the token may use"
    )
    parser.add_argument(
        "--fault-rate",
        action="append",
        type=_rate,
        default=[],
        metavar="FAULT=RATE",
        help="random fault on sends: 429=0.02, 429:1.5=0.01, meta:131026=0.01, html=0.01, "
        "empty=, malformed=, success_false=, delay:2=, drop=",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the random faults")
    parser.add_argument("--templates", type=int, default=0, help="extra templates to seed")
    parser.add_argument("--pagination", choices=CONVENTIONS, default="page_limit")
    parser.add_argument("--page-size", type=int, default=20)
    return parser


def build(argv: list[str] | None = None) -> tuple[FakeEngagive, argparse.Namespace]:
    """The fake the command line asks for, and the parsed arguments."""
    args = _parser().parse_args(argv)
    fake = FakeEngagive(
        tokens={args.token: args.account or ["1"]},
        latency=args.latency,
        pagination=cast("Convention", args.pagination),
        page_size=args.page_size,
        max_page_size=max(100, args.page_size),
        record=False,
    )
    if args.templates:
        fake.seed_templates(args.templates)
    if args.fault_rate:
        fake.fault_mix(dict(args.fault_rate), seed=args.seed)
    return fake, args


async def _serve(fake: FakeEngagive, sock: socket.socket) -> None:
    server = make_server(fake.socket_app, capture_signals=True)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await wait_started(server, task)
    print(f"serving {url_of(sock)}", flush=True)
    await task


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    fake, args = build(argv)
    try:
        sock = listening_socket(args.host, args.port)
    except (ValueError, OSError) as exc:
        sys.exit(f"error: {exc}")
    try:
        asyncio.run(_serve(fake, sock))
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it caught once it has stopped
        pass
    finally:
        sock.close()


if __name__ == "__main__":
    main()
