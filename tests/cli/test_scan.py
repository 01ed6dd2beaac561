"""The check pass over a recipient file, and the lazy item stream behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from engagive_async._cli.mapping import TemplateMapper
from engagive_async._cli.recipients import RecipientFileError
from engagive_async._cli.scan import iter_items, scan


def csv_file(tmp_path: Path, *rows: str, header: str = "to,body.1") -> Path:
    path = tmp_path / "r.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def mapper() -> TemplateMapper:
    return TemplateMapper("order_shipped", "en")


def test_clean_file_counts_rows(tmp_path: Path) -> None:
    """A valid file passes with its row count."""
    path = csv_file(tmp_path, *(f"9230011{n:05d},n{n}" for n in range(250)))
    result = scan(path, mapper())
    assert (result.ok, result.rows, result.invalid_rows) == (True, 250, 0)


def test_problems_are_capped_and_counted(tmp_path: Path) -> None:
    """Every bad row counts; only the first problems are listed, the rest counted."""
    rows = [f"bad{n},x" for n in range(30)] + ["923001112222,ok"]
    result = scan(csv_file(tmp_path, *rows), mapper(), max_problems=5)
    assert (result.ok, result.rows, result.invalid_rows) == (False, 31, 30)
    assert len(result.problems) == 5
    assert result.more_problems == 25
    assert str(result.problems[0]).startswith("row 1 (line 2), field 'to': 'bad0'")


def test_header_problem_is_listed_once(tmp_path: Path) -> None:
    """An unknown CSV column makes every row invalid but is listed once."""
    path = csv_file(tmp_path, "923001112222,x", "923003334444,y", header="to,nick")
    result = scan(path, mapper())
    assert result.invalid_rows == 2
    assert [str(p)[:36] for p in result.problems] == ["line 1, field 'nick': unknown column"]


def test_duplicate_keys_are_found(tmp_path: Path) -> None:
    """A key used by two rows is a problem on the second row."""
    path = csv_file(tmp_path, "923001112222,a", "923003334444,b", "923005556666,a", header="to,key")
    result = scan(path, mapper())
    assert [str(p) for p in result.problems] == [
        "row 3 (line 4), field 'key': 'a' is the key of an earlier row"
    ]


def test_items_stream_in_file_order(tmp_path: Path) -> None:
    """iter_items yields one TemplateSend per row, keyed by row number, lazily."""
    path = csv_file(tmp_path, "923001112222,Ann", "923003334444,Bo")
    items = iter_items(path, mapper())
    first = next(items)
    assert (first.to, first.key) == ("923001112222", "1")
    assert [i.key for i in items] == ["2"]


def test_items_stop_when_the_file_changed(tmp_path: Path) -> None:
    """A row that no longer passes (file edited after the check) stops the stream."""
    path = csv_file(tmp_path, "923001112222,Ann", "oops,Bo")
    items = iter_items(path, mapper())
    next(items)
    with pytest.raises(RecipientFileError, match=r"row 2 .*the file changed"):
        next(items)
