"""Each command does what its name says on the oracle networks, and is recorded as given; names
that do not exist are refused with the nearest ones, and a refused command changes nothing."""

from __future__ import annotations

from oracle_cases import compromises, run, scenario

from drill.engine import Simulation
from drill.engine.commands import Command, TimedCommand

# a planted foothold: hub-a has no way in from the Internet, so the landing is `from: inside`
QUIET = (
    "        - {id: land, technique: T1078, at: T+10h, targets: {node: hub-a}, success: 1, from: inside}\n"
)
TEAMS = (
    "  soc: {name: SOC, staff: 1, watches: {site: [dc]}}\n"
    "  hub-it: {name: Hub IT, staff: 1, watches: {site: [hub]}}\n"
    "  none: {name: Nobody, staff: 0}\n"
    "  cert: {name: CERT, staff: 2, on_call: {arrives_after: 1h}}\n"
)
WORK = "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 20m}, {do: restore, takes: 30m}]}\n"
INJECTS = "injects:\n  - {id: call, at: T+3h, text: {en: Call, vi: Gọi}}\n"


def drill(stages: str = QUIET) -> Simulation:
    sim = Simulation(scenario(stages, WORK + INJECTS, teams=TEAMS), seed=1)
    sim.run_until(5)
    return sim


def last(sim: Simulation, kind: str):
    return [e for e in sim.events if e.kind == kind][-1]


def test_a_command_is_recorded_as_given_without_its_time():
    sim = drill()
    event = sim.apply(TimedCommand(at=5, action="isolate", target={"node": "hub-b"}, by="hub-it"))
    assert (event.t, event.kind, event.actor, event.target) == (5.0, "command", "hub-it", "isolate")
    assert event.data == {"command": {"action": "isolate", "target": {"node": ["hub-b"]}, "by": "hub-it"}}


def test_isolating_a_body_isolates_each_of_its_nodes():
    sim = drill()
    sim.apply(Command(action="isolate", target={"site": "hub"}, by="hub-it"))
    isolated = [(e.target, e.actor, e.data["site"]) for e in sim.events if e.kind == "isolate"]
    assert isolated == [(n, "hub-it", "hub") for n in ("hub-sw", "hub-a", "hub-b", "hub-c")]
    sim.apply(Command(action="reconnect", target={"site": "hub"}, by="hub-it"))
    assert not any(sim.nodes[n].isolated for n in ("hub-sw", "hub-a", "hub-b", "hub-c"))
    assert [e.target for e in sim.events if e.kind == "reconnect"] == ["hub-sw", "hub-a", "hub-b", "hub-c"]


def test_reports_notifications_and_public_messages_are_recorded_for_the_debrief():
    sim = drill()
    sim.apply(Command(action="report", to="cert", text="Ransomware in the hub", by="soc"))
    report = last(sim, "report")
    assert (report.actor, report.target, report.data) == ("soc", "cert", {"text": "Ransomware in the hub"})
    sim.apply(Command(action="notify", to="hub", text="Unplug", by="soc"))
    notify = last(sim, "report")
    assert (notify.target, notify.data) == ("hub", {"text": "Unplug", "notify": True})
    sim.apply(Command(action="communicate", text="Services are slow", by="soc"))
    public = last(sim, "report")
    assert (public.target, public.data) == ("public", {"text": "Services are slow", "public": True})


def test_notes_and_free_injects_keep_their_audience():
    sim = drill()
    sim.apply(Command(action="note", text="SOC hesitates", hidden=True, source="facilitator"))
    note = last(sim, "note")
    assert (note.actor, note.target, note.data) == (
        "facilitator",
        "",
        {"text": "SOC hesitates", "hidden": True},
    )
    sim.apply(Command(action="free-inject", text="The mayor calls", to="soc", source="facilitator"))
    inject = last(sim, "inject")
    assert (inject.actor, inject.target, inject.data["why"]) == ("white-cell", "", "free")
    assert (inject.data["to"], inject.data["hidden"], inject.data["text"]) == (
        ["soc"],
        False,
        "The mayor calls",
    )


def test_a_ddos_by_the_red_team_overloads_its_target_for_as_long_as_asked():
    sim = drill()
    sim.apply(Command(action="ddos", target={"node": "dc-app"}, lasts=30, source="red-team"))
    effect = last(sim, "effect")
    assert (effect.actor, effect.target, effect.data["lasts"]) == ("red-team", "dc-app", 30.0)
    sim.run_until(34)
    assert sim.nodes["dc-app"].overloaded and not sim.services.up["app"]
    sim.run_until(36)
    assert not sim.nodes["dc-app"].overloaded and sim.services.up["app"]


