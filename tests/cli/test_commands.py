"""The command group: help with exit codes, version, the module entry point, missing extra."""

from __future__ import annotations

import subprocess
import sys

import pytest

from engagive_async import __version__
from engagive_async._cli import main
from tests.cli.conftest import invoke


def test_help_lists_commands_and_exit_codes() -> None:
    """--help names every subcommand and documents the exit codes."""
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("send-template", "templates", "contents", "report"):
        assert command in result.stdout
    assert "130  interrupted" in result.stdout
    assert "ENGAGIVE_API_TOKEN" in result.stdout


def test_version() -> None:
    """--version prints the package version."""
    assert __version__ in invoke("--version").stdout


def test_python_dash_m_runs_the_cli() -> None:
    """``python -m engagive_async`` is the same command line."""
    result = subprocess.run(
        [sys.executable, "-m", "engagive_async", "send-template", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "--resend-unknown" in result.stdout


def test_missing_cli_extra_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without click/rich installed, main() says which extra to install and exits 2."""
    monkeypatch.delitem(sys.modules, "engagive_async._cli.commands", raising=False)
    monkeypatch.setitem(sys.modules, "click", None)  # makes ``import click`` fail
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "engagive_async[cli]" in capsys.readouterr().err
