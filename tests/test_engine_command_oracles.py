"""Each command does what its name says on the oracle networks, and is recorded as given; names
that do not exist are refused with the nearest ones, and a refused command changes nothing."""

from __future__ import annotations

import pytest
from oracle_cases import compromises, run, scenario

from drill.engine import Simulation
from drill.engine.commands import Command, TimedCommand
from drill.i18n import pick

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
    assert refused.kind == "command_refused"
    assert pick(refused.data["reason"], "en") == "team 'none' has nobody to do this"
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


# ---------------------------------------------------------------- the survivors of mutation testing
def test_refusals_say_what_is_unknown_and_what_was_meant():
    sim = drill()
    cases = [
        (
            Command(action="offline", service="portl", by="soc"),
            "unknown service 'portl'; did you mean portal?",
        ),
        (Command(action="escalate", to="cerd", by="soc"), "unknown team 'cerd'; did you mean cert?"),
        (
            Command(action="isolate", target={"node": "hub-a"}, by="socc"),
            "unknown team 'socc'; did you mean soc?",
        ),
        (Command(action="notify", to="nowhere", by="soc"), "unknown team 'nowhere'"),
        (
            Command(action="inject", inject="cal", source="facilitator"),
            "unknown inject 'cal'; did you mean call?",
        ),
        (
            Command(action="start-stage", stage="lnd", source="red-team"),
            "unknown stage 'lnd'; did you mean land?",
        ),
        (
            Command(action="mark", inject="call", expectation=0, source="facilitator"),
            "inject 'call' has no expected action number 0 (it has 0, numbered from 0)",
        ),
        (Command(action="reimage", target={"node": "hub-a"}, by="none"), "team 'none' has nobody to do this"),
        (Command(action="restore", target={"node": "hub-a"}, by="none"), "team 'none' has nobody to do this"),
        (Command(action="patch", target={"node": "hub-a"}, by="none"), "team 'none' has nobody to do this"),
    ]
    for command, reason in cases:
        event = sim.apply(command)
        assert (event.kind, pick(event.data["reason"], "en")) == ("command_refused", reason), command
        assert set(event.data["reason"]) == {"en", "vi"}  # told to each team in its language
        assert (event.actor, event.target) == (command.by or command.source, command.action)


def test_a_mark_one_past_the_last_expected_action_is_refused():
    asks = (
        "injects:\n  - {id: ask, at: T+1m, text: Ask, expects: [{action: escalate, to: cert, within: 1h}]}\n"
    )
    sim = Simulation(scenario(QUIET, WORK + asks, teams=TEAMS), seed=1)
    sim.run_until(5)
    event = sim.apply(Command(action="mark", inject="ask", expectation=1, source="facilitator"))
    reason = "inject 'ask' has no expected action number 1 (it has 1, numbered from 0)"
    assert pick(event.data["reason"], "en") == reason
    assert (
        sim.apply(Command(action="mark", inject="ask", expectation=0, source="facilitator")).kind == "command"
    )


def test_a_bad_name_of_another_kind_in_a_target_gets_suggestions_of_that_kind():
    sim = drill()
    event = sim.apply(Command(action="isolate", target={"kind": ["workstation"]}, by="soc"))
    assert event.kind == "command_refused" and "workstations" in event.data["suggestions"]


def test_public_messages_may_name_an_audience_that_is_not_a_team():
    sim = drill()
    assert sim.apply(Command(action="communicate", to="press", text="Statement", by="soc")).kind == "command"
    assert last(sim, "report").target == "press"


def test_who_a_command_is_recorded_as_when_no_team_is_named():
    sim = drill()
    sim.apply(Command(action="offline", service="records"))
    sim.apply(Command(action="online", service="records"))
    sim.apply(Command(action="cut-link", target={"site": "west"}))
    sim.apply(Command(action="restore-link", target={"site": "west"}))
    sim.apply(Command(action="block-trust", target={"node": "tr-a"}))
    sim.apply(Command(action="unblock-trust", target={"node": "tr-a"}))
    sim.apply(Command(action="isolate", target={"node": "hub-b"}))
    sim.apply(Command(action="reconnect", target={"node": "hub-b"}))
    sim.apply(Command(action="notify", text="Unplug"))
    sim.apply(Command(action="communicate", text="Slow services"))
    sim.apply(Command(action="reset-credentials", target={"node": "tr-b"}))
    kinds = ("offline", "online", "link_cut", "link_restored", "isolate", "reconnect", "report")
    recorded = [(e.kind, e.actor, e.target) for e in sim.events if e.kind in kinds]
    assert recorded == [
        ("offline", "player", "records"),
        ("online", "player", "records"),
        ("link_cut", "player", "west-gw--wan-core"),
        ("link_restored", "player", "west-gw--wan-core"),
        ("link_cut", "player", "tr-a--tr-b"),
        ("link_restored", "player", "tr-a--tr-b"),
        ("isolate", "player", "hub-b"),
        ("reconnect", "player", "hub-b"),
        ("report", "player", ""),
        ("report", "player", "public"),
        ("link_cut", "player", "tr-a--tr-b"),
    ]
    cut = next(e for e in sim.events if e.kind == "link_cut")
    assert {cut.data["a"], cut.data["b"]} == {"west-gw", "wan-core"} and cut.data["link_kind"] == "wan"
    back = next(e for e in sim.events if e.kind == "reconnect")
    assert back.data == {"site": "hub", "compromised": False}


