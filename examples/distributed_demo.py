"""One campaign across worker processes, a worker killed mid-run, and the proof from the log.

``make demo-distributed`` runs it: a campaign of 20,000 rows is planned into chunk jobs on
procrastinate (``CampaignJobs``) and sent by 4 worker processes that share one PostgreSQL
(started here on loopback) for their job queue, their journal (``PostgresJournal``: each row
claimed by one worker, durably, before its request) and their pace (``PostgresPacing``: one
rate for the number, a shared pause after a 429 or Meta's throughput errors, a spacing per
recipient). FakeEngagive runs in a process of its own on 127.0.0.1 and injects faults at random
(429s, Meta throughput and recipient errors, slow answers, dropped connections). One worker is
SIGKILLed mid-run and a replacement is started; the dead worker's running chunk jobs go back to
the queue once its heartbeat stops and run again elsewhere.

At the end the fake writes its request log and the demo checks, from that log and the journal:

* every row has exactly one journal record, with a final status (or ``IN_FLIGHT``, for the
  rows the killed worker had claimed: held as maybe sent, never resent);
* no recipient was accepted twice, and a recipient with more than one request had every
  earlier one refused by a "not sent" answer (a 429, Meta's throughput errors);
* the aggregate send rate stayed within 10 % of the shared limit.

Run ``python examples/distributed_demo.py --help`` for the knobs (rows, workers, rate).
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import psycopg

from engagive_async import AsyncClient, Pacing, PostgresPacing, RetryPolicy, TemplateSend
from engagive_async.campaigns import CampaignJobs, procrastinate_app
from engagive_async.testing import DEFAULT_TOKEN, FakeEngagive, Fault, local_postgres

CAMPAIGN = "distributed-demo"
PACING_KEY = "number:demo"
#: The faults the fake injects at random, and how often (per send request).
FAULTS = {
    Fault.status(429, retry_after=0.2): 0.0005,  # Engagive's own limit: pauses everyone
    Fault.meta_error(130429): 0.0005,  # Meta: the number's throughput: pauses everyone
    Fault.meta_error(131056): 0.001,  # Meta: pair limit: this recipient later
    Fault.meta_error(131026): 0.004,  # Meta: undeliverable: FAILED, final
    Fault.meta_error(131000): 0.002,  # Meta: something went wrong: FAILED, final
    Fault.delay(0.05): 0.01,  # a slow answer (the send is accepted)
    Fault.drop(): 0.0005,  # the connection drops after the request: UNKNOWN, never resent
}
#: Refusals after which nothing was sent (Meta issued no wamid and says why): a request after
#: one of these to the same recipient is no duplicate.
NOT_SENT = {"429", "meta:130429", "meta:131056"}
#: The refusals that pause every worker of the number.
PAUSING = {"429", "meta:130429"}


def recipient(row: int) -> str:
    return f"92300{row:07d}"


def campaign_rows(rows: int) -> Iterator[TemplateSend]:
    """The campaign's rows, made from their numbers (no input file needed)."""
    for row in range(rows):
        yield TemplateSend(
            to=recipient(row), template_name="order_shipped", lang_code="en", key=f"row-{row:06d}"
        )


# --- the fake, in its own process -----------------------------------------------------------


async def serve_fake(log_path: Path, seed: int, latency: float) -> None:
    """Serve FakeEngagive with random faults until SIGTERM, then write its request log."""
    fake = FakeEngagive(latency=latency)
    fake.fault_mix(FAULTS, seed=seed)
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async with fake.serve() as base_url:
            print(f"serving {base_url}", flush=True)
            async for _ in signals:
                break
    with log_path.open("w", encoding="utf-8") as out:
        for request in fake.requests:
            if request.route != "messages.send_template" or not isinstance(request.json, dict):
                continue
            out.write(
                json.dumps(
                    {
                        "kind": "request",
                        "at": request.at,
                        "to": request.json.get("to"),
                        "fault": _fault_name(request.fault),
                    }
                )
                + "\n"
            )
        for sent in fake.sent:
            out.write(json.dumps({"kind": "accepted", "at": sent.at, "to": sent.to}) + "\n")


def _fault_name(fault: Fault | None) -> str | None:
    if fault is None:
        return None
    if fault.meta_code is not None:
        return f"meta:{fault.meta_code}"
    if fault.kind.value == "status":
        return str(fault.http_status)
    return fault.kind.value


