"""The defenders, the services and the MSEL on hand-built drills whose timeline is known.

The data centre of the oracle networks: dc-app runs ``app`` (a 2h backup, sensors that always
see a compromise after 30 minutes, high criticality), dc-db runs ``records`` (no backup: a
rebuild takes a day; 4 GB of data), and the ``portal`` needs both. Every duration below is fixed,
so each test's timeline is worked out by hand in its comments.

The footholds are planted (`from: inside`): only the data centre has a way in from the Internet.
An effect on a machine with no channel out (the hub, the line, the group) is a payload that acts by
itself (`from: inside`); the effects on the data centre are ordered from the Internet (the default).
"""

from __future__ import annotations

import pytest
from oracle_cases import run, scenario

from drill.engine import Simulation
from drill.engine.commands import Command, TimedCommand
from drill.metrics import fold

RESPOND = """\
playbooks:
  respond:
    steps:
      - {do: triage, takes: 10m}
      - {do: isolate, takes: 10m}
      - {do: reimage, takes: 1h}
      - {do: restore, takes: from-backup}
"""
SOC = "  soc: {name: SOC, staff: 1, watches: {site: [dc]}}\n"
CERT = "  cert: {name: CERT, staff: 3, on_call: {arrives_after: 1h}}\n"


def land(node: str, at: str = "T+0m", sid: str = "land", technique: str = "T1078") -> str:
    return (
        f"        - {{id: {sid}, technique: {technique}, at: {at}, targets: {{node: {node}}}, success: 1,"
        " from: inside}\n"
    )


def timeline(sim: Simulation, kinds: tuple[str, ...]) -> list[tuple[float, str, str]]:
    return [(e.t, e.kind, e.target) for e in sim.events if e.kind in kinds]


def by(*commands: tuple) -> list[TimedCommand]:
    return [TimedCommand(at=at, **fields) for at, fields in commands]


# ---------------------------------------------------------------- the response
def test_a_detected_compromise_is_triaged_isolated_reimaged_and_restored_on_a_known_clock():
    sim = run(scenario(land("dc-app"), RESPOND, teams=SOC))
    assert timeline(sim, ("detection", "isolate", "cleaned", "restored", "reconnect")) == [
        (30.0, "detection", "dc-app"),  # the sensor's fixed 30 minutes
        (50.0, "isolate", "dc-app"),  # triage 10m, isolate 10m
        (110.0, "cleaned", "dc-app"),  # reimage 1h
        (140.0, "restored", "dc-app"),  # nothing was encrypted: 30 minutes of checks
        (140.0, "reconnect", "dc-app"),  # the team that isolated it reconnects it
    ]
    steps = [(e.t, e.kind, e.data["step"]) for e in sim.events if e.kind in ("task_start", "task_end")]
    assert steps == [
        (30.0, "task_start", "triage"),
        (40.0, "task_end", "triage"),
        (40.0, "task_start", "isolate"),
        (50.0, "task_end", "isolate"),
        (50.0, "task_start", "reimage"),
        (110.0, "task_end", "reimage"),
        (110.0, "task_start", "restore"),
        (140.0, "task_end", "restore"),
    ]
    # the app is unusable from its isolation to its return; the portal needs it
    assert timeline(sim, ("service_down", "service_up")) == [
        (50.0, "service_down", "app"),
        (50.0, "service_down", "portal"),
        (140.0, "service_up", "app"),
        (140.0, "service_up", "portal"),
    ]
    reasons = {e.target: e.data["reason"] for e in sim.events if e.kind == "service_down"}
    assert reasons == {"app": "node:dc-app", "portal": "service:app"}
    assert [e.data["down_for"] for e in sim.events if e.kind == "service_up"] == [90.0, 90.0]
    snap = fold(sim.scenario, sim.events, sim.now)
    assert (snap.time_to_detect, snap.time_to_contain, snap.time_to_recover) == (30.0, 50.0, 140.0)
    assert snap.downtime_by_service == {"app": 90.0, "portal": 90.0}
    assert sim.nodes["dc-app"].status == "restored" and not sim.nodes["dc-app"].isolated


def test_no_sensor_and_no_harm_means_no_response():
    sim = run(scenario(land("hub-a"), RESPOND, teams=SOC))  # hub-a's sensors see nothing
    assert timeline(sim, ("detection", "alert", "task_start", "isolate")) == []
    assert sim.nodes["hub-a"].status == "compromised"


def test_a_team_of_one_works_the_most_critical_node_first():
    # dc-db (medium) is seen at T+30 and triaged at once; dc-app (high) is seen at T+31 and
    # waits (a triage under way is containment too, not later work: nobody is taken off it).
    # When dc-db's triage ends at T+40 its isolation queues behind dc-app's triage, which goes
    # first because dc-app matters more; at T+50 dc-app's isolation (high) again beats dc-db's.
    # At T+60 dc-app's reimage (eradication) waits for dc-db's isolation: the phase comes first
    # (containment before eradication), before criticality.
    sim = run(scenario(land("dc-db") + land("dc-app", "T+1m", "land2"), RESPOND, teams=SOC))
    starts = [(e.t, e.target, e.data["step"]) for e in sim.events if e.kind == "task_start"][:4]
    assert starts == [
        (30.0, "dc-db", "triage"),
        (40.0, "dc-app", "triage"),
        (50.0, "dc-app", "isolate"),
        (60.0, "dc-db", "isolate"),
    ]
    alerts = [(e.t, e.target, e.data["queued"]) for e in sim.events if e.kind == "alert"]
    assert alerts == [(30.0, "dc-db", 1), (31.0, "dc-app", 1)]


