"""Decisions hard to take back ask first, and decisions that would do nothing are refused with
a notice instead of being entered in the log."""

from __future__ import annotations

import pytest
from tui_helpers import sync

from drill.engine import events as ev
from drill.engine.commands import Command
from drill.log import read_log
from drill.tui.screens.dialogs import ConfirmScreen

SIZE = (120, 40)


def decisions(app) -> list[dict]:
    return [e.data["command"] for e in read_log(app.session.log_path).events if e.kind == ev.COMMAND]


@pytest.mark.parametrize(
    ("key", "question", "action"),
    [
        ("i", "Isolate all of Hoan Kiem District (219 hosts)?", "isolate"),
        ("c", "Cut the WAN link of all of Hoan Kiem District (219 hosts)?", "cut-link"),
        ("A", "Red team: compromise all of Hoan Kiem District (219 hosts)?", "compromise"),
    ],
)
@sync
async def test_a_decision_hard_to_take_back_asks_first(live, clock, key, question, action):
    app = live(at=60, running=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert question in app.export_text()
        before = app.session.now
        clock.advance(30)
        app._tick()
        assert app.session.now == before  # the clock waits for the answer
        await pilot.press("escape")  # no
        await pilot.pause()
        assert not [d for d in decisions(app) if d["action"] == action]
        assert app.running  # and runs again
        await pilot.press(key)
        await pilot.pause()
        at = app.session.now
        await pilot.press("y")
        await pilot.pause()
        entered = [e for e in app.session.sim.events if e.kind == ev.COMMAND and e.target == action]
        assert len(entered) == 1 and entered[0].t == at


@sync
async def test_skipping_the_selected_inject_asks_first(live):
    app = live(at=10)
    async with app.run_test(size=SIZE) as pilot:
        app.selection.inject = "backup-also-encrypted"
        await pilot.press("x")
        await pilot.pause()
        assert "Skip inject backup-also-encrypted?" in app.export_text()
        await pilot.press("n")
        await pilot.pause()
        assert app.vm.msel["backup-also-encrypted"].status == "held"
        await pilot.press("x", "enter")  # Enter says yes
        await pilot.pause()
        assert app.vm.msel["backup-also-encrypted"].status == "skipped"


CASES = [
    ("u", (), "hoan-kiem-ws", "hoan-kiem-ws is not isolated"),
    (
        "i",
        (Command(action="isolate", target={"site": "hoan-kiem"}),),
        None,
        "all of Hoan Kiem District is already isolated",
    ),
    ("C", (), None, "no WAN link of Hoan Kiem District is cut"),
]


@pytest.mark.parametrize(
    ("key", "before", "node", "notice"), CASES, ids=["reconnect", "isolate", "restore-link"]
)
@sync
async def test_a_decision_that_would_do_nothing_is_refused_not_entered(live, key, before, node, notice):
    app = live(at=60)
    for command in before:
        app.session.apply(command)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.selection.node = node
        entered = len(decisions(app))
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        told = [n.message for n in app._notifications]
        assert f"Not entered: {notice}" in told, told  # in words: names, never site=…
        # and on screen: the toasts, right of their bar "▌", their lines joined as they wrap
        toasts = " ".join(
            line.split("▌", 1)[1].strip(" │╯─") for line in app.export_text().splitlines() if "▌" in line
        )
        assert notice in " ".join(toasts.split())
        assert len(decisions(app)) == entered
        assert not [e for e in app.session.sim.events if e.kind == ev.COMMAND_REFUSED]


@sync
async def test_the_palette_refuses_bringing_back_a_service_nobody_took_offline(live):
    app = live(at=60)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.action_online("email")
        await pilot.pause()
        assert "E-mail" not in app.vm.forced_offline and "was not taken offline" in app.export_text()
        assert not decisions(app)
        app.action_offline("email")
        app.action_online("email")
        await pilot.pause()
        assert [d["action"] for d in decisions(app)] == ["offline", "online"]


@sync
async def test_delaying_with_nothing_scheduled_says_so(live):
    app = live(at=60)
    for inject in ("ransom-note", "soc-alert"):
        app.session.apply(Command(action="skip-inject", inject=inject, source="facilitator"))
    upcoming = [v for v in app.vm.injects("upcoming")]
    for view in upcoming:
        app.session.apply(Command(action="skip-inject", inject=view.id, source="facilitator"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.selection.inject = None
        await pilot.press("w")
        await pilot.pause()
        assert "No inject is scheduled: nothing to delay." in app.export_text()
        assert app.screen.id == "drill-screen"
