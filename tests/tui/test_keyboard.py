"""Keyboard only: Tab and Shift+Tab move between panels and buttons, the footer follows the
focused panel and always offers ``?``, the help is grouped and scrolls, and the status line says
what the next key acts on."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Button
from tui_helpers import sync, until

from drill.engine import events as ev
from drill.tui.screens.help import HelpScreen
from drill.tui.widgets.detail import NodeList
from drill.tui.widgets.msel import MselList
from drill.tui.widgets.network import NetworkMap

SIZE = (120, 40)


def footer(app) -> str:
    return app.export_text().splitlines()[-1]


@sync
async def test_tab_and_shift_tab_move_between_panels_and_buttons(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, NetworkMap)
        await pilot.press("tab")
        assert isinstance(app.focused, NodeList)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, NetworkMap)
        # on to the first decision button, and Enter presses it: the selected body is isolated
        for _ in range(5):
            await pilot.press("tab")
            if isinstance(app.focused, Button):
                break
        assert isinstance(app.focused, Button) and app.focused.id == "btn-isolate"
        await pilot.press("enter")  # the button asks, as its key does
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        isolated = [e for e in app.session.sim.events if e.kind == ev.COMMAND]
        assert isolated[-1].data["command"] == {"action": "isolate", "target": {"site": ["hoan-kiem"]}}


@sync
async def test_the_footer_follows_the_focused_panel(live):
    app = live(at=150)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        assert await until(pilot, lambda: "Cut WAN" in footer(app))
        assert "Deliver inject" not in footer(app)
        app.screen.query_one(MselList).focus()
        assert await until(pilot, lambda: "Deliver inject" in footer(app)), footer(app)
        assert "Delay inject" in footer(app) and "Cut WAN" not in footer(app)
        app.screen.query_one(NodeList).focus()
        assert await until(pilot, lambda: "Reimage" in footer(app)), footer(app)
        assert "Deliver inject" not in footer(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
@pytest.mark.parametrize("view", ["live", "players", "replay"])
@sync
async def test_the_help_key_is_in_the_footer_at_every_width(live, tmp_path, size, view):
    if view == "replay":
        from drill.tui.app import make_replay_app

        recorder = live(at=60)
        recorder.session.close()
        app = make_replay_app(recorder.session.log_path)
    else:
        app = live(at=60)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if view == "players":
            await pilot.press("v")
            await pilot.pause()
        assert footer(app).lstrip().startswith("? Keys")


@sync
async def test_the_help_is_grouped_and_scrolls_by_keyboard(live):
    app = live()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.export_text()
        assert "The drill clock" in text
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0  # more than fits: it must scroll
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        text = app.export_text()
        assert "In the event feed" in text  # the legend comes last
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


@sync
async def test_the_status_line_says_what_the_next_key_acts_on(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = app.export_text().splitlines()[-2]
        assert "act on all of Hoan Kiem District" in status
        await pilot.press("2", "down", "down")  # the body's list: its second node
        await pilot.pause()
        status = app.export_text().splitlines()[-2]
        assert "act on hoan-kiem-ws in Hoan Kiem District" in status
        await pilot.press("5")
        msel = app.screen.query_one(MselList)
        msel.highlighted = next(
            i for i, o in enumerate(msel._options) if o.id == "inj:cert-busy"
        )  # a contingency inject: deliver or skip
        await pilot.pause()
        status = app.export_text().splitlines()[-2]
        assert "d x act on cert-busy" in status
