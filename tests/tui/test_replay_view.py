"""The replay: a recorded drill read-only in the drill's views — step both ways, jump between
injects, decisions and notes, seek, play — always showing exactly the fold of the log so far."""

from __future__ import annotations

import pytest
from tui_helpers import WALL, sync

from drill.engine import events as ev
from drill.engine.commands import Command
from drill.model.durations import format_offset
from drill.tui.app import make_replay_app
from drill.viewmodel import ViewModel

SIZE = (160, 50)


@pytest.fixture
def recorded(live):
    app = live(at=60)
    app.session.apply(Command(action="isolate", target={"node": "hoan-kiem-ws"}))
    app.session.advance(10)
    app.session.apply(Command(action="note", text="isolated late", source="facilitator"))
    # on to T+4h40 (before the planned end, 8h): the sensors' first alert comes late in this
    # drill (after T+4h30 with this seed), and the jumps need one to land on
    app.session.advance(210)
    app.session.close()
    return app.session.log_path, list(app.session.sim.events)


def _same(app, events, count):
    expected = ViewModel(app.scenario).feed_all(events[:count])
    assert len(app.vm.events) == count
    assert app.vm.metrics.snapshot(app.now).as_dict() == expected.metrics.snapshot(app.now).as_dict()
    assert {n: s.label for n, s in app.vm.nodes.items()} == {n: s.label for n, s in expected.nodes.items()}


