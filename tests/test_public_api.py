"""The public doors: __all__s naming exactly the public attributes, each name in one."""

from __future__ import annotations

import types

import pytest

import engagive_async
import engagive_async.builders
import engagive_async.campaigns
import engagive_async.journal
import engagive_async.meta
import engagive_async.testing

DOORS = [
    engagive_async,
    engagive_async.builders,
    engagive_async.campaigns,
    engagive_async.journal,
    engagive_async.meta,
    engagive_async.testing,
]


@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
def test_all_is_sorted_and_complete(door: types.ModuleType) -> None:
    """__all__ has no repeats, every name in it exists, and every public attribute is in it.

    Its order is ruff's (RUF022, run by ``make lint``).
    """
    names = door.__all__
    assert len(names) == len(set(names))
    assert all(hasattr(door, name) for name in names)
    public = {
        name
        for name, value in vars(door).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(names) - {"__version__"}


def test_each_public_name_has_one_door() -> None:
    """No name is exported by two doors, so there is one right import for everything."""
    seen: dict[str, str] = {}
    for door in DOORS:
        for name in door.__all__:
            assert name not in seen, f"{name} is in {seen.get(name)} and {door.__name__}"
            seen[name] = door.__name__


@pytest.mark.parametrize("door", DOORS[:5], ids=lambda d: d.__name__)
def test_public_classes_and_functions_name_their_door(door: types.ModuleType) -> None:
    """Reprs, tracebacks and pickles name the door, not a private module."""
    for name in door.__all__:
        obj = getattr(door, name)
        if isinstance(obj, type | types.FunctionType):
            assert obj.__module__ == door.__name__, name


def test_root_keeps_the_daily_names() -> None:
    """The root stays small: the everyday names, not every builder."""
    assert {"AsyncClient", "TemplateSend", "SendOutcome", "SqliteJournal"} <= set(
        engagive_async.__all__
    )
    assert len(engagive_async.__all__) <= 80


def test_version_comes_from_the_installed_metadata() -> None:
    """__version__ is the installed distribution's version."""
    from importlib.metadata import version

    assert engagive_async.__version__ == version("engagive_async")
