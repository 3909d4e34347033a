"""An attacker on the Internet keeps trying: a landing that finds no way in (the Internet link cut,
the target isolated) waits for one and goes ahead when it opens; kept closed, it never lands. So
closing a door and opening it again only delays the attack — it never multiplies it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_internet_reachability import SCENARIO, _cmd, _write

from drill.engine import Simulation
from drill.model.load import load_scenario

LAND = "        - {id: probe, technique: T1595, at: T+7h, targets: {node: dc-app}, success: 0}\n"
PHISH = "        - {id: land, technique: T1190, at: T+1h, targets: {node: portal-web}, success: 1}\n"


@pytest.fixture
def drill(tmp_path: Path):
    path = _write(tmp_path)
    path.write_text(SCENARIO.replace(LAND, PHISH), encoding="utf-8")

    def run(commands: list[tuple[float, str, str]]) -> Simulation:
        sim = Simulation(load_scenario(path), seed=1)
        for at, action, node in commands:
            sim.run_until(at)
            sim.apply(_cmd(action, node=node))
        sim.run_until(sim.end)
        return sim

    return run


def _landed(sim: Simulation) -> list[float]:
    return [e.t for e in sim.events if e.kind == "compromise" and e.target == "portal-web"]


def test_a_landing_with_the_door_open_lands_on_time(drill):
    assert _landed(drill([])) == [60.0]


def test_a_landing_while_the_internet_link_is_cut_lands_when_it_is_restored(drill):
    sim = drill([(50, "cut-link", "internet"), (180, "restore-link", "internet")])
    assert _landed(sim) == [180.0]
    assert _landed(drill([(50, "cut-link", "internet")])) == []  # kept cut: it never lands


def test_a_landing_on_an_isolated_machine_lands_when_it_is_reconnected(drill):
    sim = drill([(50, "isolate", "portal-web"), (120, "reconnect", "portal-web")])
    assert _landed(sim) == [120.0]
    assert _landed(drill([(50, "isolate", "portal-web")])) == []


def test_a_landing_waiting_for_a_way_in_lands_once_however_often_the_door_opens(drill):
    toggles = [(50, "cut-link", "internet")]
    for k in range(5):
        toggles += [(100 + 20 * k, "restore-link", "internet"), (110 + 20 * k, "cut-link", "internet")]
    assert _landed(drill(toggles)) == [100.0]
