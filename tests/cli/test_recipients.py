"""Recipient files: CSV and JSONL rows read lazily, and every way a file can be unreadable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engagive_async._cli.recipients import InputProblem, RecipientFileError, Row, read_rows


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_csv_rows_are_read_with_bom_and_blank_lines(tmp_path: Path) -> None:
    """A BOM is dropped, blank lines skipped, rows numbered from 1 with their line."""
    path = write(tmp_path, "r.csv", "\ufeffto,body.1\n923001112222,Ann\n\n923003334444,Bo\n")
    rows = list(read_rows(path))
    assert rows == [
        Row(number=1, line=2, fields={"to": "923001112222", "body.1": "Ann"},
            columns_from_header=True),
        Row(number=2, line=4, fields={"to": "923003334444", "body.1": "Bo"},
            columns_from_header=True),
    ]  # fmt: skip


def test_jsonl_rows_accept_numbers_and_report_bad_lines(tmp_path: Path) -> None:
    """JSONL: unquoted numbers become text; a bad line is that row's problem."""
    lines = [json.dumps({"to": 923001112222, "body.1": "Ann"}), "", "{oops", "[1]",
             json.dumps({"to": "1", "body.1": 2.5})]  # fmt: skip
    path = write(tmp_path, "r.jsonl", "\n".join(lines) + "\n")
    rows = list(read_rows(path))
    assert rows[0] == Row(number=1, line=1, fields={"to": "923001112222", "body.1": "Ann"})
    assert isinstance(rows[1], InputProblem)
    assert str(rows[1]).startswith("row 2 (line 3): not valid JSON")
    assert str(rows[2]) == "row 3 (line 4): not a JSON object"
    assert str(rows[3]) == "row 4 (line 5), field 'body.1': must be a string, got float"


def test_csv_row_with_wrong_field_count_is_a_problem(tmp_path: Path) -> None:
    """A CSV row whose field count differs from the header is reported with its row."""
    path = write(tmp_path, "r.csv", "to,body.1\n923001112222\n")
    assert [str(r) for r in read_rows(path)] == ["row 1 (line 2): 1 fields, but the header has 2"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("r.txt", "to\n1\n", "unsupported file type"),
        ("r.csv", "", "the file is empty"),
        ("r.csv", "to,to\n1,2\n", "field 'to': the header names it twice"),
        ("r.csv", "to,\n1,2\n", "column 2 of the header has no name"),
    ],
)
def test_unreadable_files_stop_with_a_clear_message(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    """Files that cannot be read at all raise RecipientFileError naming the cause."""
    path = write(tmp_path, name, text)
    with pytest.raises(RecipientFileError, match=message):
        list(read_rows(path))


def test_missing_file_is_reported(tmp_path: Path) -> None:
    """A missing file is an error naming the path."""
    with pytest.raises(RecipientFileError, match=r"nope\.csv: cannot read it: "):
        list(read_rows(tmp_path / "nope.csv"))


def test_non_utf8_file_names_the_row(tmp_path: Path) -> None:
    """A file in another encoding stops at the first undecodable row, named."""
    path = tmp_path / "r.csv"
    path.write_bytes("to,body.1\n923001112222,Ann\n923003334444,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(RecipientFileError, match=r"row 2 .*not UTF-8"):
        list(read_rows(path))
