"""FakeEngagive on a real loopback socket: serve(), serve_in_thread(), and dropped connections."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys

import anyio
import httpx
import pytest

from engagive_async.testing import FakeEngagive, Fault
from engagive_async.testing._serve import DROPPED, _DropLineFilter, listening_socket
from tests.testing._support import TEMPLATE_BODY, TOKEN, path

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def refused(url: str) -> bool:
    """Whether nothing listens at this base URL any more."""
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) != 0


async def test_serve_answers_over_a_socket_and_stops_cleanly() -> None:
    """serve() yields a loopback URL that answers; afterwards the port is closed, no task left."""
    fake = FakeEngagive()
    before = asyncio.all_tasks()
    async with fake.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url, headers=AUTH) as c:
            listed = await c.get(path("templates.list"))
            sent = await c.post(path("messages.send_template"), json=TEMPLATE_BODY)
    assert listed.json()["data"][0]["code"] == "order_shipped"
    assert sent.json()["data"]["message_type"] == "template"
    assert refused(url)
    assert asyncio.all_tasks() == before
    assert fake.requests[0].headers["host"] == url.removeprefix("http://")


async def test_drop_over_a_socket_closes_without_an_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fault.drop: the client gets RemoteProtocolError, nothing is sent, uvicorn logs nothing."""
    fake = FakeEngagive()
    fake.script(Fault.drop(), route="messages.send_template")
    caplog.set_level(logging.DEBUG)
    async with fake.serve() as url, httpx.AsyncClient(base_url=url, headers=AUTH) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            await c.post(path("messages.send_template"), json=TEMPLATE_BODY)
        after = await c.post(path("messages.send_template"), json=TEMPLATE_BODY)
    assert after.status_code == 200
    assert [r.route for r in fake.requests] == ["messages.send_template"] * 2
    assert len(fake.sent) == 1
    assert not [r for r in caplog.records if "ASGI callable" in r.getMessage()]


def test_drop_filter_hides_only_the_fakes_own_line() -> None:
    """The uvicorn log filter drops the line about our sentinel and passes the rest."""
    line = "ASGI callable should return None, but returned '%s'."

    def record(arg: object) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, line, (arg,), None)

    assert _DropLineFilter().filter(record(DROPPED)) is False
    assert _DropLineFilter().filter(record("something else")) is True


async def test_delay_over_a_socket_times_the_client_out_but_is_sent() -> None:
    """A client timeout during Fault.delay: httpx ReadTimeout, the send counted as accepted."""
    fake = FakeEngagive()
    fake.script(Fault.delay(0.3), route="messages.send_template")
    async with fake.serve() as url:
        async with httpx.AsyncClient(base_url=url, headers=AUTH, timeout=0.1) as c:
            with pytest.raises(httpx.ReadTimeout):
                await c.post(path("messages.send_template"), json=TEMPLATE_BODY)
        assert len(fake.sent) == 1  # acted on before the answer was due
    assert fake.in_flight == 0  # stopping waited for the late answer


async def test_serve_stops_when_the_block_raises() -> None:
    """An error inside the block propagates, and the server is stopped all the same."""
    fake = FakeEngagive()
    with pytest.raises(KeyError):
        async with fake.serve() as url:
            raise KeyError("boom")
    assert refused(url)


ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - asked for to check that it is refused, never bound


@pytest.mark.parametrize("host", [ALL_INTERFACES, "192.168.1.10", "example.com"])
async def test_non_loopback_hosts_are_refused(host: str) -> None:
    """The fake listens on loopback addresses only."""
    with pytest.raises(ValueError, match="loopback"):
        async with FakeEngagive().serve(host=host):
            pass


def test_localhost_means_ipv4_loopback() -> None:
    """'localhost' binds 127.0.0.1."""
    with listening_socket("localhost", 0) as sock:
        assert sock.getsockname()[0] == "127.0.0.1"


def test_serve_in_thread_for_synchronous_callers() -> None:
    """serve_in_thread() serves from a daemon thread; a sync client can call it."""
    fake = FakeEngagive()
    with fake.serve_in_thread() as url, httpx.Client(base_url=url, headers=AUTH) as c:
        response = c.get(path("templates.get", template_code="order_shipped"))
    assert response.json()["data"]["id"] == 101
    assert refused(url)


async def test_serve_needs_asyncio() -> None:
    """Under trio, serve() says to use serve_in_thread()."""
    import trio

    async def main() -> None:
        async with FakeEngagive().serve():
            pass

    with pytest.raises(RuntimeError, match="serve_in_thread"):
        await anyio.to_thread.run_sync(lambda: trio.run(main))


def test_missing_uvicorn_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without uvicorn, serving says which extra to install."""
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with (
        pytest.raises(RuntimeError, match=r"engagive_async\[testing\]"),
        FakeEngagive().serve_in_thread(),
    ):
        pass