def test_two_people_work_two_alerts_at_once():
    two = SOC.replace("staff: 1", "staff: 2")
    sim = run(scenario(land("dc-db") + land("dc-app", "T+1m", "land2"), RESPOND, teams=two))
    isolations = timeline(sim, ("isolate",))
    assert isolations == [(50.0, "isolate", "dc-db"), (51.0, "isolate", "dc-app")]


def test_without_staff_alerts_queue_and_nothing_is_done():
    none = SOC.replace("staff: 1", "staff: 0")
    sim = run(scenario(land("dc-app"), RESPOND, teams=none))
    assert timeline(sim, ("detection", "alert")) == [(30.0, "detection", "dc-app"), (30.0, "alert", "dc-app")]
    assert timeline(sim, ("task_start", "isolate")) == []
    assert fold(sim.scenario, sim.events, sim.now).queue == {"soc": 1}


def test_a_playbook_that_is_not_automatic_leaves_the_alert_to_the_players():
    manual = RESPOND.replace("  respond:\n", "  respond:\n    auto: false\n")
    sim = run(scenario(land("dc-app"), manual, teams=SOC))
    assert timeline(sim, ("detection",)) == [(30.0, "detection", "dc-app")]
    assert timeline(sim, ("alert", "task_start", "isolate")) == []


FLOOD = (
    "        - {id: flood, technique: T1498, at: T+10m, targets: {node: dc-app}, effect: deny, lasts: 40m}\n"
)
ENCRYPT = "        - {id: enc, technique: T1486, after: land, effect: encrypt}\n"


def test_a_restore_from_backup_takes_the_backup_time_and_without_one_the_rebuild_time():
    # encrypted at T+5: the app restores in 2h from its backup, the database has none (1 day).
    # `takes: from-backup` is 30m of hands-on checks, then that lead time (holding no one).
    for node, restore in (("dc-app", 120.0), ("dc-db", 24 * 60.0)):
        sim = run(scenario(land(node, "T+5m") + ENCRYPT, RESPOND, teams=SOC, duration="2d"))
        starts = [e for e in sim.events if e.kind == "task_start" and e.data["step"] == "restore"]
        assert len(starts) == 1 and starts[0].data["lead"] == restore, node
        assert starts[0].data["takes"] == 30.0 + restore, node
        restored = next(e for e in sim.events if e.kind == "restored")
        assert restored.t == starts[0].t + 30.0 + restore
        assert restored.data["from_backup"] == (node == "dc-app")
        assert sim.nodes[node].impact == "none"


def test_lost_backups_make_the_restore_a_rebuild():
    lost = (
        "injects:\n"
        "  - {id: lost, at: T+1m, text: gone, hidden: true, effect: {backups_lost: {node: dc-app}}}\n"
    )
    sim = run(scenario(land("dc-app", "T+5m") + ENCRYPT, RESPOND + lost, teams=SOC, duration="2d"))
    assert timeline(sim, ("backup_lost",)) == [(1.0, "backup_lost", "dc-app")]
    start = next(e for e in sim.events if e.kind == "task_start" and e.data["step"] == "restore")
    # the rebuild (1 day) is the lead, after the 30m of checks of `takes: from-backup`
    assert (start.data["lead"], start.data["takes"]) == (24 * 60.0, 30.0 + 24 * 60.0)
    assert next(e for e in sim.events if e.kind == "restored").data["from_backup"] is False


def test_users_notice_encryption_without_any_sensor():
    encrypt = (
        "        - {id: enc, technique: T1486, after: {stage: land, wait: 20m}, effect: encrypt"
        ", from: inside}\n"
    )
    for seed in range(1, 11):
        sim = run(scenario(land("hub-a") + encrypt, RESPOND, teams=SOC), seed)
        effects = timeline(sim, ("effect",))
        assert effects == [(20.0, "effect", "hub-a")]
        seen = [e for e in sim.events if e.kind == "detection"]
        assert len(seen) == 1 and seen[0].data["how"] == "users" and seen[0].t >= 20.0, seed


# ---------------------------------------------------------------- outside help and staff
def test_escalation_brings_outside_help_after_its_delay_and_it_works_the_callers_queue():
    sim = run(
        scenario(land("dc-app"), RESPOND, teams=SOC.replace("staff: 1", "staff: 0") + CERT),
        commands=by((10, {"action": "escalate", "to": "cert", "by": "soc"})),
    )
    assert timeline(sim, ("escalation", "team_arrived")) == [
        (10.0, "escalation", "cert"),
        (70.0, "team_arrived", "soc"),
    ]
    arrived = next(e for e in sim.events if e.kind == "team_arrived")
    assert arrived.data["staff"] == 3 and arrived.actor == "cert"  # to the team that called
    # the alert came at T+30 into SOC's queue, with nobody there; the CERT takes it at T+70
    starts = [(e.t, e.actor, e.data["step"]) for e in sim.events if e.kind == "task_start"]
    assert starts[0] == (70.0, "cert", "triage")
    assert timeline(sim, ("isolate",)) == [(90.0, "isolate", "dc-app")]


def test_escalating_twice_brings_the_team_once():
    sim = run(
        scenario(land("dc-app"), RESPOND, teams=SOC + CERT),
        commands=by(
            (10, {"action": "escalate", "to": "cert", "by": "soc"}),
            (20, {"action": "escalate", "to": "cert", "by": "soc"}),
        ),
    )
    assert [e.t for e in sim.events if e.kind == "team_arrived"] == [70.0]
    assert fold(sim.scenario, sim.events, sim.now).staff == {"soc": 1, "cert": 3}


