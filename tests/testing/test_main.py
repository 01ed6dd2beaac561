"""``python -m engagive_async.testing``: the command line that serves a FakeEngagive."""

from __future__ import annotations

import selectors
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from engagive_async.testing import Fault
from engagive_async.testing.__main__ import build, parse_fault
from tests.testing._support import TEMPLATE_BODY, path


@pytest.fixture
def served() -> Iterator[str]:
    """The fake started as a subprocess; yields the URL it printed, kills it afterwards."""
    args = ["--port", "0", "--latency", "0.01", "--token", "T", "--templates", "3"]
    args += ["--fault-rate", "429:1=0.5", "--fault-rate", "meta:131026=0.5", "--seed", "1"]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "engagive_async.testing", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=30), "the fake printed nothing within 30 s"
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        yield line.split()[1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        assert proc.stderr is not None
        errors = proc.stderr.read()
        proc.stderr.close()
        assert "Traceback" not in errors


def test_prints_its_url_and_serves(served: str) -> None:
    """The subprocess prints one 'serving URL' line, then answers with its options applied."""
    headers = {"Authorization": "Bearer T"}
    with httpx.Client(base_url=served, headers=headers) as c:
        listed = c.get(path("templates.list"))
        sends = [c.post(path("messages.send_template"), json=TEMPLATE_BODY) for _ in range(4)]
        wrong = c.get(path("templates.list"), headers={"Authorization": "Bearer test-token"})
    assert listed.json()["pagination"]["total"] == 4  # order_shipped + --templates 3
    assert {r.status_code for r in sends} == {429, 502}  # rates add up to 1: every send faulted
    assert next(r for r in sends if r.status_code == 429).headers["retry-after"] == "1"
    assert wrong.status_code == 401


def test_build_applies_the_options() -> None:
    """The parsed command line becomes the fake's settings; nothing is logged."""
    fake, args = build(
        ["--latency", "0.5", "--pagination", "cursor", "--page-size", "150", "--account", "3"]
    )
    assert fake.latency == 0.5
    assert fake.pagination == "cursor"
    assert fake.page_size == 150
    assert fake.record is False
    assert args.port == 0
    assert fake._tokens.refusal("Bearer test-token", "3") is None
    assert fake._tokens.refusal("Bearer test-token", "1") == (403, "Not allowed for account 1")


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("429", Fault.status(429)),
        ("503:2.5", Fault.status(503, retry_after=2.5)),
        ("meta:131026", Fault.meta_error(131026)),
        ("meta:130429:400", Fault.meta_error(130429, status=400)),
        ("html", Fault.html()),
        ("html:504", Fault.html(504)),
        ("empty", Fault.empty()),
        ("malformed", Fault.malformed_json()),
        ("success_false", Fault.success_false()),
        ("delay:2", Fault.delay(2)),
        ("drop", Fault.drop()),
    ],
)
def test_parse_fault(spec: str, fault: Fault) -> None:
    """Each short fault text names its fault."""
    assert parse_fault(spec) == fault


@pytest.mark.parametrize("spec", ["teapot", "meta:x", "delay", "drop:1", "429:soon"])
def test_parse_fault_refuses_unknown_texts(spec: str) -> None:
    """Unknown or malformed fault texts are a ValueError naming the text."""
    with pytest.raises(ValueError, match="fault"):
        parse_fault(spec)


def test_bad_fault_rate_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A --fault-rate without '=' exits with a usage error."""
    with pytest.raises(SystemExit):
        build(["--fault-rate", "429"])
    assert "FAULT=RATE" in capsys.readouterr().err
