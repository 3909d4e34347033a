"""What a node's state means (the one word a facilitator sees, whether it can carry its services),
and which sites reach the WAN — by the rules written in drill/engine/state.py's docstrings."""

from __future__ import annotations

import pytest
from oracle_cases import run, scenario, worm_stages

from drill.engine import Simulation
from drill.engine.commands import Command
from drill.engine.state import NodeState

QUIET = (
    "        - {id: land, from: inside, technique: T1078, at: T+10h, targets: {node: hub-a}, success: 1}\n"  # noqa: E501
)


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({}, "clean"),
        ({"status": "cleaned"}, "cleaned"),
        ({"status": "restored"}, "restored"),
        ({"status": "compromised", "impact": "foothold"}, "foothold"),
        ({"status": "compromised", "impact": "none"}, "foothold"),
        ({"status": "compromised", "impact": "encrypted"}, "encrypted"),
        ({"status": "compromised", "impact": "exfiltrating"}, "exfiltrating"),
        ({"status": "compromised", "impact": "encrypted", "isolated": True}, "isolated"),  # what is done
        ({"isolated": True, "offline": True}, "isolated"),
        ({"overloaded": True}, "overloaded"),
        ({"status": "compromised", "impact": "foothold", "overloaded": True}, "overloaded"),  # the loud one
        ({"status": "compromised", "impact": "defaced", "overloaded": True}, "defaced"),
        ({"offline": True}, "offline"),
        ({"offline": True, "overloaded": True}, "overloaded"),
        ({"status": "cleaned", "offline": True}, "offline"),
    ],
)
def test_the_one_word_a_facilitator_sees_for_a_node(fields, label):
    assert NodeState(hosts=1, **fields).label == label


@pytest.mark.parametrize(
    ("fields", "available"),
    [
        ({}, True),
        ({"status": "compromised", "impact": "foothold"}, True),  # a foothold does not stop a service
        ({"status": "compromised", "impact": "exfiltrating"}, True),
        ({"status": "compromised", "impact": "privileged"}, True),
        ({"isolated": True}, False),
        ({"offline": True}, False),
        ({"working": True}, False),
        ({"overloaded": True}, False),
        ({"impact": "encrypted"}, False),
        ({"impact": "wiped"}, False),
        ({"impact": "defaced"}, False),
        ({"impact": "overloaded"}, False),
    ],
)
def test_whether_a_node_can_carry_its_services(fields, available):
    assert NodeState(hosts=1, **fields).available is available


def test_compromised_means_held_now():
    assert NodeState(hosts=1, status="compromised").compromised
    assert not NodeState(hosts=1, status="cleaned").compromised


def _connected(commands: list[Command]) -> dict[str, bool]:
    sim = Simulation(scenario(QUIET), seed=1)
    sim.run_until(5)
    for command in commands:
        sim.apply(command)
    return dict(sim.services.connected)


def test_a_site_reaches_the_wan_while_its_gateway_and_a_wan_link_to_working_gear_are_up():
    assert all(_connected([]).values())
    assert not _connected([Command(action="isolate", target={"node": "west-gw"}, by="soc")])["west"]
    assert not _connected([Command(action="cut-link", target={"site": "west"}, by="soc")])["west"]
    # the gear at the other end of its one WAN link is isolated: the east is cut off too
    core = _connected([Command(action="isolate", target={"node": "wan-core"}, by="soc")])
    assert not core["west"] and not core["east"]
    # bodies without a gateway (the data centre, the hub) have no WAN link to lose
    assert core["dc"] and core["hub"] and core["line"]
    # a host's isolation does not cut its site off
    assert _connected([Command(action="isolate", target={"node": "west-pc"}, by="soc")])["west"]


def test_a_gateway_switched_off_cuts_its_site_off():
    cut = "injects:\n  - {id: cut, at: T+5m, text: Power cut, effect: {offline: {node: east-gw}}}\n"
    sim = run(scenario(QUIET, cut))
    assert [(e.t, e.target) for e in sim.events if e.kind == "site_disconnected"] == [(5.0, "east")]


# ---------------------------------------------------------------- the drill's clock
def test_stepping_runs_to_just_after_the_next_event_and_stops_at_the_end():
    stages = (
        "        - {id: land, from: inside, technique: T1078, at: T+10m, targets: {node: hub-a}, success: 1}\n"  # noqa: E501
        "        - {id: enc, technique: T1486, after: {stage: land, wait: 20m}, effect: encrypt,"
        " loud: false}\n"
    )
    sim = Simulation(scenario(stages, duration="1h"), seed=1)
    assert sim.step() and [e.kind for e in sim.events] == ["drill_start", "stage_start"]
    assert sim.now == 10.0
    assert sim.step() and sim.events[-1].kind == "compromise"  # one event at a time
    sim.step()
    assert sim.next_event_time() == 30.0
    while sim.step():
        pass
    assert sim.finished and sim.now == 60.0 and sim.events[-1].kind == "drill_end"
    assert not sim.step()  # nothing after the end
    assert [e.kind for e in sim.events].count("drill_end") == 1


