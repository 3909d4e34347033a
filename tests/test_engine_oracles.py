"""The engine's promises on small hand-built networks whose outcome is known by reasoning.

Each test's expected value comes from the drawing in tests/fixtures/oracles/topology.yaml, not
from running the engine a second way: in a line a — b — c a machine only reaches its neighbours,
a worm with success 1 and a fixed delay infects on a known clock, and an isolated machine neither
attacks nor can be attacked. Each promise also has a control arm (the same drill without the
decision) that shows the outcome is the decision's doing, not a drill where nothing happens.
"""

from __future__ import annotations

from oracle_cases import (
    SEEDS,
    compromises,
    ever_compromised,
    first_compromise,
    isolate,
    reconnect,
    run,
    scenario,
    worm,
    worm_stages,
)

from drill.engine import Simulation
from drill.engine.commands import Command, TimedCommand


# ---------------------------------------------------------------- the control arms
def test_without_isolation_the_worm_walks_the_whole_line_one_hop_at_a_time():
    # the reasoning the isolation tests rest on: a reaches only b, b reaches a and c
    for seed in SEEDS:
        sim = run(worm("line-a"), seed)
        assert ever_compromised(sim) == {"line-a", "line-b", "line-c"}, seed
        a, b, c = (first_compromise(sim, n) for n in ("line-a", "line-b", "line-c"))
        assert a == 0.0
        assert b is not None and c is not None
        assert b % 10 == 0 and b >= 10  # attempts come every 10 minutes, starting 10 after the landing
        assert c >= b + 10  # c only from b, and b's first try is 10 minutes after its own infection
        for e in compromises(sim):
            if e.target == "line-c":
                assert e.data["source"] == "line-b"  # never straight from a: hosts do not forward
            if e.target == "line-b" and e.data["source"]:
                assert e.data["source"] in ("line-a", "line-c")


def test_a_worm_that_never_succeeds_takes_nothing_beyond_its_landing():
    for seed in range(1, 11):
        sim = run(worm("hub-a", success=0), seed)
        assert ever_compromised(sim) == {"hub-a"}


# ---------------------------------------------------------------- isolation
def test_a_line_of_three_with_the_middle_isolated_never_reaches_the_third():
    for seed in SEEDS:
        sim = run(worm("line-a"), seed, [isolate("line-b", 0)])
        assert ever_compromised(sim) == {"line-a"}, seed
        assert sim.nodes["line-b"].status == "clean" and sim.nodes["line-c"].status == "clean"


def test_an_isolated_infected_machine_never_attacks_after_isolation():
    # line-a is infected at T+0 and isolated at T+5, before its first try at T+10: its only
    # neighbour is never reached; on the switch, neither of the other two machines is
    for start, others in (("line-a", {"line-b", "line-c"}), ("hub-a", {"hub-b", "hub-c"})):
        for seed in SEEDS:
            sim = run(worm(start), seed, [isolate(start, 5)])
            assert ever_compromised(sim) == {start}, (start, seed)
            assert sim.nodes[start].status == "compromised"  # isolated, not cleaned: still infected
            for node in others:
                assert sim.nodes[node].status == "clean"


def test_a_machine_isolated_mid_spread_makes_no_attack_from_then_on():
    # random times and a 50% chance: whatever happened before, nothing comes from the isolated
    # machine after its isolation, and nothing lands on it
    for start, victim in (("hub-a", "hub-b"), ("line-a", "line-b")):
        hit_before = 0
        for seed in SEEDS:
            sim = run(worm(start, success=0.5, delay="{exponential: 15m}"), seed, [isolate(victim, 40)])
            late = [e for e in compromises(sim) if e.t > 40]
            assert [e for e in late if e.data["source"] == victim] == [], (start, seed)
            assert [e for e in late if e.target == victim] == [], (start, seed)
            hit_before += first_compromise(sim, victim) is not None
        assert 0 < hit_before < len(SEEDS)  # both cases occur: infected before its isolation, or clean


def test_an_isolated_clean_machine_is_never_infected():
    for seed in SEEDS:
        sim = run(worm("hub-a"), seed, [isolate("hub-b", 0)])
        assert "hub-b" not in ever_compromised(sim), seed
        assert sim.nodes["hub-b"].status == "clean"
        assert "hub-c" in ever_compromised(sim)  # the switch still carries the worm to the others


