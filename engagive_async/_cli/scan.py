"""The two passes over a recipient file: check every row and count them, then stream items.

The first pass holds no rows: only a count, the first problems, and (when rows carry a ``key``)
one hash per key to catch a key used twice. The second pass re-reads the file lazily for the
batch, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import attrs

from engagive_async._cli.mapping import TemplateMapper
from engagive_async._cli.recipients import InputProblem, RecipientFileError, read_rows
from engagive_async.models.batch import TemplateSend

__all__ = ["ScanResult", "iter_items", "scan"]


@attrs.frozen(kw_only=True)
class ScanResult:
    """What the check pass found.

    Attributes:
        rows: data rows in the file.
        invalid_rows: rows with at least one problem.
        problems: the first distinct problems, in file order.
        more_problems: distinct problems found beyond those listed.
    """

    rows: int
    invalid_rows: int
    problems: tuple[InputProblem, ...]
    more_problems: int

    @property
    def ok(self) -> bool:
        """True when every row can be sent."""
        return self.invalid_rows == 0 and not self.problems


def scan(path: Path, mapper: TemplateMapper, *, max_problems: int = 20) -> ScanResult:
    """Check every row of ``path`` without keeping rows.

    Raises:
        RecipientFileError: the file cannot be read (the message names where it stopped).
    """
    rows = invalid = more = 0
    problems: list[InputProblem] = []
    seen: set[str] = set()
    # Python's str hash: 8 bytes a key instead of the key; a false "used twice" needs a 64-bit
    # collision, and the journal refuses real duplicates at send time anyway.
    keys: set[int] = set()
    keyed = False

    def add(problem: InputProblem) -> None:
        nonlocal more
        if problem.row is None:  # a CSV header's problem comes with every row: list it once
            if str(problem) in seen:
                return
            seen.add(str(problem))
        if len(problems) < max_problems:
            problems.append(problem)
        else:
            more += 1

    for row in read_rows(path):
        rows += 1
        if isinstance(row, InputProblem):
            invalid += 1
            add(row)
            continue
        item = mapper.map(row)
        if isinstance(item, list):
            invalid += 1
            for problem in item:
                add(problem)
            continue
        keyed = keyed or "key" in row.fields
        if keyed:
            assert item.key is not None
            digest = hash(item.key)
            if digest in keys:
                invalid += 1
                add(
                    InputProblem(
                        row=row.number,
                        line=row.line,
                        field="key",
                        message=f"{item.key!r} is the key of an earlier row",
                    )
                )
            keys.add(digest)
    return ScanResult(rows=rows, invalid_rows=invalid, problems=tuple(problems), more_problems=more)


def iter_items(path: Path, mapper: TemplateMapper) -> Generator[TemplateSend, None, None]:
    """Every row's item, read lazily (after a clean :func:`scan`).

    Raises:
        RecipientFileError: a row no longer passes (the file changed since the scan).
    """
    for row in read_rows(path):
        item = mapper.map(row) if not isinstance(row, InputProblem) else [row]
        if isinstance(item, list):
            raise RecipientFileError(
                attrs.evolve(item[0], message=item[0].message + " (the file changed?)")
            ).in_file(path)
        yield item
