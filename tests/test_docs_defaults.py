"""The hardening and options guides state the defaults the code has (their examples run in
tests/test_docs.py)."""

from __future__ import annotations

from pathlib import Path

from engagive_async import _config

DOCS = Path(__file__).parent.parent / "docs"


def test_the_documented_defaults_are_the_code_defaults() -> None:
    """The defaults tables name the values _config holds."""
    hardening = (DOCS / "hardening.md").read_text()
    options = (DOCS / "options.md").read_text()
    mib = _config.DEFAULT_MAX_RESPONSE_BYTES // (1024 * 1024)
    for text in (hardening, options):
        assert f"| `attempt_timeout` | {_config.DEFAULT_ATTEMPT_TIMEOUT:g} s |" in text
        assert f"| `call_timeout` | {_config.DEFAULT_CALL_TIMEOUT:g} s |" in text
        assert f"{mib} MiB" in text
    assert f"({_config.DEFAULT_MAX_RESPONSE_BYTES:,})" in hardening
