"""``make demo``: the SDK, then a resumable campaign, against FakeEngagive on 127.0.0.1.

1. The basics: list templates, get one, send a template, print its wamid.
2. A campaign: 5,000 generated recipients sent through the real command line
   (``python -m engagive_async send-template``) to a FakeEngagive answering in 30 ms with some
   429s (with Retry-After) and Meta 131026 refusals; then the same command again with the same
   journal, to show that nothing is sent twice.

Nothing leaves the machine: the server listens on 127.0.0.1 and stops with the script.
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from engagive_async import AsyncClient
from engagive_async.testing import FakeEngagive, Fault

TOKEN = "test-token"  # noqa: S105 - FakeEngagive's default token; account 1 is allowed
ACCOUNT = 1
RECIPIENTS = 5_000


def heading(text: str) -> None:
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}== {text}{plain}", flush=True)


async def basics() -> None:
    """Issue 2's demo: the SDK against a FakeEngagive served in this process."""
    fake = FakeEngagive()
    async with fake.serve() as base_url, AsyncClient(TOKEN, base_url=base_url) as client:
        acct = client.account(ACCOUNT)
        print(f"FakeEngagive at {base_url}")
        async for template in acct.templates.list():
            print(f"  template {template.code!r}: {template.category_code}, {template.status}")
        template = await acct.templates.get("order_shipped")
        print(f"get('order_shipped') -> id {template.id}, format {template.parameter_format_code}")
        result = await acct.messages.send_template(
            to="923001234567",
            template_name="order_shipped",
            lang_code="en",
            components=[{"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}],
        )
        print(f"send_template -> wamid {result.wamid}")
        print(f"  metaResponse: {dict(result.meta_response or {})}")


def write_recipients(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["to", "key", "body.1"])
        for n in range(count):
            writer.writerow([f"92300{n:07d}", f"cust-{n:05d}", f"Customer {n}"])


def run_cli(*args: str, base_url: str) -> int:
    """The real command line in a child process, drawing its progress bar on this terminal."""
    env = {**os.environ, "ENGAGIVE_API_TOKEN": TOKEN, "ENGAGIVE_BASE_URL": base_url}
    command = [sys.executable, "-m", "engagive_async", *args]
    print("$ engagive-async " + " ".join(args), flush=True)
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603 - our own CLI


def campaign() -> None:
    fake = FakeEngagive(latency=0.03)
    fake.fault_mix(
        {Fault.status(429, retry_after=0.25): 0.003, Fault.meta_error(131026): 0.01}, seed=1
    )
    with tempfile.TemporaryDirectory() as tmp, fake.serve_in_thread() as base_url:
        recipients = Path(tmp) / "recipients.csv"
        journal = Path(tmp) / "campaign.sqlite"
        write_recipients(recipients, RECIPIENTS)
        print(f"{RECIPIENTS:,} recipients written to {recipients}")
        send = (
            "send-template", str(recipients), "--template", "order_shipped", "--lang", "en",
            "--account", str(ACCOUNT), "--concurrency", "64", "--journal", str(journal),
        )  # fmt: skip

        heading("First run")
        started = time.perf_counter()
        code = run_cli(*send, base_url=base_url)
        accepted = len(fake.sent)
        print(f"exit code {code} (1: some rows were refused); the server accepted "
              f"{accepted:,} sends in {time.perf_counter() - started:.1f} s")  # fmt: skip

        heading("Second run, same journal: nothing is sent twice")
        code = run_cli(*send, base_url=base_url)
        per_recipient = Counter(message.to for message in fake.sent)
        twice = sum(1 for n in per_recipient.values() if n > 1)
        print(f"exit code {code}; the server has now accepted {len(fake.sent):,} sends "
              f"(+{len(fake.sent) - accepted}); recipients messaged twice: {twice}")  # fmt: skip

        heading("The journal, exported")
        export = Path(tmp) / "outcomes.csv"
        run_cli("report", str(journal), "--csv", str(export), base_url=base_url)
        with export.open(encoding="utf-8") as f:
            print("".join(f.readline() for _ in range(3)), end="")


def main() -> None:
    heading("SDK basics against FakeEngagive")
    asyncio.run(basics())
    heading(f"A campaign of {RECIPIENTS:,} through the command line")
    campaign()


if __name__ == "__main__":
    main()