def test_an_inject_that_takes_the_only_analyst_away_stops_the_work():
    gone = "injects:\n  - {id: sick, at: T+35m, text: ill, effect: {staff: {team: soc, change: -1}}}\n"
    sim = run(scenario(land("dc-app"), RESPOND + gone, teams=SOC))
    assert timeline(sim, ("staff_change",)) == [(35.0, "staff_change", "soc")]
    assert timeline(sim, ("isolate", "task_end")) == []  # triage began at T+30 and never ended
    assert fold(sim.scenario, sim.events, sim.now).staff == {"soc": 0}


# ---------------------------------------------------------------- services
def test_a_service_taken_offline_is_down_with_its_dependants_until_it_is_back():
    sim = run(
        scenario(land("hub-a")),
        commands=by(
            (10, {"action": "offline", "service": "records", "by": "soc"}),
            (70, {"action": "online", "service": "records", "by": "soc"}),
        ),
    )
    assert timeline(sim, ("service_down", "service_up")) == [
        (10.0, "service_down", "records"),
        (10.0, "service_down", "portal"),
        (70.0, "service_up", "records"),
        (70.0, "service_up", "portal"),
    ]
    reasons = [e.data["reason"] for e in sim.events if e.kind == "service_down"]
    assert reasons == ["offline", "service:records"]
    assert all(sim.services.up.values())


def test_a_service_still_down_for_another_reason_says_so():
    # records is taken offline at T+10 and its node isolated at T+20; back online at T+30, it is
    # still down, now because of its node, until the node is reconnected at T+40
    sim = run(
        scenario(land("hub-a")),
        commands=by(
            (10, {"action": "offline", "service": "records", "by": "soc"}),
            (20, {"action": "isolate", "target": {"node": "dc-db"}, "by": "soc"}),
            (30, {"action": "online", "service": "records", "by": "soc"}),
            (40, {"action": "reconnect", "target": {"node": "dc-db"}, "by": "soc"}),
        ),
    )
    records = [
        (e.t, e.kind, e.data.get("reason"))
        for e in sim.events
        if e.target == "records" and "service" in e.kind
    ]
    assert records == [
        (10.0, "service_down", "offline"),
        (30.0, "service_reason", "node:dc-db"),
        (40.0, "service_up", None),
    ]
    assert fold(sim.scenario, sim.events, sim.now).downtime_by_service["records"] == 30.0  # one outage


def test_a_flood_overloads_its_target_for_as_long_as_it_lasts():
    flood = FLOOD
    sim = run(scenario(flood))
    assert timeline(sim, ("effect", "effect_end")) == [
        (10.0, "effect", "dc-app"),
        (50.0, "effect_end", "dc-app"),
    ]
    assert timeline(sim, ("service_down", "service_up")) == [
        (10.0, "service_down", "app"),
        (10.0, "service_down", "portal"),
        (50.0, "service_up", "app"),
        (50.0, "service_up", "portal"),
    ]
    assert not sim.nodes["dc-app"].overloaded and sim.nodes["dc-app"].status == "clean"


def test_a_flood_on_an_isolated_node_does_nothing():
    flood = FLOOD
    sim = run(
        scenario(flood), commands=by((5, {"action": "isolate", "target": {"node": "dc-app"}, "by": "soc"}))
    )
    assert timeline(sim, ("effect",)) == []


def test_exfiltration_stops_at_isolation():
    # no automatic response: the players' isolation at T+30 is the only thing that stops it
    manual = RESPOND.replace("  respond:\n", "  respond:\n    auto: false\n")
    steal = (
        land("dc-db")
        + "        - {id: steal, technique: T1041, after: land, effect: exfiltrate, rate_gb_per_hour: 2}\n"
    )
    free = run(scenario(steal, manual))
    assert fold(free.scenario, free.events, 720.0).data_exfiltrated_gb == pytest.approx(4.0)  # all it holds
    assert fold(free.scenario, free.events, 90.0).data_exfiltrated_gb == pytest.approx(3.0)
    cut = run(
        scenario(steal, manual),
        commands=by((30, {"action": "isolate", "target": {"node": "dc-db"}, "by": "soc"})),
    )
    assert fold(cut.scenario, cut.events, 720.0).data_exfiltrated_gb == pytest.approx(1.0)


# ---------------------------------------------------------------- links
def test_cutting_a_sites_wan_link_keeps_the_worm_home_until_it_is_restored():
    spread = (
        land("west-pc", technique="T1566.001")
        + "        - {id: spread, technique: T1021.002, after: land, over: [lan, wan], via: [smb],"
        " delay: 10m}\n"
    )
    cut = {"action": "cut-link", "target": {"site": "west"}, "by": "soc"}
    back = {"action": "restore-link", "target": {"site": "west"}, "by": "soc"}
    sim = run(scenario(spread), commands=by((0, cut)))
    assert "east-pc" not in {e.target for e in sim.events if e.kind == "compromise"}
    assert timeline(sim, ("link_cut", "site_disconnected")) == [
        (0.0, "link_cut", "west-gw--wan-core"),
        (0.0, "site_disconnected", "west"),
    ]
    sim = run(scenario(spread), commands=by((0, cut), (100, back)))
    east = [e.t for e in sim.events if e.kind == "compromise" and e.target == "east-pc"]
    assert east and east[0] >= 100
    assert (100.0, "site_connected", "west") in timeline(sim, ("site_connected",))


def test_isolating_a_sites_gateway_disconnects_the_site():
    sim = run(
        scenario(land("hub-a")),
        commands=by((5, {"action": "isolate", "target": {"node": "east-gw"}, "by": "soc"})),
    )
    assert timeline(sim, ("site_disconnected",)) == [(5.0, "site_disconnected", "east")]
    assert [site for site, up in sim.services.connected.items() if not up] == ["east"]


