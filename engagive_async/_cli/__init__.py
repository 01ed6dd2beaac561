"""The ``engagive-async`` command line (``python -m engagive_async``).

Needs the ``cli`` extra (click and rich): ``pip install 'engagive_async[cli]'``.

Modules: ``commands`` (the click group), ``send`` (a template campaign from a file, with its
journal), ``recipients`` and ``scan`` (reading and checking the file), ``mapping`` (columns to
template parameters), ``catalog`` (templates and contents), ``report`` (a journal's summary),
``render`` (tables, the progress bar), ``template_file`` (the FILE and template options and the
check that ``send-template`` and ``campaign plan`` share), ``common`` (options and the client
every command shares).

May import: the root door (``engagive_async``), the client and every layer below it; nothing
imports it but the console script and ``python -m engagive_async``.
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
