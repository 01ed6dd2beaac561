"""PostgresPacing: one rate, one pause and one recipient spacing shared by many workers.

Each worker is its own ``PostgresPacing`` (its own connection and local state), as in separate
processes; one test runs real processes. The rates are measured to check correctness (the
aggregate stays at the limit), not speed.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from contextlib import AsyncExitStack, aclosing

import anyio
import pytest

from engagive_async import (
    AsyncClient,
    OutcomeStatus,
    PacingUnavailableError,
    PostgresPacing,
    RetryPolicy,
    TemplateSend,
)
from engagive_async.testing import FakeEngagive, Fault
from tests._support import fake_client

RATE = 200.0
QUICK = RetryPolicy(max_attempts=4, initial_backoff=0, max_backoff=0, max_retry_after=1)


def templates(start: int, n: int) -> list[TemplateSend]:
    """n template sends, each to its own number."""
    return [
        TemplateSend(to=f"92300{i:07d}", template_name="order_shipped", lang_code="en")
        for i in range(start, start + n)
    ]


def client_for(fake: FakeEngagive) -> AsyncClient:
    """A client talking to the fake in process (no latency)."""
    return fake_client(fake, retry=QUICK)


def aggregate_rate(times: list[float], burst: int) -> float:
    """Sends per second after the opening burst, from the first to the last send."""
    times = sorted(times)
    return (len(times) - burst) / (times[-1] - times[0])


async def send_all(client: AsyncClient, items: list[TemplateSend], pacing: PostgresPacing) -> None:
    stream = client.account(1).messages.send_many(items, concurrency=32, pacing=pacing)
    async with aclosing(stream):
        async for outcome in stream:
            assert outcome.status is OutcomeStatus.SENT, outcome


async def test_workers_share_one_rate(pg_database: str) -> None:
    """Four workers sending as fast as they can together stay within 10 % of the shared 200/s,
    and lease in blocks: far fewer database round trips than messages."""
    fake = FakeEngagive()
    per_worker = 150  # 600 messages: 3 s at 200/s
    async with AsyncExitStack() as stack:
        paces = [
            await stack.enter_async_context(
                PostgresPacing(pg_database, key="number:1", rate=RATE, recipient_spacing=None)
            )
            for _ in range(4)
        ]
        clients = [await stack.enter_async_context(client_for(fake)) for _ in range(4)]
        async with anyio.create_task_group() as tg:
            for w in range(4):
                tg.start_soon(send_all, clients[w], templates(w * per_worker, per_worker), paces[w])
    assert len(fake.sent) == 4 * per_worker
    rate = aggregate_rate([s.at for s in fake.sent], burst=int(RATE / 10))
    assert abs(rate - RATE) <= 0.1 * RATE, rate
    # Every worker got a fair part of the number's capacity while the others were busy.
    round_trips = sum(p.round_trips for p in paces)
    assert round_trips / len(fake.sent) < 0.2, round_trips


async def test_a_pause_set_by_one_worker_holds_the_others(pg_database: str) -> None:
    """After worker A pauses the key, worker B starts nothing more (once the announcement has
    arrived: milliseconds, allowed 0.15 s on a busy machine) until the pause is over."""
    pause = 1.0
    async with (
        PostgresPacing(pg_database, key="n", rate=RATE, recipient_spacing=None) as a,
        PostgresPacing(pg_database, key="n", rate=RATE, recipient_spacing=None) as b,
    ):
        starts: list[float] = []
        paused_at = 0.0

        async def keep_acquiring(until: float) -> None:
            while anyio.current_time() < until:
                await b.acquire()
                starts.append(anyio.current_time())

        begin = anyio.current_time()
        async with anyio.create_task_group() as tg:
            for _ in range(16):
                tg.start_soon(keep_acquiring, begin + 0.5 + pause + 0.5)
            await anyio.sleep(0.5)
            paused_at = anyio.current_time()
            await a.pause(pause)
            with anyio.fail_after(pause + 1):
                await a.acquire()  # the pausing worker itself waits it out
            assert anyio.current_time() >= paused_at + pause - 0.05
        during = [t for t in starts if paused_at + 0.15 < t < paused_at + pause - 0.05]
        assert during == []
        assert any(t >= paused_at + pause for t in starts)  # and it resumed afterwards


async def test_recipient_spacing_holds_across_workers(pg_database: str) -> None:
    """Messages to one recipient from two workers start at least the spacing apart; other
    recipients are not held up by it."""
    spacing = 0.4
    async with (
        PostgresPacing(pg_database, key="n", rate=RATE, recipient_spacing=spacing) as a,
        PostgresPacing(pg_database, key="n", rate=RATE, recipient_spacing=spacing) as b,
    ):
        starts: list[float] = []

        async def send_to_ann(pace: PostgresPacing) -> None:
            await pace.acquire("923001111111")
            starts.append(anyio.current_time())

        async with anyio.create_task_group() as tg:
            for pace in (a, b, a, b, a):
                tg.start_soon(send_to_ann, pace)
            await anyio.sleep(0.05)
            before = anyio.current_time()
            await b.acquire("923002222222")
            assert anyio.current_time() - before < spacing / 2
        starts.sort()
        gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
        assert len(starts) == 5
        assert min(gaps) >= spacing - 0.05, gaps  # the wake-up of a busy loop may be late


async def test_a_429_pauses_every_worker_through_send_many(pg_database: str) -> None:
    """A 429 met by one worker's send_many holds the other worker's sends too."""
    fake = FakeEngagive()
    fake.script(Fault.status(429, retry_after=1), route="messages.send_template")
    async with (
        PostgresPacing(pg_database, key="n", rate=RATE, recipient_spacing=None) as a,
        PostgresPacing(pg_database, key="n", rate=RATE, recipient_spacing=None) as b,
        client_for(fake) as client_a,
        client_for(fake) as client_b,
    ):
        await send_all(client_a, templates(0, 1), a)  # meets the 429, pauses, retries: SENT
        refused_at = fake.requests[0].at
        await send_all(client_b, templates(1, 5), b)
    later = [s.at for s in fake.sent if s.to != "923000000000"]
    assert len(later) == 5
    assert min(later) >= refused_at + 0.95


async def test_unreachable_database_starts_no_send() -> None:
    """Without its database the pace raises PacingUnavailableError and no request is made."""
    fake = FakeEngagive()
    pace = PostgresPacing(
        "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2", key="n", rate=RATE
    )
    with pytest.raises(PacingUnavailableError):
        await pace.acquire("923001111111")
    async with client_for(fake) as client:
        report = await client.account(1).messages.send_batch(templates(0, 2), pacing=pace)
    assert [o.status for o in report.outcomes] == [OutcomeStatus.FAILED] * 2
    assert all(isinstance(o.error, PacingUnavailableError) for o in report.outcomes)
    assert all(o.attempts == 0 for o in report.outcomes)
    assert fake.requests == []
    await pace.aclose()


async def test_rate_limit_and_pacing_are_not_combined(pg_database: str) -> None:
    """send_many refuses both a rate_limit and a pacing: the pace carries its own rate."""
    fake = FakeEngagive()
    async with client_for(fake) as client, PostgresPacing(pg_database, key="n", rate=1) as pace:
        with pytest.raises(ValueError, match="not both"):
            client.account(1).messages.send_many([], rate_limit=5, pacing=pace)


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"rate": 0}, "rate"),
        ({"rate": 1, "burst": 0}, "burst"),
        ({"rate": 1, "block": 0}, "block"),
        ({"rate": 1, "recipient_spacing": -1}, "recipient_spacing"),
        ({"rate": 1, "key": ""}, "key"),
    ],
)
def test_invalid_settings_are_refused(options: dict[str, object], word: str) -> None:
    """Bad settings are a ValidationError naming the setting, before any connection."""
    kwargs: dict[str, object] = {"key": "n", **options}
    with pytest.raises(ValueError, match=word):
        PostgresPacing("postgresql://x@127.0.0.1/x", **kwargs)  # type: ignore[arg-type]


_PROCESS = textwrap.dedent(
    """
    import json, sys
    from contextlib import aclosing
    import anyio
    from engagive_async import AsyncClient, PostgresPacing, TemplateSend

    dsn, base_url, start, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    async def main():
        items = [TemplateSend(to=f"92300{i:07d}", template_name="order_shipped", lang_code="en")
                 for i in range(start, start + n)]
        async with PostgresPacing(dsn, key="number:1", rate=200, recipient_spacing=6) as pace, \\
                AsyncClient("test-token", base_url=base_url) as client:
            stream = client.account(1).messages.send_many(items, concurrency=32, pacing=pace)
            async with aclosing(stream):
                statuses = [o.status.value async for o in stream]
            print(json.dumps({"statuses": statuses, "round_trips": pace.round_trips}))

    anyio.run(main)
    """
)


async def test_processes_share_one_rate(pg_database: str) -> None:
    """Three worker processes against one fake on loopback: together within 10 % of 200/s."""
    fake = FakeEngagive()
    per_process = 200
    async with fake.serve() as base_url:
        results: list[dict[str, object]] = []

        async def worker(w: int) -> None:
            argv = [sys.executable, "-c", _PROCESS, pg_database, base_url]
            argv += [str(w * per_process), str(per_process)]
            done = await anyio.run_process(argv, check=False, stderr=subprocess.PIPE)
            assert done.returncode == 0, done.stderr.decode()
            results.append(json.loads(done.stdout))

        async with anyio.create_task_group() as tg:
            for w in range(3):
                tg.start_soon(worker, w)
    assert len(fake.sent) == 3 * per_process
    assert len({s.to for s in fake.sent}) == 3 * per_process
    rate = aggregate_rate([s.at for s in fake.sent], burst=20)
    assert abs(rate - RATE) <= 0.1 * RATE, rate
    round_trips = sum(int(r["round_trips"]) for r in results)  # type: ignore[call-overload]
    assert round_trips / len(fake.sent) < 0.2, round_trips
