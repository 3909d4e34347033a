"""The live drill's clock, its safety (wrong entries, quitting, crashes and --resume), the players'
screen and the language switch."""

from __future__ import annotations

import shutil

import pytest
from tui_helpers import sync

from drill.engine import Simulation
from drill.engine import events as ev
from drill.engine.commands import Command, TimedCommand
from drill.i18n import t
from drill.log import read_log
from drill.model.durations import format_offset
from drill.pacing import SPEEDS, Pacer
from drill.session import first_difference, recorded_commands, resimulate
from drill.tui.screens.closing import ClosingScreen

SIZE = (160, 50)


def feed_text(app) -> str:
    from drill.tui.widgets.feed import FeedLog

    return "\n".join(strip.text for strip in app.screen.query_one(FeedLog).lines)


def test_pacer_turns_wall_time_into_drill_time(clock):
    pacer = Pacer(60, clock)
    clock.advance(10)
    assert pacer.due() == 0  # paused: nothing is due
    pacer.start()
    clock.advance(30)
    assert pacer.due() == pytest.approx(30.0)  # ×60: a drill minute per second
    pacer.speed = 3600
    clock.advance(2)
    assert pacer.due() == pytest.approx(120.0)
    assert pacer.faster() == 3600  # already the top
    pacer.speed = 1
    assert pacer.slower() == 1 and pacer.faster() == SPEEDS[1]


@sync
async def test_play_pause_and_speed(live, clock):
    app = live()
    async with app.run_test(size=SIZE) as pilot:
        assert not app.running and "paused" in app.export_text()
        clock.advance(60)
        app._tick()
        assert app.session.now == 0  # starts paused: the briefing comes first
        await pilot.press("space")
        assert app.running
        clock.advance(30)
        app._tick()
        assert app.session.now == pytest.approx(30.0)  # ×60
        await pilot.press("plus")
        assert app.speed == 120
        clock.advance(30)
        app._tick()
        assert app.session.now == pytest.approx(90.0)
        await pilot.press("minus", "minus")
        assert app.speed == 30
        await pilot.pause()
        assert "running" in app.export_text() and "T+01:30" in app.export_text()
        await pilot.press("space")
        clock.advance(600)
        app._tick()
        assert app.session.now == pytest.approx(90.0) and not app.running
        # the log holds everything run so far
        assert read_log(app.session.log_path).events[-1].t <= 90.0


@sync
async def test_step_and_jump_to_the_next_inject(live):
    app = live(at=5)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        delivered = [e for e in app.session.sim.events if e.kind == ev.INJECT]
        assert [e.target for e in delivered] == ["helpdesk-calls"]
        assert app.session.now == 45.0
        assert "T+00:45" in app.export_text()
        before = len(app.session.sim.events)
        nxt = app.session.sim.next_event_time()
        await pilot.press("full_stop")
        await pilot.pause()
        assert len(app.session.sim.events) > before
        assert app.session.now == app.session.sim.events[-1].t >= nxt