# ---------------------------------------------------------------- commands on the engine
def test_a_command_naming_nothing_that_exists_is_refused_and_changes_nothing():
    sim = Simulation(scenario(land("hub-a")), seed=1)
    sim.run_until(5)
    refused = sim.apply(Command(action="isolate", target={"node": "hub-z"}, by="soc"))
    assert refused.kind == "command_refused" and "hub-a" in refused.data["suggestions"]
    assert not any(s.isolated for s in sim.nodes.values())
    assert sim.apply(Command(action="offline", service="portl", by="soc")).data["suggestions"] == ["portal"]
    assert sim.services.up["portal"]


def test_a_red_team_compromise_and_a_stage_started_by_hand():
    sim = Simulation(scenario(land("hub-a", "T+6h")), seed=1)
    sim.run_until(10)
    sim.apply(Command(action="compromise", target={"node": "line-b"}, source="red-team"))
    assert sim.nodes["line-b"].status == "compromised"
    event = next(e for e in sim.events if e.kind == "compromise")
    assert (event.t, event.target, event.actor, event.data["source"]) == (
        10.0,
        "line-b",
        "red-team",
        "red-team",
    )
    sim.apply(Command(action="start-stage", stage="land", source="red-team"))
    sim.run_until(11)
    assert sim.nodes["hub-a"].status == "compromised"  # hours before its time
    sim.run_until(sim.end)
    assert [e.data["why"] for e in sim.events if e.kind == "stage_start"] == ["red-team"]  # once only


# ---------------------------------------------------------------- effects and floods in detail
def _flood(extra: str = "") -> str:
    return (
        "        - {id: flood, technique: T1498, at: T+10m, targets: {node: dc-app}, effect: deny,"
        f" lasts: 40m{extra}}}\n"
    )


def test_a_flood_is_recorded_with_its_stage_and_how_long_it_lasts():
    sim = run(scenario(_flood()))
    effect = next(e for e in sim.events if e.kind == "effect")
    assert (effect.actor, effect.target) == ("flood", "dc-app")
    assert effect.data == {"effect": "deny", "stage": "flood", "lasts": 40.0, "site": "dc"}
    end = next(e for e in sim.events if e.kind == "effect_end")
    assert (end.t, end.actor, end.target, end.data) == (50.0, "", "dc-app", {"effect": "deny"})


def test_a_second_flood_before_the_first_ends_keeps_the_node_down_until_the_last_one_ends():
    second = _flood().replace("id: flood", "id: again").replace("T+10m", "T+30m")
    sim = run(scenario(_flood() + second))
    assert timeline(sim, ("effect", "effect_end")) == [
        (10.0, "effect", "dc-app"),
        (70.0, "effect_end", "dc-app"),
    ]
    assert timeline(sim, ("service_down", "service_up"))[::2] == [
        (10.0, "service_down", "app"),
        (70.0, "service_up", "app"),
    ]


def test_a_flood_comes_from_the_internet_along_the_links_it_names():
    # the Internet reaches dc-app through wan-core and dc-sw, whose last link lets web through
    assert timeline(run(scenario(_flood())), ("effect",)) == [(10.0, "effect", "dc-app")]
    assert timeline(run(scenario(_flood(", via: [web]"))), ("effect",)) == [(10.0, "effect", "dc-app")]
    assert timeline(run(scenario(_flood(", via: [smb]"))), ("effect",)) == []  # no SMB on that link
    assert timeline(run(scenario(_flood(", over: [internet, wan]"))), ("effect",)) == []  # not the LAN
    assert timeline(run(scenario(_flood(", over: [internet, wan, lan]"))), ("effect",)) != []
    for gear in ("dc-sw", "wan-core"):
        blocked = by((5, {"action": "isolate", "target": {"node": gear}, "by": "soc"}))
        assert timeline(run(scenario(_flood()), commands=blocked), ("effect",)) == [], gear
    cut = by((5, {"action": "cut-link", "target": {"node": "internet"}, "by": "soc"}))
    sim = run(scenario(_flood()), commands=cut)
    assert timeline(sim, ("link_cut",)) == [(5.0, "link_cut", "internet--wan-core")]
    assert timeline(sim, ("effect",)) == []


def test_the_internet_itself_can_be_flooded():
    flood = _flood().replace("{node: dc-app}", "{node: internet}")
    assert timeline(run(scenario(flood)), ("effect",)) == [(10.0, "effect", "internet")]


def test_a_flood_after_a_foothold_overloads_the_machine_taken():
    choke = (
        land("hub-a") + "        - {id: choke, technique: T1499, after: land, effect: deny, lasts: 25m"
        ", from: inside}\n"
    )
    sim = run(scenario(choke))
    assert timeline(sim, ("effect", "effect_end")) == [
        (0.0, "effect", "hub-a"),
        (25.0, "effect_end", "hub-a"),
    ]


def test_an_effect_lands_only_on_its_own_targets():
    # the worm holds the whole line; the encryption is aimed at line-c alone
    stages = (
        "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: line-a}, success: 1,"
        " from: inside}\n"
        "        - {id: spread, technique: T1021.002, after: land, over: [lan], via: [smb], delay: 10m}\n"
        "        - {id: enc, technique: T1486, after: {stage: land, wait: 3h}, targets: {node: line-c},"
        " effect: encrypt, from: inside}\n"
    )
    sim = run(scenario(stages))
    assert ever_compromised_of(sim) == {"line-a", "line-b", "line-c"}
    assert timeline(sim, ("effect",)) == [(180.0, "effect", "line-c")]
    assert [n for n in ("line-a", "line-b", "line-c") if sim.nodes[n].impact == "encrypted"] == ["line-c"]


def ever_compromised_of(sim: Simulation) -> set[str]:
    return {e.target for e in sim.events if e.kind == "compromise"}


