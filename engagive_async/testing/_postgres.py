"""A throwaway PostgreSQL server on 127.0.0.1, for tests and demos of the shared journal.

It runs the machine's own ``initdb`` and ``pg_ctl`` (found through ``ENGAGIVE_PG_BIN``, then
``PATH``, then Debian's ``/usr/lib/postgresql/<version>/bin``) on a data directory in a fresh
temporary folder, listens on loopback only, and is stopped and deleted on exit, also when the
block raises. ``make test`` installs PostgreSQL on a machine that lacks it, so a missing server
is a loud error here and never a skipped test.

The server is tuned for throwaway data (``fsync=off``): a crash of the *server* may lose commits,
which no test relies on; crashes of *workers*, the case the journal guards against, are unaffected.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresNotFoundError", "local_postgres"]

_USER = "engagive"


class PostgresNotFoundError(RuntimeError):
    """No ``initdb``/``pg_ctl`` on this machine; the message says how to get them."""


def _find_bin_dir() -> Path:
    candidates: list[str] = []
    if explicit := os.environ.get("ENGAGIVE_PG_BIN"):
        candidates.append(explicit)
    if on_path := shutil.which("pg_ctl"):
        candidates.append(str(Path(on_path).resolve().parent))
    # Debian keeps the server binaries off PATH, one folder per major version; newest first.
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise PostgresNotFoundError(
        "no PostgreSQL server binaries (initdb, pg_ctl) found: install PostgreSQL "
        "(`apt-get install postgresql`, which `make test` does when run as root) or point "
        "ENGAGIVE_PG_BIN at the folder that holds them"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user() -> list[str]:
    # initdb refuses to run as root; CI machines run as root, so drop to the packaged account.
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresNotFoundError("running as root without `runuser` to start PostgreSQL")
    return [runuser, "-u", "postgres", "--"]


@contextlib.contextmanager
def local_postgres(*, settings: dict[str, str] | None = None) -> Iterator[str]:
    """Start a PostgreSQL server for the block and yield its DSN (``postgresql://...``).

    ``settings`` adds ``-c name=value`` server settings (for example ``max_connections``).
    """
    bin_dir = _find_bin_dir()
    prefix = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="engagive-pg-"))
    if prefix:
        shutil.chown(root, user="postgres")
    data = root / "data"
    port = _free_port()
    options = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(root),
        "fsync": "off",
        "full_page_writes": "off",
        "max_connections": "200",
        **(settings or {}),
    }
    server_options = " ".join(f"-c {name}={value}" for name, value in options.items())

    def run(*argv: str) -> None:
        # argv is the server's own binaries found above plus paths this function made.
        subprocess.run(  # noqa: S603
            [*prefix, *argv], check=True, capture_output=True, text=True, timeout=120
        )

    try:
        try:
            run(str(bin_dir / "initdb"), "-D", str(data), "-U", _USER, "--auth=trust", "-E", "UTF8")
            run(
                str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                "-o", server_options, "-w", "-t", "60", "start",
            )  # fmt: skip
        except subprocess.CalledProcessError as failure:
            log = root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else failure.stderr
            raise PostgresNotFoundError(f"PostgreSQL did not start: {detail}") from failure
        try:
            yield f"postgresql://{_USER}@127.0.0.1:{port}/postgres"
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
