"""The terminal console, driven as a person would: type a decision, see it answered and logged;
the facilitator approves a waiting one from its own console."""

import asyncio

from textual.widgets import Static

from drill.model.load import load_scenario
from drill.tui.bridge_console import ConsoleApp
from tests.bridge.helpers import commands_in_log, served


async def wait_for(pilot, condition, seconds=15.0):
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("the console did not show it in time")


def answer_of(app) -> str:
    return str(app.query_one("#answer", Static).render())


def test_a_team_types_a_decision_and_the_facilitator_approves_it(tmp_path):
    log = tmp_path / "d.jsonl"
    with served(load_scenario(None), log, approval={"hoan-kiem-it"}) as s:

        async def main():
            team = ConsoleApp(s.url, s.token("hoan-kiem-it"), who="Lan", lang="vi")
            chair = ConsoleApp(s.url, s.token("facilitator"), who="Minh", lang="en")
            async with team.run_test(size=(120, 40)) as tp, chair.run_test(size=(120, 40)) as cp:
                await wait_for(tp, lambda: team.client.connected.is_set())
                await wait_for(cp, lambda: chair.client.connected.is_set())
                await tp.press(*"isolate hoan-kiem-ws", "enter")
                await wait_for(tp, lambda: "#1" in answer_of(team))
                waiting = answer_of(team)
                await wait_for(cp, lambda: 1 in chair.client.state.pending)
                panel = str(chair.query_one("#panel", Static).render())
                await cp.press(*"approve 1", "enter")
                await wait_for(tp, lambda: "đã áp dụng" in answer_of(team))
                applied = answer_of(team)
                await tp.press(*"frobnicate", "enter")
                await tp.pause(0.2)
                unknown = answer_of(team)
                await team.action_quit()
                await chair.action_quit()
            return waiting, panel, applied, unknown

        waiting, panel, applied, unknown = asyncio.run(main())
    assert "isolate hoan-kiem-ws" in waiting  # sent for approval, in Vietnamese
    assert "#1 hoan-kiem-it" in panel  # the facilitator sees it waiting
    assert "isolate hoan-kiem-ws" in applied
    assert "frobnicate" in unknown and "không rõ" in unknown
    assert [(c["action"], c["by"], c["entered_by"]) for c in commands_in_log(log)] == [
        ("isolate", "hoan-kiem-it", "Lan")
    ]


def test_the_facilitators_activity_list_speaks_the_consoles_language(tmp_path):
    """What a console did (joined, submitted … waiting) is said in Vietnamese at a Vietnamese
    facilitator's console, not in the protocol's English codes."""
    with served(load_scenario(None), tmp_path / "d.jsonl", approval={"hoan-kiem-it"}) as s:

        async def main():
            chair = ConsoleApp(s.url, s.token("facilitator"), who="Minh", lang="vi")
            team = ConsoleApp(s.url, s.token("hoan-kiem-it"), who="Lan", lang="vi")
            async with chair.run_test(size=(160, 50)) as cp, team.run_test(size=(120, 40)) as tp:
                await wait_for(cp, lambda: chair.client.connected.is_set())
                await wait_for(tp, lambda: team.client.connected.is_set())
                await tp.press(*"isolate hoan-kiem-ws", "enter")
                await wait_for(cp, lambda: 1 in chair.client.state.pending)
                await wait_for(cp, lambda: "chờ duyệt" in str(chair.query_one("#panel", Static).render()))
                panel = str(chair.query_one("#panel", Static).render())
                await team.action_quit()
                await chair.action_quit()
            return panel

        panel = asyncio.run(main())
    assert "(Lan): đã vào" in panel and "(Lan): đã gửi" in panel
    assert "joined" not in panel and "submitted" not in panel and "(pending)" not in panel
