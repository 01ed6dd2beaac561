"""Checks of the SDK's own arguments (counts, rates, choices): a bad one is a ``ValidationError``.

The same error as for bad message input, so one ``except ValidationError`` (or the
``ValueError`` it also is) catches every argument the SDK refuses, and ``.field`` names it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import attrs

from engagive_async._errors import ValidationError

__all__ = ["at_least", "check_at_least", "check_choice", "check_name", "check_positive"]


def check_at_least(value: float, minimum: float, field: str) -> None:
    """Refuse ``value`` below ``minimum``."""
    if value < minimum:
        raise ValidationError(field, f"must be at least {minimum}, got {value}")


def check_positive(value: float, field: str) -> None:
    """Refuse ``value`` that is zero or below."""
    if not value > 0:
        raise ValidationError(field, f"must be positive, got {value}")


def check_name(value: str, field: str) -> None:
    """Refuse an empty name (a campaign, a pace's key)."""
    if not value:
        raise ValidationError(field, "must be a non-empty name")


def check_choice(value: object, choices: Collection[object], field: str) -> None:
    """Refuse ``value`` that is none of ``choices``."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValidationError(field, f"must be one of {listed}, got {value!r}")


def at_least(minimum: float) -> Callable[[Any, attrs.Attribute[Any], float], None]:
    """An attrs validator: the field named after the attribute, as the caller wrote it."""

    def validate(_instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
        check_at_least(value, minimum, attribute.name)

    return validate
