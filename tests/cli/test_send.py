"""send-template end to end: the CLI against FakeEngagive on a socket, journal included."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from engagive_async import RetryPolicy
from engagive_async.testing import FakeEngagive, Fault
from tests.cli.conftest import invoke, number, send_args, write_csv

pytestmark = pytest.mark.usefixtures("base_url")


def journal_rows(path: Path) -> dict[str, tuple[str, str]]:
    """row key -> (status, recipient), read with plain sqlite3."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT row_key, status, recipient FROM engagive_sends").fetchall()
    return {key: (status, to) for key, status, to in rows}


def json_out(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout)
    return result


def test_campaign_sends_each_row_once_and_a_rerun_sends_nothing(
    fake: FakeEngagive, tmp_path: Path
) -> None:
    """Every row is sent once with the template's parameters; the rerun skips them all."""
    path = write_csv(tmp_path / "r.csv", 120)
    first = invoke(*send_args(path, "--concurrency", "16"))
    assert first.exit_code == 0, first.stderr
    assert sorted(m.to for m in fake.sent) == [number(n) for n in range(120)]
    body = fake.sent[0].body["content_json"]
    assert (body["template_name"], body["lang_code"]) == ("order_shipped", "en")
    assert body["components"][0]["parameters"][0]["text"].startswith("Customer ")
    assert "journal:" in first.stdout
    assert "sent" in first.stdout
    journal = tmp_path / "r.journal.sqlite"
    assert set(journal_rows(journal).values()) == {("SENT", number(n)) for n in range(120)}

    again = invoke(*send_args(path, "--json"))
    assert again.exit_code == 0, again.stderr
    assert len(fake.sent) == 120
    summary = json_out(again.stdout)
    assert summary["run"]["sent"] == 0
    assert summary["skip_reasons"] == {"already sent": 120}
    assert summary["campaign_totals"]["by_status"]["sent"] == 120


def test_meta_refusals_fail_their_rows_and_are_not_resent(
    fake: FakeEngagive, tmp_path: Path
) -> None:
    """Meta 131026 rows end FAILED (exit 1), counted by code, and a rerun does not resend them."""
    fake.script(Fault.meta_error(131026), Fault.meta_error(131026), route="messages.send_template")
    path = write_csv(tmp_path / "r.csv", 30)
    first = invoke(*send_args(path, "--json", "--journal", str(tmp_path / "j.sqlite")))
    assert first.exit_code == 1
    summary = json_out(first.stdout)
    assert (summary["run"]["sent"], summary["run"]["failed"]) == (28, 2)
    assert summary["campaign_totals"]["by_meta_error"] == {"131026": 2}
    assert summary["exit_code"] == 1

    again = invoke(*send_args(path, "--json", "--journal", str(tmp_path / "j.sqlite")))
    assert again.exit_code == 1  # two rows remain unsent
    assert json_out(again.stdout)["skip_reasons"] == {
        "already sent": 28,
        "failed in an earlier run (not retryable)": 2,
    }
    assert len(fake.sent) == 28


def test_rows_refused_for_pace_are_sent_by_the_rerun(fake: FakeEngagive, tmp_path: Path) -> None:
    """A row whose every attempt got 429 is FAILED but retryable: the rerun sends it once."""
    # One item at a time: the first two use up every attempt on 429s, the rest go through.
    attempts = RetryPolicy().max_attempts
    fake.script(
        *[Fault.status(429, retry_after=0)] * (2 * attempts), route="messages.send_template"
    )
    path = write_csv(tmp_path / "r.csv", 5)
    first = invoke(*send_args(path, "--json", "--concurrency", "1"))
    assert first.exit_code == 1
    failed = json_out(first.stdout)["run"]["failed"]
    assert failed == 2
    assert len(fake.sent) == 3

    again = invoke(*send_args(path, "--json"))
    assert again.exit_code == 0, again.stdout
    assert json_out(again.stdout)["run"]["sent"] == failed
    assert Counter(m.to for m in fake.sent) == Counter(number(n) for n in range(5))