def test_the_clock_never_runs_past_the_drills_end():
    sim = Simulation(scenario(QUIET, duration="1h"), seed=1)
    sim.run_until(500)
    assert sim.now == 60.0 and sim.finished
    sim.run_until(600)
    assert sim.now == 60.0 and [e.kind for e in sim.events].count("drill_end") == 1


def test_a_drill_run_with_timed_commands_applies_each_at_its_time_in_order():
    from drill.diagnostics import DrillError
    from drill.engine.commands import TimedCommand

    sim = Simulation(scenario(QUIET, duration="1h"), seed=1)
    sim.run(
        [
            TimedCommand(at=40, action="note", text="second", source="facilitator"),
            TimedCommand(at=20, action="note", text="first", source="facilitator"),
        ]
    )
    notes = [(e.t, e.data["text"]) for e in sim.events if e.kind == "note"]
    assert notes == [(20.0, "first"), (40.0, "second")]
    # a command due at or after the end would never be applied: the whole run is refused, saying
    # which command and when the drill ends, before anything runs
    for at in (60, 90):
        again = Simulation(scenario(QUIET, duration="1h"), seed=1)
        late = TimedCommand(at=at, action="note", text="after the end", source="facilitator")
        with pytest.raises(DrillError, match=r"note at T\+01:[03]0 .*T\+01:00, a drill of 1h"):
            again.run([late])
        assert again.events == []
    start = sim.events[0]
    assert (start.t, start.actor, start.target) == (0.0, "facilitator", "oracle")
    assert start.data == {"seed": 1, "duration": 60.0, "topology": "oracles", "teams": {"soc": 1}}
    end = sim.events[-1]
    assert (end.t, end.kind, end.actor, end.target) == (60.0, "drill_end", "facilitator", "oracle")
    assert [e.seq for e in sim.events] == list(range(len(sim.events)))


def test_listeners_hear_every_event_and_a_drill_may_keep_none():
    heard = []
    sim = Simulation(scenario(QUIET, duration="1h"), seed=1, keep_events=False)
    sim.subscribe(heard.append)
    sim.run()
    assert sim.events == [] and [e.kind for e in heard][0] == "drill_start" and heard[-1].kind == "drill_end"
    assert [e.seq for e in heard] == list(range(len(heard)))


def test_an_on_call_team_starts_with_nobody():
    teams = "  soc: {name: SOC, staff: 2}\n  cert: {name: CERT, staff: 3, on_call: {arrives_after: 1h}}\n"
    sim = Simulation(scenario(QUIET, teams=teams), seed=1)
    sim.run_until(1)
    assert sim.events[0].data["teams"] == {"soc": 2, "cert": 0}
    assert sim.defenders.staff == {"soc": 2, "cert": 0}


# ---------------------------------------------------------------- ways through the network
def test_a_switch_switched_off_carries_nothing_between_its_machines():
    cut = "injects:\n  - {id: cut, at: T+5m, text: Power cut, effect: {offline: {node: hub-sw}}}\n"
    sim = run(scenario(worm_stages("hub-a"), cut))
    assert {e.target for e in sim.events if e.kind == "compromise"} == {"hub-a"}


def test_a_machine_reaches_its_direct_neighbours_and_those_behind_its_switch_but_not_over_other_links():
    # pk-a: a trust link to pk-0 (not LAN), a direct LAN link to pk-c, a LAN link to pk-sw and pk-b
    sim = run(scenario(worm_stages("pk-a")))
    assert {e.target for e in sim.events if e.kind == "compromise"} == {"pk-a", "pk-b", "pk-c"}
    sim = run(scenario(worm_stages("pk-a")), 1, [isolate_cmd("pk-sw", 0)])
    assert {e.target for e in sim.events if e.kind == "compromise"} == {"pk-a", "pk-c"}


def isolate_cmd(node: str, at: float):
    from drill.engine.commands import TimedCommand

    return TimedCommand(at=at, action="isolate", target={"node": node}, by="soc")


def test_a_link_written_without_its_traffic_lets_any_through():
    # the trust link tr-a — tr-b names no traffic: an SMB worm over trust links crosses it
    stages = (
        "        - {id: land, technique: T1078, at: T+0m, targets: {node: tr-a}, success: 1, from: inside}\n"
        "        - {id: spread, technique: T1078.002, after: land, over: [trust], via: [smb], delay: 10m}\n"
    )
    assert [e.target for e in run(scenario(stages)).events if e.kind == "compromise"] == ["tr-a", "tr-b"]


def test_a_service_on_network_gear_is_reached_through_the_gear_in_front_of_it():
    sim = Simulation(scenario(QUIET), seed=1)
    sim.run_until(5)
    assert sim.services.up["front"]
    sim.apply(Command(action="isolate", target={"node": "dc-sw"}, by="soc"))
    assert not sim.services.up["front"] and sim.services.reason["front"] == "unreachable"
    sim.apply(Command(action="reconnect", target={"node": "dc-sw"}, by="soc"))
    assert sim.services.up["front"]
    sim.apply(Command(action="isolate", target={"node": "dc-lb"}, by="soc"))
    assert sim.services.reason["front"] == "node:dc-lb"
