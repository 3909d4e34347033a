"""Snapshots of the main screens (facilitator, players, replay) at 80×24, 120×40 and 200×60, in
English and Vietnamese, and as a terminal of 256 colours shows them (tmux's default, macOS
Terminal). Everything on them is fixed: the seed, a paused clock, the wall clock.

After a deliberate change of the look: ``pytest tests/tui/test_snapshots.py --snapshot-update``,
then look at the new SVGs before committing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.engine.commands import Command

SIZES = {"80x24": (80, 24), "120x40": (120, 40), "200x60": (200, 60)}
FIXTURE_DECISIONS = (
    Command(action="isolate", target={"node": "hoan-kiem-ws"}),
    Command(action="note", text="SOC slow to escalate", source="facilitator"),
    Command(action="inject", inject="backup-also-encrypted", source="facilitator"),
)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("view", ["facilitator", "players"])
def test_live_screens(snap_compare, live, size, lang, view):
    app = live(at=130, lang=lang)
    for command in FIXTURE_DECISIONS:
        app.session.apply(command)
    app.session.advance(20)

    async def run_before(pilot):
        await pilot.pause()
        pilot.app.clear_notifications()  # the start-up notice names the (temporary) log file
        if view == "players":
            await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_replay_screen(snap_compare, live, tmp_path: Path, size, lang):
    from tui_helpers import WALL

    from drill.tui.app import make_replay_app

    recorder = live(at=130)
    for command in FIXTURE_DECISIONS:
        recorder.session.apply(command)
    recorder.session.advance(350)
    recorder.session.close()
    app = make_replay_app(recorder.session.log_path, lang=lang, wallclock=lambda: WALL)

    async def run_before(pilot):
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.press("i", "i", "n")  # to the second inject, then the note
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("view", ["facilitator", "players"])
def test_live_screens_in_256_colours(snap_compare, live, lang, view):
    from tui_helpers import export_svg_256

    app = live(at=130, lang=lang)
    for command in FIXTURE_DECISIONS:
        app.session.apply(command)
    app.session.advance(20)
    app.export_screenshot = lambda **kw: export_svg_256(app)

    async def run_before(pilot):
        await pilot.pause()
        pilot.app.clear_notifications()
        if view == "players":
            await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES["120x40"], run_before=run_before)
