"""A minimal Engagive-shaped send-template endpoint on aiohttp.web, for the benchmarks.

Used instead of FakeEngagive when the latter cannot keep up with raw aiohttp at zero latency on
this machine (the harness measures that and records why in RESULTS.md). It answers what
FakeEngagive answers on the send path, nothing else: bearer check, the body's ``to`` and
``content_json`` check, then the success envelope with a Meta-shaped ``metaResponse`` and a
fresh wamid, after a fixed latency.

``python -m benchmarks.canned_server --port 0 --latency 0.05`` prints
``serving http://127.0.0.1:PORT`` once listening, then serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import sys

from aiohttp import web

from benchmarks._common import SEND_PATH, TOKEN

__all__ = ["build_app", "main"]

_AUTH = f"Bearer {TOKEN}"
_JSON = "application/json"


def build_app(latency: float) -> web.Application:
    """The aiohttp application: POST ``SEND_PATH`` only (aiohttp answers 404/405 otherwise)."""
    wamids = itertools.count(1)

    async def send_template(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != _AUTH:
            return _error(401, "invalid or missing bearer token")
        try:
            body = json.loads(await request.read())
            to = body["to"]
            content = body["content_json"]
            content["template_name"]
            content["lang_code"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "to, content_json.template_name and lang_code are required")
        if latency:
            await asyncio.sleep(latency)
        envelope = {
            "success": True,
            "message": "Message sent successfully",
            "data": {"to": to, "message_type": "template"},
            "metaResponse": {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [
                    {"id": f"wamid.bench{next(wamids):012d}", "message_status": "accepted"}
                ],
            },
        }
        return web.Response(body=json.dumps(envelope).encode(), content_type=_JSON)

    app = web.Application()
    app.router.add_post(SEND_PATH, send_template)
    return app


def _error(status: int, text: str) -> web.Response:
    body = json.dumps({"success": False, "error": text}).encode()
    return web.Response(status=status, body=body, content_type=_JSON)


async def _serve(port: int, latency: float) -> None:
    runner = web.AppRunner(build_app(latency), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    server = site._server  # the bound port when 0 was asked: aiohttp keeps it only there
    assert isinstance(server, asyncio.base_events.Server)
    bound = server.sockets[0].getsockname()[1]
    print(f"serving http://127.0.0.1:{bound}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.canned_server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, args.latency))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
