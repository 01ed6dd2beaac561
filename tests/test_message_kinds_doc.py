"""docs/message-kinds.md: its examples run and pass the checks, and its tables name every
builder the package has, and nothing it does not have."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

from engagive_async import builders
from engagive_async._checks._fields import validate_components
from engagive_async._checks._messages import validate_message, validate_typed_components
from engagive_async._wire._component_codec import components_to_wire

DOC = Path(__file__).parent.parent / "docs" / "message-kinds.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, re.S)


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_each_example_runs_and_what_it_builds_passes_the_checks(source: str) -> None:
    """Every block runs as written; each message or component list it builds is valid."""
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    built = [v for k, v in namespace.items() if not k.startswith("__")]
    messages = [v for v in built if isinstance(v, typing.get_args(builders.Message))]
    components = [v if isinstance(v, list) else [v] for v in built if _is_component(v)]
    assert messages or components
    for message in messages:
        validate_message(message)
    for group in components:
        validate_typed_components(group)
        validate_components(components_to_wire(group))


def _is_component(value: Any) -> bool:
    kinds = typing.get_args(builders.Component)
    if isinstance(value, list):
        return bool(value) and all(isinstance(x, kinds) for x in value)
    return isinstance(value, kinds)


def _table_names() -> set[str]:
    """The builder names in the tables' Builder column (the second)."""
    names: set[str] = set()
    for line in TEXT.splitlines():
        cells = line.split("|")
        if len(cells) > 3 and "`" in cells[2]:
            names.update(re.findall(r"`([A-Za-z_]+)\(", cells[2]))
            names.update(re.findall(r"`([A-Z][A-Za-z]+)`", cells[2]))
    return names


def test_the_tables_name_every_message_component_and_parameter_builder() -> None:
    """Each member of Message, Component and Parameter has its row."""
    expected = {
        cls.__name__
        for union in (builders.Message, builders.Component, builders.Parameter)
        for cls in typing.get_args(union)
    }
    assert expected <= _table_names()


def test_every_name_in_the_tables_is_a_public_builder() -> None:
    """No row names a builder (or helper) that builders does not export."""
    assert _table_names() <= set(builders.__all__)
    for name in _table_names():
        value = getattr(builders, name)
        assert attrs.has(value) or callable(value)
