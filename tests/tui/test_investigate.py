"""The facilitator's investigations: a picker (procedure with its expected time, then the team)
that enters the decision; the findings panel; the map through a team's lens."""

from __future__ import annotations

from tui_helpers import sync

from drill.engine import events as ev
from drill.engine.commands import Command
from drill.log import read_log
from drill.tui.screens.dialogs import PickScreen
from drill.tui.screens.findings import FindingsScreen

SIZE = (120, 40)


def decisions(app) -> list[dict]:
    return [e.data["command"] for e in read_log(app.session.log_path).events if e.kind == ev.COMMAND]


@sync
async def test_the_picker_enters_an_investigation_with_its_expected_time(live):
    app = live(at=50, scenario="docmgmt-quiet-theft")
    async with app.run_test(size=SIZE) as pilot:
        app.selection.site = "so-tai-chinh"
        await pilot.press("I")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        text = app.export_text() if hasattr(app, "export_text") else ""
        # Finance has 300 + 3 + 1 machines; a log review is 30m + 12s a machine, shared by two:
        # (30 + 0.2 × 304) / 2 = 45.4 minutes
        assert "log review · about 45m (304 machine(s))" in text
        await pilot.press(*"log review")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)  # now the team
        await pilot.press(*"so-tai-chinh-it")
        await pilot.press("enter")
        await pilot.pause()
    investigations = [d for d in decisions(app) if d["action"] == "investigate"]
    assert investigations == [
        {
            "action": "investigate",
            "target": {"site": ["so-tai-chinh"]},
            "by": "so-tai-chinh-it",
            "procedure": "log-review",
        }
    ]


@sync
async def test_the_lens_shows_a_teams_knowledge_and_the_findings_panel_its_artefacts(live):
    app = live(at=50, scenario="docmgmt-quiet-theft")
    async with app.run_test(size=SIZE) as pilot:
        app.submit(
            "investigate", procedure="log-review", target={"site": ["so-tai-chinh"]}, by="so-tai-chinh-it"
        )
        app.session.advance(5 * 60)
        app.refresh_now()
        await pilot.pause()
        events = app.session.sim.events
        # the oracle, from the log itself: what Finance's IT staff confirmed, less what was
        # reimaged or restored since
        held = set()
        for e in events:
            if e.kind == ev.LEARNED and e.actor == "so-tai-chinh-it" and e.data["certainty"] == "confirmed":
                if e.data["fact"] == "compromise":
                    held.add(e.target)
            elif e.kind == ev.TASK_END and e.data.get("step") in ("reimage", "restore"):
                held.discard(e.target)
        assert held, "seed 2015's log review finds the phished PCs"
        truth = {n: app.vm.node_label(n) for n in app.scenario.city.nodes}
        await pilot.press("T", "T")  # city-soc, then Finance's IT staff (the scenario's order)
        await pilot.pause()
        assert app.vm.lens == "so-tai-chinh-it"
        for node in app.scenario.city.nodes:
            label = app.vm.node_label(node)
            if app.vm.nodes[node].isolated:
                assert label == "isolated"
            elif node in held:
                assert label == "foothold"
            else:
                assert label in ("no_alert", "suspected"), (node, label)
        from drill.tui.widgets.network import NetworkMap

        await pilot.pause()
        titles = [str(m.border_title) for m in app.screen.query(NetworkMap)]
        assert titles and all("what Department of Finance IT staff knows" in x for x in titles), titles
        await pilot.press("K")
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        lines = [
            f["artefact"]["line"] for e in events if e.kind == ev.INVESTIGATED for f in e.data["findings"]
        ]
        group = app.screen.query_one("#findings-text").content  # the whole panel, scrolled or not
        shown = "\n".join(part.plain for part in group.renderables)
        assert lines and all(line in shown for line in lines)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("T")  # national-cert, then back to the truth
        await pilot.press("T")
        await pilot.pause()
        assert app.vm.lens == ""
        assert {n: app.vm.node_label(n) for n in app.scenario.city.nodes} == truth


@sync
async def test_the_replay_keeps_the_lens_when_it_seeks_back(live, clock):
    from tui_helpers import WALL

    from drill.tui.app import make_replay_app

    app = live(at=50, scenario="docmgmt-quiet-theft")
    app.session.apply(
        Command(
            action="investigate",
            procedure="log-review",
            target={"site": "so-tai-chinh"},
            by="so-tai-chinh-it",
        )
    )
    app.session.advance(4 * 60)
    app.session.close()
    replay = make_replay_app(app.session.log_path, wallclock=lambda: WALL, clock=clock)
    async with replay.run_test(size=SIZE) as pilot:
        # just after Finance's IT staff confirmed a machine (seed 2015: their log review does)
        learned = next(
            e
            for e in replay.timeline.events
            if e.kind == ev.LEARNED and e.actor == "so-tai-chinh-it" and e.data["certainty"] == "confirmed"
        )
        replay.seek_to(learned.t + 0.01)
        await pilot.press("T", "T")
        await pilot.pause()
        assert replay.vm.lens == "so-tai-chinh-it"
        assert replay.vm.node_label(learned.target) == "foothold"
        replay.seek_to(0.0)  # back to the start: a model rebuilt from the first checkpoint
        await pilot.pause()
        assert replay.vm.lens == "so-tai-chinh-it"  # earlier, through the same team's eyes
        assert all(replay.vm.node_label(n) == "no_alert" for n in replay.scenario.city.nodes)
        await pilot.press("K")
        await pilot.pause()
        assert isinstance(replay.screen, FindingsScreen)
