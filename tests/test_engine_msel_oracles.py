"""The MSEL on hand-built drills: injects fire when they should, and expected actions are scored
met, late or missed by the clock — worked out by hand for each case.

One inject, ``call``, comes at T+30 and asks the SOC to isolate dc-app within an hour: due at T+90.
"""

from __future__ import annotations

import pytest
from oracle_cases import scenario

from drill.engine import Simulation
from drill.engine.commands import Command, TimedCommand
from drill.metrics import fold

# a planted foothold (`from: inside`): hub-a has no way in from the Internet
QUIET = "        - {id: land, technique: T1078, at: T+6h, targets: {node: hub-a}, success: 1, from: inside}\n"
TEAMS = "  soc: {name: SOC, staff: 1}\n  cert: {name: CERT, staff: 2}\n"
MANUAL = "playbooks:\n  respond: {auto: false, steps: [{do: triage, takes: 10m}]}\n"
CALL = (
    "  - {id: call, at: T+30m, to: [soc], text: {en: Call, vi: Gọi},"
    " expects: [{action: isolate, target: {node: dc-app}, within: 1h, by: soc}]}\n"
)


def drill(injects: str = CALL, stages: str = QUIET, extra: str = "") -> Simulation:
    return Simulation(scenario(stages, MANUAL + "injects:\n" + injects + extra, teams=TEAMS), seed=1)


def statuses(sim: Simulation, inject: str = "call") -> list[tuple[float, str]]:
    return [(e.t, e.data["status"]) for e in sim.events if e.kind == "expectation" and e.target == inject]


def isolate(at: float, node: str = "dc-app", team: str = "soc") -> TimedCommand:
    return TimedCommand(at=at, action="isolate", target={"node": node}, by=team)


def mark(at: float) -> TimedCommand:
    return TimedCommand(at=at, action="mark", inject="call", source="facilitator")


def scored(commands: list[TimedCommand]) -> list[tuple[float, str]]:
    sim = drill()
    sim.run(commands)
    return statuses(sim)


def test_an_action_by_its_deadline_is_met_after_it_late_and_never_missed():
    assert scored([isolate(80)]) == [(30.0, "open"), (80.0, "met")]
    assert scored([isolate(90)]) == [(30.0, "open"), (90.0, "met")]  # on the deadline is on time
    assert scored([isolate(100)]) == [(30.0, "open"), (90.0, "overdue"), (100.0, "late")]
    assert scored([]) == [(30.0, "open"), (90.0, "overdue"), (720.0, "missed")]


def test_an_action_taken_before_it_was_asked_for_counts_as_on_time():
    assert scored([isolate(10)]) == [(30.0, "open"), (30.0, "met")]


def test_the_wrong_node_or_the_wrong_team_does_not_answer():
    assert scored([isolate(40, node="hub-a")])[-1] == (720.0, "missed")
    assert scored([isolate(40, team="cert")])[-1] == (720.0, "missed")
    refused = TimedCommand(at=40, action="reconnect", target={"node": "dc-app"}, by="soc")
    assert scored([refused])[-1] == (720.0, "missed")  # another action


def test_a_facilitators_mark_is_scored_by_the_clock_too():
    assert scored([mark(60)]) == [(30.0, "open"), (60.0, "met")]
    # a late mark is late: the facilitator records that it was done, not that it was on time
    assert scored([mark(100)]) == [(30.0, "open"), (90.0, "overdue"), (100.0, "late")]
    sim = drill()
    sim.run([mark(100)])
    assert fold(sim.scenario, sim.events, sim.now).expectations["late"] == 1


def test_a_mark_settles_an_expectation_once():
    assert scored([mark(60), isolate(70), mark(80)]) == [(30.0, "open"), (60.0, "met")]


def test_a_mark_for_an_expected_action_that_does_not_exist_is_refused():
    sim = drill()
    sim.run_until(40)
    event = sim.apply(Command(action="mark", inject="call", expectation=3, source="facilitator"))
    assert event.kind == "command_refused"
    assert statuses(sim) == [(30.0, "open")]


def test_an_inject_delayed_comes_later_and_its_deadline_moves_with_it():
    sim = drill()
    sim.run([TimedCommand(at=10, action="delay-inject", inject="call", delay=15, source="facilitator")])
    assert [e.t for e in sim.events if e.kind == "inject"] == [45.0]
    assert statuses(sim)[:2] == [(45.0, "open"), (105.0, "overdue")]
    delayed = next(e for e in sim.events if e.kind == "inject_delayed")
    assert delayed.data["due"] == 45.0 and delayed.data["by"] == 15.0


