"""Winnable by design: every bundled scenario is won by good play (its sample decisions) in a fair
share of runs, and lost by no play at all — over the same seeds for both."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from drill.data import bundled_scenarios
from drill.engine.commands import load_decisions

from .paired import bundled, run

DECISIONS = Path(__file__).resolve().parents[2] / "scenarios" / "decisions"
SCENARIOS = sorted(bundled_scenarios())


def _objectives(name: str, seeds: range, play: bool) -> list[list[bool]]:
    scenario = bundled(name)
    commands = load_decisions(DECISIONS / f"{name}.yaml") if play else []
    return [[o.met for o in run(scenario, seed, commands)[1].objectives] for seed in seeds]


def _winnable(name: str, seeds: range) -> None:
    good = _objectives(name, seeds, play=True)
    none = _objectives(name, seeds, play=False)
    won = statistics.fmean(all(r) for r in good)
    won_idle = statistics.fmean(all(r) for r in none)
    assert won >= 0.3, f"{name}: its sample decisions win {won:.0%} of runs"
    assert won_idle <= 0.1, f"{name}: doing nothing wins {won_idle:.0%} of runs"
    # not only because nobody did what the injects asked: the outcomes themselves are better
    # (objectives other than the expected actions, counted per seed, paired)
    scenario = bundled(name)
    outcome = [i for i, o in enumerate(scenario.spec.objectives) if o.metric != "expectations_met"]
    gain = [sum(g[i] for i in outcome) - sum(n[i] for i in outcome) for g, n in zip(good, none, strict=True)]
    assert statistics.fmean(gain) > 0, f"{name}: objectives met, sample decisions − none: {gain}"
    assert sum(1 for x in gain if x < 0) <= 0.1 * len(gain), f"{name}: worse with its decisions: {gain}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_bundled_scenario_is_won_by_its_decisions_and_lost_by_none(name):
    _winnable(name, range(1, 31))


@pytest.mark.slow(quick="test_each_bundled_scenario_is_won_by_its_decisions_and_lost_by_none")
@pytest.mark.parametrize("name", SCENARIOS)
def test_each_bundled_scenario_is_won_by_its_decisions_and_lost_by_none_200_seeds(name):
    _winnable(name, range(1, 201))
