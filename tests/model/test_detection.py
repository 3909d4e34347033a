"""Detection grows with what is infected, and better sensors are never worse.

Each machine taken is a new chance for the sensors: with coverage c, k machines go unseen with
chance (1 - c) ** k (times the stage's noise). Oracles on tiny networks, where that chance is
computed by hand, and a paired experiment on the bundled drill.
"""

from __future__ import annotations

import pytest

from drill.engine.simulation import Simulation

from .paired import FIXTURES, bundled, decisions, figure, paired, run, scenario_from

SMALL = FIXTURES / "model" / "small-worm.yaml"
CLOCKWORK = FIXTURES / "model" / "paths-attack.yaml"
DEFAULT = FIXTURES.parent.parent / "scenarios" / "ransomware-hoan-kiem.yaml"
SEEDS = range(200)
QUICK = range(30)


def _landing_only(target: str, rule: str, **more: str):
    """The tiny worm landing on ``target`` and spreading nowhere, with a detection rule."""
    replace = {
        "targets: {node: a}}": f"targets: {{node: {target}}}{more.pop('land', '')}}}",
        "attempts: 40}": "attempts: 40, success: 0}",
        "attacker:\n": f"detection:\n  - {rule}\nattacker:\n",
    }
    return scenario_from(SMALL, **replace)


def _share_seen(scenario, seeds=SEEDS) -> float:
    seen = 0
    for seed in seeds:
        sim, _ = run(scenario, seed)
        seen += any(e.kind == "detection" and e.data["how"] == "sensor" for e in sim.events)
    return seen / len(seeds)


def _within(share: float, p: float, n: int = len(SEEDS)) -> bool:
    """``share`` of ``n`` trials is within four standard deviations of ``p`` (binomial)."""
    sd = (p * (1 - p) / n) ** 0.5
    return abs(share - p) <= 4 * sd + 1e-9


def test_five_hundred_machines_taken_are_far_easier_to_see_than_one():
    rule = "{targets: {node: [g, p]}, coverage: 0.01, delay: 10m}"
    # all 500 PCs of g at once: seen with chance 1 - 0.99 ** 500 = 0.9934 (before: 0.01)
    group = _share_seen(_landing_only("g", rule, land=", hosts: all"))
    assert _within(group, 1 - 0.99**500), group
    # one PC: 0.01
    one = _share_seen(_landing_only("p", rule))
    assert _within(one, 0.01), one


@pytest.mark.parametrize(("noise", "expected"), [("0", 0.0), ("1", 0.3), ("2", 1 - 0.7**2)])
def test_a_noisy_stage_is_seen_more_often(noise, expected):
    scenario = _landing_only("p", "{targets: {node: p}, coverage: 0.3, delay: 10m}", land=f", noise: {noise}")
    share = _share_seen(scenario)
    assert _within(share, expected), (noise, share, expected)


def test_machines_added_one_by_one_each_get_their_chance():
    # the worm takes g's PCs one at a time from inside the group: every infected PC tries once a
    # round and each try is certain, so five rounds double 1 PC to 32; with coverage 0.02 a
    # machine, the 32 go unseen with chance 0.98 ** 32 = 0.524
    scenario = scenario_from(
        SMALL,
        **{
            "targets: {node: a}}": "targets: {node: g}}",
            "attempts: 40}": "attempts: 5, targets: {node: g}}",
            "attacker:\n": "detection:\n  - {targets: {node: g}, coverage: 0.02, delay: 10m}\nattacker:\n",
        },
    )
    sim, _ = run(scenario, 1)
    assert sim.nodes["g"].infected == 32
    share = _share_seen(scenario)
    assert _within(share, 1 - 0.98**32), share


def test_the_users_notice_delay_is_a_scenario_key():
    # the PCs are encrypted at T+30m; the users take exactly two hours to call; no sensor sees anything
    scenario = scenario_from(
        CLOCKWORK,
        **{
            "attacker:\n": "detection:\n  - {targets: {node: ws}, coverage: 0, users_notice: 2h}\nattacker:\n"
        },
    )
    sim, _ = run(scenario, 1)
    seen = [(e.t, e.data["how"]) for e in sim.events if e.kind == "detection" and e.target == "ws"]
    assert seen == [(150.0, "users")]


def test_the_users_notice_delay_can_depend_on_the_technique():
    rule = (
        "detection:\n  - {targets: {node: ws}, coverage: 0, users_notice: 2h}\n"
        "  - {targets: {node: ws}, technique: T1486, users_notice: 40m}\nattacker:\n"
    )
    sim, _ = run(scenario_from(CLOCKWORK, **{"attacker:\n": rule}), 1)
    assert [e.t for e in sim.events if e.kind == "detection" and e.target == "ws"] == [70.0]


def _coverage(value: float):
    rule = f"detection:\n  - {{targets: {{site: hoan-kiem}}, coverage: {value}}}\nplaybooks:\n"
    return scenario_from(DEFAULT, **{"playbooks:\n": rule})


def _time_to_detect(sim: Simulation, snap) -> float:
    # the sensors' and users' own first sighting: the figure "time to detect" also counts the
    # help desk's call (an inject that reveals), which no sensor can hurry
    return next((e.t for e in sim.events if e.kind == "detection"), sim.end)


def _better_sensors_are_never_worse(seeds: range) -> None:
    levels = (0.02, 0.1, 0.3, 0.9)
    arms = [figure(_coverage(c), _time_to_detect) for c in levels]
    results = [paired(arms[i], arms[i + 1], seeds) for i in range(len(levels) - 1)]
    for (low, high), p in zip(zip(levels, levels[1:], strict=False), results, strict=True):
        # before the first alert the two drills are the same draw for draw, and every machine the
        # worse sensors see, the better ones see too: never later, in any seed
        assert p.share(lambda a, b: b <= a + 1e-9) == 1.0, (low, high, p)
    assert results[0].mean_a > results[-1].mean_b + 30, [str(p) for p in results]


def test_better_sensors_are_never_worse():
    _better_sensors_are_never_worse(QUICK)


@pytest.mark.slow(quick="test_better_sensors_are_never_worse")
def test_better_sensors_are_never_worse_200_seeds():
    _better_sensors_are_never_worse(SEEDS)


def test_detection_in_the_default_drill_sees_more_when_more_is_infected():
    # the district's PCs: the more of them taken by the time of the first sensor alert's roll, the
    # likelier it is; so a drill where the worm spreads twice as fast is seen sooner on average
    slow = bundled("ransomware-hoan-kiem")
    fast = scenario_from(DEFAULT, **{"delay: {exponential: 20m}": "delay: {exponential: 10m}"})
    p = paired(figure(slow, _time_to_detect), figure(fast, _time_to_detect), QUICK)
    assert p.mean_diff < 0, p


def test_an_isolated_decision_changes_no_detection_draws_before_it():
    # the dice for detection come from their own stream: a decision at T+4h leaves every detection
    # before T+4h as it was
    scenario = bundled("ransomware-hoan-kiem")
    late = decisions({"action": "isolate", "target": {"site": "tay-ho"}, "at": "T+4h"})
    for seed in range(5):
        a, _ = run(scenario, seed)
        b, _ = run(scenario, seed, late)
        before = [(e.t, e.target) for e in a.events if e.kind == "detection" and e.t < 240]
        assert before == [(e.t, e.target) for e in b.events if e.kind == "detection" and e.t < 240]