def test_blocking_trust_touches_only_trust_links_of_the_machines_named():
    sim = drill()
    sim.apply(Command(action="block-trust", target={"node": "hub-a"}, by="soc"))  # no trust link
    assert [e for e in sim.events if e.kind == "link_cut"] == []
    sim.apply(Command(action="block-trust", target={"node": "tr-a"}, by="soc"))
    sim.apply(Command(action="unblock-trust", target={"node": "hub-a"}, by="soc"))  # not its link
    assert [e.target for e in sim.events if e.kind == "link_cut"] == ["tr-a--tr-b"]
    assert [e for e in sim.events if e.kind == "link_restored"] == []


def test_cutting_a_sites_link_cuts_only_the_link_from_its_gateway_to_the_wan():
    sim = drill()
    sim.apply(Command(action="cut-link", target={"site": "east"}, by="soc"))
    assert [e.target for e in sim.events if e.kind == "link_cut"] == ["east-gw--wan-core"]
    assert sim.services.connected["west"] and not sim.services.connected["east"]


def test_restoring_a_compromised_machine_cleans_it_first():
    sim = drill(QUIET.replace("T+10h", "T+0m"))
    sim.apply(Command(action="restore", target={"node": "hub-a"}, by="hub-it"))
    sim.run_until(40)
    done = [(e.t, e.kind, e.actor, e.data) for e in sim.events if e.kind in ("cleaned", "restored")]
    assert done == [
        (35.0, "cleaned", "hub-it", {"site": "hub", "damaged": False}),
        (35.0, "restored", "hub-it", {"site": "hub", "from_backup": False}),
    ]
    assert sim.nodes["hub-a"].status == "restored"


def test_a_patch_is_recorded_with_the_body_and_whether_the_machine_was_held():
    sim = drill(QUIET.replace("T+10h", "T+0m"))
    sim.apply(Command(action="patch", target={"node": "hub-a"}, by="hub-it"))
    sim.run_until(60)
    patched = next(e for e in sim.events if e.kind == "patched")
    assert (patched.actor, patched.target, patched.data) == (
        "hub-it",
        "hub-a",
        {"site": "hub", "compromised": True},
    )


def test_without_any_playbook_the_players_work_takes_the_default_times():
    sim = Simulation(scenario(QUIET.replace("T+10h", "T+0m"), teams=TEAMS), seed=1)
    sim.run_until(5)
    sim.apply(Command(action="reimage", target={"node": "hub-a"}, by="hub-it"))
    sim.run_until(5 + 181)
    assert [(e.t, e.target) for e in sim.events if e.kind == "cleaned"] == [(185.0, "hub-a")]  # 3 hours


def test_a_machine_reconnected_spreads_only_the_stages_of_its_own_campaign_that_have_begun():
    # line-a is held by the worm; a later stage of the worm has not begun when it is reconnected
    stages = (
        "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: line-a}, success: 1,"
        " from: inside}\n"
        "        - {id: spread, technique: T1021.002, at: T+5h, over: [lan], via: [smb], delay: 10m}\n"
    )
    sim = run(
        scenario(stages),
        1,
        [
            TimedCommand(at=1, action="isolate", target={"node": "line-a"}, by="soc"),
            TimedCommand(at=2, action="reconnect", target={"node": "line-a"}, by="soc"),
        ],
    )
    assert min(e.t for e in compromises(sim) if e.target == "line-b") >= 300  # from T+5h only


def test_a_decisions_file_is_a_list_of_timed_commands_and_every_problem_is_told(tmp_path):
    from drill.diagnostics import DrillError
    from drill.engine.commands import load_decisions

    good = tmp_path / "good.yaml"
    good.write_text(
        "- {at: T+1h, action: note, text: later, source: facilitator}\n"
        "- {at: T+10m, action: isolate, target: {node: hub-a}, by: soc}\n"
        "- {at: T+10m, action: escalate, to: cert, by: soc}\n",
        encoding="utf-8",
    )
    loaded = load_decisions(good)
    assert [(c.at, c.action) for c in loaded] == [(10.0, "isolate"), (10.0, "escalate"), (60.0, "note")]
    not_a_list = tmp_path / "map.yaml"
    not_a_list.write_text("at: T+1h\n", encoding="utf-8")
    with pytest.raises(DrillError) as refused:
        load_decisions(not_a_list)
    (problem,) = refused.value.diagnostics
    assert (problem.file, problem.line, problem.col, problem.path) == (str(not_a_list), 1, 1, "")
    assert refused.value.message == f"{not_a_list}:1:1: {problem.message}" and "list" in problem.message
    two = tmp_path / "two.yaml"
    two.write_text(
        "- {at: soon, action: isolate, target: {node: hub-a}}\n- {at: T+1h, action: isolat}\n",
        encoding="utf-8",
    )
    with pytest.raises(DrillError) as refused:
        load_decisions(two)
    assert [d.line for d in refused.value.diagnostics] == [1, 2]
    assert refused.value.message.count("\n") == 1  # one line each


def test_a_command_is_recorded_with_only_what_was_given():
    command = Command(action="isolate", target={"node": "hub-a"}, by="soc")
    assert command.record() == {"action": "isolate", "target": {"node": ["hub-a"]}, "by": "soc"}
    assert Command(action="note", text="x", source="facilitator").record() == {
        "action": "note",
        "text": "x",
        "source": "facilitator",
    }
