"""local_postgres starts a real server on loopback and removes every trace of it on exit."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from engagive_async.testing import PostgresNotFoundError, local_postgres


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_server_answers_sql_on_loopback_then_is_gone() -> None:
    with local_postgres() as dsn:
        parts = urlsplit(dsn)
        assert parts.hostname == "127.0.0.1"
        assert parts.port is not None
        assert _accepts(parts.port)
        answer = subprocess.run(  # noqa: S603 - the server this test started
            ["psql", dsn, "-tAc", "select 40 + 2"],  # noqa: S607 - psql comes with the server
            capture_output=True,
            text=True,
            check=True,
        )
        assert answer.stdout.strip() == "42"
        data = subprocess.run(  # noqa: S603 - the server this test started
            ["psql", dsn, "-tAc", "show data_directory"],  # noqa: S607 - psql comes with it
            capture_output=True,
            text=True,
            check=True,
        )
        folder = Path(data.stdout.strip()).parent
        assert folder.name.startswith("engagive-pg-")
        assert folder.exists()
    assert not _accepts(parts.port)
    assert not folder.exists()


def test_missing_binaries_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGAGIVE_PG_BIN", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    with pytest.raises(PostgresNotFoundError, match="apt-get install postgresql"), local_postgres():
        pass
