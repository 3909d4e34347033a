"""The facilitator's own console of a served drill is the live console, attached to the session:
one clock for everyone, the sites' decisions in the same log as the facilitator's keys, a waiting
decision announced on the drill's screen and approved from the bridge screen (``B``)."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Static

from drill.bridge.client import SeatClient
from drill.bridge.seats import Seats
from drill.bridge.server import DrillServer, listen
from drill.engine.commands import Command
from drill.model.load import load_scenario
from drill.session import Session
from drill.tui.bridge_console import ConsoleScreen
from drill.tui.served import ServedLiveApp
from tests.bridge.helpers import commands_in_log
from tests.tui.tui_helpers import sync, until

TEAM = "hoan-kiem-it"


def served_app(tmp_path, **options) -> ServedLiveApp:  # noqa: ANN003
    scenario = load_scenario(None)
    session = Session(scenario, seed=1, log_path=tmp_path / "d.jsonl", scenario_ref=scenario.id)
    server = DrillServer(session, Seats.for_teams(list(scenario.spec.teams)), **options)
    return ServedLiveApp(session, server, listen("127.0.0.1", 0), host="127.0.0.1", speed=600, lang="en")


async def joined(pilot, client: SeatClient) -> asyncio.Task:  # noqa: ANN001
    task = asyncio.create_task(client.run())
    assert await until(pilot, client.connected.is_set, 15)
    return task


@sync
async def test_one_clock_for_the_live_console_and_every_site(tmp_path):
    app = served_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        assert await until(pilot, lambda: app.client is not None and app.client.connected.is_set(), 15)
        team = SeatClient(app.server.public_url, app.server.seats.seats[TEAM].token, who="Lan")
        task = await joined(pilot, team)
        assert team.state.clock["paused"] is True
        await pilot.press("space")  # the facilitator starts the drill on the live console …
        assert await until(pilot, lambda: team.state.clock.get("paused") is False, 5)
        assert await until(pilot, lambda: (team.state.clock.get("now") or 0) > 1, 10)
        await pilot.press("space")  # … and stops it: the site hears it at once
        assert await until(pilot, lambda: team.state.clock.get("paused") is True, 5)
        stopped = app.session.now
        await pilot.pause(0.5)
        assert app.session.now == stopped  # the server does not advance a drill the console holds
        # a facilitator's console elsewhere sets the speed: the live console's clock is that one
        chair = SeatClient(app.server.public_url, app.server.seats.seats["facilitator"].token, who="Minh")
        other = await joined(pilot, chair)
        await chair.send("speed", speed=1800)
        assert await until(pilot, lambda: app.pacer.speed == 1800, 5)
        assert await until(pilot, lambda: team.state.clock.get("speed") == 1800, 5)
        # what the facilitator enters here reaches the team's console, from the same log
        app.session.apply(Command(action="free-inject", text="call the SOC", to=TEAM, source="facilitator"))
        assert await until(
            pilot, lambda: any(m["event"]["kind"] == "inject" for m in team.state.events.values()), 5
        )
        for client, t in ((team, task), (chair, other)):
            await client.close()
            await asyncio.wait_for(t, 5)


@sync
async def test_a_waiting_decision_is_announced_and_approved_from_the_bridge_screen(tmp_path):
    app = served_app(tmp_path, approval={TEAM})
    async with app.run_test(size=(160, 50)) as pilot:
        assert await until(pilot, lambda: app.client is not None and app.client.connected.is_set(), 15)
        team = SeatClient(app.server.public_url, app.server.seats.seats[TEAM].token, who="Lan")
        task = await joined(pilot, team)
        sent = await team.submit({"action": "isolate", "target": {"node": "hoan-kiem-ws"}}, wait=False)
        assert await until(pilot, lambda: team.state.acks.get(sent["id"], {}).get("status") == "pending", 5)
        # announced on the drill's own screen, which names the team, the decision and the key
        assert await until(pilot, lambda: any("#1" in str(n.message) for n in app._notifications), 5)
        notice = next(str(n.message) for n in app._notifications if "#1" in str(n.message))
        assert "Hoan Kiem" in notice and "hoan-kiem-ws" in notice and "B" in notice
        assert commands_in_log(tmp_path / "d.jsonl") == []
        await pilot.press("B")
        assert await until(pilot, lambda: isinstance(app.screen, ConsoleScreen), 5)
        screen = app.screen
        assert await until(pilot, lambda: "#1 " + TEAM in str(screen.query_one("#panel", Static).render()), 5)
        screen.query_one("#entry", Input).focus()
        await pilot.press(*"approve 1", "enter")
        assert await until(pilot, lambda: team.state.acks.get(sent["id"], {}).get("status") == "applied", 5)
        app.session.sync()
        logged = commands_in_log(tmp_path / "d.jsonl")
        assert [(c["action"], c["by"], c["entered_by"]) for c in logged] == [("isolate", TEAM, "Lan")]
        await pilot.press("escape")  # back to the drill, whose keys work again
        assert await until(pilot, lambda: not isinstance(app.screen, ConsoleScreen), 5)
        await pilot.press("B")
        assert await until(pilot, lambda: isinstance(app.screen, ConsoleScreen), 5)
        await team.close()
        await asyncio.wait_for(task, 5)


@sync
async def test_a_drill_not_served_says_so_on_b(tmp_path):
    from drill.tui.app import make_app

    app = make_app(None, seed=1, log_path=tmp_path / "d.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("B")
        assert await until(pilot, lambda: any("drill serve" in str(n.message) for n in app._notifications))