# --- a worker process -----------------------------------------------------------------------


class CountedPace:
    """The worker's shared pace, counting the requests it let start (for round trips/message)."""

    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self.acquired = 0

    async def acquire(self, recipient: str | None = None) -> None:
        await self.pacing.acquire(recipient)
        self.acquired += 1

    async def pause(self, seconds: float) -> None:
        await self.pacing.pause(seconds)


async def work(dsn: str, base_url: str, args: Any) -> None:
    """Run chunk jobs until the campaign is done, over the shared journal and pace."""
    app = procrastinate_app(dsn)

    def client() -> AsyncClient:
        return AsyncClient(DEFAULT_TOKEN, base_url=base_url, retry=RetryPolicy(max_attempts=6))

    async with (
        app.open_async(),
        PostgresPacing(dsn, key=PACING_KEY, rate=args.rate) as pacing,
    ):
        counted = CountedPace(pacing)
        async with CampaignJobs(
            app,
            database=dsn,
            client=client,
            concurrency=args.concurrency,
            send_options={"pacing": counted},
        ) as jobs:
            print(json.dumps({"started": True}), flush=True)
            # A worker whose heartbeat stops for 3 s is dead: its running jobs are requeued.
            await jobs.work(concurrency=2, until_done=True, stalled_after=3, heartbeat=0.5)
        report = {"done": True, "acquired": counted.acquired, "round_trips": pacing.round_trips}
        print(json.dumps(report), flush=True)


# --- the run --------------------------------------------------------------------------------


class Worker:
    """A worker process and what it reported."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.process: anyio.abc.Process | None = None
        self.started = anyio.Event()
        self.report: dict[str, Any] | None = None
        self.killed_at: float | None = None

    async def run(self, dsn: str, base_url: str, args: argparse.Namespace) -> None:
        argv = [sys.executable, __file__, "worker", "--dsn", dsn, "--base-url", base_url]
        argv += ["--rate", str(args.rate), "--concurrency", str(args.concurrency)]
        async with await anyio.open_process(argv, stderr=None) as process:
            self.process = process
            assert process.stdout is not None
            buffer = b""
            async for data in process.stdout:
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    message = json.loads(line)
                    if message.get("started"):
                        self.started.set()
                    if message.get("done"):
                        self.report = message
            await process.wait()
        self.started.set()  # a worker that died before its first outcome releases the waiter

    def kill(self) -> None:
        assert self.process is not None
        self.killed_at = time.monotonic()
        self.process.send_signal(signal.SIGKILL)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with local_postgres() as dsn, tempfile.TemporaryDirectory() as tmp:
        app = procrastinate_app(dsn)
        async with app.open_async(), CampaignJobs(app, database=dsn) as jobs:
            # Chunks small enough that every worker has several, and a killed one loses little.
            chunk_size = max(50, args.rows // (args.workers * 10))
            await jobs.plan(CAMPAIGN, 1, campaign_rows(args.rows), chunk_size=chunk_size)
        log_path = Path(tmp) / "requests.jsonl"
        fake_argv = [sys.executable, __file__, "fake", "--log", str(log_path)]
        fake_argv += ["--seed", str(args.seed), "--latency", str(args.latency)]
        async with await anyio.open_process(fake_argv, stderr=None) as fake:
            assert fake.stdout is not None
            first = b""
            while not first.endswith(b"\n"):
                first += await fake.stdout.receive()
            base_url = first.decode().split()[1]
            workers = [Worker(f"w{i}") for i in range(args.workers)]
            replacement = Worker("w0-replacement")
            began = time.monotonic()
            async with anyio.create_task_group() as tg:
                for worker in workers:
                    tg.start_soon(worker.run, dsn, base_url, args)
                await workers[0].started.wait()
                # Kill a worker once about 40 % of its share should be done, in its stride.
                await anyio.sleep(0.4 * args.rows / args.rate)
                workers[0].kill()
                tg.start_soon(replacement.run, dsn, base_url, args)
            finished = time.monotonic()
            fake.send_signal(signal.SIGTERM)
            await fake.wait()
        log = [json.loads(line) for line in log_path.open(encoding="utf-8")]
        if args.keep_log is not None:
            args.keep_log.write_text(log_path.read_text(encoding="utf-8"), encoding="utf-8")
        journal = await read_journal(dsn)
        jobs_by_status = await read_jobs(dsn)
    proof = prove(args, log, journal, [*workers, replacement], finished - began)
    proof["chunk_jobs"] = jobs_by_status
    proof["checks"]["every chunk job succeeded"] = set(jobs_by_status) == {"succeeded"}
    proof["ok"] = all(proof["checks"].values())
    return proof


async def read_journal(dsn: str) -> list[tuple[str, str, str]]:
    """(row key, status, recipient) of every journal row of the campaign."""
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        cursor = await conn.execute(
            "SELECT row_key, status, recipient FROM engagive_sends WHERE campaign = %s",
            (CAMPAIGN,),
        )
        return [tuple(row) for row in await cursor.fetchall()]  # type: ignore[misc]


async def read_jobs(dsn: str) -> dict[str, int]:
    """The campaign's chunk jobs by procrastinate status."""
    async with await psycopg.AsyncConnection.connect(dsn) as conn:
        cursor = await conn.execute(
            "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status"
        )
        return {status: int(n) for status, n in await cursor.fetchall()}