def test_a_landing_on_an_isolated_machine_fails():
    stages = (
        "        - {id: land, technique: T1566.001, at: T+5m, targets: {node: line-a}, success: 1,"
        " from: inside}\n"
    )
    assert ever_compromised(run(scenario(stages), 1, [isolate("line-a", 0)])) == set()
    assert ever_compromised(run(scenario(stages), 1)) == {"line-a"}


def test_isolated_network_gear_carries_no_attack():
    # west-pc reaches east-pc only through west-gw, wan-core and east-gw: isolating any of the
    # three keeps the worm in the west
    spread = worm("west-pc", over="lan, wan")
    for seed in range(1, 11):
        assert "east-pc" in ever_compromised(run(spread, seed)), seed
        for gear in ("west-gw", "wan-core", "east-gw"):
            sim = run(spread, seed, [isolate(gear, 0)])
            assert ever_compromised(sim) == {"west-pc"}, (gear, seed)


def test_gear_isolated_after_the_worm_has_used_it_closes_the_path():
    # the first try from west-pc (T+10) may find the route to the east; the router is isolated at
    # T+12, so whatever is infected in the east was infected by T+10, and nothing crosses later
    spread = worm("west-pc", success=0.5, over="lan, wan")
    for seed in SEEDS:
        sim = run(spread, seed, [isolate("west-gw", 12)])
        crossed = [e for e in compromises(sim) if e.target == "east-pc"]
        assert all(e.t <= 12 for e in crossed), seed


def test_reconnecting_an_infected_machine_lets_it_spread_again():
    for seed in range(1, 11):
        sim = run(worm("line-a"), seed, [isolate("line-a", 5), reconnect("line-a", 100)])
        b = first_compromise(sim, "line-b")
        assert b is not None and b >= 100, seed  # quiet while isolated, spreading once back


def test_reconnecting_a_machine_makes_it_infectable_again():
    for seed in range(1, 11):
        sim = run(worm("hub-a"), seed, [isolate("hub-b", 0), reconnect("hub-b", 200)])
        b = first_compromise(sim, "hub-b")
        assert b is not None and b >= 200, seed


def test_isolation_is_recorded_once_with_who_did_it_and_whether_the_machine_was_infected():
    sim = run(worm("line-a"), 1, [isolate("line-a", 5), isolate("line-a", 6), isolate("line-c", 7)])
    isolations = [e for e in sim.events if e.kind == "isolate"]
    assert [(e.t, e.target, e.actor, e.data["compromised"]) for e in isolations] == [
        (5, "line-a", "soc", True),
        (7, "line-c", "soc", False),
    ]
    assert sim.nodes["line-a"].isolated and sim.nodes["line-c"].isolated
    assert not sim.nodes["line-b"].isolated


def test_a_reconnect_of_a_machine_that_is_not_isolated_changes_nothing():
    sim = run(worm("line-a"), 1, [reconnect("line-b", 5)])
    assert [e for e in sim.events if e.kind == "reconnect"] == []
    assert ever_compromised(sim) == {"line-a", "line-b", "line-c"}


def test_attempts_bound_how_often_a_machine_tries():
    # one try from line-a, every 10 minutes for ``attempts`` tries: with success 1 and line-b
    # the only other machine in reach, the tries that hit it are at most ``attempts``
    for attempts in (1, 3):
        for seed in range(1, 21):
            sim = run(worm("line-a", attempts=attempts), seed)
            tries_end = 10 * attempts
            from_a = [e for e in compromises(sim) if e.data["source"] == "line-a"]
            assert all(e.t <= tries_end for e in from_a), (attempts, seed)
            b = first_compromise(sim, "line-b")
            if b is not None and b <= tries_end:
                assert b in {10.0 * k for k in range(1, attempts + 1)}


def test_one_machine_is_never_counted_twice():
    for seed in range(1, 11):
        sim = run(worm("hub-a"), seed)
        for node in ever_compromised(sim):
            total = sum(e.data["hosts"] for e in compromises(sim) if e.target == node)
            assert total == 1, (node, seed)  # every node here stands for one machine


# ---------------------------------------------------------------- a poisoned update
POISON = (
    "        - {id: take, technique: T1195.002, at: T+0m, targets: {node: upd-srv},"
    " success: 1, from: inside}\n"
    "        - {id: push, technique: T1072, after: take, targets: {site: upd, kind: workstations},"
    " via: [update], delay: 10m}\n"
)