def test_an_inject_skipped_never_comes_and_asks_nothing():
    sim = drill()
    sim.run([TimedCommand(at=10, action="skip-inject", inject="call", source="facilitator")])
    assert [e for e in sim.events if e.kind == "inject"] == []
    assert statuses(sim) == []
    assert fold(sim.scenario, sim.events, sim.now).figure("expectations_met") == 1.0


def test_an_inject_delivered_early_by_hand_comes_once():
    sim = drill()
    sim.run([TimedCommand(at=5, action="inject", inject="call", source="facilitator")])
    delivered = [(e.t, e.data["why"]) for e in sim.events if e.kind == "inject"]
    assert delivered == [(5.0, "facilitator")]
    assert statuses(sim)[:2] == [(5.0, "open"), (65.0, "overdue")]


# ---------------------------------------------------------------- conditions
def _fired(injects: str, commands: list[TimedCommand], stages: str = QUIET) -> list[tuple[float, str, str]]:
    sim = drill(injects, stages)
    sim.run(commands)
    return [(e.t, e.target, e.data["why"]) for e in sim.events if e.kind == "inject"]


def test_an_inject_on_a_service_down_for_a_while_fires_when_that_while_is_over():
    press = "  - {id: press, when: {service_down: {service: app, for: 30m}}, text: Press}\n"
    down = TimedCommand(at=20, action="offline", service="app", by="soc")
    assert _fired(press, [down]) == [(50.0, "press", "condition")]
    up = TimedCommand(at=40, action="online", service="app", by="soc")
    assert _fired(press, [down, up]) == []  # back before the half hour


def test_an_inject_on_a_node_state_fires_when_the_node_gets_there():
    cut = "  - {id: cut, when: {node: {targets: {node: dc-db}, state: isolated}}, text: Cut}\n"
    assert _fired(cut, [isolate(25, node="dc-db")]) == [(25.0, "cut", "condition")]
    assert _fired(cut, [isolate(25, node="dc-app")]) == []


def test_an_inject_on_machines_compromised_waits_for_that_many():
    worm = (
        "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: line-a}, success: 1,"
        " from: inside}\n"
        "        - {id: spread, technique: T1021.002, after: land, over: [lan], via: [smb], delay: 10m}\n"
    )
    three = "  - {id: three, when: {hosts_compromised: {at_least: 3, site: line}}, text: Three}\n"
    fired = _fired(three, [], stages=worm)
    sim = drill(three, worm)
    sim.run()
    third = sorted(e.t for e in sim.events if e.kind == "compromise")[2]
    assert fired == [(third, "three", "condition")]
    elsewhere = three.replace("site: line", "site: hub")
    assert _fired(elsewhere, [], stages=worm) == []


def test_an_inject_after_another_waits_its_time_and_one_on_a_stage_waits_for_its_success():
    chain = CALL + "  - {id: then, when: {after_inject: {inject: call, wait: 20m}}, text: Then}\n"
    assert _fired(chain, [])[-1] == (50.0, "then", "condition")
    staged = "  - {id: took, when: {stage_succeeded: land}, text: Took}\n"
    assert _fired(staged, []) == [(360.0, "took", "condition")]


def test_deadlines_run_from_the_first_detection():
    detect = "  - {id: seen, at: T+1m, text: Seen, effect: {detect: {node: hub-a}}}\n"
    early = (
        "        - {id: land, technique: T1078, at: T+0m, targets: {node: hub-a}, success: 1, from: inside}\n"
    )
    duty = "deadlines:\n  - {action: report, to: cert, within: 1h, by: soc}\n"
    sim = drill(detect, early, duty)
    sim.run([TimedCommand(at=70, action="report", to="cert", by="soc")])
    assert [e.t for e in sim.events if e.kind == "detection"] == [1.0]
    assert statuses(sim, "deadlines") == [(1.0, "open"), (61.0, "overdue"), (70.0, "late")]
    sim = drill(detect, early, duty)
    sim.run([TimedCommand(at=30, action="report", to="cert", by="soc")])
    assert statuses(sim, "deadlines") == [(1.0, "open"), (30.0, "met")]


# ---------------------------------------------------------------- injects on a node's state
LAND = "        - {id: land, technique: T1078, at: T+10m, targets: {node: dc-app}, success: 1}\n"
FLOOD = (
    "        - {id: flood, technique: T1498, at: T+15m, targets: {node: dc-app}, effect: deny, lasts: 10m}\n"
)
# nothing automatic; the players' reimage, restore and patch take ten minutes each
TEN = (
    "playbooks:\n  respond: {auto: false, steps: [{do: reimage, takes: 10m}, {do: restore, takes: 10m},"
    " {do: patch, takes: 10m}]}\n"
)