def test_an_effect_due_on_a_machine_cleaned_in_the_meantime_does_nothing():
    enc = (
        land("hub-a")
        + "        - {id: enc, technique: T1486, after: {stage: land, wait: 2h}, effect: encrypt"
        ", from: inside}\n"
    )
    fix = "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 30m}]}\n"
    clean = by((10, {"action": "reimage", "target": {"node": "hub-a"}, "by": "soc"}))
    sim = run(scenario(enc, fix), commands=clean)
    assert timeline(sim, ("cleaned",)) == [(40.0, "cleaned", "hub-a")]
    assert timeline(sim, ("effect",)) == []
    assert timeline(run(scenario(enc, fix)), ("effect",)) == [(120.0, "effect", "hub-a")]


def test_what_each_effect_leaves_on_the_machine():
    def after(effect: str, extra: str = "") -> Simulation:
        stage = f"        - {{id: hit, technique: T1486, after: land, effect: {effect}{extra}}}\n"
        return run(
            scenario(
                land("dc-app") + stage, "playbooks:\n  p: {auto: false, steps: [{do: triage, takes: 1m}]}\n"
            )
        )

    assert after("encrypt").nodes["dc-app"].impact == "encrypted"
    assert after("deface").nodes["dc-app"].impact == "defaced"
    assert after("exfiltrate").nodes["dc-app"].impact == "exfiltrating"
    wiped = after("wipe")
    assert wiped.nodes["dc-app"].impact == "wiped" and wiped.nodes["dc-app"].backup_lost  # its backup too
    privileged = after("privilege")
    assert privileged.nodes["dc-app"].impact == "privileged"
    assert privileged.nodes["dc-app"].label == "privileged"
    effect = next(e for e in after("encrypt").events if e.kind == "effect")
    assert (effect.actor, effect.data) == (
        "worm",
        {"effect": "encrypt", "stage": "hit", "hosts": 1, "site": "dc"},
    )
    steal = next(e for e in after("exfiltrate", ", rate_gb_per_hour: 3").events if e.kind == "effect")
    assert steal.data == {
        "effect": "exfiltrate",
        "stage": "hit",
        "hosts": 1,
        "site": "dc",
        "rate_gb_per_hour": 3.0,
        "data_gb": 0.0,
    }


def test_loud_harm_is_noticed_by_users_and_quiet_harm_is_not():
    def users_saw(effect: str, extra: str = "") -> bool:
        stage = (
            f"        - {{id: hit, technique: T1486, after: land, effect: {effect}{extra}, from: inside}}\n"
        )
        sim = run(scenario(land("hub-a") + stage))  # hub-a has no sensor: only users can notice
        return any(e.kind == "detection" and e.data["how"] == "users" for e in sim.events)

    assert users_saw("encrypt") and users_saw("wipe") and users_saw("deface")
    assert not users_saw("exfiltrate") and not users_saw("privilege")
    assert users_saw("exfiltrate", ", loud: true") and not users_saw("encrypt", ", loud: false")


def test_data_theft_after_encryption_changes_nothing():
    stages = (
        land("dc-db")
        + "        - {id: enc, technique: T1486, after: land, effect: encrypt}\n"
        + "        - {id: steal, technique: T1041, after: {stage: land, wait: 5m}, effect: exfiltrate}\n"
    )
    sim = run(scenario(stages, "playbooks:\n  p: {auto: false, steps: [{do: triage, takes: 1m}]}\n"))
    assert [e.data["effect"] for e in sim.events if e.kind == "effect"] == ["encrypt"]
    assert sim.nodes["dc-db"].impact == "encrypted"


def test_a_stage_that_takes_every_machine_of_a_group_at_once():
    stages = "        - {id: land, from: inside, technique: T1078, at: T+0m, targets: {node: west-pc}, hosts: all}\n"  # noqa: E501
    sim = run(scenario(stages))
    hit = next(e for e in sim.events if e.kind == "compromise")
    assert (hit.data["hosts"], hit.data["infected"]) == (1, 1)  # west-pc is one machine


def test_nothing_is_taken_from_or_added_to_a_wiped_machine():
    stages = (
        land("dc-db")
        + "        - {id: wipe, technique: T1485, after: land, effect: wipe}\n"
        + "        - {id: steal, technique: T1041, after: {stage: land, wait: 5m}, effect: exfiltrate}\n"
        + "        - {id: admin, technique: T1078.003, after: {stage: land, wait: 6m}, effect: privilege}\n"
    )
    sim = run(scenario(stages, "playbooks:\n  p: {auto: false, steps: [{do: triage, takes: 1m}]}\n"))
    assert [e.data["effect"] for e in sim.events if e.kind == "effect"] == ["wipe"]
    assert sim.nodes["dc-db"].impact == "wiped"


def test_privilege_on_an_encrypted_machine_changes_nothing():
    stages = (
        land("dc-db")
        + "        - {id: enc, technique: T1486, after: land, effect: encrypt}\n"
        + "        - {id: admin, technique: T1078.003, after: {stage: land, wait: 6m}, effect: privilege}\n"
    )
    sim = run(scenario(stages, "playbooks:\n  p: {auto: false, steps: [{do: triage, takes: 1m}]}\n"))
    assert [e.data["effect"] for e in sim.events if e.kind == "effect"] == ["encrypt"]


def test_encryption_of_every_machine_of_a_group_or_of_those_infected():
    def encrypted(hosts: str) -> tuple[int, int]:
        stages = (
            "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: grp-ws}, success: 1,"
            " from: inside}\n"
            f"        - {{id: enc, technique: T1486, after: land, effect: encrypt, hosts: {hosts},"
            " from: inside}\n"
        )
        sim = Simulation(scenario(stages), seed=1)
        sim.run_until(1)  # before anyone notices
        effect = next(e for e in sim.events if e.kind == "effect")
        return effect.data["hosts"], sim.nodes["grp-ws"].infected

    assert encrypted("all") == (40, 40)
    assert encrypted("one") == (1, 1)