@sync
async def test_stepping_jumping_and_seeking(recorded, clock):
    path, events = recorded
    app = make_replay_app(path, wallclock=lambda: WALL, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        assert app.playhead == 0 and "REPLAY" in app.export_text()
        await pilot.press("full_stop", "full_stop", "full_stop")
        _same(app, events, 3)
        await pilot.press("comma")
        _same(app, events, 2)
        await pilot.press("i")  # the first inject
        first = next(i for i, e in enumerate(events) if e.kind == ev.INJECT)
        _same(app, events, first + 1)
        assert app.playhead == events[first].t
        await pilot.press("d")  # the decision
        decision = next(i for i, e in enumerate(events) if e.kind == ev.COMMAND)
        _same(app, events, decision + 1)
        await pilot.press("n")
        note = next(i for i, e in enumerate(events) if e.kind == ev.NOTE)
        _same(app, events, note + 1)
        await pilot.pause()
        assert "Note: isolated late" in app.export_text()
        await pilot.press("I")  # back to the inject before the note (the help-desk call reveals
        # the incident, so the SOC's alert on 'detected' comes at once: the last of them)
        before = max(i for i, e in enumerate(events[:note]) if e.kind == ev.INJECT)
        _same(app, events, before + 1)
        await pilot.press("I", "I")  # and further back, to the first; none before it: it stays
        _same(app, events, first + 1)
        await pilot.press("end")
        _same(app, events, len(events))
        await pilot.press("home")
        assert app.playhead == 0 and len(app.vm.events) == 0
        await pilot.press("g")
        app.screen.query_one("Input").value = "T+1h5m"
        await pilot.press("enter")
        await pilot.pause()
        assert app.playhead == 65
        _same(app, events, sum(1 for e in events if e.t < 65))
        assert "T+01:05" in app.export_text()


@sync
async def test_playing_at_a_chosen_speed(recorded, clock):
    path, events = recorded
    app = make_replay_app(path, wallclock=lambda: WALL, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.running and app.speed == 300
        clock.advance(12)  # ×300: an hour of drill
        app._tick()
        assert app.playhead == pytest.approx(60.0)
        _same(app, events, sum(1 for e in events if e.t < 60))
        await pilot.press("minus")
        clock.advance(6)  # ×120: 12 minutes
        app._tick()
        assert app.playhead == pytest.approx(72.0)
        await pilot.press("space")
        clock.advance(600)
        app._tick()
        assert app.playhead == pytest.approx(72.0)


@sync
async def test_the_replay_changes_nothing(recorded):
    path, events = recorded
    before = path.read_bytes()
    app = make_replay_app(path, wallclock=lambda: WALL)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "i", "x", "q")
    assert path.read_bytes() == before


@sync
async def test_jumping_back_and_forth_between_decisions_notes_and_detections(recorded, clock):
    path, events = recorded
    # the marks, by the kinds of the events the fixture recorded: the decisions are the isolation
    # (T+60) and the note entered as a command (T+70); the note itself; the sensors' detections
    decisions = [i for i, e in enumerate(events) if e.kind == ev.COMMAND]
    notes = [i for i, e in enumerate(events) if e.kind == ev.NOTE]
    detections = [i for i, e in enumerate(events) if e.kind == ev.DETECTION]
    assert len(decisions) == 2 and len(notes) == 1 and len(detections) == 1
    app = make_replay_app(path, wallclock=lambda: WALL, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # mounted: the keys below reach the replay
        await pilot.press("end")
        assert app.count == len(events)
        await pilot.press("D")  # the last decision before the end
        assert app.count == decisions[1] + 1 and app.playhead == events[decisions[1]].t == 70
        await pilot.press("D")
        assert app.count == decisions[0] + 1 and app.playhead == events[decisions[0]].t == 60
        await pilot.press("d")
        assert app.count == decisions[1] + 1
        await pilot.press("end", "N")  # back to the note
        assert app.count == notes[0] + 1
        _same(app, events, notes[0] + 1)
        await pilot.press("home", "a")  # the detection
        assert app.count == detections[0] + 1 and app.playhead == events[detections[0]].t
        _same(app, events, detections[0] + 1)
        await pilot.press("a")  # none after it: the replay stays where it is
        assert app.count == detections[0] + 1
        await pilot.press("end", "A")
        assert app.count == detections[0] + 1
        await pilot.press("A")  # none before it
        assert app.count == detections[0] + 1


def _mark_on_screen(app, glyph: str) -> tuple[int, int]:
    """Where ``glyph`` is drawn on the screen in the timeline bar (its first lane of marks)."""
    bar = app.query_one("TimelineBar")
    row = bar.render().plain.split("\n")[0]
    return bar.content_region.x + row.index(glyph), bar.content_region.y


def _bar_on_screen(app) -> tuple[int, int, int]:
    """(x of the bar's first cell, its width in cells, y): the time bar as drawn, its last line
    ``T+00:00 ━━━╋───── T+08:00`` (the lanes of marks above it, their legend to their right)."""
    bar = app.query_one("TimelineBar")
    rows = bar.render().plain.split("\n")
    line = rows[-1]
    assert line.startswith("T+00:00 ") and line.endswith(" T+08:00"), line
    width = len(line) - 2 * len("T+00:00 ")
    assert set(line[len("T+00:00 ") : -len(" T+08:00")]) <= set("━╋─")
    return bar.content_region.x + len("T+00:00 "), width, bar.content_region.y + len(rows) - 1


@sync
async def test_clicking_a_mark_on_the_timeline_goes_to_its_moment(recorded, clock):
    path, events = recorded
    first_inject = next(e for e in events if e.kind == ev.INJECT)
    app = make_replay_app(path, wallclock=lambda: WALL, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        span = max(float(app.scenario.spec.duration), events[-1].t)
        assert span == 480.0  # the planned end: the log stops at T+4:40
        left, width, bar_y = _bar_on_screen(app)
        cell = span / width  # minutes a cell stands for
        x, y = _mark_on_screen(app, "◆")
        await pilot.click(offset=(x, y))
        await pilot.pause()
        assert abs(app.playhead - first_inject.t) <= cell, (app.playhead, first_inject.t, cell)
        _same(app, events, sum(1 for e in events if e.t < app.playhead))
        # the bar's last cell is the drill's planned end, after the log's last event: the replay
        # goes to that event, no further (nothing after it is known), and says so
        await pilot.click(offset=(left + width - 1, bar_y))
        await pilot.pause()
        assert app.playhead == events[-1].t and app.count == len(events)
        assert app.vm.now == events[-1].t  # no figure counted on past what the log knows
        told = [n.message for n in app._notifications]
        assert told[-1] == (
            f"The log stops at {format_offset(events[-1].t)}, before the drill's end: nothing after "
            "it is known, so the replay goes no further."
        )
        # the label beside the bar is not the bar, nor the legend right of the marks
        before = app.playhead
        await pilot.click(offset=(left + width + 2, bar_y))
        await pilot.pause()
        assert app.playhead == before
        await pilot.click(offset=(left + width + 2, y))
        await pilot.pause()
        assert app.playhead == before
        # the middle of the bar is the middle of the drill
        await pilot.click(offset=(left + width // 2, bar_y))
        await pilot.pause()
        assert abs(app.playhead - span / 2) <= cell, (app.playhead, cell)
        _same(app, events, sum(1 for e in events if e.t < app.playhead))


@sync
async def test_going_past_the_end_of_a_stopped_run_says_so(tmp_path, clock):
    from drill.cli import main

    cut = tmp_path / "cut.jsonl"
    assert main(["--lang", "en", "run", "--seed", "3", "--until", "3h", "--log", str(cut)]) == 0
    app = make_replay_app(cut, wallclock=lambda: WALL, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_seek("T+5h")
        await pilot.pause()
        assert app.playhead == 180.0 and app.count == len(app.timeline)
        assert [n.message for n in app._notifications][-1] == (
            "The run was stopped at T+03:00 (3h played of 8h planned): nothing after it is known, "
            "so the replay goes no further."
        )
        app.action_seek("T+2h")  # within the log: no word
        await pilot.pause()
        assert app.playhead == 120.0 and len(app._notifications) == 1