def _after_land(effect: str) -> str:
    return (
        LAND
        + f"        - {{id: hit, technique: T1486, after: {{stage: land, wait: 20m}}, effect: {effect}}}\n"
    )


def _work(action: str) -> TimedCommand:
    return TimedCommand(at=12, action=action, target={"node": "dc-app"}, by="soc")


STATES = {
    # state: (stages, commands, when dc-app gets there)
    "compromised": (LAND, [], 10.0),
    "detected": (LAND, [], 40.0),  # its sensors see a compromise after 30 minutes
    "isolated": (QUIET, [isolate(25)], 25.0),
    "encrypted": (_after_land("encrypt"), [], 30.0),
    "defaced": (_after_land("deface"), [], 30.0),
    "wiped": (_after_land("wipe"), [], 30.0),
    "exfiltrating": (_after_land("exfiltrate"), [], 30.0),
    "overloaded": (FLOOD, [], 15.0),
    "cleaned": (LAND, [_work("reimage")], 22.0),
    "restored": (QUIET, [isolate(11), _work("restore")], 22.0),
    "patched": (QUIET, [_work("patch")], 22.0),
}


@pytest.mark.parametrize("state", sorted(STATES))
def test_an_inject_on_each_state_of_a_node_fires_when_the_node_gets_there(state):
    stages, commands, when = STATES[state]
    for node, fired in (("dc-app", [(when, "seen")]), ("dc-db", [])):
        inject = (
            f"  - {{id: seen, when: {{node: {{targets: {{node: {node}}}, state: {state}}}}}, text: Seen}}\n"
        )
        sim = Simulation(scenario(stages, TEN + "injects:\n" + inject, teams=TEAMS), seed=1)
        sim.run(commands)
        assert [(e.t, e.target) for e in sim.events if e.kind == "inject"] == fired, (state, node)


def test_an_inject_is_recorded_with_everything_the_players_are_shown():
    full = (
        "  - {id: call, at: T+30m, to: [soc, cert], channel: phone, hidden: false,"
        " from: {en: Help desk, vi: Bộ phận hỗ trợ}, title: {en: Calls, vi: Cuộc gọi},"
        " text: {en: Screens are locked, vi: Màn hình bị khóa}}\n"
        "  - {id: secret, at: T+40m, hidden: true, text: For the evaluators}\n"
    )
    sim = drill(full)
    sim.run()
    call, secret = [e for e in sim.events if e.kind == "inject"]
    assert (call.t, call.actor, call.target) == (30.0, "white-cell", "call")
    assert call.data == {
        "why": "scheduled",
        "to": ["soc", "cert"],
        "channel": "phone",
        "hidden": False,
        "title": {"en": "Calls", "vi": "Cuộc gọi"},
        "text": {"en": "Screens are locked", "vi": "Màn hình bị khóa"},
        "sender": {"en": "Help desk", "vi": "Bộ phận hỗ trợ"},
    }
    # a text in one language is shown in both
    assert secret.data["hidden"] is True and secret.data["to"] == [] and secret.data["title"] == ""
    assert secret.data["text"] == {"en": "For the evaluators", "vi": "For the evaluators"}


def test_what_an_injects_effect_does_is_told_as_the_injects_doing():
    effects = (
        "  - {id: mole, at: T+5m, text: Mole, effect: {compromise: {node: hub-a}}}\n"
        "  - {id: go, at: T+6m, text: Go, effect: {start_stage: land}}\n"
        "  - {id: flood, at: T+7m, text: Flood, effect: {deny: {targets: {node: dc-app}, lasts: 10m}}}\n"
        "  - {id: tip, at: T+8m, text: Tip, effect: {detect: {node: hub-a}}}\n"
    )
    sim = drill(effects)
    sim.run()
    mole = next(e for e in sim.events if e.kind == "compromise")
    assert (mole.t, mole.target, mole.actor, mole.data["source"]) == (5.0, "hub-a", "red-team", "inject:mole")
    start = next(e for e in sim.events if e.kind == "stage_start")
    assert (start.t, start.target, start.data["why"]) == (6.0, "land", "inject:go")
    flood = next(e for e in sim.events if e.kind == "effect")
    assert (flood.t, flood.actor, flood.target, flood.data["lasts"]) == (7.0, "inject:flood", "dc-app", 10.0)
    tip = next(e for e in sim.events if e.kind == "detection")
    assert (tip.t, tip.target, tip.data["how"]) == (8.0, "hub-a", "inject")


