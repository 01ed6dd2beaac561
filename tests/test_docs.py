"""The docs on hardening and options: their examples compile, their defaults are the code's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from engagive_async import _config

DOCS = Path(__file__).parent.parent / "docs"
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("name", ["hardening.md", "options.md"])
def test_every_python_block_compiles(name: str) -> None:
    """Each ```python block is valid Python (top-level await allowed)."""
    text = (DOCS / name).read_text()
    blocks = _FENCE.findall(text)
    assert blocks
    for block in blocks:
        compile(block, name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


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