# --- the proof ------------------------------------------------------------------------------


def prove(
    args: argparse.Namespace,
    log: list[dict[str, Any]],
    journal: list[tuple[str, str, str]],
    workers: list[Worker],
    elapsed: float,
) -> dict[str, Any]:
    requests = sorted((r for r in log if r["kind"] == "request"), key=lambda r: r["at"])
    accepted = collections.Counter(r["to"] for r in log if r["kind"] == "accepted")
    checks: dict[str, bool] = {}

    # Every row: exactly one journal record, in a final state.
    keys = collections.Counter(key for key, _, _ in journal)
    statuses = collections.Counter(status for _, status, _ in journal)
    expected = {f"row-{row:06d}" for row in range(args.rows)}
    checks["one journal record per row"] = set(keys) == expected and max(keys.values()) == 1
    final = {"SENT", "FAILED", "UNKNOWN"}
    in_flight = statuses.get("IN_FLIGHT", 0)
    checks["every record final, IN_FLIGHT only from the killed worker"] = (
        set(statuses) <= final | {"IN_FLIGHT"} and in_flight <= args.concurrency
    )

    # Nobody received twice; a second request only after a refusal that sent nothing.
    checks["no recipient accepted twice"] = max(accepted.values(), default=0) <= 1
    by_recipient: dict[str, list[str | None]] = collections.defaultdict(list)
    for request in requests:
        by_recipient[request["to"]].append(request["fault"])
    repeated = {to: faults for to, faults in by_recipient.items() if len(faults) > 1}
    checks["every repeated request followed a not-sent refusal"] = all(
        all(fault in NOT_SENT for fault in faults[:-1]) for faults in repeated.values()
    )
    sent_rows = {to for _, status, to in journal if status == "SENT"}
    failed_rows = {to for _, status, to in journal if status == "FAILED"}
    checks["journal SENT = accepted by the fake"] = all(accepted[to] == 1 for to in sent_rows)
    checks["journal FAILED = never accepted"] = all(accepted[to] == 0 for to in failed_rows)

    # The shared rate: per whole second, every send request counts (Meta counts refusals too).
    times = [r["at"] for r in requests]
    start, end = times[0], times[-1]
    seconds = int(end - start)
    per_second = [0] * max(1, seconds)
    for at in times:
        bucket = int(at - start)
        if bucket < seconds:
            per_second[bucket] += 1
    paused = {int(r["at"] - start) for r in requests if r["fault"] in PAUSING}
    # Seconds clear of a shared pause, and of the opening and closing seconds.
    clear = [
        n
        for second, n in enumerate(per_second)
        if 0 < second < seconds - 1 and second not in paused and second - 1 not in paused
    ]
    steady = statistics.mean(clear) if clear else 0.0
    checks["steady rate within 10 % of the limit"] = abs(steady - args.rate) <= 0.1 * args.rate
    # The pace lets a tenth of a second's worth start at once (its burst), so a 1 s window may
    # hold up to 110 % of the limit by design; over 5 s no stretch may pass the limit by 10 %.
    peak_5s = _peak_window(times, 5.0) / 5
    peak_1s = _peak_window(times, 1.0)
    checks["no 5 s stretch above the limit + 10 %"] = peak_5s <= 1.1 * args.rate

    reports = [w.report for w in workers if w.report is not None]
    handled = sum(r["acquired"] for r in reports)
    round_trips = sum(r["round_trips"] for r in reports)
    killed = workers[0]
    in_flight_reached = sum(
        1 for _, status, to in journal if status == "IN_FLIGHT" and accepted[to] == 1
    )
    return {
        "rows": args.rows,
        "workers": args.workers,
        "rate_limit": args.rate,
        "elapsed_s": round(elapsed, 1),
        "journal": dict(statuses),
        "killed_worker": {
            "killed_after_s": round((killed.killed_at or 0) - start, 1),
            "rows_left_in_flight": in_flight,
            "of_which_reached_the_fake": in_flight_reached,
        },
        "requests": len(requests),
        "accepted": sum(accepted.values()),
        "faults": dict(collections.Counter(r["fault"] for r in requests if r["fault"])),
        "recipients_with_a_retry": len(repeated),
        "rate": {
            "steady_per_s": round(steady, 1),
            "peak_1s_window": peak_1s,
            "peak_5s_per_s": round(peak_5s, 1),
            "overall_per_s": round(len(times) / (end - start), 1),
            "seconds_paused": len(paused),
        },
        "pacing_round_trips_per_message": round(round_trips / max(1, handled), 4),
        "checks": checks,
        "ok": all(checks.values()),
    }


