"""Fixtures for the command line: a FakeEngagive on a socket, recipient files, a runner."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from engagive_async._cli.commands import cli
from engagive_async.testing import FakeEngagive

TOKEN = "test-token"


def number(n: int) -> str:
    """The n-th generated recipient."""
    return f"92300{n:07d}"


def write_csv(path: Path, rows: int, *, start: int = 0) -> Path:
    """A recipient file: ``to``, ``body.1``; rows numbered from ``start``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["to", "body.1"])
        for n in range(start, start + rows):
            writer.writerow([number(n), f"Customer {n}"])
    return path


@pytest.fixture
def fake() -> FakeEngagive:
    """A fresh FakeEngagive (not yet served)."""
    return FakeEngagive()


@pytest.fixture
def base_url(fake: FakeEngagive, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The fake served on 127.0.0.1 in a thread; the environment points the CLI at it."""
    with fake.serve_in_thread() as url:
        monkeypatch.setenv("ENGAGIVE_API_TOKEN", TOKEN)
        monkeypatch.setenv("ENGAGIVE_BASE_URL", url)
        yield url


def invoke(*args: str | Path) -> Result:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def send_args(path: Path, *extra: str) -> Sequence[str | Path]:
    """send-template for ``path`` with the fake's template and account."""
    return ("send-template", path, "--template", "order_shipped", "--lang", "en",
            "--account", "1", *extra)  # fmt: skip
