"""Hand-built drills on the oracle networks (tests/fixtures/oracles/topology.yaml), whose outcome
is known by reasoning: helpers shared by the engine's oracle tests."""

from __future__ import annotations

from pathlib import Path

from drill.engine import Simulation
from drill.engine.commands import TimedCommand
from drill.engine.events import Event
from drill.model.load import Scenario, parse_scenario

ORACLES = Path(__file__).resolve().parent / "fixtures" / "oracles"
SEEDS = range(1, 31)

HEAD = """\
scenario: oracle
title: {{en: Oracle, vi: Kiểm chứng}}
description: {{en: A hand-built case., vi: Một trường hợp dựng tay.}}
unit: line
audience: [soc]
topology: topology.yaml
start: 2015-03-04T08:00:00+07:00
duration: {duration}
seed: 1
"""
TEAM = "  soc: {name: SOC, staff: 1}\n"


def scenario(
    stages: str, extra: str = "", teams: str = TEAM, duration: str = "12h", before: str = ""
) -> Scenario:
    """A drill on the oracle networks with these attack stages of the campaign ``worm`` (YAML list
    items, 8 spaces in), campaigns ``before`` it (4 in), these teams (mapping items, 2 in) and
    ``extra`` top-level keys (playbooks, injects …)."""
    attacker = "attacker:\n  campaigns:\n" + before + "    - id: worm\n      stages:\n"
    text = HEAD.format(duration=duration) + "teams:\n" + teams + attacker + stages + extra
    found, problems = parse_scenario(text, str(ORACLES / "oracle.yaml"), ORACLES)
    assert found is not None, problems
    return found


def worm_stages(
    start: str, success: float = 1, delay: str = "10m", attempts: int = 200, over: str = "lan"
) -> str:
    """The stages of a worm that lands on ``start`` at T+0 and spreads over ``over`` links by SMB."""
    return (
        f"        - {{id: land, technique: T1566.001, at: T+0m, targets: {{node: {start}}},"
        f" success: 1, from: inside}}\n"
        f"        - {{id: spread, technique: T1021.002, after: land, over: [{over}], via: [smb],"
        f" success: {success}, delay: {delay}, attempts: {attempts}}}\n"
    )


def worm(
    start: str, success: float = 1, delay: str = "10m", attempts: int = 200, over: str = "lan"
) -> Scenario:
    """A worm that lands on ``start`` at T+0 and spreads over ``over`` links by SMB."""
    return scenario(worm_stages(start, success, delay, attempts, over))


def isolate(node: str, at: float) -> TimedCommand:
    return TimedCommand(at=at, action="isolate", target={"node": node}, by="soc")


def reconnect(node: str, at: float) -> TimedCommand:
    return TimedCommand(at=at, action="reconnect", target={"node": node}, by="soc")


def run(scn: Scenario, seed: int = 1, commands: list[TimedCommand] | tuple = ()) -> Simulation:
    sim = Simulation(scn, seed=seed)
    sim.run(commands)
    return sim


def compromises(sim: Simulation) -> list[Event]:
    return [e for e in sim.events if e.kind == "compromise"]


def first_compromise(sim: Simulation, node: str) -> float | None:
    return next((e.t for e in compromises(sim) if e.target == node), None)


def ever_compromised(sim: Simulation) -> set[str]:
    return {e.target for e in compromises(sim)}
