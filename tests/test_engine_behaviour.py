"""Behaviour that a toy model would not show, each checked over many seeds."""

from __future__ import annotations

import statistics
from pathlib import Path

from drill.engine import Simulation
from drill.engine.commands import Command, TimedCommand
from drill.metrics import Metrics
from drill.model.load import Scenario, load_scenario, parse_scenario

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"
SEEDS = range(1, 31)


def _worm(**replace: str) -> Scenario:
    text = (ENGINE / "worm.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    scenario, problems = parse_scenario(text, str(ENGINE / "worm.yaml"), ENGINE)
    assert scenario is not None, problems
    return scenario


def _run(scenario: Scenario, seed: int, commands=()):
    sim = Simulation(scenario, seed=seed)
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    sim.run(commands)
    return sim, metrics.snapshot(sim.now)


def test_isolating_the_first_site_early_leaves_fewer_hosts_compromised():
    scenario = _worm()
    isolate = [TimedCommand(at=20, action="isolate", target={"site": "d1"}, by="soc")]
    never = [_run(scenario, s)[1].hosts_ever for s in SEEDS]
    early = [_run(scenario, s, isolate)[1].hosts_ever for s in SEEDS]
    assert statistics.mean(early) < 0.5 * statistics.mean(never)
    # isolation really stops spread over the isolated nodes' links: nothing beyond d1 after T+20m
    for s in SEEDS:
        sim, _ = _run(scenario, s, isolate)
        late = [e for e in sim.events if e.kind == "compromise" and e.t > 20 and e.data["site"] != "d1"]
        spread_from_d1 = [e for e in late if e.data["source"].startswith("d1-")]
        assert spread_from_d1 == []


def test_more_analysts_contain_sooner():
    def contain_times(staff: str) -> list[float]:
        scenario = _worm(**{"soc: {name: SOC, staff: 2": f"soc: {{name: SOC, staff: {staff}"})
        out = []
        for s in SEEDS:
            snap = _run(scenario, s)[1]
            out.append(snap.time_to_contain if snap.time_to_contain is not None else scenario.spec.duration)
        return out

    one, six = contain_times("1"), contain_times("6")
    # paired on the seeds: six analysts are never slower to contain than one, and faster on
    # average (the 95% interval of the gain is above zero). The gain is small: triage and
    # isolation come first in the queue and take a person off any cleaning or restoring, so a
    # lone analyst is slower only when alerts come together (7 minutes on average, 0.94 of the
    # time; it was threefold when restores went before isolations)
    gains = [a - b for a, b in zip(one, six, strict=True)]
    assert min(gains) >= 0
    half = 1.96 * statistics.stdev(gains) / len(gains) ** 0.5
    assert statistics.mean(gains) - half > 0


def test_an_unreachable_node_is_never_compromised():
    scenario = _worm(**{"success: 0.3": "success: 0.9"})
    reached_anything_else = False
    for s in SEEDS:
        sim, _ = _run(scenario, s)
        assert sim.nodes["island-pc"].status == "clean"
        assert not any(e.target == "island-pc" for e in sim.events if e.kind == "compromise")
        reached_anything_else |= sim.nodes["d2-ws"].status != "clean" or any(
            e.target == "d2-ws" for e in sim.events if e.kind == "compromise"
        )
    assert reached_anything_else  # the worm does cross the WAN: the island is safe only by having no path


def test_gear_switched_off_carries_no_attack():
    # a power cut takes District 1's router down at T+15m, before the worm turns to the WAN (T+20m)
    power_cut = (
        "  - {id: power, at: T+15m, to: [soc], text: {en: Power cut in District 1, vi: Mất điện Quận 1},"
        " effect: {offline: {node: d1-gw}}}\n"
    )
    scenario = _worm(**{"injects:\n": "injects:\n" + power_cut})
    crossed_without = 0
    for s in SEEDS:
        sim, _ = _run(scenario, s)
        assert sim.nodes["d1-gw"].offline
        late = [e for e in sim.events if e.kind == "compromise" and e.t > 15 and e.data["site"] != "d1"]
        assert [e for e in late if e.data["source"].startswith("d1-")] == [], s  # nothing passes the router
        assert not sim.services.connected["d1"]
        unplugged, _ = _run(_worm(), s)
        crossed_without += any(
            e.kind == "compromise" and e.data["site"] != "d1" and e.data["source"].startswith("d1-")
            for e in unplugged.events
            if e.t > 15
        )
    assert crossed_without > len(SEEDS) // 2  # with the router on, the worm does leave District 1


def _check_services(sim: Simulation) -> None:
    services = sim.services
    for sid in sim.city.service_order:
        nodes_ok = all(sim.nodes[n].available for n in sim.city.service_nodes[sid])
        deps_ok = all(services.up[d] for d in sim.city.services[sid].requires.services)
        offline = sid in services.forced_offline
        assert services.up[sid] == (nodes_ok and deps_ok and not offline), (sid, sim.now)


def test_a_service_is_down_exactly_while_one_of_its_dependencies_is():
    for scenario_file in ("worm.yaml", "outage.yaml"):
        scenario = load_scenario(str(ENGINE / scenario_file))
        for s in range(1, 11):
            sim = Simulation(scenario, seed=s)
            t = 0.0
            while not sim.finished:
                t += 7.0
                sim.run_until(t)
                _check_services(sim)
            # and the event stream agrees with the state: down and up events alternate per service
            state = {sid: True for sid in sim.city.services}
            for e in sim.events:
                if e.kind in ("service_down", "service_up"):
                    assert state[e.target] == (e.kind == "service_down")
                    state[e.target] = e.kind == "service_up"
            assert state == sim.services.up


def test_taking_a_service_offline_takes_down_what_depends_on_it():
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    sim = Simulation(scenario, seed=1)
    sim.run_until(5)
    sim.apply(Command(action="offline", service="app", by="soc"))
    assert not sim.services.up["app"] and not sim.services.up["onestop"]
    sim.run_until(6)
    sim.apply(Command(action="online", service="app", by="soc"))
    _check_services(sim)


def test_restore_from_backup_brings_a_service_back_and_without_a_backup_it_takes_longer():
    scenario = load_scenario(str(ENGINE / "outage.yaml"))
    for s in range(1, 11):
        _, snap = _run(scenario, s)
        with_backup = snap.downtime_by_service["app"]  # dc-app has a 2h backup
        without = snap.downtime_by_service["records"]  # dc-db must be rebuilt (1 day)
        assert snap.services_down == []  # both came back
        assert 0 < with_backup < without
        assert without >= 24 * 60


def test_lost_backups_make_restores_take_the_rebuild_time():
    text = (ENGINE / "outage.yaml").read_text(encoding="utf-8") + (
        "injects:\n"
        "  - {id: lost, at: T+5m, text: gone, hidden: true, effect: {backups_lost: {node: dc-app}}}\n"
    )
    scenario, problems = parse_scenario(text, str(ENGINE / "outage.yaml"), ENGINE)
    assert scenario is not None, problems
    _, snap = _run(scenario, 1)
    assert snap.downtime_by_service["app"] >= 24 * 60


def test_unknown_names_in_commands_are_refused_with_suggestions_and_the_run_goes_on():
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    sim = Simulation(scenario, seed=2)
    sim.run_until(10)
    event = sim.apply(Command(action="isolate", target={"node": "d1-wss"}, by="soc"))
    assert event.kind == "command_refused"
    assert "d1-ws" in event.data["suggestions"]
    event = sim.apply(Command(action="escalate", to="cerd", by="soc"))
    assert event.kind == "command_refused" and "cert" in event.data["reason"]["en"]
    sim.run_until(60)
    assert sim.now == 60


def test_escalation_brings_outside_help_after_its_delay():
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    sim = Simulation(scenario, seed=2)
    sim.run_until(30)
    sim.apply(Command(action="escalate", to="cert", by="soc"))
    sim.run_until(89)
    assert sim.defenders.staff["cert"] == 0
    sim.run_until(91)
    assert sim.defenders.staff["cert"] == 4
    arrived = [e for e in sim.events if e.kind == "team_arrived"]
    assert len(arrived) == 1 and arrived[0].t == 90


def test_expectations_are_scored_met_late_and_missed():
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    met = _run(scenario, 1, [TimedCommand(at=40, action="isolate", target={"site": "d1"}, by="soc")])[1]
    late = _run(scenario, 1, [TimedCommand(at=100, action="isolate", target={"node": "d1-ws"}, by="soc")])[1]
    missed = _run(scenario, 1)[1]
    assert met.expectations["met"] == 1
    assert late.expectations["late"] == 1
    assert missed.expectations["missed"] == 1
