"""Paired experiments on common random numbers: two arms of a drill run on the same seeds.

The model's promises ("earlier isolation is never worse on average") are stated as comparisons of
two arms seed by seed. Named random streams keep unrelated draws the same in both arms, so the
per-seed difference measures the decision, not the dice.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drill.engine import Simulation
from drill.engine.commands import TimedCommand
from drill.metrics import Metrics, Snapshot
from drill.model.load import Scenario, load_scenario, parse_scenario

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def scenario_from(path: Path, **replace: str) -> Scenario:
    """A fixture scenario, with literal text replacements (each must occur in the file)."""
    text = path.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, f"{old!r} not in {path.name}"
        text = text.replace(old, new)
    scenario, problems = parse_scenario(text, str(path), path.parent)
    assert scenario is not None, [p.format() for p in problems]
    return scenario


def bundled(name: str) -> Scenario:
    return load_scenario(name)


def decisions(*items: dict[str, Any]) -> list[TimedCommand]:
    """Timed commands from plain dicts, as a decisions file would give them."""
    return [TimedCommand.model_validate(item) for item in items]


def run(
    scenario: Scenario, seed: int, commands: Iterable[TimedCommand] = (), until: float | None = None
) -> tuple[Simulation, Snapshot]:
    """One drill, headless, with its figures at the end (or at ``until``)."""
    sim = Simulation(scenario, seed=seed)
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    if until is None:
        sim.run(list(commands))
    else:
        for command in sorted(commands, key=lambda c: c.at):
            if command.at > until:
                break
            sim.run_until(command.at)
            sim.apply(command)
        sim.run_until(until)
    return sim, metrics.snapshot(sim.now)


@dataclass(frozen=True)
class Paired:
    """Per-seed values of a figure in arms A and B, and their differences B − A."""

    a: list[float]
    b: list[float]

    @property
    def diffs(self) -> list[float]:
        return [y - x for x, y in zip(self.a, self.b, strict=True)]

    @property
    def mean_a(self) -> float:
        return statistics.fmean(self.a)

    @property
    def mean_b(self) -> float:
        return statistics.fmean(self.b)

    @property
    def mean_diff(self) -> float:
        return statistics.fmean(self.diffs)

    def ci95(self) -> tuple[float, float]:
        """A normal-approximation 95% interval for the mean difference."""
        d = self.diffs
        half = 1.96 * statistics.stdev(d) / math.sqrt(len(d)) if len(d) > 1 else 0.0
        return self.mean_diff - half, self.mean_diff + half

    def share(self, test: Callable[[float, float], bool]) -> float:
        """The share of seeds where ``test(a, b)`` holds."""
        return sum(1 for x, y in zip(self.a, self.b, strict=True) if test(x, y)) / len(self.a)

    def __str__(self) -> str:
        lo, hi = self.ci95()
        return f"A {self.mean_a:.2f}, B {self.mean_b:.2f}, B−A {self.mean_diff:.2f} [{lo:.2f}, {hi:.2f}]"


def paired(arm_a: Callable[[int], float], arm_b: Callable[[int], float], seeds: Sequence[int]) -> Paired:
    """Run both arms on the same seeds."""
    return Paired([float(arm_a(s)) for s in seeds], [float(arm_b(s)) for s in seeds])


def figure(
    scenario: Scenario,
    pick: Callable[[Simulation, Snapshot], float],
    commands: Iterable[TimedCommand] = (),
    until: float | None = None,
) -> Callable[[int], float]:
    """An arm: a seed → the figure ``pick`` reads from that run."""
    commands = list(commands)

    def arm(seed: int) -> float:
        sim, snap = run(scenario, seed, commands, until)
        return pick(sim, snap)

    return arm
