"""The ``engagive-async`` command line (``python -m engagive_async``).

Needs the ``cli`` extra (click and rich): ``pip install 'engagive_async[cli]'``.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the console script's entry point)."""
    try:
        from engagive_async._cli.commands import cli  # the cli extra may be missing
    except ImportError as exc:
        if exc.name not in ("click", "rich"):
            raise
        sys.stderr.write(
            "error: the command line needs the cli extra: pip install 'engagive_async[cli]'\n"
        )
        sys.exit(2)
    cli.main(args=argv, prog_name="engagive-async")