def test_a_poisoned_update_reaches_only_the_machines_that_fetch_updates_from_the_taken_server():
    sim = run(scenario(POISON))
    taken = sorted((e.t, e.target) for e in compromises(sim))
    assert taken == [(0.0, "upd-srv"), (10.0, "upd-a"), (10.0, "upd-b")]


def test_a_poisoned_update_from_a_server_isolated_or_cleaned_in_time_reaches_nobody():
    assert ever_compromised(run(scenario(POISON), 1, [isolate("upd-srv", 5)])) == {"upd-srv"}
    clean = [TimedCommand(at=1, action="reimage", target={"node": "upd-srv"}, by="soc")]
    fast = scenario(POISON, "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 2m}]}\n")
    sim = run(fast, 1, clean)
    assert [e.t for e in sim.events if e.kind == "cleaned"] == [3.0]
    assert ever_compromised(sim) == {"upd-srv"}


def test_a_poisoned_update_comes_from_any_server_still_held():
    # both update servers are taken; isolating one leaves the other to push the update
    two = POISON.replace("targets: {node: upd-srv}", "targets: {node: [upd-srv, upd-srv2]}")
    sim = run(scenario(two), 1, [isolate("upd-srv", 5)])
    assert {e.target for e in compromises(sim) if e.t == 10} == {"upd-a", "upd-b"}
    both = run(scenario(two), 1, [isolate("upd-srv", 5), isolate("upd-srv2", 5)])
    assert ever_compromised(both) == {"upd-srv", "upd-srv2"}


def test_an_update_after_a_stage_that_took_no_machine_has_nowhere_to_come_from():
    flood_first = (
        "        - {id: take, technique: T1498, at: T+0m, targets: {node: upd-srv}, effect: deny,"
        " lasts: 5m}\n"
        "        - {id: push, technique: T1072, after: take, targets: {site: upd, kind: workstations},"
        " via: [update], delay: 10m}\n"
    )
    assert ever_compromised(run(scenario(flood_first))) == set()


# ---------------------------------------------------------------- groups of like machines
GROUP = (
    "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: grp-ws},"
    " success: 1, from: inside}\n"
    "        - {id: spread, technique: T1021.002, after: land, over: [OVER], via: [smb], delay: 10m}\n"
)


def infected_at(sim, node: str, t: float) -> int:
    return max((e.data["infected"] for e in compromises(sim) if e.target == node and e.t <= t), default=0)


def test_a_lan_worm_spreads_inside_a_group_every_infected_machine_trying_once_a_round():
    # one machine at T+0; every 10 minutes each infected machine (up to 20 at once) tries once,
    # and with success 1 and nothing else in reach each try takes one more machine of the 40
    sim = run(scenario(GROUP.replace("OVER", "lan")))
    assert [infected_at(sim, "grp-ws", t) for t in (0, 10, 20, 30, 40, 50, 60)] == [1, 2, 4, 8, 16, 32, 40]
    assert sim.nodes["grp-ws"].infected == 40
    assert sum(e.data["hosts"] for e in compromises(sim)) == 40  # every machine counted once


def test_without_lan_links_in_its_way_a_worm_stays_on_its_first_machine_of_a_group():
    sim = run(scenario(GROUP.replace("OVER", "wan")))
    assert sim.nodes["grp-ws"].infected == 1


def test_a_worm_over_shared_credentials_reaches_the_other_end_of_the_trust_link():
    stages = (
        "        - {id: land, technique: T1078, from: inside, at: T+0m, targets: {node: tr-a}, success: 1}\n"
        "        - {id: spread, technique: T1078.002, after: land, over: [trust], delay: 10m}\n"
    )
    assert [(e.t, e.target) for e in compromises(run(scenario(stages)))] == [(0.0, "tr-a"), (10.0, "tr-b")]
    assert ever_compromised(run(scenario(stages.replace("[trust]", "[lan]")))) == {"tr-a"}
    # a shared credential is used over the network: with its only path (the VPN switch) isolated,
    # the trust link carries nothing
    assert ever_compromised(run(scenario(stages), 1, [isolate("tr-sw", 0)])) == {"tr-a"}