@sync
async def test_the_drill_runs_to_its_end_at_top_speed(live, clock):
    app = live(speed=3600, running=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(10):
            clock.advance(1)
            app._tick()
        await pilot.pause()
        assert app.session.finished and not app.running
        assert read_log(app.session.log_path).events[-1].kind == ev.DRILL_END
        assert "ended" in app.export_text()
        events, log = len(app.session.sim.events), app.session.log_path.read_bytes()
        assert isinstance(app.screen, ClosingScreen)
        await pilot.press("escape")  # from the closing screen back to the drill
        await pilot.pause()
        await pilot.press("i", "full_stop", "j")  # isolate, step, next inject: after the end
        await pilot.pause()
        # nothing more is entered or run, the log stays as it is, and the facilitator is told why,
        # at once (isolating asks nothing first)
        assert app.screen.id == "drill-screen"
        assert len(app.session.sim.events) == events
        assert app.session.log_path.read_bytes() == log
        told = [n.message for n in app._notifications]
        assert told.count(t("tui.drill_over")) == 3, told


@sync
async def test_selecting_a_body_and_a_node_by_keyboard(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        assert app.selection.site == "hoan-kiem"  # the drill's own unit to start with
        await pilot.press("right")
        await pilot.pause()
        assert app.selection.site == "tay-ho"
        await pilot.press("left", "enter", "2")
        await pilot.pause()
        assert app.selection.site == "hoan-kiem"
        await pilot.press("down", "down")
        await pilot.pause()
        assert app.selection.node == "hoan-kiem-ws"
        await pilot.press("i", "y")  # isolating asks first
        await pilot.pause()
        assert app.session.sim.nodes["hoan-kiem-ws"].isolated
        assert not app.session.sim.nodes["hoan-kiem-gw"].isolated
        assert "isolated" in app.export_text()
        from drill.tui.widgets.network import NetworkMap

        classes = app.screen.query_one(NetworkMap).tile_classes("hoan-kiem")
        assert classes == {"-isolated", "-selected"}  # its only compromised node is now cut off


@sync
async def test_a_wrong_entry_is_a_notification_and_the_drill_goes_on(live, clock):
    app = live(at=150)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.selection.node = None
        app.selection.site = None
        await pilot.press("i")
        await pilot.press(*"hoan-kiem-wz", "enter")  # no such node: typed as is
        await pilot.pause()
        refused = [e for e in app.session.sim.events if e.kind == ev.COMMAND_REFUSED]
        assert refused and "hoan-kiem-ws" in refused[-1].data["reason"]["en"]
        assert "Refused: unknown node 'hoan-kiem-wz'" in app.export_text()  # the notification
        app.action_delay("helpdesk-calls", "soon")  # a duration that is not one
        await pilot.pause(0.1)
        assert "Not entered" in app.export_text()
        await pilot.press("space")
        clock.advance(10)
        app._tick()
        assert app.session.now == pytest.approx(160.0)  # still running
        assert len(read_log(app.session.log_path).events) == len(app.session.sim.events)


@sync
async def test_the_clock_waits_while_a_decision_is_typed(live, clock):
    app = live(at=100, running=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert not app.running  # held while the note is typed
        clock.advance(30)
        app._tick()
        assert app.session.now == 100
        app.screen.query_one("#ask-input").load_text("the SOC calls the mayor")
        await pilot.press("enter")
        await pilot.pause()
        notes = [e for e in app.session.sim.events if e.kind == ev.NOTE]
        assert notes[-1].t == 100 and app.running  # noted when it was said; the clock goes on


@sync
async def test_filtering_the_feed(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # the alert and the triage it starts: one line for both (by T+2:30 it has scrolled up)
        assert "Hoan Kiem IT staff: alert on hoan-kiem-ws, triage at once" in feed_text(app)
        assert "Hoan Kiem IT staff: triage hoan-kiem-ws (about" not in feed_text(app)
        assert "dong-da-ws" in feed_text(app)
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#filter-kind").value = "attack"
        app.screen.query_one("#filter-site").value = "hoan-kiem"
        app.screen.query_one("#filter-severity").value = "critical"
        await pilot.click("#filter-apply")
        await pilot.pause()
        shown = feed_text(app)
        assert "files encrypted on 32 host(s)" in shown  # hoan-kiem-ws, the attack, critical
        assert "triage" not in shown and "dong-da-ws" not in shown
        assert "Showing: attack · Hoan Kiem District · ≥ critical" in app.export_text()
        await pilot.press("f")
        await pilot.pause()
        await pilot.click("#filter-clear")
        await pilot.pause()
        assert "alert on hoan-kiem-ws, triage at once" in feed_text(app)


@sync
async def test_quitting_asks_first(live):
    app = live(at=30)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert "Quit the drill?" in app.export_text()
        assert "drill play --resume" in app.export_text()
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_value == 0
    assert app.session.writer is not None and app.session.writer.file.closed


@sync
async def test_switching_language_at_any_time(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        assert "Time to detect" in app.export_text()
        await pilot.press("l")
        await pilot.pause()
        text = app.export_text()
        assert "Thời gian phát hiện" in text and "tạm dừng" in text and "04/03/2015" in text
        assert "Cô lập" in text  # the footer and the buttons too
        await pilot.press("l")
        await pilot.pause()
        assert "Time to detect" in app.export_text()


@sync
async def test_the_players_screen_shows_only_what_players_may_see(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        app.action_deliver("backup-also-encrypted")  # hidden from players
        app.action_deliver("cert-busy")
        app.action_note("the SOC chief hesitates")
        app.action_compromise("node:ba-vi-ws")  # the red team, unseen
        await pilot.press("v")
        await pilot.pause()
        text = app.export_text()
        assert "PLAYERS' SCREEN" in text
        assert "VNCERT answers" in text  # the public inject, in full
        assert "backup share" not in text and "backup-also-encrypted" not in text
        assert "hesitates" not in text
        assert "ba-vi-ws" not in text and "● Ba Vi" not in text  # (the legend names the glyph)
        assert app.vm.body_worst("ba-vi", public=True) == "no_alert"
        assert "Expected" not in text
        await pilot.press("v")
        await pilot.pause()
        assert "hesitates" in app.export_text()  # back on the facilitator's screen


@sync
async def test_the_players_screen_on_a_second_terminal_follows_the_log(live, tmp_path):
    from drill.tui.app import make_follow_app

    app = live(at=50)
    app.session.writer.flush()
    follower = make_follow_app(app.session.log_path)
    async with follower.run_test(size=(100, 30)) as pilot:
        assert "Strange files" in follower.export_text()
        app.session.apply(Command(action="inject", inject="cert-busy", source="facilitator"))
        follower.poll()
        await pilot.pause(0.3)  # redraws are batched
        assert "VNCERT answers" in follower.export_text()
    app.session.close()


def _drill_commands():
    return [
        TimedCommand(action="isolate", target={"node": "hoan-kiem-ws"}, at=62.5),
        TimedCommand(action="note", text="isolated at last", source="facilitator", at=63.0),
        TimedCommand(action="escalate", to="national-cert", at=130.25),
        TimedCommand(action="inject", inject="cert-busy", source="facilitator", at=131.0),
    ]


@sync
async def test_resume_after_a_crash_continues_the_log(live, tmp_path, clock):
    app = live(speed=60)
    log = app.session.log_path
    async with app.run_test(size=SIZE):
        app.pacer.start()
        for command in _drill_commands()[:2]:
            clock.advance((command.at - app.session.now) * 60 / app.speed)
            app._tick()
            app.session.apply(command)
        clock.advance(7)
        app._tick()
        # the laptop dies here: keep the log as it is on disk, without a clean close
        crashed = tmp_path / "crashed.jsonl"
        shutil.copy(log, crashed)
    before = read_log(crashed)
    assert before.events[-1].kind == ev.NOTE and len(before.events) == len(app.session.sim.events)

    from drill.tui.app import make_app

    resumed = make_app(resume=crashed, clock=clock)
    assert resumed.session.now == before.events[-1].t
    async with resumed.run_test(size=SIZE):
        for command in _drill_commands()[2:]:
            resumed.session.advance_to(command.at)
            resumed.session.apply(command)
        resumed.session.advance_to(200)
    after = read_log(crashed)
    assert [e.seq for e in after.events] == list(range(len(after.events)))
    assert first_difference(before.events, after.events) is None  # it carries on the same log
    # the whole log is what the seed and the recorded commands give
    again = resimulate(resumed.scenario, after.header["seed"], after.events)
    assert first_difference(after.events, again.events) is None
    # and `drill run` of the same seed and decisions gives the same events
    sim = Simulation(resumed.scenario, seed=after.header["seed"])
    timed = [
        TimedCommand(at=at, **c.model_dump(exclude_defaults=True))
        for at, _, c in recorded_commands(after.events)
    ]
    assert [c.action for c in timed] == [c.action for c in _drill_commands()]
    sim.run(timed)
    assert first_difference(after.events, sim.events[: len(after.events)]) is None


def test_play_without_a_terminal_says_what_to_do(capsys):
    from drill.cli import main

    assert main(["play"]) == 1
    err = capsys.readouterr().err
    assert "drill run" in err
    assert main([]) == 1  # a bare `drill` opens play


@sync
async def test_the_stylesheet_is_found_from_any_folder(live, tmp_path, monkeypatch):
    # the look lives in the package's drill.tcss: started elsewhere, the app still wears it
    monkeypatch.chdir(tmp_path)
    app = live()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        header = app.query_one("HeaderBar")
        assert header.styles.dock == "top"  # written only in drill.tcss
        assert header.region.y == 0 and header.region.height == 1


@sync
async def test_jumping_to_the_next_inject_stops_short_of_the_end_when_none_comes(live):
    # Hoan Kiem cut off at T+50: the ransom note and the queue at the one-stop shop wait on
    # conditions that now never come, and nothing else is scheduled
    app = live(at=50)
    app.session.apply(Command(action="isolate", target={"site": "hoan-kiem"}))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("j")
        await pilot.pause()
        sim = app.session.sim
        assert not app.session.finished and not app.running  # decisions still go in
        assert sim.next_event_time() >= sim.end == 480.0  # everything before the end has run
        assert not [e for e in sim.events if e.kind == ev.INJECT and e.t > 50]
        told = [n.message for n in app._notifications]
        assert told[-1] == (
            f"No inject comes before the drill's end (T+08:00): stopped at {format_offset(sim.now)}, "
            "short of it (space runs the drill on to its end)."
        )
        await pilot.press("n", *"still no call", "enter")  # a decision still goes in
        await pilot.pause()
        assert [e.data["text"] for e in sim.events if e.kind == ev.NOTE] == ["still no call"]
