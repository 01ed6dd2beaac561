"""A recipient file sent as one template: the options naming them, and the check before sending.

``send-template`` and ``campaign plan`` take the same FILE, ``--template``, ``--lang`` and
``--account`` and refuse the same files, so both read them here.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from engagive_async import PostgresPacing
from engagive_async._cli.common import ExitCode, fail, print_json
from engagive_async._cli.common import stderr as err_console
from engagive_async._cli.mapping import TemplateMapper
from engagive_async._cli.recipients import RecipientFileError
from engagive_async._cli.scan import ScanResult, scan

__all__ = [
    "IGNORE_EXTRA_COLUMNS",
    "SHARED_DEFAULT_RATE",
    "campaign_name",
    "check_template_options",
    "checked_file",
    "report_problems",
    "shared_pacing",
    "template_file_options",
]

F = TypeVar("F", bound=Callable[..., Any])

# Meta's rules, checked here too so that a typo stops the run before the file is read.
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANG_CODE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]{2,4})?")
#: Meta's default throughput per number, the shared rate when --pacing comes without a rate.
SHARED_DEFAULT_RATE = 80.0

IGNORE_EXTRA_COLUMNS = click.option(
    "--ignore-extra-columns", is_flag=True, help="Let unknown columns pass unsent."
)


def template_file_options(command: F) -> F:
    """Add the FILE argument and ``--template``, ``--lang`` and ``--account``, in that order."""
    command = click.option("--account", required=True, help="The WhatsApp account id.")(command)
    command = click.option("--lang", required=True, help="Its language code, e.g. en_US.")(command)
    command = click.option("--template", required=True, help="The approved template's name.")(
        command
    )
    return click.argument("file", type=click.Path(path_type=Path, dir_okay=False))(command)


def check_template_options(template: str, lang: str) -> None:
    """Exit with BAD_INPUT unless ``--template`` and ``--lang`` follow Meta's rules."""
    if not _TEMPLATE_NAME.fullmatch(template):
        fail(f"--template {template!r}: lowercase letters, digits and _ only", ExitCode.BAD_INPUT)
    if not _LANG_CODE.fullmatch(lang):
        fail(f"--lang {lang!r} is not a language code such as en or en_US", ExitCode.BAD_INPUT)


def checked_file(
    file: Path, template: str, lang: str, *, ignore_extra: bool, as_json: bool
) -> tuple[TemplateMapper, ScanResult]:
    """Every row of FILE checked against the template; exits with BAD_INPUT on a problem."""
    mapper = TemplateMapper(template, lang, ignore_extra=ignore_extra)
    try:
        checked = scan(file, mapper)
    except RecipientFileError as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    if not checked.ok:
        report_problems(file, checked, as_json=as_json)
        sys.exit(ExitCode.BAD_INPUT)
    return mapper, checked


def campaign_name(name: str | None, file: Path, template: str, lang: str) -> str:
    """The campaign's name in the journal: the one given, else FILE:TEMPLATE:LANG."""
    return name or f"{file.name}:{template}:{lang}"


def shared_pacing(dsn: str, key: str, rate_limit: float | None) -> PostgresPacing:
    """The pace shared through PostgreSQL under ``key``, at --rate-limit or Meta's default."""
    return PostgresPacing(dsn, key=key, rate=rate_limit or SHARED_DEFAULT_RATE)


def report_problems(file: Path, checked: ScanResult, *, as_json: bool) -> None:
    """The file's problems: on stderr, exiting with BAD_INPUT; or as JSON (the caller exits)."""
    if as_json:
        print_json(
            {
                "file": str(file),
                "rows": checked.rows,
                "valid": False,
                "invalid_rows": checked.invalid_rows,
                "problems": [str(p) for p in checked.problems],
                "more_problems": checked.more_problems,
            }
        )
        return
    for problem in checked.problems:
        err_console.print(f"{file.name}: {problem}", markup=False)
    if checked.more_problems:
        err_console.print(f"... and {checked.more_problems:,} more problems", markup=False)
    fail(
        f"{checked.invalid_rows:,} of {checked.rows:,} rows are invalid; nothing was sent",
        ExitCode.BAD_INPUT,
    )
