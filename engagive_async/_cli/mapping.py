"""The column rule: a recipient row becomes a ``TemplateSend`` with Meta's components.

=========================== ==============================================================
``to``                      the recipient's number with country code (required)
``key``                     the row's key in the journal (optional; else the row number)
``body.1``, ``body.2``, ... positional body parameters ``{{1}}``, ``{{2}}``, in order
``body.<name>``             a named body parameter ``{{name}}`` (not mixed with positional)
``header.1``/``header.<n>`` the header's text parameter (positional or named; one at most)
``header.image``, ...       header media by URL: ``header.image``, ``.video``, ``.document``
``button.<i>``              dynamic URL suffix of the URL button at index ``i`` (0-9);
                            also ``button.<i>.url``, ``button.<i>.payload`` (quick reply),
                            ``button.<i>.copy_code`` (coupon code)
=========================== ==============================================================

Any other column is an error unless ``ignore_extra`` is set. Values are sent as text; an empty
parameter is an error (Meta refuses empty parameters).
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from engagive_async._cli.recipients import InputProblem, Row
from engagive_async.models.batch import TemplateSend

__all__ = ["COLUMNS_HELP", "TemplateMapper"]

#: The rule in brief, for ``send-template --help``.
COLUMNS_HELP = """\b
Columns (CSV header or JSONL keys):
  to                      recipient, country code first (required)
  key                     the row's journal key [default: row number]
  body.1, body.2, ...     positional body parameters {{1}}, {{2}}
  body.NAME               named body parameter {{NAME}}
  header.1 | header.NAME  header text parameter
  header.image|video|document   header media link (https://...)
  button.I[.url]          URL button I's dynamic suffix (I = 0-9)
  button.I.payload        quick-reply button I's payload
  button.I.copy_code      copy-code button I's coupon code
"""

_TO = re.compile(r"\+?[0-9]{8,15}")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_MEDIA = ("image", "video", "document")
#: button.<i>.<suffix> -> (Meta's sub_type, its parameter's type)
_BUTTONS = {
    "url": ("url", "text"),
    "payload": ("quick_reply", "payload"),
    "copy_code": ("copy_code", "coupon_code"),
}


@attrs.frozen
class _Plan:
    """What a set of column names becomes: parameter columns in component order."""

    body: tuple[tuple[str, str | None], ...]  # (column, parameter_name or None)
    header: tuple[str, str, str | None] | None  # (column, kind, parameter_name)
    buttons: tuple[tuple[str, int, str], ...]  # (column, index, suffix)
    problems: tuple[InputProblem, ...]


class TemplateMapper:
    """Turns rows into ``TemplateSend`` items, checking them against the column rule.

    Args:
        template: the template's name.
        lang: its language code.
        ignore_extra: let unknown columns pass (they are then not sent).
    """

    def __init__(self, template: str, lang: str, *, ignore_extra: bool = False) -> None:
        self.template = template
        self.lang = lang
        self.ignore_extra = ignore_extra
        self._plans: dict[tuple[str, ...], _Plan] = {}

    def map(self, row: Row) -> TemplateSend | list[InputProblem]:
        """The row's item, or every problem found in it."""
        plan = self._plan(tuple(row.fields))
        # A bad CSV column is the header's problem (line 1), not every row's.
        problems = [
            attrs.evolve(p, line=1)
            if row.columns_from_header
            else attrs.evolve(p, row=row.number, line=row.line)
            for p in plan.problems
        ]
        fields = row.fields

        def missing(column: str) -> bool:
            if fields.get(column, "").strip():
                return False
            problems.append(
                InputProblem(row=row.number, line=row.line, field=column, message="is empty")
            )
            return True

        to = fields.get("to", "").strip()
        if "to" in fields and not missing("to") and not _TO.fullmatch(to):
            problems.append(
                InputProblem(
                    row=row.number,
                    line=row.line,
                    field="to",
                    message=f"{to!r} is not a phone number with country code "
                    "(8 to 15 digits, an optional leading +)",
                )
            )
        key = fields.get("key")
        if key is not None:
            missing("key")
        components: list[dict[str, Any]] = []
        if plan.header is not None and not missing(plan.header[0]):
            column, kind, name = plan.header
            value = fields[column]
            if kind in _MEDIA and not value.startswith(("https://", "http://")):
                problems.append(
                    InputProblem(
                        row=row.number,
                        line=row.line,
                        field=column,
                        message="a media header is a link starting with https://",
                    )
                )
            components.append({"type": "header", "parameters": [_param(kind, value, name)]})
        body = [_param("text", fields[c], n) for c, n in plan.body if not missing(c)]
        if body:
            components.append({"type": "body", "parameters": body})
        for column, index, suffix in plan.buttons:
            if not missing(column):
                sub_type, kind = _BUTTONS[suffix]
                components.append(
                    {
                        "type": "button",
                        "sub_type": sub_type,
                        "index": str(index),
                        "parameters": [_param(kind, fields[column], None)],
                    }
                )
        if problems:
            return problems
        return TemplateSend(
            to=to,
            template_name=self.template,
            lang_code=self.lang,
            components=components or None,
            key=key.strip() if key is not None else str(row.number),
        )

    def _plan(self, columns: tuple[str, ...]) -> _Plan:
        plan = self._plans.get(columns)
        if plan is None:
            if len(self._plans) > 64:  # JSONL rows of ever-new shapes: keep the cache small
                self._plans.clear()
            plan = self._plans[columns] = _make_plan(columns, ignore_extra=self.ignore_extra)
        return plan


def _make_plan(columns: tuple[str, ...], *, ignore_extra: bool) -> _Plan:
    problems: list[InputProblem] = []
    positional: dict[int, str] = {}
    named: list[tuple[str, str | None]] = []
    headers: list[tuple[str, str, str | None]] = []
    buttons: dict[int, tuple[str, int, str]] = {}
    for column in columns:
        part, _, rest = column.partition(".")
        if column in ("to", "key"):
            continue
        if part == "body" and rest.isdigit() and int(rest) >= 1:
            positional[int(rest)] = column
        elif part == "body" and _NAME.fullmatch(rest):
            named.append((column, rest))
        elif part == "header" and rest == "1":
            headers.append((column, "text", None))
        elif part == "header" and rest in _MEDIA:
            headers.append((column, rest, None))
        elif part == "header" and _NAME.fullmatch(rest):
            headers.append((column, "text", rest))
        elif part == "button" and (button := _button(column, rest)) is not None:
            if button[1] in buttons:
                problems.append(_column_problem(column, f"a second column for button {rest[0]}"))
            buttons[button[1]] = button
        elif not ignore_extra:
            problems.append(
                _column_problem(
                    column,
                    "unknown column (expected to, key, body.N, body.NAME, header.1, "
                    "header.NAME, header.image|video|document, button.I[.url|.payload|"
                    ".copy_code]; or pass --ignore-extra-columns)",
                )
            )
    if "to" not in columns:
        problems.append(_column_problem("to", "missing: every row needs a recipient"))
    if positional and named:
        problems.append(
            _column_problem("body", "positional (body.1) and named (body.NAME) parameters mixed")
        )
    expected = list(range(1, len(positional) + 1))
    if sorted(positional) != expected:
        gap = next(n for n in expected if n not in positional)
        problems.append(_column_problem(f"body.{gap}", "missing: body.N columns run 1, 2, ..."))
    if len(headers) > 1:
        problems.append(
            _column_problem(headers[1][0], "a template header takes one parameter at most")
        )
    body = tuple((positional[n], None) for n in sorted(positional)) + tuple(named)
    return _Plan(
        body=body,
        header=headers[0] if headers else None,
        buttons=tuple(buttons[i] for i in sorted(buttons)),
        problems=tuple(problems),
    )


def _button(column: str, rest: str) -> tuple[str, int, str] | None:
    index, _, suffix = rest.partition(".")
    if len(index) != 1 or not index.isdigit():
        return None
    suffix = suffix or "url"
    return (column, int(index), suffix) if suffix in _BUTTONS else None


def _column_problem(column: str, message: str) -> InputProblem:
    return InputProblem(field=column, message=message)


def _param(kind: str, value: str, name: str | None) -> dict[str, Any]:
    if kind in _MEDIA:
        return {"type": kind, kind: {"link": value}}
    param: dict[str, Any] = {"type": kind, kind: value}
    if name is not None:
        param["parameter_name"] = name
    return param
