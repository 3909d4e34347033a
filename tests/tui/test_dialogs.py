"""Dialogs keep what was typed when it is wrong, keep every line of a paste, show their hints
whole, and the replay goes to a time written the ways a facilitator writes it."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input
from tui_helpers import sync

from drill.engine import events as ev
from drill.narration import describe
from drill.tui.screens.dialogs import AskScreen, LinesArea


@sync
async def test_a_wrong_duration_is_said_in_the_dialog_which_keeps_it(live):
    app = live(at=10)
    async with app.run_test(size=(80, 24)) as pilot:
        app.selection.inject = "helpdesk-calls"
        await pilot.press("w")
        await pilot.pause()
        entry = app.screen.query_one(Input)
        entry.value = "soon"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen) and entry.value == "soon"
        assert "'soon' is not a duration" in app.export_text()
        entry.value = "30m"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, AskScreen)
        assert app.vm.msel["helpdesk-calls"].at == 75


@sync
async def test_a_pasted_note_keeps_every_line(live):
    app = live(at=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one(LinesArea).has_focus
        app.post_message(events.Paste("SOC called at 09:10\nno answer from CERT\nretry at 09:30"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        notes = [e.data["text"] for e in app.session.sim.events if e.kind == ev.NOTE]
        assert notes == ["SOC called at 09:10\nno answer from CERT\nretry at 09:30"]
        note = next(e for e in app.session.sim.events if e.kind == ev.NOTE)
        assert (
            describe(note, app.scenario, "en")
            == "Note: SOC called at 09:10 / no answer from CERT / retry at 09:30"
        )


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("key", ["w", "n", "t"])
@sync
async def test_a_dialog_shows_its_hint_whole_at_80_columns(live, lang, key):
    from drill.i18n import t

    app = live(at=10, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        app.selection.inject = "helpdesk-calls"
        await pilot.press(key)
        await pilot.pause(0.2)
        assert isinstance(app.screen, AskScreen)
        hint = t("tui.ask_duration_hint" if key == "w" else "tui.ask_hint_lines")
        # the dialog's lines, between its thick borders, wrapped
        inner = [line.split("█")[1] for line in app.export_text().splitlines() if line.count("█") >= 2]
        shown = " ".join(x.strip() for x in inner)
        assert " ".join(hint.split()) in " ".join(shown.split())


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("T+08:00", 480), ("T+02:30", 150), ("02:30", 150), ("11:30", 210), ("T+3h", 180), ("90m", 90)],
)
@sync
async def test_the_replay_goes_to_a_time_written_every_usual_way(live, typed, minutes):
    from drill.tui.app import make_replay_app

    recorder = live(at=600)
    recorder.session.close()
    app = make_replay_app(recorder.session.log_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        entry = app.screen.query_one(Input)
        assert entry.value == "T+00:00"  # the format it offers is one it takes
        entry.value = typed
        await pilot.press("enter")
        await pilot.pause()
        assert app.playhead == minutes
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one(Input).value = "half past ten"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)  # said in the dialog, which stays
        assert "is not a moment of the drill" in app.export_text()
