"""Recipient files: CSV or JSONL rows, read lazily, each located by row number and line.

Row numbers count data rows from 1 (the CSV header is not a row; blank lines are skipped);
messages also give the file's line. Files are UTF-8 (a BOM is fine); ``.csv``, ``.jsonl`` or
``.ndjson`` by extension. Which columns mean what is ``mapping``'s business.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import attrs

__all__ = ["InputProblem", "RecipientFileError", "Row", "read_rows"]

_CSV_SUFFIXES = frozenset({".csv"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@attrs.frozen(kw_only=True)
class InputProblem:
    """One thing wrong with the input, located as precisely as known."""

    message: str
    row: int | None = None
    line: int | None = None
    field: str | None = None
    #: The file, as the user named it: set on every problem that ends the reading.
    file: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file is not None else []
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        if self.file is not None and len(where) > 1:
            where = [f"{where[0]}: {', '.join(where[1:])}"]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class RecipientFileError(Exception):
    """The file cannot be read further (missing, not UTF-8, not CSV/JSONL, bad header)."""

    def __init__(self, problem: InputProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    def in_file(self, path: Path) -> RecipientFileError:
        """The same error, naming ``path`` (as the user gave it) unless it names a file."""
        if self.problem.file is not None:
            return self
        return RecipientFileError(attrs.evolve(self.problem, file=str(path)))


@attrs.frozen(kw_only=True)
class Row:
    """One data row: its 1-based number, the line it ends on, and its fields as text.

    ``columns_from_header`` is true for CSV rows, whose column names come from line 1.
    """

    number: int
    line: int
    fields: Mapping[str, str]
    columns_from_header: bool = False


def read_rows(path: Path) -> Iterator[Row | InputProblem]:
    """The file's rows in order; a row that cannot be read at all comes as its problem.

    Raises:
        RecipientFileError: the file cannot be read past this point.
    """
    try:
        suffix = path.suffix.lower()
        if suffix not in _CSV_SUFFIXES | _JSONL_SUFFIXES:
            raise RecipientFileError(
                InputProblem(message="unsupported file type; use .csv or .jsonl")
            )
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise RecipientFileError(
                InputProblem(message=f"cannot read it: {exc.strerror or exc}")
            ) from exc
        with handle:
            lines = _Lines(handle)
            yield from _csv_rows(lines) if suffix in _CSV_SUFFIXES else _jsonl_rows(lines)
    except RecipientFileError as exc:
        # The one place every reading error passes: each names the file.
        raise exc.in_file(path) from exc.__cause__


class _Lines:
    """The file's lines decoded one by one, so a bad byte is located to its line.

    A UTF-8 BOM (spreadsheet exports add one) is dropped rather than read into the first name.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        #: The number of the line last decoded (1-based).
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self._handle:
            self.line += 1
            if self.line == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            yield raw.decode("utf-8")


def _csv_rows(lines: _Lines) -> Iterator[Row | InputProblem]:
    reader = csv.reader(lines, strict=True)
    number = 0
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise RecipientFileError(InputProblem(message="the file is empty: no header row"))
        names = [h.strip() for h in header]
        for i, name in enumerate(names):
            if not name:
                raise RecipientFileError(
                    InputProblem(line=1, message=f"column {i + 1} of the header has no name")
                )
            if name in names[:i]:
                raise RecipientFileError(
                    InputProblem(line=1, field=name, message="the header names it twice")
                )
        for values in reader:
            if not values:
                continue  # a blank line is not a row
            number += 1
            if len(values) != len(names):
                yield InputProblem(
                    row=number,
                    line=lines.line,
                    message=f"{len(values)} fields, but the header has {len(names)}",
                )
                continue
            yield Row(
                number=number,
                line=lines.line,
                fields=dict(zip(names, values, strict=True)),
                columns_from_header=True,
            )
    except UnicodeDecodeError as exc:
        raise RecipientFileError(_not_utf8(number + 1, lines.line)) from exc
    except csv.Error as exc:
        raise RecipientFileError(
            InputProblem(row=number + 1, line=lines.line, message=f"not valid CSV: {exc}")
        ) from exc


def _jsonl_rows(lines: _Lines) -> Iterator[Row | InputProblem]:
    number = 0
    try:
        for text in lines:
            line = lines.line
            if not text.strip():
                continue
            number += 1
            try:
                record = json.loads(text)
            except ValueError as exc:
                yield InputProblem(row=number, line=line, message=f"not valid JSON: {exc}")
                continue
            if not isinstance(record, dict):
                yield InputProblem(row=number, line=line, message="not a JSON object")
                continue
            fields, problems = _text_fields(record)
            if problems:
                field, message = problems[0]
                yield InputProblem(row=number, line=line, field=field, message=message)
                continue
            yield Row(number=number, line=line, fields=fields)
    except UnicodeDecodeError as exc:
        raise RecipientFileError(_not_utf8(number + 1, lines.line)) from exc


def _text_fields(record: Mapping[str, Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    fields: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for name, value in record.items():
        if isinstance(value, str):
            fields[name] = value
        elif isinstance(value, int) and not isinstance(value, bool):
            fields[name] = str(value)  # a number written without quotes, e.g. "to": 9230...
        elif value is None:
            fields[name] = ""
        else:
            problems.append((name, f"must be a string, got {type(value).__name__}"))
    return fields, problems


def _not_utf8(row: int, line: int) -> InputProblem:
    return InputProblem(
        row=row,
        line=line,
        message="the file is not UTF-8 text (an undecodable byte); save it as UTF-8",
    )
