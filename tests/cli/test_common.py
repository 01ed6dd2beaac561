"""What every command says when it cannot start: in the CLI's flags, in plain sentences."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from engagive_async import APIConnectionError, AsyncClient, RetryPolicy
from engagive_async._cli.common import connection_failure
from tests.cli.conftest import invoke, send_args, write_csv


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_missing_token_names_the_flag_and_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI speaks of --token, not of the library's AsyncClient(token=...)."""
    monkeypatch.delenv("ENGAGIVE_API_TOKEN", raising=False)
    result = invoke("templates", "list", "--account", "1")
    assert result.exit_code == 2
    assert "--token" in result.stderr
    assert "ENGAGIVE_API_TOKEN" in result.stderr
    assert "AsyncClient" not in result.stderr


def test_a_bad_base_url_names_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library's base_url= becomes the --base-url the user typed."""
    result = invoke("templates", "list", "--account", "1", "--token", "t", "--base-url", "ftp://x")
    assert result.exit_code == 2
    assert "--base-url must be an http(s) URL" in result.stderr


def test_an_unreachable_host_is_one_plain_sentence(
    tmp_path: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused connection: host, reason, what to check; no transport internals, nothing sent."""
    monkeypatch.setenv("ENGAGIVE_API_TOKEN", "test-token")
    monkeypatch.setenv("ENGAGIVE_BASE_URL", f"http://127.0.0.1:{closed_port}")
    result = invoke(*send_args(write_csv(tmp_path / "r.csv", 2)))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot connect to 127.0.0.1:{closed_port}: ")
    assert "the connection was refused" in line
    assert "check --base-url" in line
    for internal in ("ClientConnectorError", "ConnectError", "Connect call failed", "ssl:"):
        assert internal not in line


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_connection_failure_reads_the_same_on_both_transports(
    transport: str, closed_port: int
) -> None:
    """Whichever transport failed, the sentence names the host and the reason."""
    client = AsyncClient(
        "test-token",
        base_url=f"http://127.0.0.1:{closed_port}",
        transport=transport,  # type: ignore[arg-type]
        retry=RetryPolicy(max_attempts=1),
    )
    async with client:
        with pytest.raises(APIConnectionError) as caught:
            await client.account(1).templates.get("order_shipped")
    assert connection_failure(caught.value) == (
        f"cannot connect to 127.0.0.1:{closed_port}: the connection was refused; "
        "check --base-url and the network"
    )
