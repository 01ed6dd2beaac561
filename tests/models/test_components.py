"""Template component helpers: how they are built."""

from __future__ import annotations

import pytest

from engagive_async.models.components import (
    BodyComponent,
    ButtonComponent,
    TextParam,
    body_text,
)


def test_body_text_makes_positional_text_parameters_in_order() -> None:
    """body_text("Ann", "42") is a body of two positional text parameters."""
    assert body_text("Ann", "42") == BodyComponent(parameters=[TextParam("Ann"), TextParam("42")])
    assert all(p.name is None for p in body_text("a", "b").parameters if isinstance(p, TextParam))


def test_body_text_without_values_is_an_empty_body() -> None:
    """body_text() has no parameters rather than failing."""
    assert list(body_text().parameters) == []


def test_text_param_name_is_keyword_only() -> None:
    """TextParam("Ann", name="first_name") names the placeholder; a second positional fails."""
    assert TextParam("Ann", name="first_name").name == "first_name"
    with pytest.raises(TypeError):
        TextParam("Ann", "first_name")  # type: ignore[call-arg]


def test_button_component_needs_sub_type_and_index() -> None:
    """A button component without sub_type or index cannot be built."""
    with pytest.raises(TypeError):
        ButtonComponent(sub_type="url")  # type: ignore[call-arg]
    assert ButtonComponent(sub_type="quick_reply", index=2).index == 2