def test_blocking_shared_credentials_stops_a_worm_over_them_until_unblocked():
    stages = (
        "        - {id: land, technique: T1078, at: T+0m, targets: {node: tr-a}, success: 1, from: inside}\n"
        "        - {id: spread, technique: T1078.002, after: land, over: [trust], delay: 10m,"
        " attempts: 100}\n"
    )
    for action in ("block-trust", "reset-credentials"):
        sim = run(scenario(stages), 1, [TimedCommand(at=5, action=action, target={"node": "tr-b"}, by="soc")])
        assert {e.target for e in compromises(sim)} == {"tr-a"}, action
        assert [(e.t, e.target) for e in sim.events if e.kind == "link_cut"] == [(5.0, "tr-a--tr-b")]
    back = [
        TimedCommand(at=5, action="block-trust", target={"node": "tr-a"}, by="soc"),
        TimedCommand(at=100, action="unblock-trust", target={"node": "tr-a"}, by="soc"),
    ]
    sim = run(scenario(stages), 1, back)
    assert [e.t for e in compromises(sim) if e.target == "tr-b"] == [100.0]
    assert [e.t for e in sim.events if e.kind == "link_restored"] == [100.0]


def test_cutting_the_links_of_a_node_cuts_each_of_its_wan_and_internet_links_once():
    sim = drill()
    sim.apply(Command(action="cut-link", target={"node": "wan-core"}, by="soc"))
    cut = sorted(e.target for e in sim.events if e.kind == "link_cut")
    assert cut == ["dc-sw--wan-core", "east-gw--wan-core", "internet--wan-core", "west-gw--wan-core"]
    sim.apply(Command(action="cut-link", target={"node": "wan-core"}, by="soc"))
    assert len([e for e in sim.events if e.kind == "link_cut"]) == 4  # already cut: nothing new
    assert {e.target for e in sim.events if e.kind == "site_disconnected"} == {"west", "east"}
    sim.apply(Command(action="restore-link", target={"node": "wan-core"}, by="soc"))
    assert sorted(e.target for e in sim.events if e.kind == "link_restored") == cut
    assert all(sim.services.connected.values())


def test_work_goes_to_the_team_named_or_else_to_the_team_watching_the_node():
    sim = drill(QUIET.replace("T+10h", "T+0m"))  # hub-a is taken at T+0
    sim.apply(Command(action="reimage", target={"node": "hub-a"}))  # hub-it watches the hub
    sim.apply(Command(action="reimage", target={"node": "dc-app"}, by="soc"))
    sim.run_until(40)
    starts = [(e.t, e.actor, e.target, e.data["step"]) for e in sim.events if e.kind == "task_start"]
    # dc-app is clean: its reimage is skipped as pointless, and nobody spends time on it
    assert starts == [(5.0, "hub-it", "hub-a", "reimage")]
    cleaned = [(e.t, e.actor, e.target) for e in sim.events if e.kind == "cleaned"]
    assert cleaned == [(25.0, "hub-it", "hub-a")]


def test_a_players_restore_does_not_reconnect_what_they_isolated():
    sim = drill()
    sim.apply(Command(action="isolate", target={"node": "dc-app"}, by="soc"))
    sim.apply(Command(action="restore", target={"node": "dc-app"}, by="soc"))
    sim.run_until(60)
    assert [e.t for e in sim.events if e.kind == "restored"] == [35.0]
    assert sim.nodes["dc-app"].isolated  # reconnecting is the players' own decision


def test_work_for_a_team_without_anyone_is_refused_and_outside_help_may_be_asked_before_it_comes():
    sim = drill()
    refused = sim.apply(Command(action="reimage", target={"node": "hub-a"}, by="none"))
    assert refused.kind == "command_refused" and "none" in refused.data["reason"]
    accepted = sim.apply(Command(action="patch", target={"node": "hub-a"}, by="cert"))
    assert accepted.kind == "command"


def test_unknown_names_are_refused_with_the_nearest_ones_and_nothing_changes():
    sim = drill()
    cases = [
        (Command(action="offline", service="portl", by="soc"), ["portal"]),
        (Command(action="escalate", to="cerd", by="soc"), ["cert"]),
        (Command(action="isolate", target={"node": "hub-z"}, by="soc"), ["hub-a", "hub-b", "hub-c"]),
        (Command(action="isolate", target={"site": "hubb"}, by="soc"), ["hub"]),
        (Command(action="isolate", target={"node": "hub-a"}, by="socc"), ["soc"]),
        (Command(action="inject", inject="cal", source="facilitator"), ["call"]),
        (Command(action="start-stage", stage="lnd", source="red-team"), ["land"]),
    ]
    before = len(sim.events)
    for command, suggestions in cases:
        event = sim.apply(command)
        assert event.kind == "command_refused", command
        assert sorted(event.data["suggestions"]) == suggestions, command
        assert event.data["command"]["action"] == command.action
    assert [e.kind for e in sim.events[before:]] == ["command_refused"] * len(cases)
    assert sim.services.up["portal"] and not any(s.isolated for s in sim.nodes.values())


def test_a_report_may_go_to_a_team_or_a_body():
    sim = drill()
    assert sim.apply(Command(action="report", to="hub", by="soc")).kind == "command"
    assert sim.apply(Command(action="report", to="cert", by="soc")).kind == "command"
    assert sim.apply(Command(action="report", to="nowhere", by="soc")).kind == "command_refused"
