"""One fold of node states for the replay and the live view: from the events alone, both rebuild
what the engine held, field by field, in every bundled drill."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.data import bundled_scenarios
from drill.engine import Simulation
from drill.engine.commands import load_decisions
from drill.engine.state import NodeState
from drill.model.load import load_scenario
from drill.replay import WorldFold, node_fields
from drill.viewmodel import ViewModel

DECISIONS = Path(__file__).resolve().parent.parent / "scenarios" / "decisions"


@pytest.mark.parametrize("sid", sorted(bundled_scenarios()))
def test_the_replay_and_the_view_rebuild_the_engines_nodes(sid):
    scenario = load_scenario(sid)
    commands = sorted(load_decisions(DECISIONS / f"{sid}.yaml"), key=lambda c: c.at)
    sim = Simulation(scenario, seed=5)
    world, view = WorldFold(scenario), ViewModel(scenario)
    sim.subscribe(world.feed)
    sim.subscribe(view.feed)
    fresh = {nid: node_fields(NodeState(hosts=s.hosts)) for nid, s in sim.nodes.items()}
    pending = list(commands)
    changed: set[str] = set()
    for stop in (sim.end / 4, sim.end / 2, sim.end):
        while pending and pending[0].at < stop:
            command = pending.pop(0)
            sim.run_until(command.at)
            sim.apply(command)
        sim.run_until(stop)
        for nid, state in sim.nodes.items():
            expected = node_fields(state)
            assert node_fields(world.world.nodes[nid]) == expected, (nid, stop)
            assert node_fields(view.nodes[nid]) == expected, (nid, stop)
            if expected != fresh[nid]:
                changed.add(nid)
    assert sim.finished and changed  # the drill did something to compare
