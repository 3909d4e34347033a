"""A team's console shows what that team knows, and only that: a real server on a loopback port,
two teams each investigating from its own console, and the side panel folded from what each
console received.

The quiet drill (scenarios/docmgmt-quiet-theft.yaml) with every clean machine examined turning up a
false lead (``false_positives: 1``): investigating a machine the attacker never touches is sure to
find something — an administrator's tool that looks like an attacker's — so each team surely
learns something of its own, and a leak would show.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.widgets import Static

from drill.bridge.client import SeatClient
from drill.bridge.figures import seat_knowledge
from drill.engine import events as ev
from drill.log import read_log
from drill.model.load import Scenario, parse_scenario
from drill.team_view import team_lines
from drill.tui.bridge_console import ConsoleApp
from tests.bridge.helpers import served

QUIET = Path(__file__).resolve().parents[2] / "scenarios" / "docmgmt-quiet-theft.yaml"
A, B = "so-tai-chinh-it", "city-soc"
A_NODE, B_NODE = "so-tai-chinh-gw", "sdc-mail"  # machines the attacker never touches


def every_clean_machine_a_false_lead() -> Scenario:
    text = QUIET.read_text(encoding="utf-8")
    assert "false_positives: 0.05" in text
    text = text.replace("false_positives: 0.05", "false_positives: 1")
    scenario, problems = parse_scenario(text, str(QUIET), QUIET.parent)
    assert scenario is not None, [p.format() for p in problems]
    return scenario


async def wait_for(pilot, condition, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("not in time")


def text_of(app: ConsoleApp, widget: str) -> str:
    return str(app.query_one(widget, Static).render())


def test_a_teams_console_shows_its_own_findings_and_never_anothers(tmp_path):
    log = tmp_path / "d.jsonl"
    with served(every_clean_machine_a_false_lead(), log, speed=3600, running=False) as s:

        async def main():
            a = ConsoleApp(s.url, s.token(A), who="Lan", lang="en")
            b = ConsoleApp(s.url, s.token(B), who="Minh", lang="en")
            a.client.state.keep_all = b.client.state.keep_all = True
            chair = SeatClient(s.url, s.token("facilitator"), who="chair")
            chair_task = asyncio.create_task(chair.run())
            async with a.run_test(size=(160, 60)) as ap, b.run_test(size=(160, 60)) as bp:
                await wait_for(ap, a.client.connected.is_set)
                await wait_for(bp, b.client.connected.is_set)
                await asyncio.wait_for(chair.connected.wait(), 10)
                # each team types its investigation at its own console, as in a decisions file
                await ap.press(*f"investigate endpoint-analysis {A_NODE}", "enter")
                await bp.press(*f"investigate endpoint-analysis {B_NODE}", "enter")
                await wait_for(ap, lambda: "investigate" in text_of(a, "#answer"))
                await wait_for(bp, lambda: "investigate" in text_of(b, "#answer"))
                await chair.send("run")
                await wait_for(ap, lambda: bool(a.client.state.clock.get("finished")), 60)
                await wait_for(bp, lambda: bool(b.client.state.clock.get("finished")), 60)
                await ap.pause(0.3)
                shown = text_of(a, "#knowledge"), text_of(b, "#knowledge")
                await a.action_quit()
                await b.action_quit()
            await chair.close()
            await asyncio.wait_for(chair_task, 10)
            return a.client.state, b.client.state, shown

        a_state, b_state, (a_shown, b_shown) = asyncio.run(main())

    events = read_log(log).events
    knowledge = (ev.LEARNED, ev.INVESTIGATED)
    of_a = {e.seq for e in events if e.kind in knowledge and e.actor == A}
    of_b = {e.seq for e in events if e.kind in knowledge and e.actor == B}
    # the drill as it happened: each team's investigation ended, with the false lead it was sure of
    for team, node in ((A, A_NODE), (B, B_NODE)):
        (done,) = [e for e in events if e.kind == ev.INVESTIGATED and e.actor == team]
        assert [f["node"] for f in done.data["findings"]] == [node]
        assert done.data["findings"][0].get("false_lead") is True

    def received(state, kinds=knowledge) -> set[int]:
        return {m["event"]["seq"] for m in state.ordered_events() if m["event"]["kind"] in kinds}

    # each console received every knowledge event of its own team, and none of the other's
    assert received(a_state) == of_a and received(b_state) == of_b
    a_raw = json.dumps(a_state.received, ensure_ascii=False)
    b_raw = json.dumps(b_state.received, ensure_ascii=False)
    # nothing of the other team's finding in anything it was sent: not the machine, nor its artefact
    assert B_NODE not in a_raw and B_NODE.upper() not in a_raw
    assert A_NODE not in b_raw and A_NODE.upper() not in b_raw
    # and nothing tells a team that its finding was a false lead
    assert "false_lead" not in a_raw and "false_lead" not in b_raw
    assert "false lead" not in a_shown.lower() and "false lead" not in b_shown.lower()

    # A's console shows what A knows: the machines it suspects (its false lead, and the desk PCs the
    # odd-email inject, addressed to A alone, points to), the technique an administrator's work looks
    # like (T1059), its investigation and the artefact it turned up
    assert "What Department of Finance IT staff knows" in a_shown
    assert "Suspected (2)" in a_shown and A_NODE in a_shown and "so-tai-chinh-ws" in a_shown
    assert "Held for compromised (0)" in a_shown
    assert "T1059" in a_shown
    assert "Investigations (1)" in a_shown
    assert f"Host={A_NODE.upper()} NewProcess=C:\\Tools\\PsExec64.exe" in a_shown
    assert B_NODE not in a_shown and B_NODE.upper() not in a_shown
    assert f"Host={B_NODE.upper()} NewProcess=C:\\Tools\\PsExec64.exe" in b_shown
    assert "What City security operations knows" in b_shown and "Suspected (1)" in b_shown
    assert A_NODE not in b_shown and A_NODE.upper() not in b_shown and "so-tai-chinh-ws" not in b_shown


def message(seq: int, kind: str, actor: str, target: str, **data) -> dict:
    return {
        "event": {"t": 60.0 + seq, "seq": seq, "kind": kind, "actor": actor, "target": target, "data": data}
    }


def test_the_side_panel_folds_what_the_console_received():
    # as a team's console receives them: a machine confirmed by an investigation, one suspected from
    # an inject's lead, and the investigation with its artefact; then the machine reimaged
    line = (
        "2015-10-12 09:00:00 EventID=4688 Host=A-SRV NewProcess=C:\\ProgramData\\lsass.dmp Account=a\\admin"
    )
    received = [
        message(
            1,
            "investigated",
            "a-it",
            "a-srv",
            procedure="memory-forensics",
            number=1,
            examined=1,
            machines=3,
            findings=[
                {
                    "node": "a-srv",
                    "technique": "T1003",
                    "since": 30.0,
                    "artefact": {"source": "process", "line": line},
                }
            ],
        ),
        message(
            2,
            "learned",
            "a-it",
            "a-srv",
            fact="compromise",
            how="investigation",
            certainty="confirmed",
            technique="T1003",
            account="a\\admin",
        ),
        message(3, "learned", "a-it", "a-ws", fact="compromise", how="inject", certainty="suspected"),
    ]
    known = seat_knowledge(received, "a-it")
    shown = "\n".join(text for _, text in team_lines("A's IT", known, "en"))
    assert "What A's IT knows" in shown
    assert "Held for compromised (1)" in shown and "a-srv · since T+01:02" in shown
    assert "Suspected (1)" in shown and "a-ws · since T+01:03" in shown
    assert "Techniques (1)" in shown and "Accounts (1)" in shown and "a\\admin" in shown
    assert "Investigations (1)" in shown and line in shown
    # the machine reimaged by the team: no longer held
    done = [*received, message(4, "task_end", "a-it", "a-srv", step="reimage")]
    after = "\n".join(text for _, text in team_lines("A's IT", seat_knowledge(done, "a-it"), "en"))
    assert "Held for compromised (0)" in after and "Worked on and no longer held (1)" in after