def test_a_spreading_stage_takes_only_its_targets_and_what_faces_the_internet_when_it_says_so():
    base = worm("hub-a")
    aimed = scenario(
        "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: hub-a},"
        " success: 1, from: inside}\n"
        "        - {id: spread, technique: T1021.002, after: land, over: [lan], via: [smb],"
        " delay: 10m, TARGET}\n".replace("TARGET", "targets: {node: [hub-a, hub-c]}")
    )
    assert ever_compromised(run(base)) == {"hub-a", "hub-b", "hub-c"}
    assert ever_compromised(run(aimed)) == {"hub-a", "hub-c"}
    for exposed, reached in (("true", {"hub-a", "hub-c"}), ("false", {"hub-a", "hub-b"})):
        facing = scenario(
            "        - {id: land, technique: T1566.001, at: T+0m, targets: {node: hub-a},"
            " success: 1, from: inside}\n"
            "        - {id: spread, technique: T1021.002, after: land, over: [lan], via: [smb],"
            f" delay: 10m, exposed: {exposed}}}\n"
        )
        assert ever_compromised(run(facing)) == reached, exposed


def test_an_infected_machine_switched_off_stops_attacking():
    cut = "injects:\n  - {id: cut, at: T+5m, text: Power cut, effect: {offline: {node: line-a}}}\n"
    sim = run(scenario(worm_stages("line-a"), cut))
    assert ever_compromised(sim) == {"line-a"}
    assert [e.t for e in sim.events if e.kind == "offline"] == [5.0]


def test_a_flood_stage_does_not_spread_from_the_machines_its_campaign_takes():
    # the flood's `over` is its way in from the Internet, which hub-b cannot be reached by: it never
    # lands, and the machine the campaign takes next door must not carry it as a worm either
    stages = (
        "        - {id: flood, technique: T1498, at: T+0m, targets: {node: hub-b}, effect: deny,"
        " lasts: 5h, over: [internet, wan, lan]}\n"
        "        - {id: land, technique: T1566.001, at: T+1m, targets: {node: hub-a}, success: 1,"
        " from: inside}\n"
    )
    sim = run(scenario(stages))
    assert ever_compromised(sim) == {"hub-a"}
    assert [e for e in sim.events if e.kind == "effect"] == []


# ---------------------------------------------------------------- what the attacker records
def test_the_attackers_moves_are_recorded_with_their_stage_technique_source_and_body():
    sim = run(scenario(GROUP.replace("OVER", "lan")))
    starts = [(e.t, e.actor, e.target, e.data) for e in sim.events if e.kind == "stage_start"]
    assert starts == [
        (0.0, "worm", "land", {"technique": "T1566.001", "why": "scheduled"}),
        (0.0, "worm", "spread", {"technique": "T1021.002", "why": "after:land"}),
    ]
    first, second = compromises(sim)[:2]
    assert (first.t, first.actor, first.target) == (0.0, "worm", "grp-ws")
    assert first.data == {
        "stage": "land",
        "technique": "T1566.001",
        "source": "",
        "hosts": 1,
        "infected": 1,
        "site": "grp",
    }
    assert (second.t, second.target) == (10.0, "grp-ws")
    assert second.data == {
        "stage": "spread",
        "technique": "T1021.002",
        "source": "grp-ws",
        "hosts": 1,
        "infected": 2,
        "site": "grp",
    }


def test_a_red_team_move_on_a_machine_already_held_adds_one_machine_of_its_group():
    sim = Simulation(scenario(GROUP.replace("OVER", "wan")), seed=1)
    sim.run_until(5)
    sim.apply(Command(action="compromise", target={"node": "grp-ws"}, source="red-team"))
    sim.apply(Command(action="compromise", target={"node": "grp-ws"}, source="red-team"))
    moves = [e.data for e in compromises(sim) if e.data["source"] == "red-team"]
    assert [(d["stage"], d["technique"], d["hosts"], d["infected"]) for d in moves] == [
        ("", "", 1, 2),
        ("", "", 1, 3),
    ]
    assert sim.nodes["grp-ws"].compromised_at == 0.0  # still the first compromise's time


def test_a_landing_on_every_machine_of_a_group():
    stages = "        - {id: land, from: inside, technique: T1078, at: T+0m, targets: {node: grp-ws}, hosts: all}\n"  # noqa: E501
    hit = compromises(run(scenario(stages)))[0]
    assert (hit.data["hosts"], hit.data["infected"]) == (40, 40)


