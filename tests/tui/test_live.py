"""The live drill driven by a Pilot: every action by its key and by the command palette, checked
on the simulation, in the log on disk, and on the screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from textual.command import CommandInput
from textual.widgets import Input
from tui_helpers import settle_palette, sync

from drill.engine import events as ev
from drill.engine.commands import Command
from drill.log import read_log

SIZE = (160, 50)


def logged(app, kind: str, **match) -> list:
    """Events of ``kind`` in the log file (what survives a crash), matching ``match``."""
    out = []
    for e in read_log(app.session.log_path).events:
        if e.kind != kind:
            continue
        if all((e.data.get(k) if k != "target" else e.target) == v for k, v in match.items()):
            out.append(e)
    return out


def command_logged(app, action: str) -> bool:
    return any(e.data["command"]["action"] == action for e in logged(app, ev.COMMAND))


@dataclass
class Case:
    action: str
    key: str
    palette: str  # what the facilitator types in the palette
    check: Callable
    shows: str  # a piece of the screen afterwards
    at: float = 150.0
    node: str | None = "hoan-kiem-ws"
    site: str = "hoan-kiem"
    answers: tuple[str, ...] = ()  # typed into the dialogs that follow, each ended with Enter
    before: tuple[Command, ...] = ()
    inject: str | None = None
    expectation: int | None = None
    palette_answers: tuple[str, ...] | None = None
    confirm: bool = False  # the key asks first (Enter says yes); the palette, naming it, does not
    extra: dict = field(default_factory=dict)


def _sim(app):
    return app.session.sim


CASES = [
    Case(
        "isolate",
        "i",
        "isolate hoan-kiem-ws",
        lambda app: (
            _sim(app).nodes["hoan-kiem-ws"].isolated
            and command_logged(app, "isolate")
            and [e.actor for e in logged(app, ev.ISOLATE, target="hoan-kiem-ws")] == ["player"]
        ),
        "Decision: isolate hoan-kiem-ws",
        # before the local team's own playbook isolates it (triage from T+1:52, isolation at T+2:22)
        at=130.0,
        confirm=True,
    ),
    Case(
        "reconnect",
        "u",
        "reconnect hoan-kiem-ws",
        lambda app: not _sim(app).nodes["hoan-kiem-ws"].isolated and bool(logged(app, ev.RECONNECT)),
        "Decision: reconnect hoan-kiem-ws",
        before=(Command(action="isolate", target={"node": "hoan-kiem-ws"}),),
    ),
    Case(
        "cut-link",
        "c",
        "cut wan link ba vi",
        lambda app: "ba-vi" in app.vm.disconnected and bool(logged(app, ev.LINK_CUT)),
        "Ba Vi District is cut off from the city WAN",
        node="ba-vi-ws",  # a PC has no WAN link: its body's is cut
        site="ba-vi",
        confirm=True,
    ),
    Case(
        "restore-link",
        "C",
        "restore wan link ba vi",
        lambda app: "ba-vi" not in app.vm.disconnected and bool(logged(app, ev.LINK_RESTORED)),
        "Ba Vi District is back on the city WAN",
        node=None,
        site="ba-vi",
        before=(Command(action="cut-link", target={"site": "ba-vi"}),),
    ),
    Case(
        "block-trust",
        "b",
        "block trust hoan-kiem-dc",
        lambda app: bool(logged(app, ev.LINK_CUT, target="hoan-kiem-dc--sdc-ad")),
        "Decision: block trust hoan-kiem-dc",
        node="hoan-kiem-dc",
    ),
    Case(
        "reimage",
        "r",
        "reimage hoan-kiem-ws",
        lambda app: bool(logged(app, ev.ALERT, target="hoan-kiem-ws", step="reimage")),
        "Decision: reimage hoan-kiem-ws",
    ),
    Case(
        "restore",
        "R",
        "restore from backup hoan-kiem-srv",
        lambda app: bool(logged(app, ev.ALERT, target="hoan-kiem-srv", step="restore")),
        "Decision: restore from backup hoan-kiem-srv",
        node="hoan-kiem-srv",
    ),
    Case(
        "patch",
        "P",
        "patch hoan-kiem-srv",
        lambda app: bool(logged(app, ev.ALERT, target="hoan-kiem-srv", step="patch")),
        "Decision: patch hoan-kiem-srv",
        node="hoan-kiem-srv",
    ),
    Case(
        "offline",
        "o",
        "take offline e-mail (email)",
        lambda app: "email" in _sim(app).services.forced_offline and "email" in app.vm.services_down,
        "Service down: E-mail",
        node=None,
        answers=("email",),
        palette_answers=(),
    ),
    Case(
        "online",
        "O",
        "bring online e-mail (email)",
        lambda app: "email" not in _sim(app).services.forced_offline and "email" not in app.vm.services_down,
        "Service back: E-mail",
        node=None,
        answers=("email",),
        palette_answers=(),
        before=(Command(action="offline", service="email"),),
    ),
    Case(
        "escalate",
        "e",
        "escalate national cert",
        lambda app: bool(logged(app, ev.ESCALATION, target="national-cert")),
        "Escalated to National CERT",
        answers=("national-cert",),
        palette_answers=(),
    ),
    Case(
        "report",
        "p",
        "report department of information so-thong-tin",
        lambda app: bool(logged(app, ev.REPORT, target="so-thong-tin-truyen-thong")),
        "Reported to Department of Information and Communications",
        answers=("so-thong-tin-truyen-thong",),
        palette_answers=(),
    ),
    Case(
        "communicate",
        "m",
        "communicate",
        lambda app: any(e.data.get("public") for e in logged(app, ev.REPORT)),
        "Statement to the public by the players: the one-stop desk is closed today",
        answers=("the one-stop desk is closed today",),
    ),
    Case(
        "inject",
        "d",
        "deliver inject cert-busy",
        lambda app: bool(logged(app, ev.INJECT, target="cert-busy")),
        "Inject cert-busy",
        inject="cert-busy",
        palette_answers=(),
    ),
    Case(
        "skip-inject",
        "x",
        "skip inject backup-also",
        lambda app: bool(logged(app, ev.INJECT_SKIPPED, target="backup-also-encrypted")),
        "Inject backup-also-encrypted skipped",
        inject="backup-also-encrypted",
        confirm=True,
    ),
    Case(
        "delay-inject",
        "w",
        "delay inject helpdesk",
        lambda app: (
            bool(logged(app, ev.INJECT_DELAYED, target="helpdesk-calls"))
            and app.vm.msel["helpdesk-calls"].at == 75
        ),
        "Inject helpdesk-calls delayed by 30m",
        at=10.0,
        answers=("helpdesk-calls", "30m"),
        palette_answers=("30m",),
    ),
    Case(
        "free-inject",
        "t",
        "free-text inject",
        lambda app: any(e.data.get("why") == "free" for e in logged(app, ev.INJECT)),
        "Inject (free text): the mayor calls",
        answers=("the mayor calls",),
    ),
    Case(
        "mark",
        "k",
        "mark done helpdesk-calls #2",
        lambda app: bool(logged(app, ev.EXPECTATION, target="helpdesk-calls", status="met")),
        "Met: report by Hoan Kiem IT staff (helpdesk-calls)",
        at=60.0,
        inject="helpdesk-calls",
        expectation=1,
    ),
    Case(
        "note",
        "n",
        "note",
        lambda app: any(e.data.get("text") == "SOC slow to call" for e in logged(app, ev.NOTE)),
        "Note: SOC slow to call",
        answers=("SOC slow to call",),
    ),
    Case(
        "compromise",
        "A",
        "compromise ba-vi-ws",
        lambda app: (
            bool(logged(app, ev.COMPROMISE, target="ba-vi-ws")) and app.vm.body_worst("ba-vi") == "foothold"
        ),
        "Red team: compromise ba-vi-ws",
        node="ba-vi-ws",
        site="ba-vi",
        confirm=True,
    ),
    Case(
        "start-stage",
        "S",
        "start stage wan-spread",
        lambda app: bool(logged(app, ev.STAGE_START, target="wan-spread", why="red-team")),
        "Red team: start stage wan-spread",
        at=20.0,
        answers=("wan-spread",),
        palette_answers=(),
    ),
    Case(
        "ddos",
        "D",
        "ddos portal-web",
        lambda app: bool(logged(app, ev.EFFECT, target="portal-web", effect="deny")),
        "Red team: DDoS portal-web 1h",
        node="portal-web",
        site="portal",
        answers=("1h",),
    ),
]


async def _type(pilot, text: str) -> None:
    """Answer the dialog on top: short answers key by key, long ones pasted at once."""
    if len(text) <= 8:
        await pilot.press(*text)
    else:
        entry = pilot.app.screen.query_one("#ask-input, #pick-input")
        if isinstance(entry, Input):
            entry.value = text
        else:  # a text of several lines
            entry.load_text(text)
        await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def _prepare(app, pilot, case: Case) -> None:
    for command in case.before:
        app.session.apply(command)
    app.selection.site = case.site
    app.selection.node = case.node
    app.selection.inject = case.inject
    app.selection.expectation = case.expectation
    app.refresh_now()
    await pilot.pause()


@pytest.mark.parametrize("case", CASES, ids=[c.action for c in CASES])
@sync
async def test_action_by_key(live, case: Case):
    app = live(at=case.at)
    async with app.run_test(size=SIZE) as pilot:
        await _prepare(app, pilot, case)
        await pilot.press(case.key)
        await pilot.pause()
        if case.confirm:
            assert not command_logged(app, case.action)  # not before the answer
            await pilot.press("enter")
            await pilot.pause()
        for answer in case.answers:
            await _type(pilot, answer)
        await pilot.pause()
        assert case.check(app), case.action
        assert case.shows in app.export_text()


@pytest.mark.parametrize("case", CASES, ids=[c.action for c in CASES])
@sync
async def test_action_by_palette(live, case: Case):
    app = live(at=case.at)
    async with app.run_test(size=SIZE) as pilot:
        await _prepare(app, pilot, case)
        app.selection.node = app.selection.inject = None
        app.selection.expectation = None
        await pilot.press("ctrl+p")
        await pilot.pause()
        query = case.extra.get("palette", case.palette)
        if case.action == "isolate":
            await pilot.press(*query)  # typed key by key, once
        else:
            app.screen.query_one(CommandInput).value = query  # the same, at once
        await settle_palette(pilot)
        await pilot.press("enter")
        await pilot.pause()
        answers = case.palette_answers if case.palette_answers is not None else case.answers
        for answer in answers:
            await _type(pilot, answer)
        await pilot.pause()
        assert case.check(app), case.action
        assert case.shows in app.export_text()


@sync
async def test_a_patched_node_says_so_in_the_body_detail(live):
    app = live(at=10.0)
    app.session.apply(Command(action="patch", target={"node": "hoan-kiem-srv"}, by="hoan-kiem-it"))
    async with app.run_test(size=SIZE) as pilot:
        app.selection.site, app.selection.node = "hoan-kiem", "hoan-kiem-srv"
        app.refresh_now()
        await pilot.pause()
        assert "patched" not in app.export_text()
        app.session.advance(60)  # 45m for one person of the district's IT staff
        app.refresh_now()
        await pilot.pause()
        assert app.vm.nodes["hoan-kiem-srv"].patched
        assert "backup · patched" in app.export_text()
