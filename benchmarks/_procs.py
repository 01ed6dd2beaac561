"""The server and client processes: start, talk to, pin to a core, measure, stop."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import psutil  # type: ignore[import-untyped]  # no stubs in the venv

__all__ = ["SERVER_KINDS", "Server", "Worker", "pin"]

ROOT = Path(__file__).resolve().parent.parent
#: FakeEngagive under uvicorn, or the minimal aiohttp.web server of this package.
SERVER_KINDS = {
    "fake": ["-m", "engagive_async.testing"],
    "canned": ["-m", "benchmarks.canned_server"],
}
_START_TIMEOUT = 30.0


def pin(pid: int, core: int | None) -> None:
    """Keep ``pid`` on one core, so server and client do not trade places between runs."""
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(pid, {core})


def _read_line(stream: IO[str], timeout: float, what: str) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")
    line = stream.readline()
    if not line:
        raise RuntimeError(f"{what} exited without answering")
    return line


class _Child:
    """A child process that is stopped, and its pipe closed, when the ``with`` block ends."""

    _proc: subprocess.Popen[str]

    def close(self) -> None:
        """Stop the process; subclasses first ask it politely."""
        self._reap(timeout=0)

    def _reap(self, timeout: float) -> None:
        """Wait ``timeout`` seconds for the process to end, then kill it; close its stdout."""
        if self._proc.poll() is None:
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class Server(_Child):
    """A fixed-latency server in its own process on 127.0.0.1.

    Args:
        kind: a key of :data:`SERVER_KINDS`.
        latency: seconds the server waits before each answer.
        core: the CPU core to pin it to, or ``None``.
        extra: more command-line arguments for the server (FakeEngagive's ``--templates``).
    """

    def __init__(
        self, kind: str, latency: float, core: int | None, extra: Sequence[str] = ()
    ) -> None:
        self.kind = kind
        self.latency = latency
        args = [
            sys.executable,
            *SERVER_KINDS[kind],
            "--port",
            "0",
            "--latency",
            str(latency),
            *extra,
        ]
        self._proc = subprocess.Popen(
            args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        pin(self._proc.pid, core)
        self._ps = psutil.Process(self._proc.pid)
        assert self._proc.stdout is not None
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            line = _read_line(self._proc.stdout, deadline - time.monotonic(), f"{kind} server")
            if line.startswith("serving "):
                self.url = line.split()[1].rstrip("/")
                break

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system)."""
        times = self._ps.cpu_times()
        return float(times.user + times.system)

    def rss_mb(self) -> float:
        """The server's resident memory now."""
        return float(self._ps.memory_info().rss) / 2**20

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers)."""
        if self._proc.poll() is None:
            self._proc.terminate()
        self._reap(timeout=10)


class Worker(_Child):
    """One client process (``benchmarks._worker``), kept for many commands."""

    def __init__(self, core: int | None, timeout: float = 900.0) -> None:
        self._timeout = timeout
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._worker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        pin(self._proc.pid, core)

    def call(self, command: dict[str, Any]) -> dict[str, Any]:
        """Send one command and wait for its answer.

        Raises:
            RuntimeError: the worker reported an error, or did not answer in time.
        """
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        answer: dict[str, Any] = json.loads(
            _read_line(self._proc.stdout, self._timeout, f"worker for {command.get('client')}")
        )
        if "error" in answer:
            raise RuntimeError(f"worker failed on {command}: {answer['error']}")
        return answer

    def close(self) -> None:
        """Ask the worker to quit, and wait for it."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write('{"op": "quit"}\n')
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        self._reap(timeout=30)