def test_an_effect_scheduled_before_the_machine_was_cleaned_does_nothing_when_it_comes():
    # the encryption is drawn at the compromise (T+0) for T+60; the machine is clean from T+40
    enc = (
        land("hub-a") + "        - {id: enc, technique: T1486, after: land, effect: encrypt, delay: 1h"
        ", from: inside}\n"
    )
    fix = "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 30m}]}\n"
    clean = by((10, {"action": "reimage", "target": {"node": "hub-a"}, "by": "soc"}))
    assert timeline(run(scenario(enc, fix), commands=clean), ("effect",)) == []
    assert timeline(run(scenario(enc, fix)), ("effect",)) == [(60.0, "effect", "hub-a")]


def test_a_flood_after_a_foothold_is_recorded_under_its_stage():
    choke = (
        land("hub-a") + "        - {id: choke, technique: T1499, after: land, effect: deny, lasts: 25m"
        ", from: inside}\n"
    )
    effect = next(e for e in run(scenario(choke)).events if e.kind == "effect")
    assert (effect.actor, effect.data) == (
        "choke",
        {"effect": "deny", "stage": "choke", "lasts": 25.0, "site": "hub"},
    )


# ---------------------------------------------------------------- the teams in detail
def test_a_reinforcement_lets_two_alerts_be_worked_at_once_and_is_recorded():
    more = "injects:\n  - {id: help, at: T+1m, text: Help, effect: {staff: {team: soc, change: 1}}}\n"
    sim = run(scenario(land("dc-db") + land("dc-app", "T+1m", "land2"), RESPOND + more, teams=SOC))
    change = next(e for e in sim.events if e.kind == "staff_change")
    assert (change.t, change.actor, change.target, change.data) == (
        1.0,
        "soc",
        "soc",
        {"change": 1, "staff": 2},
    )
    assert timeline(sim, ("isolate",)) == [(50.0, "isolate", "dc-db"), (51.0, "isolate", "dc-app")]


def test_escalating_to_a_team_already_there_brings_nobody_new():
    hub_it = "  hub-it: {name: Hub IT, staff: 1, watches: {site: [hub]}}\n"
    sim = run(
        scenario(land("dc-app"), RESPOND, teams=SOC + hub_it + CERT),
        commands=by(
            (10, {"action": "escalate", "to": "hub-it", "by": "soc"}),
            (10, {"action": "escalate", "to": "cert", "by": "soc"}),
        ),
    )
    escalations = [(e.target, e.data["arrives_in"]) for e in sim.events if e.kind == "escalation"]
    assert escalations == [("hub-it", 0.0), ("cert", 60.0)]
    assert [e.actor for e in sim.events if e.kind == "team_arrived"] == ["cert"]
    assert fold(sim.scenario, sim.events, sim.now).staff == {"soc": 1, "hub-it": 1, "cert": 3}


def test_outside_help_that_left_comes_again_when_called_again():
    gone = "injects:\n  - {id: gone, at: T+2h, text: Gone, effect: {staff: {team: cert, change: -3}}}\n"
    sim = run(
        scenario(land("dc-app"), RESPOND + gone, teams=SOC + CERT),
        commands=by(
            (10, {"action": "escalate", "to": "cert", "by": "soc"}),
            (180, {"action": "escalate", "to": "cert", "by": "soc"}),
        ),
    )
    assert [e.t for e in sim.events if e.kind == "team_arrived"] == [70.0, 240.0]
    assert fold(sim.scenario, sim.events, sim.now).staff["cert"] == 3


def test_outside_help_works_the_queue_of_the_team_that_called_it():
    # the hub's IT has nobody; its alert waits in its own queue until the CERT it called comes
    teams = SOC + "  hub-it: {name: Hub IT, staff: 0, watches: {site: [hub]}}\n" + CERT
    rule = "detection:\n  - {targets: {site: hub}, coverage: 1, delay: 10m}\n"
    sim = run(
        scenario(land("hub-a"), RESPOND + rule, teams=teams),
        commands=by((20, {"action": "escalate", "to": "cert", "by": "hub-it"})),
    )
    assert [(e.t, e.actor, e.target) for e in sim.events if e.kind == "alert"] == [(10.0, "hub-it", "hub-a")]
    assert [(e.t, e.actor, e.data["step"]) for e in sim.events if e.kind == "task_start"][0] == (
        80.0,
        "cert",
        "triage",
    )


def test_a_step_already_done_by_the_players_is_skipped():
    # the players isolate dc-app at T+1, before it is seen: the playbook goes from triage to reimage
    sim = run(
        scenario(land("dc-app"), RESPOND, teams=SOC),
        commands=by((1, {"action": "isolate", "target": {"node": "dc-app"}, "by": "soc"})),
    )
    steps = [(e.t, e.data["step"]) for e in sim.events if e.kind == "task_start"]
    assert steps[:2] == [(30.0, "triage"), (40.0, "reimage")]


def test_a_team_of_one_takes_alerts_of_equal_weight_in_the_order_they_came():
    # hub-a and hub-b are seen at T+30 and T+31 (equal criticality): the second's triage comes
    # before the first's next step, which was queued after it
    rule = "detection:\n  - {targets: {site: hub}, coverage: 1, delay: 30m}\n"
    sim = run(scenario(land("hub-a") + land("hub-b", "T+1m", "land2"), RESPOND + rule, teams=SOC))
    starts = [(e.t, e.target, e.data["step"]) for e in sim.events if e.kind == "task_start"][:3]
    assert starts == [(30.0, "hub-a", "triage"), (40.0, "hub-b", "triage"), (50.0, "hub-a", "isolate")]