def test_a_power_cut_on_a_router_by_an_inject_keeps_a_worm_on_its_side():
    worm = (
        "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: west-pc}, success: 1}\n"
        "        - {id: spread, technique: T1021.002, after: land, over: [lan, wan], via: [smb],"
        " delay: 10m}\n"
    )
    cut = "  - {id: cut, at: T+5m, text: Power cut, effect: {offline: {node: west-gw}}}\n"
    sim = drill(cut, worm)
    sim.run()
    assert [(e.t, e.target) for e in sim.events if e.kind == "offline"] == [(5.0, "west-gw")]
    assert "east-pc" not in {e.target for e in sim.events if e.kind == "compromise"}
    assert [(e.t, e.target) for e in sim.events if e.kind == "site_disconnected"] == [(5.0, "west")]


def test_an_expected_report_or_service_action_is_answered_only_by_its_own_recipient_or_service():
    asks = (
        "  - {id: call, at: T+30m, text: Call, expects: [{action: report, to: cert, within: 1h},"
        " {action: offline, service: app, within: 1h},"
        " {action: isolate, target: {node: dc-app}, within: 1h}]}\n"
    )

    def scored_all(commands: list[TimedCommand]) -> list[str]:
        sim = drill(asks)
        sim.run(commands)
        final = {}
        for e in sim.events:
            if e.kind == "expectation":
                final[e.data["index"]] = e.data["status"]
        return [final[i] for i in range(3)]

    right = [
        TimedCommand(at=40, action="report", to="cert", by="soc"),
        TimedCommand(at=40, action="offline", service="app", by="soc"),
        TimedCommand(at=40, action="isolate", target={"site": "dc"}, by="soc"),  # the body: dc-app too
    ]
    assert scored_all(right) == ["met", "met", "met"]
    wrong = [
        TimedCommand(at=40, action="report", to="soc", by="soc"),
        TimedCommand(at=40, action="offline", service="records", by="soc"),
        TimedCommand(at=40, action="isolate", target={"site": "hub"}, by="soc"),
    ]
    assert scored_all(wrong) == ["missed", "missed", "missed"]


def test_an_expectation_still_open_when_the_drill_ends_is_missed_not_overdue():
    short = CALL.replace("within: 1h", "within: 12h")  # due after the drill's end
    sim = drill(short)
    sim.run()
    assert statuses(sim) == [(30.0, "open"), (720.0, "missed")]


# ---------------------------------------------------------------- the survivors of mutation testing
def test_expectation_records_name_the_team_the_action_the_deadline_and_what_settled_it():
    sim = drill()
    sim.run([isolate(80)])
    records = [(e.t, e.actor, e.target, e.data) for e in sim.events if e.kind == "expectation"]
    command = next(e for e in sim.events if e.kind == "command")
    assert records == [
        (30.0, "soc", "call", {"index": 0, "status": "open", "action": "isolate", "due": 90.0}),
        (
            80.0,
            "soc",
            "call",
            {"index": 0, "status": "met", "action": "isolate", "due": 90.0, "command": command.seq},
        ),
    ]
    marked = drill()
    marked.run([mark(100)])
    assert [e.data.get("command") for e in marked.events if e.kind == "expectation"] == [None, None, -1]
    missed = drill()
    missed.run()
    assert [e.data.get("command") for e in missed.events if e.kind == "expectation"][-1] == -1
    early = drill()
    early.run([isolate(10)])
    settled = [e for e in early.events if e.kind == "expectation"][-1]
    assert settled.data["command"] == next(e.seq for e in early.events if e.kind == "command")
    anyone = drill(CALL.replace(", by: soc}", "}"))
    anyone.run([])
    assert {e.actor for e in anyone.events if e.kind == "expectation"} == {""}


def test_half_a_minute_after_the_deadline_is_late():
    assert scored([isolate(90.5)])[-1] == (90.5, "late")
    assert scored([mark(90.5)])[-1] == (90.5, "late")


def test_an_inject_at_t0_comes_at_t0_and_one_delayed_half_a_minute_comes_then_and_once():
    assert _fired(CALL.replace("T+30m", "T+0m"), []) == [(0.0, "call", "scheduled")]
    half = [TimedCommand(at=10, action="delay-inject", inject="call", delay=0.5, source="facilitator")]
    assert _fired(CALL, half) == [(30.5, "call", "scheduled")]


