"""The examples of README.md and of every docs/*.md page run against FakeEngagive.

So they cannot drift from the code. Every ```python block of those pages (a page added to docs/
later included) must compile (top-level ``await`` allowed, as in the snippets), may import only
names that exist, and runs. A block right after an HTML comment ``<!-- docs-test: NAME -->``
(``readme-test:`` works too; invisible on GitHub, PyPI and the site) runs as its NAME says:

* ``quick-start``: a complete program (``asyncio.run(main())``), run as ``__main__`` unchanged
  and offline: no token or host in the environment, the FakeEngagive it creates itself.
* ``quick-start-real``: the ``main`` that replaces the quick start's, run in what the quick
  start left (its ``tour``), with ``ENGAGIVE_API_TOKEN`` and ``ENGAGIVE_BASE_URL`` pointing at
  a FakeEngagive served on 127.0.0.1, as a reader would point it at Engagive.
* ``program``: a complete program of a guide, run as ``__main__`` unchanged and offline (against
  a FakeEngagive it creates itself); it must print something.
* ``module NAME``: a module of the reader's app, importable by the ``pytest`` blocks of the same
  page.
* ``pytest``: a test module, run by pytest (in process, through ``pytester``) next to its page's
  ``module`` blocks; every test in it must pass.
* ``compile-only``: a block that needs what the tests cannot give it (a framework that is not
  installed, a real account); it is compiled and its imports checked, not run.
* any other NAME: a snippet, run with ``client`` and ``acct = client.account(1)`` in scope (as
  the pages say), over a FakeEngagive in process; :data:`SNIPPETS` gives each one's set-up and
  what must be true after it.

A block without a marker is a snippet too, run the same way with nothing to check but that it
completes. A marker whose NAME has no entry here fails, and so does an entry whose block is gone;
a snippet's NAME is used once across all the pages (``program`` and ``pytest`` may repeat, a
``module`` NAME once per page). A few modules are also run the way their framework runs them
(the arq worker under a real ``arq.Worker``), at the end.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import logging
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
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

ROOT = Path(__file__).parent.parent
#: README.md and every page of the site, those added later included.
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!-- (?:docs|readme)-test: ([\w\- ]+?) -->\n$")
_COMPILE_ONLY = "compile-only"
#: No waiting between retries: the examples' retries happen, only faster.
_NO_WAIT = RetryPolicy(initial_backoff=0, max_backoff=0)


@attrs.frozen
class Block:
    """One ```python block: its source, where it is (``page:line``), and its marker (or None)."""

    source: str
    where: str
    marker: str | None
    page: Path


def _blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            before = text[: match.start()]
            marker = _MARKER.search(before)
            found.append(
                Block(
                    source=match.group(1),
                    where=f"{page.relative_to(ROOT)}:{before.count(chr(10)) + 1}",
                    marker=marker.group(1) if marker else None,
                    page=page,
                )
            )
    return found


def _marked(name: str, page: str | None = None) -> Block:
    matches = [b for b in _blocks() if b.marker == name and (page is None or b.page == ROOT / page)]
    assert len(matches) == 1, f"the pages have {len(matches)} blocks marked {name!r}"
    return matches[0]


def _compile(block: Block) -> Any:
    return compile(block.source, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def _page_section(page: str, heading: str) -> str:
    """The text of ``page`` under ``heading`` (a ``## `` heading), up to the next one."""
    text = (ROOT / page).read_text(encoding="utf-8")
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


# --- every block ----------------------------------------------------------------------------


@pytest.mark.parametrize("block", _blocks(), ids=lambda b: b.where)
def test_every_block_compiles_and_imports_real_names(block: Block) -> None:
    """An example has valid syntax and imports only names the package has."""
    _compile(block)  # a SyntaxError names the page and line
    tree = ast.parse(block.source, block.where)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engagive_async"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                assert hasattr(module, alias.name), f"{block.where}: {alias.name}"


def test_every_marker_has_a_runner_and_every_runner_a_block() -> None:
    """Renaming or removing a marked block cannot silently stop it from running."""
    repeatable = {None, _COMPILE_ONLY, "program", "pytest"}
    listed = [
        (b.page, b.marker) if b.marker.startswith("module ") else b.marker
        for b in _blocks()
        if b.marker not in repeatable
    ]
    assert len(listed) == len(set(listed)), "a marker NAME is used twice"
    markers = {b.marker for b in _blocks() if b.marker not in (None, _COMPILE_ONLY)}
    runners = {"quick-start", "quick-start-real", "program", "pytest", *SNIPPETS}
    modules = {m for m in markers if m is not None and m.startswith("module ")}
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


def _setup_stop_on(fake: FakeEngagive) -> None:
    fake.script(Fault.meta_error(131031), route="messages.send_template")  # account locked


def _check_stop_on(ran: Ran) -> None:
    # The refusal stopped the batch: only the sends already in flight went out after it.
    lines = ran.out.splitlines()
    assert len(lines) == 100  # one outcome per item
    assert sum(line.endswith(" FAILED ") for line in lines) == 1
    skipped = [line for line in lines if line.endswith(" SKIPPED stop_on")]
    assert skipped
    assert len(skipped) == 100 - len(ran.fake.requests)


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
    "stop-on": Snippet(_setup_stop_on, _check_stop_on),
    "journal": Snippet(_nothing, _check_journal),
    "pagination": Snippet(_setup_pagination, _check_pagination),
}


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Snippets that write files (the journal) write them here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def _run_snippet(block: Block, fake: FakeEngagive) -> dict[str, Any]:
    """Run ``block`` with ``client`` and ``acct`` in scope, over ``fake`` in process."""
    code = _compile(block)
    transport = httpx.ASGITransport(fake.app)
    async with AsyncClient("test-token", transport=transport, retry=_NO_WAIT) as client:
        namespace: dict[str, Any] = {
            "__name__": "docs_example",
            "client": client,
            "acct": client.account(1),
        }
        run = eval(code, namespace)  # noqa: S307 - the page's own example
        if inspect.isawaitable(run):
            await run
    return namespace


@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize("name", sorted(SNIPPETS))
async def test_snippet_runs_against_fake_engagive(
    name: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Each marked snippet runs through the public API and does what its page says."""
    snippet = SNIPPETS[name]
    fake = FakeEngagive()
    snippet.setup(fake)
    caplog.set_level(logging.INFO, logger="campaign")
    namespace = await _run_snippet(_marked(name), fake)
    assert fake.pending_faults == 0
    ran = Ran(
        fake=fake,
        namespace=namespace,
        out=capsys.readouterr().out,
        logs=[r.getMessage() for r in caplog.records if r.name == "campaign"],
    )
    snippet.check(ran)


@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize("block", [b for b in _blocks() if b.marker is None], ids=lambda b: b.where)
async def test_unmarked_example_runs_against_fake_engagive(block: Block) -> None:
    """An example with nothing particular to check still runs to its end without an error."""
    await _run_snippet(block, FakeEngagive())


# --- programs, and the pytest examples: the reader's modules and their tests ------------------


@pytest.mark.parametrize(
    "block", [b for b in _blocks() if b.marker == "program"], ids=lambda b: b.where
)
def test_program_runs_offline_as_written(
    block: Block, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A guide's program runs unchanged, with no token or host in the environment."""
    monkeypatch.delenv("ENGAGIVE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENGAGIVE_BASE_URL", raising=False)
    exec(compile(block.source, block.where, "exec"), {"__name__": "__main__"})  # noqa: S102
    assert capsys.readouterr().out, f"{block.where} printed nothing"


PAGES_WITH_TESTS = sorted({b.page for b in _blocks() if b.marker == "pytest"})


@pytest.mark.parametrize("page", PAGES_WITH_TESTS, ids=lambda p: p.name)
def test_pytest_examples_pass(page: Path, pytester: pytest.Pytester) -> None:
    """A page's test modules pass against the app modules the same page shows."""
    blocks = [b for b in _blocks() if b.page == page]
    for block in blocks:
        if block.marker is not None and block.marker.startswith("module "):
            pytester.makepyfile(**{block.marker.removeprefix("module "): block.source})
    tests = [b for b in blocks if b.marker == "pytest"]
    for n, block in enumerate(tests):
        pytester.makepyfile(**{f"test_docs_example_{n}": block.source})
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
    expected = sum(len(re.findall(r"^async def test_|^def test_", b.source, re.M)) for b in tests)
    assert expected
    result.assert_outcomes(passed=expected)


# --- the retry classification table ---------------------------------------------------------


def test_meta_code_table_matches_the_classification() -> None:
    """The errors page's MetaErrorClass table lists exactly the codes of each class."""
    text = _page_section("docs/errors.md", "Retries and the at-most-once rule")
    rows: dict[MetaErrorClass, set[int]] = {}
    for line in text.splitlines():
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


# --- modules run the way their framework runs them ------------------------------------------


def _load(page: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import a ``module NAME`` block of ``page`` as ``NAME``, for this test only."""
    path = tmp_path / f"{name}.py"
    path.write_text(_marked(f"module {name}", page).source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # gone again after the test
    spec.loader.exec_module(module)
    return module


# arq's Worker.close() calls redis' deprecated close(); not ours to fix.
@pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")
async def test_the_arq_worker_returns_outcomes_that_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under a real arq Worker (redis faked in memory), the job's result is read back whole."""
    fakeredis = pytest.importorskip("fakeredis")
    arq_connections = pytest.importorskip("arq.connections")
    arq_worker = pytest.importorskip("arq.worker")

    async def no_server_info(*_: Any, **__: Any) -> None:
        pass  # the worker logs `INFO server` at start; fakeredis has no such command

    monkeypatch.setattr(arq_worker, "log_redis_info", no_server_info)
    worker_module = _load("docs/frameworks.md", "worker", tmp_path, monkeypatch)
    fake = FakeEngagive()
    fake.script(Fault.meta_error(131026), route="messages.send_template")
    monkeypatch.setattr(
        worker_module,
        "make_client",
        lambda: AsyncClient("test-token", transport=httpx.ASGITransport(fake.app)),
    )
    redis = arq_connections.ArqRedis(
        connection_pool=fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer()).connection_pool
    )
    orders = [
        {"id": "A-1", "phone": "923001234567", "name": "Ann"},
        {"id": "A-2", "phone": "923007654321", "name": "Bob"},
    ]
    job = await redis.enqueue_job("send_shipping_notices", orders)
    settings = worker_module.WorkerSettings
    worker = arq_worker.Worker(
        functions=settings.functions,
        on_startup=settings.on_startup,
        on_shutdown=settings.on_shutdown,
        redis_pool=redis,
        burst=True,
        poll_delay=0,
        handle_signals=False,
    )
    try:
        await worker.main()
        result = await job.result(timeout=5)  # unpickled from redis, as a caller reads it
    finally:
        await worker.close()
    assert result == pickle.loads(pickle.dumps(result))  # noqa: S301 - our own bytes
    json.dumps(result)
    by_key = {o["item"]["key"]: o for o in result["outcomes"]}
    assert {k: o["status"] for k, o in by_key.items()} in (
        {"A-1": "failed", "A-2": "sent"},
        {"A-1": "sent", "A-2": "failed"},
    )
    failed = next(o for o in by_key.values() if o["status"] == "failed")
    assert failed["error"]["meta_code"] == 131026
    assert result["by_status"] == {"sent": 1, "failed": 1, "unknown": 0, "skipped": 0}
    assert len(fake.sent) == 1
