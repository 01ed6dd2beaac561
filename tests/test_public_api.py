"""The public door: a sorted __all__ that names exactly the public attributes."""

from __future__ import annotations

import engagive_async


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted, every name in it exists, and every public attribute is in it."""
    names = engagive_async.__all__
    assert names == sorted(names)
    assert all(hasattr(engagive_async, name) for name in names)
    public = {
        name
        for name in vars(engagive_async)
        if not name.startswith("_")
        and not isinstance(getattr(engagive_async, name), type(engagive_async))
    }
    assert public == set(names) - {"__version__"}


def test_public_classes_say_their_public_module() -> None:
    """Reprs and tracebacks name engagive_async, not a private module."""
    for name in engagive_async.__all__:
        obj = getattr(engagive_async, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert obj.__module__ == "engagive_async", name


def test_version_comes_from_the_installed_metadata() -> None:
    """__version__ is the installed distribution's version."""
    from importlib.metadata import version

    assert engagive_async.__version__ == version("engagive_async")
