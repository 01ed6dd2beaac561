"""Every Python example of docs/*.md runs in the suite, so the docs cannot drift from the code.

Each ```python block must come right after an HTML comment saying how it runs (invisible once
rendered); a block without one fails, so no example can be left unexecuted:

* ``<!-- test: program -->``: a complete program, run as ``__main__`` unchanged. It must run
  offline, as the docs promise: against a FakeEngagive it creates itself.
* ``<!-- test: module NAME -->``: a module of the reader's app (``NAME.py``), importable by
  the ``pytest`` blocks of the same file.
* ``<!-- test: pytest -->``: a test module, run by pytest (in process, through ``pytester``)
  next to the file's ``module`` blocks; every test in it must pass.

Blocks must also compile and import only names the package has. A few modules are also run
the way their framework runs them (the arq worker under a real ``arq.Worker``), below.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import pickle
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx
import pytest

from engagive_async import AsyncClient
from engagive_async.testing import FakeEngagive, Fault

pytest_plugins = ["pytester"]

DOCS = Path(__file__).parent.parent / "docs"
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!-- test: ([\w\- ]+?) -->\n$")
_KINDS = re.compile(r"program|pytest|module [a-z_][a-z0-9_]*")


@attrs.frozen
class Block:
    """One ```python block of a docs file: where it is, its source, and how it runs."""

    doc: Path
    line: int
    source: str
    marker: str | None

    @property
    def where(self) -> str:
        return f"docs/{self.doc.name}:{self.line}"


def _blocks(doc: Path) -> list[Block]:
    text = doc.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        marker = _MARKER.search(before)
        found.append(
            Block(doc, before.count("\n") + 1, match.group(1), marker.group(1) if marker else None)
        )
    return found


DOC_FILES = sorted(DOCS.glob("*.md"))
ALL_BLOCKS = [block for doc in DOC_FILES for block in _blocks(doc)]


def _marked(doc: str, marker: str) -> Block:
    matches = [b for b in _blocks(DOCS / doc) if b.marker == marker]
    assert len(matches) == 1, f"docs/{doc} has {len(matches)} blocks marked {marker!r}"
    return matches[0]


def test_the_docs_have_examples() -> None:
    """The glob finds the docs, so an empty match cannot pass the tests below vacuously."""
    assert {"logging-results.md", "frameworks.md"} <= {d.name for d in DOC_FILES}
    assert len(ALL_BLOCKS) >= 5


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=lambda b: b.where)
def test_every_block_runs_and_imports_real_names(block: Block) -> None:
    """Each block says how it runs, compiles, and imports only names the package has."""
    needs = f"{block.where}: every python block needs <!-- test: program|module NAME|pytest -->"
    assert block.marker is not None, needs
    assert _KINDS.fullmatch(block.marker), needs
    tree = ast.parse(block.source, block.where)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engagive_async"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                assert hasattr(module, alias.name), f"{block.where}: {alias.name}"


PROGRAMS = [b for b in ALL_BLOCKS if b.marker == "program"]


@pytest.mark.parametrize("block", PROGRAMS, ids=lambda b: b.where)
def test_program_runs_offline_as_written(
    block: Block, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program block runs unchanged, with no token or host in the environment."""
    monkeypatch.delenv("ENGAGIVE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENGAGIVE_BASE_URL", raising=False)
    code = compile(block.source, block.where, "exec")
    exec(code, {"__name__": "__main__"})  # noqa: S102 - the docs' own example
    assert capsys.readouterr().out, f"{block.where} printed nothing"


DOCS_WITH_TESTS = [d for d in DOC_FILES if any(b.marker == "pytest" for b in _blocks(d))]


@pytest.mark.parametrize("doc", DOCS_WITH_TESTS, ids=lambda d: d.name)
def test_pytest_examples_pass(doc: Path, pytester: pytest.Pytester) -> None:
    """The file's test modules pass against the app modules it shows."""
    blocks = _blocks(doc)
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
    result.assert_outcomes(passed=expected)


# --- modules run the way their framework runs them ------------------------------------------


def _load(doc: str, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import a ``module NAME`` block as ``NAME``, for this test only."""
    path = tmp_path / f"{name}.py"
    path.write_text(_marked(doc, f"module {name}").source, encoding="utf-8")
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
    worker_module = _load("frameworks.md", "worker", tmp_path, monkeypatch)
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
