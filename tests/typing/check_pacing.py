"""Type-checked by mypy (make lint), never run: paces as users write and pass them."""

from __future__ import annotations

from contextlib import aclosing

from engagive_async import AsyncClient, Pacing, PostgresPacing, TemplateSend, Throttle


class MyPace:
    """A pace of one's own: the two methods of the protocol are all it takes."""

    async def acquire(self, recipient: str | None = None) -> None:
        return None

    async def pause(self, seconds: float) -> None:
        return None


async def user_code(dsn: str) -> None:
    items = [TemplateSend(to="923001234567", template_name="hello_world", lang_code="en_US")]
    paces: list[Pacing] = [Throttle(80, burst=8, recipient_spacing=6), MyPace()]
    async with (
        AsyncClient(token="t") as client,
        PostgresPacing(dsn, key="number:1065", rate=80, recipient_spacing=6.0) as shared,
    ):
        paces.append(shared)
        for pace in paces:
            async with aclosing(client.account(1).messages.send_many(items, pacing=pace)) as out:
                async for outcome in out:
                    assert outcome.index == 0
        round_trips: int = shared.round_trips
        assert round_trips >= 0
