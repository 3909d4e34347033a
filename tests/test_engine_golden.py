"""Determinism: a scenario plus a seed plus decisions gives the same log, byte for byte."""

from pathlib import Path

import pytest
from golden_cases import CASES, golden_lines

from drill.engine import Simulation
from drill.log import encode
from drill.model.load import load_scenario

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_golden_log_is_reproduced_exactly(name):
    expected = (HERE / "golden" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    found = golden_lines(name)
    for i, (a, b) in enumerate(zip(expected, found, strict=False)):
        assert a == b, (
            f"line {i + 1} differs (python tests/golden/regenerate.py says what changed; review it)"
        )
    assert len(found) == len(expected)
    assert len(found) > 20


def _log(scenario, seed):
    sim = Simulation(scenario, seed=seed)
    sim.run()
    return [encode(e) for e in sim.events]


def test_same_seed_twice_is_identical_and_another_seed_differs():
    scenario = load_scenario("ransomware-hoan-kiem")
    assert _log(scenario, 11) == _log(scenario, 11)
    assert _log(scenario, 11) != _log(scenario, 12)


def test_running_in_slices_gives_the_same_events_as_running_at_once():
    scenario = load_scenario("ransomware-hoan-kiem")
    whole = _log(scenario, 5)
    sim = Simulation(scenario, seed=5)
    t = 0.0
    while not sim.finished:
        t += 0.37
        sim.run_until(t)
    assert [encode(e) for e in sim.events] == whole