def test_skips_delays_and_free_injects_are_recorded_as_the_facilitators():
    sim = drill(CALL + "  - {id: press, at: T+50m, text: Press}\n")
    sim.run(
        [
            TimedCommand(at=10, action="skip-inject", inject="press", source="facilitator"),
            TimedCommand(at=10, action="delay-inject", inject="call", delay=15, source="facilitator"),
            TimedCommand(at=12, action="free-inject", text="Mayor calls", source="facilitator"),
        ]
    )
    skipped = next(e for e in sim.events if e.kind == "inject_skipped")
    assert (skipped.actor, skipped.target) == ("facilitator", "press")
    delayed = next(e for e in sim.events if e.kind == "inject_delayed")
    assert (delayed.actor, delayed.target, delayed.data) == ("facilitator", "call", {"by": 15.0, "due": 45.0})
    free = next(e for e in sim.events if e.kind == "inject" and e.data["why"] == "free")
    assert (free.actor, free.target) == ("white-cell", "")
    assert free.data == {
        "why": "free",
        "to": [],
        "channel": "in-person",
        "hidden": False,
        "title": "",
        "text": "Mayor calls",
        "sender": "",
    }


def test_an_inject_on_the_first_detection():
    seen = "  - {id: seen, when: {detected: true}, text: Seen}\n"
    early = "        - {id: land, technique: T1078, at: T+0m, targets: {node: dc-app}, success: 1}\n"
    assert _fired(seen, [], stages=early) == [(30.0, "seen", "condition")]  # dc-app's sensor: 30m
    assert _fired(seen, []) == []  # nothing is ever detected


def test_conditions_hold_on_the_minute_they_name():
    press = "  - {id: press, when: {service_down: {service: app, for: 30m}}, text: Press}\n"
    assert _fired(press, [TimedCommand(at=20, action="offline", service="app", by="soc")]) == [
        (50.0, "press", "condition")
    ]
    soon = CALL + "  - {id: then, when: {after_inject: {inject: call, wait: 30s}}, text: Then}\n"
    assert _fired(soon, [])[-1] == (30.5, "then", "condition")


def test_a_skipped_conditional_inject_never_comes_and_does_not_hold_back_the_others():
    # both wait for hub-a's patch, which nothing else follows: the second must come with it
    both = (
        "  - {id: first, when: {node: {targets: {node: hub-a}, state: patched}}, text: First}\n"
        "  - {id: second, when: {node: {targets: {node: hub-a}, state: patched}}, text: Second}\n"
    )
    skip = TimedCommand(at=5, action="skip-inject", inject="first", source="facilitator")
    patch = TimedCommand(at=12, action="patch", target={"node": "hub-a"}, by="soc")
    sim = Simulation(scenario(QUIET, TEN + "injects:\n" + both, teams=TEAMS), seed=1)
    sim.run([skip, patch])
    assert [(e.t, e.target) for e in sim.events if e.kind == "inject"] == [(22.0, "second")]


def test_a_deadline_is_met_only_by_its_own_action_recipient_and_team():
    detect = "  - {id: seen, at: T+1m, text: Seen, effect: {detect: {node: hub-a}}}\n"
    early = (
        "        - {id: land, technique: T1078, at: T+0m, targets: {node: hub-a}, success: 1, from: inside}\n"
    )
    duty = "deadlines:\n  - {action: report, to: cert, within: 1h, by: soc}\n"
    for wrong in (
        TimedCommand(at=30, action="report", to="soc", by="soc"),
        TimedCommand(at=30, action="report", to="cert", by="cert"),
        TimedCommand(at=30, action="escalate", to="cert", by="soc"),
    ):
        sim = drill(detect, early, duty)
        sim.run([wrong])
        assert statuses(sim, "deadlines")[-1] == (720.0, "missed"), wrong


def test_an_action_on_another_node_before_the_inject_does_not_answer_it():
    assert scored([isolate(10, node="hub-a")])[-1] == (720.0, "missed")


def test_a_mark_on_the_deadline_is_on_time():
    assert scored([mark(90)]) == [(30.0, "open"), (90.0, "met")]


def test_a_condition_on_a_while_is_not_met_a_moment_before_it():
    # app is down from T+20; something else changes at T+49.5; the press call comes at T+50
    press = "  - {id: press, when: {service_down: {service: app, for: 30m}}, text: Press}\n"
    commands = [
        TimedCommand(at=20, action="offline", service="app", by="soc"),
        isolate(49.5, node="hub-a"),
    ]
    assert _fired(press, commands) == [(50.0, "press", "condition")]


def test_an_inject_half_a_minute_after_one_at_t0():
    first = (
        CALL.replace("T+30m", "T+0m")
        + "  - {id: then, when: {after_inject: {inject: call, wait: 30s}}, text: Then}\n"
    )
    assert _fired(first, [])[:2] == [(0.0, "call", "scheduled"), (0.5, "then", "condition")]
