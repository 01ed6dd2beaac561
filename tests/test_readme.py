"""The README's examples run against FakeEngagive, so they cannot drift from the code.

Every ```python block of README.md must compile (top-level ``await`` allowed, as in the snippets)
and may import only names that exist. A block right after an HTML comment
``<!-- readme-test: NAME -->`` (invisible on GitHub and PyPI) also runs, as its NAME says:

* ``quick-start``: a complete program (``asyncio.run(main())``), run as ``__main__`` unchanged
  and offline: no token or host in the environment, the FakeEngagive it creates itself.
* ``quick-start-real``: the ``main`` that replaces the quick start's, run in what the quick
  start left (its ``tour``), with ``ENGAGIVE_API_TOKEN`` and ``ENGAGIVE_BASE_URL`` pointing at
  a FakeEngagive served on 127.0.0.1, as a reader would point it at Engagive.
* ``module NAME``: a module of the reader's app, importable by the ``pytest`` block.
* ``pytest``: a test module, run by pytest (in process, through ``pytester``) next to the
  ``module`` blocks; every test in it must pass.
* any other NAME: a snippet, run with ``client`` and ``acct = client.account(1)`` in scope (as
  the README says), over a FakeEngagive in process; :data:`SNIPPETS` gives each one's set-up
  and what must be true after it.

A marker whose NAME has no entry here fails, and so does an entry whose block is gone.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from engagive_async import AsyncClient, OutcomeStatus, RetryPolicy
from engagive_async._policy._meta_codes import (
    META_ERROR_CLASSES,
    MetaErrorClass,
    classify_meta_code,
)
from engagive_async.testing import FakeEngagive, Fault

pytest_plugins = ["pytester"]

README = Path(__file__).parent.parent / "README.md"
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!-- readme-test: ([\w\- ]+?) -->\n$")
#: No waiting between retries: the examples' retries happen, only faster.
_NO_WAIT = RetryPolicy(initial_backoff=0, max_backoff=0)


@attrs.frozen
class Block:
    """One ```python block: its source, its line in README.md, and its marker (or None)."""

    source: str
    line: int
    marker: str | None


def _blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        marker = _MARKER.search(before)
        found.append(
            Block(
                source=match.group(1),
                line=before.count("\n") + 1,
                marker=marker.group(1) if marker else None,
            )
        )
    return found


def _marked(name: str) -> Block:
    matches = [b for b in _blocks() if b.marker == name]
    assert len(matches) == 1, f"README.md has {len(matches)} blocks marked {name!r}"
    return matches[0]


def _compile(block: Block) -> Any:
    return compile(
        block.source, f"README.md:{block.line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )


# --- every block ----------------------------------------------------------------------------


@pytest.mark.parametrize("block", _blocks(), ids=lambda b: f"line{b.line}")
def test_every_block_compiles_and_imports_real_names(block: Block) -> None:
    """A README example has valid syntax and imports only names the package has."""
    _compile(block)  # a SyntaxError names the README line
    tree = ast.parse(block.source, f"README.md:{block.line}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engagive_async"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                assert hasattr(module, alias.name), f"README.md:{block.line}: {alias.name}"


def test_every_marker_has_a_runner_and_every_runner_a_block() -> None:
    """Renaming or removing a marked block cannot silently stop it from running."""
    markers = {b.marker for b in _blocks() if b.marker is not None}
    runners = {"quick-start", "quick-start-real", "pytest", *SNIPPETS}
    modules = {m for m in markers if m.startswith("module ")}
    assert markers - modules == runners


# --- the quick start: a program, run as written -----------------------------------------------


def test_quick_start_runs_offline_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With nothing configured, the Quick start lists, reads and sends, all in memory."""
    monkeypatch.delenv("ENGAGIVE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENGAGIVE_BASE_URL", raising=False)
    exec(_compile(_marked("quick-start")), {"__name__": "__main__"})  # noqa: S102
    out = capsys.readouterr().out
    assert "order_shipped approved" in out
    assert "wamid." in out
    assert out.rstrip().endswith("FakeEngagive received 3 messages")


def test_quick_start_for_real_runs_against_the_configured_host(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real ``main`` takes token and host from the environment and sends through them."""
    monkeypatch.delenv("ENGAGIVE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENGAGIVE_BASE_URL", raising=False)
    namespace: dict[str, Any] = {"__name__": "quick_start"}  # its definitions, not its run
    source = _marked("quick-start").source
    offline = source.replace("\nasyncio.run(main())\n", "\n")
    assert offline != source
    exec(compile(offline, "README.md", "exec"), namespace)  # noqa: S102
    fake = FakeEngagive()
    with fake.serve_in_thread() as base_url:
        monkeypatch.setenv("ENGAGIVE_API_TOKEN", "test-token")
        monkeypatch.setenv("ENGAGIVE_BASE_URL", base_url)
        exec(_compile(_marked("quick-start-real")), namespace)  # noqa: S102
    out = capsys.readouterr().out
    assert "order_shipped approved" in out
    assert [m.route for m in fake.sent] == [
        "messages.send_template",
        "messages.send_reaction",
        "messages.send_single",
    ]
    template, reaction, text = fake.sent
    assert f"{template.wamid} " in out  # result.wamid, printed with Meta's payload
    assert reaction.body["whatsapp_message_id"] == template.wamid
    assert text.body["content_json"] == {"type": "text", "text": {"body": "Thanks!"}}


# --- snippets: run with `acct` in scope ------------------------------------------------------


@attrs.frozen
class Ran:
    """What a snippet left behind."""

    fake: FakeEngagive
    namespace: dict[str, Any]
    out: str
    logs: list[str]


@attrs.frozen
class Snippet:
    """How to prepare the fake for a snippet, and what must hold once it ran."""

    setup: Callable[[FakeEngagive], None]
    check: Callable[[Ran], None]


def _nothing(fake: FakeEngagive) -> None:
    pass


def _check_send_template(ran: Ran) -> None:
    (sent,) = ran.fake.sent
    assert sent.to == "923001234567"
    components = sent.body["content_json"]["components"]
    assert [c["type"] for c in components] == ["header", "body", "button", "button"]
    assert components[1]["parameters"] == [
        {"type": "text", "text": "Ann"},
        {"type": "text", "text": "ORD-1001"},
    ]
    assert components[2] == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "1001"}],
    }
    assert ran.namespace["result"].wamid == sent.wamid


def _check_send_single(ran: Ran) -> None:
    text, reply, reaction = ran.fake.sent  # the invalid message never left
    assert text.body["content_json"]["text"] == {"body": "Your parcel left the depot."}
    assert reply.reply_to == ran.namespace["incoming"]
    assert reaction.body["emoji"] == "👍"
    assert "message.buttons[2].title: is 21 characters, Meta allows 20" in ran.out


def _setup_send_many(fake: FakeEngagive) -> None:
    fake.script(Fault.status(429, retry_after=0), Fault.meta_error(131026))


def _check_send_many(ran: Ran) -> None:
    # The 429 was retried; the 131026 refusal is final: one message out of two went.
    assert len(ran.fake.sent) == 1
    assert len(ran.fake.requests) == 3
    meta_lines = [line for line in ran.logs if "metaResponse=" in line]
    assert len(meta_lines) == 2
    assert any('"code": 131026' in line and " FAILED " in line for line in meta_lines)
    assert any(ran.fake.sent[0].wamid in line and " SENT " in line for line in meta_lines)
    assert any("refused: HTTP 502" in line for line in ran.logs)


def _check_send_batch(ran: Ran) -> None:
    report = ran.namespace["report"]
    assert report.by_status[OutcomeStatus.SENT] == 2
    assert ran.out.splitlines()[0] == "2 {}"
    assert [m.to for m in sorted(ran.fake.sent, key=lambda m: m.to)] == [
        "923001234567",
        "923007654321",
    ]


def _check_journal(ran: Ran) -> None:
    summary, entry = ran.namespace["summary"], ran.namespace["entry"]
    assert summary.by_status == {"SENT": 2}
    assert entry.status == "SENT"
    assert entry.wamid in {m.wamid for m in ran.fake.sent}
    assert entry.meta_response["messages"][0]["id"] == entry.wamid
    assert sorted(ran.out.split("\n")[:2]) == ["A-1001 SENT ", "A-1002 SENT "]


def _setup_pagination(fake: FakeEngagive) -> None:
    fake.seed_templates(150)


def _check_pagination(ran: Ran) -> None:
    lists = [r for r in ran.fake.requests if r.route == "templates.list"]
    # One page for the search, then exactly the 3 pages that hold 120 items.
    assert len(lists) == 4
    pages = [line for line in ran.out.splitlines() if not line.startswith("order")]
    assert [line.split()[:3] for line in pages] == [
        ["1", "50", "4"],
        ["2", "50", "4"],
        ["3", "20", "4"],
    ]
    assert [c.lang_code for c in ran.namespace["contents"]] == ["en"]


SNIPPETS: dict[str, Snippet] = {
    "send-template": Snippet(_nothing, _check_send_template),
    "send-single": Snippet(_nothing, _check_send_single),
    "send-many": Snippet(_setup_send_many, _check_send_many),
    "send-batch": Snippet(_nothing, _check_send_batch),
    "journal": Snippet(_nothing, _check_journal),
    "pagination": Snippet(_setup_pagination, _check_pagination),
}


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Snippets that write files (the journal) write them here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize("name", sorted(SNIPPETS))
async def test_snippet_runs_against_fake_engagive(
    name: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each marked snippet runs through the public API and does what the README says."""
    snippet = SNIPPETS[name]
    fake = FakeEngagive()
    snippet.setup(fake)
    code = _compile(_marked(name))
    caplog.set_level(logging.INFO, logger="campaign")
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient("test-token", transport=transport, retry=_NO_WAIT) as client:
        namespace: dict[str, Any] = {
            "__name__": "readme",
            "client": client,
            "acct": client.account(1),
        }
        run = eval(code, namespace)  # noqa: S307 - the README's own example
        if inspect.isawaitable(run):
            await run
    assert fake.pending_faults == 0
    ran = Ran(
        fake=fake,
        namespace=namespace,
        out=capsys.readouterr().out,
        logs=[r.getMessage() for r in caplog.records if r.name == "campaign"],
    )
    snippet.check(ran)


# --- the pytest example: the reader's module and its tests ------------------------------------


def test_pytest_example_passes(pytester: pytest.Pytester) -> None:
    """The FakeEngagive section's tests pass against the module they test."""
    for block in _blocks():
        if block.marker is not None and block.marker.startswith("module "):
            pytester.makepyfile(**{block.marker.removeprefix("module "): block.source})
    pytester.makepyfile(test_readme_example=_marked("pytest").source)
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "-W",
        "error",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
    )
    result.assert_outcomes(
        passed=len(re.findall(r"^async def test_", _marked("pytest").source, re.M))
    )


# --- the retry classification table ---------------------------------------------------------


def test_meta_code_table_matches_the_classification() -> None:
    """The README's MetaErrorClass table lists exactly the codes of each class."""
    text = README.read_text(encoding="utf-8").split("## Retries and the at-most-once rule", 1)[1]
    rows: dict[MetaErrorClass, set[int]] = {}
    for line in text.split("\n## ", 1)[0].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0].strip("`")
        if len(cells) == 3 and name in MetaErrorClass.__members__:
            listed = re.sub(r"\([^)]*\)", "", cells[1])  # drop the explanations in brackets
            codes: set[int] = set()
            for low, high in re.findall(r"\b(\d+)(?:-(\d+))?\b", listed):
                codes.update(range(int(low), int(high or low) + 1))
            rows[MetaErrorClass[name]] = codes
    assert set(rows) == set(MetaErrorClass)
    expected: dict[MetaErrorClass, set[int]] = {c: set() for c in MetaErrorClass}
    for code, cls in META_ERROR_CLASSES.items():
        expected[cls].add(code)
    expected[MetaErrorClass.STOP].update(range(200, 300))
    assert rows == expected
    assert all(classify_meta_code(c) is cls for cls, codes in rows.items() for c in codes)
