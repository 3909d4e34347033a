"""The golden cases: a scenario, a seed and scripted decisions whose event log is committed."""

from __future__ import annotations

import json
from pathlib import Path

from drill.engine import Simulation
from drill.engine.commands import load_decisions
from drill.log import encode, header_for
from drill.model.load import load_scenario

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent

# name, scenario, seed, decisions file (or None)
CASES = [
    ("default-seed-7", "ransomware-hoan-kiem", 7, None),
    (
        "engine-worm-seed-3-decisions",
        str(FIXTURES / "engine" / "worm.yaml"),
        3,
        str(FIXTURES / "engine" / "worm-decisions.yaml"),
    ),
]


def golden_lines(name: str) -> list[str]:
    """The log a case produces now: the header without the drill version, then every event."""
    _, scenario_ref, seed, decisions = next(c for c in CASES if c[0] == name)
    scenario = load_scenario(scenario_ref)
    sim = Simulation(scenario, seed=seed)
    sim.run(load_decisions(decisions) if decisions else [])
    header = header_for(sim, scenario.id, "en")
    header.pop("drill")  # a new release must not break the golden files
    return [json.dumps(header, ensure_ascii=False, separators=(",", ":"))] + [encode(e) for e in sim.events]