def test_a_first_stage_that_spreads_lands_on_its_targets_first_unless_they_are_patched():
    first = (
        "        - {id: worm, from: inside, technique: T1210, at: T+30m, targets: {node: hub-a}, over: [lan],"
        " via: [smb], success: SUCCESS, delay: 10m}\n"
    )
    sim = run(scenario(first.replace("SUCCESS", "1")))
    assert [(e.t, e.target, e.data["source"]) for e in compromises(sim)] == [(30.0, "hub-a", "")]
    # it lands on its one target, and its targets also bound where it spreads: nowhere else
    assert ever_compromised(run(scenario(first.replace("SUCCESS", "0")))) == set()
    patch = "playbooks:\n  p: {auto: false, steps: [{do: patch, takes: 5m}]}\n"
    patched = run(
        scenario(first.replace("SUCCESS", "1"), patch),
        1,
        [TimedCommand(at=0, action="patch", target={"node": "hub-a"}, by="soc")],
    )
    assert ever_compromised(patched) == set()  # T1210 exploits a flaw the patch closed


def test_a_detection_rule_for_a_technique_watches_machines_without_sensors():
    rule = "detection:\n  - {technique: T1566.001, targets: {site: hub}, coverage: 1, delay: 20m}\n"
    sim = run(scenario(worm_stages("hub-a", success=0), rule))
    assert [(e.t, e.target, e.data["how"]) for e in sim.events if e.kind == "detection"] == [
        (20.0, "hub-a", "sensor")
    ]
    other = rule.replace("T1566.001", "T1190")
    assert [
        e for e in run(scenario(worm_stages("hub-a", success=0), other)).events if e.kind == "detection"
    ] == []


def test_another_campaign_does_not_keep_a_worm_from_spreading_from_what_it_takes():
    noise = (
        "    - id: noise\n      stages:\n"
        "        - {id: flood, technique: T1498, at: T+0m, targets: {node: dc-app}, effect: deny,"
        " lasts: 12h}\n"
    )
    sim = run(scenario(worm_stages("line-a"), before=noise))
    assert ever_compromised(sim) == {"line-a", "line-b", "line-c"}  # line-c only through line-b


def test_an_effect_already_under_way_reaches_the_machines_taken_later():
    # the encryption starts at T+0 (after the landing); line-b and line-c fall later and are
    # encrypted 30 minutes after each falls
    stages = worm_stages("line-a") + (
        "        - {id: enc, technique: T1486, after: land, effect: encrypt, delay: 30m, loud: false,"
        " from: inside}\n"
    )
    sim = run(scenario(stages))
    fell = {n: first_compromise(sim, n) for n in ("line-a", "line-b", "line-c")}
    effects = {e.target: e.t for e in sim.events if e.kind == "effect"}
    assert effects == {n: t + 30 for n, t in fell.items()}


def test_a_flood_that_follows_a_foothold_overloads_only_the_first_machine():
    stages = (
        worm_stages("line-a")
        + "        - {id: choke, technique: T1499, after: land, effect: deny, lasts: 25m, from: inside}\n"
    )
    manual = "playbooks:\n  p: {auto: false, steps: [{do: triage, takes: 1m}]}\n"  # nobody isolates
    sim = run(scenario(stages, manual))
    assert ever_compromised(sim) == {"line-a", "line-b", "line-c"}
    assert [e.target for e in sim.events if e.kind == "effect"] == ["line-a"]


# ---------------------------------------------------------------- the survivors of mutation testing
def test_each_machine_group_tries_as_many_times_as_its_stage_allows():
    # three tries (T+10, T+20, T+30), each by every infected machine: 1 → 2 → 4 → 8, then no more
    three = GROUP.replace("OVER", "lan").replace("delay: 10m}", "delay: 10m, attempts: 3}")
    assert run(scenario(three)).nodes["grp-ws"].infected == 8


def test_a_machine_cleaned_and_taken_again_attacks_as_one_machine_not_two():
    # grp-ws is taken at T+0, cleaned at T+3 and taken again by the same campaign at T+5; the
    # worm starts at T+10 from what the campaign holds: grp-ws, once — one try at T+20
    stages = (
        "        - {id: land, from: inside, technique: T1566.001, at: T+0m, targets: {node: grp-ws}, success: 1}\n"  # noqa: E501
        "        - {id: again, from: inside, technique: T1078, at: T+5m, targets: {node: grp-ws}, success: 1}\n"  # noqa: E501
        "        - {id: spread, technique: T1021.002, after: {stage: land, wait: 10m}, over: [lan],"
        " via: [smb], delay: 10m}\n"
    )
    fix = "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 2m}]}\n"
    sim = run(
        scenario(stages, fix), 1, [TimedCommand(at=1, action="reimage", target={"node": "grp-ws"}, by="soc")]
    )
    assert [e.t for e in sim.events if e.kind == "cleaned"] == [3.0]
    assert [(e.t, e.data["stage"]) for e in compromises(sim)][:2] == [(0.0, "land"), (5.0, "again")]
    assert infected_at(sim, "grp-ws", 20) == 2


