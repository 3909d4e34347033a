"""The projector: the facilitator runs the clock from the players' view too; a players' screen
started before the drill waits for its log and keeps the drill's clock, not the last event's;
×4 is a speed; a branched drill says so; the mode in the header reads well."""

from __future__ import annotations

from rich.color import Color
from tui_helpers import sync

from drill.engine.commands import Command
from drill.pacing import Pacer
from drill.tui.follow import ClockFile
from drill.tui.follow_app import WaitingScreen
from drill.tui.screens.views import PlayersScreen
from drill.tui.widgets.header import HeaderBar

SIZE = (120, 40)


@sync
async def test_the_clock_runs_from_the_players_view(live, clock):
    app = live(at=30)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "space")
        await pilot.pause()
        assert isinstance(app.screen, PlayersScreen) and app.running
        await pilot.press("plus")
        assert app.speed == 120
        clock.advance(30)
        app._tick()
        assert app.session.now == 90.0  # ×120 for half a minute
        await pilot.press("space")
        assert not app.running


def test_four_times_real_time_is_a_speed(clock):
    pacer = Pacer(2, clock)
    assert pacer.faster() == 4  # eight drill hours in a two-hour session
    assert pacer.faster() == 5


@sync
async def test_the_players_screen_waits_for_a_log_not_yet_written(live, tmp_path):
    from drill.tui.app import make_follow_app

    path = tmp_path / "later.jsonl"
    follower = make_follow_app(path)
    async with follower.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(follower.screen, WaitingScreen)
        assert "Waiting for the drill to begin writing" in follower.export_text()
        app = live(at=50, log_path=path)  # the facilitator starts the drill
        app.session.writer.flush()
        follower.poll()
        await pilot.pause(0.3)
        assert isinstance(follower.screen, PlayersScreen)
        assert "Strange files" in follower.export_text()
        app.session.close()


def test_the_clock_file_says_where_the_drills_clock_stands(tmp_path):
    wall = [1000.0]
    clock = ClockFile(tmp_path / "d.jsonl", wall=lambda: wall[0])
    assert clock.read() is None
    clock.write(100.0, True, 60.0)
    wall[0] += 30  # half a minute later, at ×60
    assert clock.read() == (130.0, True, 60.0)
    clock.write(130.0, False, 60.0)
    wall[0] += 600
    assert clock.read() == (130.0, False, 60.0)  # paused: it stays
    clock.remove()
    assert clock.read() is None


@sync
async def test_the_projectors_clock_follows_the_drill_not_its_last_event(live, tmp_path):
    from drill.tui.app import make_follow_app

    app = live(at=150)
    app.session.writer.flush()
    last_event = app.session.sim.events[-1].t
    ClockFile(app.session.log_path, wall=lambda: 2000.0).write(200.0, True, 60.0)
    follower = make_follow_app(app.session.log_path)
    follower.clock_file = ClockFile(app.session.log_path, wall=lambda: 2030.0)
    async with follower.run_test(size=SIZE) as pilot:
        follower.poll()
        await pilot.pause()
        assert last_event < 200 and follower.now == 230.0
        header = follower.screen.query_one(HeaderBar)
        header.refresh_view()
        await pilot.pause()
        assert "T+03:50" in follower.export_text() and "running" in follower.export_text()
    app.session.close()


@sync
async def test_the_live_drill_writes_its_clock_beside_its_log(live, clock):
    app = live(at=30)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        app._tick()
        assert ClockFile(app.session.log_path).read()[1:] == (True, 60.0)
        await pilot.press("space")
        app._tick()
        now, running, _ = ClockFile(app.session.log_path).read()
        assert (now, running) == (app.session.now, False)
    assert ClockFile(app.session.log_path).read() is None  # gone with the drill


@sync
async def test_a_branched_drill_says_so_in_its_header(live, tmp_path):
    from drill.replay import Replay
    from drill.tui.app import make_app

    recorder = live(at=200)
    recorder.session.apply(Command(action="isolate", target={"node": "hoan-kiem-ws"}))
    recorder.session.close()
    session = Replay.open(recorder.session.log_path).branch(120.0, tmp_path / "branch.jsonl")
    app = make_app(session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "BRANCH of drill.jsonl at T+02:00" in app.export_text().splitlines()[0]
    session.close()


def _luminance(color: Color) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@sync
async def test_the_mode_in_the_header_reads_well(live, tmp_path):
    from drill.tui.app import make_replay_app

    recorder = live(at=60)
    recorder.session.close()
    app = make_replay_app(recorder.session.log_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        header = app.screen.query_one(HeaderBar)
        assert app.export_text().lstrip().startswith("REPLAY")
        style = header.rich_style + header.component_style("header--mode")
        light, dark = sorted((_luminance(style.color), _luminance(style.bgcolor)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5  # WCAG AA for text
