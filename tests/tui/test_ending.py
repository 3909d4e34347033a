"""The end of a drill is an event: a closing screen with the objectives, the expected actions,
the key figures and the command for the report; the objectives show during the drill too;
quitting an ended drill does not offer to resume it; a note typed after the end is kept."""

from __future__ import annotations

from tui_helpers import dialog_text, sync

from drill.engine import events as ev
from drill.log import read_log
from drill.session import first_difference, resimulate
from drill.tui.screens.closing import ClosingScreen
from drill.tui.screens.dialogs import ConfirmScreen

SIZE = (120, 40)


async def _run_to_the_end(app, clock, pilot) -> None:
    for _ in range(12):
        clock.advance(1)
        app._tick()
    await pilot.pause()
    await pilot.pause()


@sync
async def test_the_end_of_a_drill_shows_the_closing_screen(live, clock):
    app = live(speed=3600, running=True)
    async with app.run_test(size=SIZE) as pilot:
        await _run_to_the_end(app, clock, pilot)
        assert app.session.finished and isinstance(app.screen, ClosingScreen)
        text = app.export_text()
        assert "The drill has ended — T+08:00" in text
        # the default scenario's four objectives, each graded, with its figure and bound
        # a service by its name, not its id
        for objective in ("time to contain", "downtime (Electronic one-stop shop)", "bodies affected"):
            assert objective in text
        assert "(< 4h)" in text and "(≥ 60 %)" in text
        assert "Expected actions" in text and "missed: isolate" in text
        assert "Time to detect" in text
        assert f"drillreport{app.session.log_path}" in dialog_text(app).replace(" ", "")
        await pilot.press("escape")  # look around the ended drill
        await pilot.pause()
        assert not isinstance(app.screen, ClosingScreen)
        await pilot.press("s")  # and back
        await pilot.pause()
        assert isinstance(app.screen, ClosingScreen)


@sync
async def test_the_objectives_show_during_the_drill(live):
    app = live(at=150)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        assert "Objectives" in app.export_text() and "not met" in app.export_text()
        await pilot.press("s")
        await pilot.pause()
        assert "The drill so far — T+02:30" in app.export_text()
    app = live(at=150)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Obj ✓" in app.export_text().splitlines()[1]  # the narrow layout's strip


@sync
async def test_quitting_an_ended_drill_does_not_offer_to_resume_it(live, clock):
    app = live(speed=3600, running=True)
    async with app.run_test(size=SIZE) as pilot:
        await _run_to_the_end(app, clock, pilot)
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = dialog_text(app)
        assert "--resume" not in text, text
        assert f"drillreport{app.session.log_path}" in text.replace(" ", "")


@sync
async def test_a_note_typed_after_the_end_is_kept_for_the_debrief(live, clock):
    app = live(speed=3600, running=True)
    async with app.run_test(size=SIZE) as pilot:
        await _run_to_the_end(app, clock, pilot)
        await pilot.press("escape", "n", *"good call", "enter")
        await pilot.pause()
    log = read_log(app.session.log_path)
    assert log.events[-1].kind == ev.NOTE and log.events[-1].data["text"] == "good call"
    assert [e.kind for e in log.events[-3:]] == [ev.DRILL_END, ev.COMMAND, ev.NOTE]
    again = resimulate(app.scenario, log.header["seed"], log.events)  # and the log still verifies
    assert first_difference(log.events, again.events) is None
