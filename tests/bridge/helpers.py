"""A real drill server on a loopback port, in its own thread and event loop, for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from drill.bridge.seats import Seats
from drill.bridge.server import DrillServer, start
from drill.model.load import Scenario
from drill.session import Session


class Served:
    def __init__(self, server: DrillServer, loop: asyncio.AbstractEventLoop) -> None:
        self.server = server
        self.loop = loop

    @property
    def url(self) -> str:
        return self.server.public_url

    def token(self, seat: str) -> str:
        return self.server.seats.seats[seat].token

    def call(self, fn, *args):  # noqa: ANN001, ANN201 — run fn in the server's loop, wait for it
        async def go():  # noqa: ANN202
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(10)


@contextlib.contextmanager
def served(
    scenario: Scenario, log: Path, seed: int = 1, speed: float = 60.0, running: bool = False, **options
) -> Iterator[Served]:
    session = Session(scenario, seed=seed, log_path=log, scenario_ref=scenario.id)
    seats = Seats.for_teams(list(scenario.spec.teams))
    server = DrillServer(session, seats, speed=speed, running=running, **options)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    runner_box = []

    async def main() -> None:
        runner_box.append(await start(server, "127.0.0.1", 0))
        ready.set()
        await stop.wait()
        await runner_box[0].cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield Served(server, loop)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        session.close()