def test_playbook_steps_that_reset_credentials_and_report():
    steps = (
        "playbooks:\n  respond:\n    steps:\n"
        "      - {do: triage, takes: 10m}\n"
        "      - {do: reset-credentials, takes: 5m}\n"
        "      - {do: report, takes: 5m}\n"
    )
    rule = "detection:\n  - {targets: {site: trust}, coverage: 1, delay: 10m}\n"
    sim = run(scenario(land("tr-a"), steps + rule, teams=SOC))
    assert [(e.t, e.actor, e.target) for e in sim.events if e.kind == "link_cut"] == [
        (25.0, "soc", "tr-a--tr-b")
    ]
    report = next(e for e in sim.events if e.kind == "report")
    assert (report.t, report.actor, report.target, report.data) == (30.0, "soc", "", {"to": "", "auto": True})


def test_a_defaced_or_wiped_machine_is_restored_like_an_encrypted_one():
    # `takes: from-backup` is 30 minutes of checks, then the backup's restore (2h on dc-app), or the
    # rebuild (24h) when the effect took the backup too, as a wipe does
    for effect, takes in (("encrypt", 30 + 120.0), ("deface", 30 + 120.0), ("wipe", 30 + 24 * 60.0)):
        stage = f"        - {{id: hit, technique: T1491, after: land, effect: {effect}}}\n"
        sim = run(scenario(land("dc-app", "T+5m") + stage, RESPOND, teams=SOC, duration="2d"))
        start = next(e for e in sim.events if e.kind == "task_start" and e.data["step"] == "restore")
        assert start.data["takes"] == takes, effect


# ---------------------------------------------------------------- services and sites in detail
def test_a_quiet_drill_tells_of_no_service_or_site_change():
    sim = run(scenario(land("hub-a", "T+10h")))
    kinds = {"service_down", "service_up", "service_reason", "site_connected", "site_disconnected"}
    assert [e for e in sim.events if e.kind in kinds] == []


def test_the_portal_used_from_the_internet_is_down_while_the_internet_cannot_reach_it():
    cut = {"action": "cut-link", "target": {"node": "internet"}, "by": "soc"}
    back = {"action": "restore-link", "target": {"node": "internet"}, "by": "soc"}
    sim = run(scenario(land("hub-a", "T+10h")), commands=by((20, cut), (50, back)))
    portal = [(e.t, e.kind, e.data.get("reason")) for e in sim.events if e.target == "portal"]
    assert portal == [(20.0, "service_down", "unreachable"), (50.0, "service_up", None)]
    # the front page on the load balancer goes with it; what the offices use inside stays up
    down = [(e.t, e.target, e.data["reason"]) for e in sim.events if e.kind == "service_down"]
    assert down == [(20.0, "portal", "unreachable"), (20.0, "front", "unreachable")]
    # the same when the switch in front of it is flooded, for as long as the flood lasts
    flood = {"action": "ddos", "target": {"node": "dc-sw"}, "lasts": 15, "source": "red-team"}
    sim = run(scenario(land("hub-a", "T+10h")), commands=by((20, flood)))
    portal = [(e.t, e.kind, e.data.get("reason")) for e in sim.events if e.target == "portal"]
    assert portal == [(20.0, "service_down", "unreachable"), (35.0, "service_up", None)]


def test_isolating_the_wan_core_cuts_every_site_behind_it_off():
    core = {"action": "isolate", "target": {"node": "wan-core"}, "by": "soc"}
    again = {"action": "reconnect", "target": {"node": "wan-core"}, "by": "soc"}
    sim = run(scenario(land("hub-a", "T+10h")), commands=by((20, core), (40, again)))
    sites = [(e.t, e.kind, e.target) for e in sim.events if e.kind.startswith("site_")]
    assert sites == [
        (20.0, "site_disconnected", "west"),
        (20.0, "site_disconnected", "east"),
        (40.0, "site_connected", "west"),
        (40.0, "site_connected", "east"),
    ]


def test_a_service_still_down_for_the_same_reason_says_nothing_new():
    # records goes down with its node's isolation; the node is then encrypted: still down, and
    # still because of its node
    enc = land("dc-db", "T+30m") + "        - {id: enc, technique: T1486, after: land, effect: encrypt}\n"
    sim = run(
        scenario(enc), commands=by((10, {"action": "isolate", "target": {"node": "dc-db"}, "by": "soc"}))
    )
    records = [(e.t, e.kind) for e in sim.events if e.target == "records" and e.kind.startswith("service")]
    assert records[0] == (10.0, "service_down")
    assert "service_reason" not in [kind for _, kind in records]
    # a new reason is told, by nobody in particular
    sim = run(
        scenario(land("hub-a", "T+10h")),
        commands=by(
            (10, {"action": "offline", "service": "records", "by": "soc"}),
            (20, {"action": "isolate", "target": {"node": "dc-db"}, "by": "soc"}),
            (30, {"action": "online", "service": "records", "by": "soc"}),
        ),
    )
    told = next(e for e in sim.events if e.kind == "service_reason")
    assert (told.t, told.actor, told.target, told.data) == (30.0, "", "records", {"reason": "node:dc-db"})


