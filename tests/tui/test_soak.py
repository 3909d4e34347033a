"""Random keys, fast, as a room full of hands would press them: the drill never crashes, never
stops on its own, and its log stays whole (every event on disk, and the seed plus the recorded
decisions give the same stream again).

Keys come in bursts posted at once, the way a terminal delivers typing-ahead and a double Enter —
not one at a time with a pause after each, which hides the races."""

from __future__ import annotations

import random

import pytest
from textual import events
from tui_helpers import sync

from drill.log import read_log
from drill.session import first_difference, resimulate
from drill.tui.keys import LIVE

SIZES = ((80, 24), (120, 40), (200, 60))
# every key of the live screen, the keys dialogs and panels use, and a little typing
BOUND = sorted({k for key in LIVE for k in key.keys.split(",")})
EXTRA = [
    "enter",
    "enter",
    "escape",
    "tab",
    "shift+tab",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "backspace",
    "ctrl+p",
    "a",
    "z",
    "h",
    "1",
    "7",
    "y",
]
POOL = BOUND + EXTRA
CHAR = {"space": " ", "full_stop": ".", "plus": "+", "equals_sign": "=", "minus": "-", "question_mark": "?"}


def _key(name: str) -> events.Key:
    if len(name) == 1:
        return events.Key(name, name)
    if name in CHAR:
        return events.Key(name, CHAR[name])
    return events.Key(name, "\r" if name == "enter" else None)


async def _soak(live, clock, presses: int, size: tuple[int, int], seed: int) -> None:
    rng = random.Random(seed)
    app = live(at=60, speed=600)
    quits: list[int] = []
    app.exit = lambda *args, **kwargs: quits.append(1)  # a confirmed quit is the one way out: count it
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        sent = 0
        while sent < presses:
            burst = [rng.choice(POOL) for _ in range(rng.randint(1, 6))]
            for name in burst:
                app.post_message(_key(name))
            sent += len(burst)
            if rng.random() < 0.3:
                clock.advance(rng.uniform(0.1, 3))  # the drill runs if it was started
            await pilot.pause()
            assert app.is_running and app.return_code is None, (seed, sent, burst)
            assert app.errors == [], (seed, sent, burst, app.errors)
        await pilot.pause()
        assert app.is_running and app.return_code is None and app.errors == []
        assert len(app.screen_stack) >= 1
        app.session.close()
    log = read_log(app.session.log_path)
    assert not log.warnings
    assert [e.seq for e in log.events] == list(range(len(log.events)))
    assert first_difference(app.session.sim.events, log.events) is None
    again = resimulate(app.scenario, log.header["seed"], log.events)
    assert first_difference(log.events, again.events) is None


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """Random typing in the palette may find its Screenshot command: it saves here."""
    from drill.tui import base

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(base, "user_downloads_path", lambda: tmp_path)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@sync
async def test_random_keys_never_end_the_drill(live, clock, size):
    await _soak(live, clock, 150, size, seed=size[0])


@pytest.mark.slow(quick="test_random_keys_never_end_the_drill")
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@sync
async def test_thousands_of_random_keys_never_end_the_drill(live, clock, size, seed):
    await _soak(live, clock, 3000, size, seed=1000 * seed + size[0])


@sync
async def test_a_double_enter_answers_a_dialog_once(live):
    """Two Enters in one burst (a terminal delivers them together): one note, and the drill's
    own screen stays."""
    app = live(at=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n", *"slow", "enter")
        await pilot.pause()
        for name in ("n", *"late", "enter", "enter"):
            app.post_message(_key(name))
        await pilot.pause()
        for name in ("ctrl+p", *"note", "enter", "enter"):
            app.post_message(_key(name))
        await pilot.pause()
        for name in ("escape", "escape", "escape"):
            app.post_message(_key(name))
        await pilot.pause()
        assert app.is_running and app.errors == []
        notes = [e.data["text"] for e in app.session.sim.events if e.kind == "note"]
        assert notes == ["slow", "late"]
        assert [type(s).__name__ for s in app.screen_stack] == ["DrillScreen"]


@sync
async def test_a_dialog_answers_once_however_often_it_is_told(live):
    """Two answers handled before the first one's screen has gone (the race behind a double
    Enter): the first counts, and the drill's screen stays."""
    from drill.tui.screens.dialogs import AskScreen

    app = live(at=60)
    async with app.run_test(size=(120, 40)) as pilot:
        answers: list[str | None] = []
        dialog = AskScreen("?")
        app.push_screen(dialog, answers.append)
        await pilot.pause()
        dialog.dismiss("first")
        dialog.dismiss("second")
        await pilot.pause()
        assert answers == ["first"]
        assert [type(s).__name__ for s in app.screen_stack] == ["DrillScreen"]
        assert app.errors == []


@sync
async def test_the_palette_runs_its_command_once(live):
    from textual.command import CommandInput
    from tui_helpers import settle_palette

    app = live(at=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        entry = app.screen.query_one(CommandInput)
        entry.value = "note"
        await settle_palette(pilot)
        entry.post_message(CommandInput.Submitted(entry, entry.value))
        entry.post_message(CommandInput.Submitted(entry, entry.value))
        await pilot.pause()
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack] == ["DrillScreen", "AskScreen"]
        assert app.errors == []