def _peak_window(times: list[float], width: float) -> int:
    """The most events in any window of ``width`` seconds."""
    peak, low = 0, 0
    for high, at in enumerate(times):
        while at - times[low] >= width:
            low += 1
        peak = max(peak, high - low + 1)
    return peak


def print_proof(proof: dict[str, Any]) -> None:
    rate = proof["rate"]
    killed = proof["killed_worker"]
    print(
        f"{proof['rows']:,} rows, {proof['workers']} workers, shared limit "
        f"{proof['rate_limit']:g}/s: {proof['elapsed_s']} s"
    )
    print(f"journal: {proof['journal']}; chunk jobs: {proof['chunk_jobs']}")
    print(
        f"killed a worker after {killed['killed_after_s']} s: {killed['rows_left_in_flight']} "
        f"rows left IN_FLIGHT ({killed['of_which_reached_the_fake']} had reached the fake), "
        "none resent"
    )
    print(
        f"fake: {proof['requests']:,} send requests, {proof['accepted']:,} accepted, "
        f"faults {proof['faults']}; {proof['recipients_with_a_retry']} recipients retried "
        "after a not-sent refusal"
    )
    print(
        f"rate: {rate['steady_per_s']}/s steady (seconds clear of a shared pause), "
        f"peak {rate['peak_5s_per_s']}/s over any 5 s and {rate['peak_1s_window']} in any 1 s, "
        f"{rate['overall_per_s']}/s overall "
        f"({rate['seconds_paused']} seconds met a shared pause)"
    )
    print(f"pacing round trips per message: {proof['pacing_round_trips_per_message']}")
    for name, ok in proof["checks"].items():
        print(f"  [{'ok' if ok else 'FAILED'}] {name}")
    print("PROOF HOLDS" if proof["ok"] else "PROOF FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", nargs="?", default="run", choices=["run", "fake", "worker"])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=300.0, help="the shared limit, per second")
    parser.add_argument("--concurrency", type=int, default=32, help="sends in flight per worker")
    parser.add_argument("--seed", type=int, default=7, help="of the fake's random faults")
    parser.add_argument(
        "--latency", type=float, default=0.1, help="seconds the fake takes per request"
    )
    parser.add_argument("--json", action="store_true", help="print the proof as JSON")
    parser.add_argument("--keep-log", type=Path, help="copy the fake's request log here")
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode == "fake":
        anyio.run(serve_fake, args.log, args.seed, args.latency)
    elif args.mode == "worker":
        anyio.run(work, args.dsn, args.base_url, args)
    else:
        proof = anyio.run(run, args)
        if args.json:
            print(json.dumps(proof))
        else:
            print_proof(proof)
        sys.exit(0 if proof["ok"] else 1)


if __name__ == "__main__":
    main()