def test_why_a_service_is_down_in_words():
    from drill.engine.services import reason_text, with_reason

    def names(x: str) -> str:
        return x.upper()

    assert reason_text("node:dc-app", "en", node=names) == "DC-APP unavailable"
    assert reason_text("node:dc-app", "vi", node=names) == "DC-APP không hoạt động"
    assert reason_text("service:app", "en", service=names) == "needs APP, which is down"
    assert reason_text("offline", "en") == "taken offline by a decision"
    assert reason_text("offline", "vi") == "được tạm dừng theo quyết định"
    assert reason_text("unreachable", "en") == "cannot be reached from the Internet"
    assert reason_text("node:a:b", "en") == "a:b unavailable"  # an id may hold a colon
    assert reason_text("something-new", "en") == "something-new"  # from a later version: as logged
    assert reason_text("", "en") == "" and reason_text(None, "en") == ""
    assert (
        with_reason("Portal down", "unreachable", "en") == "Portal down — cannot be reached from the Internet"
    )
    assert with_reason("Portal down", "node:x", "vi", node=names) == "Portal down — X không hoạt động"
    assert with_reason("Portal down", None, "en") == "Portal down"


# ---------------------------------------------------------------- the last survivors
def test_a_detection_and_its_alert_are_recorded_with_the_body_campaign_and_first_step():
    sim = run(scenario(land("dc-app"), RESPOND, teams=SOC))
    seen = next(e for e in sim.events if e.kind == "detection")
    assert (seen.actor, seen.target, seen.data) == (
        "soc",
        "dc-app",
        {"how": "sensor", "site": "dc", "campaign": "worm"},
    )
    alert = next(e for e in sim.events if e.kind == "alert")
    assert (alert.actor, alert.data) == ("soc", {"step": "triage", "queued": 1})
    ends = [e.data["queued"] for e in sim.events if e.kind == "task_end"]
    assert ends == [0, 0, 0, 0]  # nothing else waits behind the one alert


def test_teams_watch_bodies_by_group_and_kind_and_detection_rules_by_group():
    teams = (  # the desk comes first: it would get every alert nobody else watches
        "  desk: {name: Desk, staff: 1, watches: {kind: [workstations]}}\n"
        "  soc: {name: SOC, staff: 1, watches: {group: [datacentre]}}\n"
    )
    # the first rule is for another technique: the second, for the districts, decides
    rule = (
        "detection:\n  - {technique: T1190, targets: {group: [districts]}, coverage: 0}\n"
        "  - {targets: {group: [districts]}, coverage: 1, delay: 5m}\n"
    )
    stages = land("dc-app") + land("hub-a", "T+1m", "land2")
    sim = run(scenario(stages, RESPOND + rule, teams=teams))
    seen = [(e.t, e.actor, e.target) for e in sim.events if e.kind == "detection"]
    assert seen == [(6.0, "desk", "hub-a"), (30.0, "soc", "dc-app")]


def test_a_stale_alert_about_a_machine_since_cleaned_and_retaken_is_dropped():
    # hub-a falls at T+0 (seen 30 minutes later by its rule), is cleaned at T+3 and taken again at
    # T+10: the alert due at T+30 is about the first compromise, and is dropped; the second is
    # seen at T+40
    stages = land("hub-a") + land("hub-a", "T+10m", "again")
    rule = "detection:\n  - {targets: {site: hub}, coverage: 1, delay: 30m}\n"
    fix = "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 2m}]}\n"
    sim = run(
        scenario(stages, fix + rule),
        commands=by((1, {"action": "reimage", "target": {"node": "hub-a"}, "by": "soc"})),
    )
    assert [e.t for e in sim.events if e.kind == "detection"] == [40.0]


def test_a_flood_noticed_on_a_clean_machine_makes_no_work():
    sim = run(scenario(FLOOD, RESPOND, teams=SOC))
    assert [e.data["how"] for e in sim.events if e.kind == "detection"] == ["users"]
    assert [e for e in sim.events if e.kind in ("alert", "task_start")] == []


def test_a_restore_step_on_a_clean_connected_machine_is_skipped_and_on_a_damaged_one_is_not():
    restore_only = "playbooks:\n  p: {auto: false, steps: [{do: restore, takes: 10m}]}\n"
    sim = Simulation(scenario(land("dc-app", "T+10h"), restore_only, teams=SOC), seed=1)
    sim.run_until(5)
    sim.apply(Command(action="restore", target={"node": "dc-app"}, by="soc"))
    sim.run_until(30)
    assert [e for e in sim.events if e.kind == "task_start"] == []
    stages = (
        land("dc-app") + "        - {id: enc, technique: T1486, after: land, effect: encrypt, loud: false}\n"
    )
    sim = Simulation(scenario(stages, restore_only, teams=SOC), seed=1)
    sim.run_until(5)
    sim.apply(Command(action="restore", target={"node": "dc-app"}, by="soc"))
    sim.run_until(30)
    assert [(e.t, e.data["step"]) for e in sim.events if e.kind == "task_start"] == [(5.0, "restore")]


def test_the_team_that_isolated_a_machine_is_the_one_recorded_reconnecting_it():
    sim = run(scenario(land("dc-app"), RESPOND, teams=SOC))
    back = next(e for e in sim.events if e.kind == "reconnect")
    assert (back.t, back.actor, back.data) == (140.0, "soc", {"site": "dc", "compromised": False})


def test_an_injects_backup_loss_and_power_cut_are_the_white_cells():
    effects = (
        "injects:\n"
        "  - {id: lost, at: T+1m, text: Lost, effect: {backups_lost: {node: dc-app}}}\n"
        "  - {id: cut, at: T+2m, text: Cut, effect: {offline: {node: dc-db}}}\n"
    )
    sim = run(scenario(land("hub-a", "T+10h"), effects))
    told = [(e.t, e.kind, e.actor, e.target) for e in sim.events if e.kind in ("backup_lost", "offline")]
    assert told == [(1.0, "backup_lost", "white-cell", "dc-app"), (2.0, "offline", "white-cell", "dc-db")]
