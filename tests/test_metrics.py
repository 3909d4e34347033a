"""The figures folded from events agree with the simulation's own state, at any moment."""

from pathlib import Path

import pytest

from drill.engine import Simulation
from drill.engine.events import Event
from drill.metrics import Metrics, fold
from drill.model.load import load_scenario

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"


@pytest.mark.parametrize(
    "scenario_ref", ["ransomware-hoan-kiem", str(ENGINE / "worm.yaml"), str(ENGINE / "outage.yaml")]
)
def test_metrics_follow_the_simulation_state(scenario_ref):
    scenario = load_scenario(scenario_ref)
    for seed in (1, 2, 3):
        sim = Simulation(scenario, seed=seed)
        metrics = Metrics(scenario)
        sim.subscribe(metrics.feed)
        t = 0.0
        while not sim.finished:
            t += 13.0
            sim.run_until(t)
            snap = metrics.snapshot(sim.now)
            compromised = {n: s for n, s in sim.nodes.items() if s.status == "compromised"}
            assert snap.hosts_now == sum(s.infected for s in compromised.values())
            assert snap.nodes_now == len(compromised)
            assert snap.services_down == sorted(s for s, up in sim.services.up.items() if not up)
            assert snap.contained == (bool(snap.nodes_ever) and all(s.isolated for s in compromised.values()))
            for team, (_busy, staff, queued) in sim.defenders.utilisation().items():
                assert snap.staff[team] == staff and snap.queue.get(team, 0) == queued


def _event(seq, t, kind, target="", **data):
    return Event(t, seq, kind, "x", target, data)


def test_times_to_detect_contain_and_recover():
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    events = [
        _event(0, 0.0, "drill_start", teams={"soc": 2, "cert": 0}),
        _event(1, 10.0, "compromise", "d1-ws", hosts=3),
        _event(2, 20.0, "compromise", "d1-srv", hosts=1),
        _event(3, 40.0, "detection", "d1-ws"),
        _event(4, 50.0, "service_down", "app"),
        _event(5, 60.0, "isolate", "d1-ws"),
        _event(6, 70.0, "isolate", "d1-srv"),
        _event(7, 130.0, "service_up", "app"),
    ]
    snap = fold(scenario, events, 200.0)
    assert snap.time_to_detect == 30.0
    assert snap.time_to_contain == 60.0
    assert snap.time_to_recover == 120.0
    assert snap.hosts_ever == 4 and snap.bodies_affected == ["d1"]
    assert snap.downtime_by_service == {"app": 80.0}
    # the app's 1000 citizens a day are split evenly over the five sites (none has a population):
    # 200 a site. The app is down 50→130; District 1's workstations (its front desk) are isolated
    # from 60 on, so District 1 cannot serve: its share of the app is lost 50→200 and its share of
    # the one-stop shop (5000 / 5 sites) 60→200. Each group once a minute, over an 8-hour day.
    app = 800 * 80 / 480 + 200 * 150 / 480
    onestop = 1000 * 140 / 480
    assert snap.citizen_impact == pytest.approx(app + onestop)
    # dwell: d1-ws detected after 30 min, d1-srv never (180 min so far)
    assert snap.dwell_mean == pytest.approx((30 + 180) / 2)


def test_exfiltration_is_capped_by_the_data_held():
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    events = [
        _event(0, 0.0, "drill_start", teams={}),
        _event(1, 0.0, "compromise", "dc-db", hosts=1),
        _event(2, 0.0, "effect", "dc-db", effect="exfiltrate", rate_gb_per_hour=2.0),
    ]
    # dc-db holds 3 GB: 2 GB after an hour, all 3 after two, and no more
    assert fold(scenario, events, 60.0).data_exfiltrated_gb == pytest.approx(2.0)
    assert fold(scenario, events, 120.0).data_exfiltrated_gb == pytest.approx(3.0)
    stopped = [*events, _event(3, 30.0, "isolate", "dc-db")]
    assert fold(scenario, stopped, 120.0).data_exfiltrated_gb == pytest.approx(1.0)