def test_a_spreading_stage_started_at_a_time_spreads_from_what_the_campaign_holds():
    stages = (
        "        - {id: land, from: inside, technique: T1566.001, at: T+0m, targets: {node: line-a}, success: 1}\n"  # noqa: E501
        "        - {id: later, from: inside, technique: T1021.002, at: T+30m, over: [lan], via: [smb], delay: 10mTARGETS}\n"  # noqa: E501
    )
    for targets in ("", ", targets: {site: line}"):
        sim = run(scenario(stages.replace("TARGETS", targets)))
        b = next(e for e in compromises(sim) if e.target == "line-b")
        assert b.t >= 40 and b.data["source"] == "line-a", targets  # not a landing at T+30


def test_a_first_stage_that_spreads_records_its_landing_under_its_campaign_and_stage():
    first = (
        "        - {id: worm, from: inside, technique: T1210, at: T+30m, targets: {node: hub-a}, over: [lan],"
        " via: [smb], delay: 10m}\n"
    )
    hit = compromises(run(scenario(first)))[0]
    assert (hit.actor, hit.data["stage"], hit.data["technique"]) == ("worm", "worm", "T1210")


def test_a_landing_that_must_face_the_internet_lands_only_on_what_does():
    stages = "        - {id: land, from: inside, technique: T1190, at: T+0m, targets: {site: hub}, exposed: true}\n"  # noqa: E501
    assert ever_compromised(run(scenario(stages))) == {"hub-c"}
    inside = stages.replace("exposed: true", "exposed: false")
    assert ever_compromised(run(scenario(inside))) == {"hub-a", "hub-b", "hub-sw"}


def test_an_update_after_a_flood_has_no_machine_to_come_from():
    # the flood on dc-app succeeds (the Internet reaches it) but takes no machine
    stages = (
        "        - {id: take, technique: T1498, at: T+0m, targets: {node: dc-app}, effect: deny,"
        " lasts: 5m}\n"
        "        - {id: push, technique: T1072, after: take, targets: {site: upd, kind: workstations},"
        " via: [update], delay: 10m}\n"
    )
    sim = run(scenario(stages))
    assert [e.target for e in sim.events if e.kind == "effect"] == ["dc-app"]
    assert ever_compromised(sim) == set()


def test_a_machine_encrypted_cleaned_and_taken_again_still_shows_its_encryption():
    stages = land_and(
        "hub-a",
        "        - {id: enc, technique: T1486, after: land, effect: encrypt, loud: false, from: inside}\n",
    )
    fix = "playbooks:\n  fix: {auto: false, steps: [{do: reimage, takes: 2m}]}\n"
    commands = [
        TimedCommand(at=1, action="reimage", target={"node": "hub-a"}, by="soc"),
        TimedCommand(at=5, action="compromise", target={"node": "hub-a"}, source="red-team"),
    ]
    sim = run(scenario(stages, fix), 1, commands)
    assert sim.nodes["hub-a"].label == "encrypted"  # the files are still encrypted


def land_and(node: str, more: str) -> str:
    return (
        f"        - {{id: land, from: inside, technique: T1566.001, at: T+0m, targets: {{node: {node}}}, success: 1}}\n"  # noqa: E501
        + more
    )


def test_a_group_worm_aimed_at_its_own_group_spreads_inside_it():
    aimed = GROUP.replace("OVER", "lan").replace("delay: 10m}", "delay: 10m, targets: {node: grp-ws}}")
    assert run(scenario(aimed)).nodes["grp-ws"].infected == 40


def test_a_failed_try_does_not_stop_the_other_machines_of_the_group_trying():
    # success 0.5: each infected machine's try adds one with even odds, so the group grows by half
    # on average each round and fills up by T+2h; were a failure to end the round, it would grow by
    # about one a round (a dozen by then)
    half = GROUP.replace("OVER", "lan").replace("delay: 10m}", "delay: 10m, success: 0.5}")
    filled = [infected_at(run(scenario(half), seed), "grp-ws", 120) for seed in range(1, 21)]
    assert sum(filled) / len(filled) > 25, filled