def test_dry_run_checks_every_row_and_sends_nothing(fake: FakeEngagive, tmp_path: Path) -> None:
    """--dry-run validates the file and makes no request at all."""
    path = write_csv(tmp_path / "r.csv", 50)
    result = invoke(*send_args(path, "--dry-run"))
    assert result.exit_code == 0
    assert "50 rows checked, all valid" in result.stdout
    assert fake.requests == []
    assert not (tmp_path / "r.journal.sqlite").exists()


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "phone,body.1\n923001112222,x\n", "field 'to': missing"),
        ("b.csv", "to,body.1\n923001112222,x\n92300,y\n", "row 2 (line 3), field 'to': '92300'"),
        ("c.csv", "to,nick\n923001112222,x\n", "line 1, field 'nick': unknown column"),
        ("d.csv", "to,body.1\n923001112222,\n", "row 1 (line 2), field 'body.1': is empty"),
        ("e.csv", b"to,body.1\n923001112222,Jos\xe9\n", "row 1 (line 2): the file is not UTF-8"),
        ("f.jsonl", '{"to": "923001112222"}\n{"to": [1]}\n', "row 2 (line 2), field 'to'"),
        ("g.xlsx", "to\n", "unsupported file type"),
        ("missing.csv", None, "cannot read"),
    ],
)
def test_bad_input_is_named_and_nothing_is_sent(
    fake: FakeEngagive, tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    """Each kind of bad input exits 2 with a message naming file, row and field; nothing is
    sent."""
    path = tmp_path / name if content is None else _write(tmp_path / name, content)
    result = invoke(*send_args(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert name in result.stderr  # every file error names the file, once a line
    assert all(line.count(name) <= 1 for line in result.stderr.splitlines())
    assert fake.requests == []


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--template", "Order Shipped", "--template"), ("--lang", "english", "--lang")],
)
def test_bad_template_or_language_is_refused_up_front(
    fake: FakeEngagive, tmp_path: Path, option: str, value: str, message: str
) -> None:
    """A template name or language code Meta would refuse stops the run before any request."""
    path = write_csv(tmp_path / "r.csv", 2)
    args = [str(a) for a in send_args(path)]
    args[args.index(option) + 1] = value
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert fake.requests == []


def test_refused_token_stops_before_any_send_and_is_never_printed(
    fake: FakeEngagive, tmp_path: Path
) -> None:
    """A token the API refuses exits 2 after one read, and the token appears nowhere."""
    path = write_csv(tmp_path / "r.csv", 3)
    result = invoke(*send_args(path, "--token", "sekrit-token-123"))
    assert result.exit_code == 2
    assert "sekrit-token-123" not in result.stdout + result.stderr
    assert "401" in result.stderr
    assert fake.sent == []
    assert len(fake.requests) == 1


def test_deadline_skips_the_rest_and_the_rerun_sends_it(fake: FakeEngagive, tmp_path: Path) -> None:
    """Rows not sent by the deadline are skipped or never read (exit 1); a rerun sends those."""
    fake.latency = 0.05
    path = write_csv(tmp_path / "r.csv", 40)
    first = invoke(*send_args(path, "--json", "--concurrency", "2", "--deadline", "0.2"))
    assert first.exit_code == 1
    summary = json_out(first.stdout)
    left = summary["run"]["not_attempted"] + summary["skip_reasons"].get("deadline", 0)
    assert left > 0
    assert summary["run"]["sent"] + left == 40
    fake.latency = 0.0
    again = invoke(*send_args(path, "--json"))
    assert again.exit_code == 0
    assert json_out(again.stdout)["run"]["sent"] == left
    assert Counter(m.to for m in fake.sent) == Counter(number(n) for n in range(40))


def test_jsonl_rows_are_keyed_by_their_key(fake: FakeEngagive, tmp_path: Path) -> None:
    """JSONL rows with a key column are journaled under that key."""
    path = tmp_path / "r.jsonl"
    path.write_text(
        "".join(
            json.dumps({"to": number(n), "key": f"cust-{n}", "body.name": f"C{n}"}) + "\n"
            for n in range(3)
        ),
        encoding="utf-8",
    )
    result = invoke(*send_args(path))
    assert result.exit_code == 0, result.stderr
    assert journal_rows(tmp_path / "r.journal.sqlite") == {
        f"cust-{n}": ("SENT", number(n)) for n in range(3)
    }
    params = fake.sent[0].body["content_json"]["components"][0]["parameters"]
    assert params[0]["parameter_name"] == "name"


def test_credentials_refused_mid_campaign_stop_it_and_the_row_stays_resendable(
    fake: FakeEngagive, tmp_path: Path
) -> None:
    """A 401 on a send stops the campaign (exit 1); that row is retryable, so the rerun ends it."""
    fake.script(Fault.status(401, error="token revoked"), route="messages.send_template")
    path = write_csv(tmp_path / "r.csv", 20)
    first = invoke(*send_args(path, "--json", "--concurrency", "1"))
    assert first.exit_code == 1
    assert "stopped: the API refused the credentials" in first.stderr
    summary = json_out(first.stdout)
    assert summary["run"]["failed"] == 1
    assert (summary["run"]["sent"], summary["run"]["not_attempted"]) == (0, 19)
    again = invoke(*send_args(path, "--json"))
    assert again.exit_code == 0
    assert Counter(m.to for m in fake.sent) == Counter(number(n) for n in range(20))


@pytest.mark.parametrize(
    ("template", "lang", "columns", "message"),
    [
        ("nope", "en", 1, "template 'nope' in 'en' does not exist; nothing was sent"),
        ("order_shipped", "es", 1, "template 'order_shipped' in 'es' has no content in that"),
        ("order_shipped", "en", 2, "the send gives 2 body parameters; the file's body.N columns"),
    ],
    ids=["unknown-template", "unknown-language", "parameter-count"],
)
def test_a_template_meta_would_refuse_stops_before_the_first_send(
    fake: FakeEngagive, tmp_path: Path, template: str, lang: str, columns: int, message: str
) -> None:
    """The pre-flight always runs: a mismatch exits 2 naming the template; no row is sent."""
    path = tmp_path / "r.csv"
    header = ",".join(["to", *[f"body.{i}" for i in range(1, columns + 1)]])
    values = ",".join([number(1), *["x"] * columns])
    path.write_text(f"{header}\n{values}\n", encoding="utf-8")
    args = [str(a) for a in send_args(path)]
    args[args.index("--template") + 1] = template
    args[args.index("--lang") + 1] = lang
    result = invoke(*args)
    assert result.exit_code == 2
    assert template in result.stderr
    assert message in result.stderr
    assert fake.sent == []
    assert not (tmp_path / "r.journal.sqlite").exists()


def test_bare_5xx_rows_are_unknown_and_the_rerun_skips_them(
    fake: FakeEngagive, tmp_path: Path
) -> None:
    """A 503 without Meta's error is UNKNOWN (exit 1, said in the summary), not resent."""
    fake.script(Fault.status(503), route="messages.send_template")
    path = write_csv(tmp_path / "r.csv", 5)
    first = invoke(*send_args(path, "--journal", str(tmp_path / "j.sqlite")))
    assert first.exit_code == 1
    assert "may have been delivered" in first.stdout
    assert "--resend-unknown" in first.stdout
    again = invoke(*send_args(path, "--json", "--journal", str(tmp_path / "j.sqlite")))
    summary = json_out(again.stdout)
    assert summary["skip_reasons"] == {
        "already sent": 4,
        "may have been sent in an earlier run (unknown or in flight)": 1,
    }
    assert summary["campaign_totals"]["by_status"]["unknown"] == 1
    sends = [r for r in fake.requests if r.method == "POST"]
    assert len(sends) == 5  # the rerun sent nothing
