"""The engine's lean scheduling keeps simpy's order, its weighted pick equals a bisect, and running
in slices leaves the garbage collector as it found it (and the engine makes no reference cycles,
which the collector handling in ``run_until`` relies on)."""

from __future__ import annotations

import gc
import random
from bisect import bisect_right
from pathlib import Path

import pytest
import simpy

from drill.data import bundled_scenarios
from drill.engine import Simulation
from drill.engine.attacker import _Pool
from drill.engine.commands import load_decisions
from drill.engine.later import call_later
from drill.model.load import load_scenario

DECISIONS = Path(__file__).resolve().parent.parent / "scenarios" / "decisions"


def test_calls_later_fire_in_the_order_timeouts_made_at_the_same_moments_would():
    env = simpy.Environment()
    fired: list[str] = []
    delays = [5.0, 1.0, 5.0, 0.0, 1.0, 5.0, 2.5]
    for i, delay in enumerate(delays):
        if i % 2:
            call_later(env, delay, fired.append, f"call{i}")
        else:
            env.timeout(delay).callbacks.append(lambda _e, i=i: fired.append(f"timeout{i}"))
    env.run()
    # by time, and in the order they were made at equal times
    assert fired == ["call3", "call1", "timeout4", "timeout6", "timeout0", "timeout2", "call5"]
    assert env.now == 5.0


def test_a_call_later_gets_its_arguments_and_never_goes_back_in_time():
    env = simpy.Environment(initial_time=10.0)
    seen: list[tuple[float, int, str]] = []
    call_later(env, -3.0, lambda a, b: seen.append((env.now, a, b)), 7, "x")
    env.run()
    assert seen == [(10.0, 7, "x")]


def test_calls_later_stop_at_a_run_limit_and_resume_after_it():
    env = simpy.Environment()
    fired: list[float] = []
    for delay in (1.0, 2.0, 3.0):
        call_later(env, delay, lambda: fired.append(env.now))
    env.run(until=2.0)
    assert fired == [1.0]  # an event at the limit runs after it, as a timeout's would
    env.run(until=10.0)
    assert fired == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    "hosts",
    [
        [1] * 50,  # one machine per node: the pick is floor(r)
        [1, 2, 1, 1, 4, 1, 12, 1, 1, 3],  # a few groups: a lookup table
        [1, 5000, 1, 250, 1],  # large groups: a bisect
    ],
)
def test_a_pool_picks_what_a_bisect_on_its_running_weights_picks(hosts):
    cum, total = [], 0.0
    for h in hosts:
        total += h
        cum.append(total)
    nodes = [f"n{i}" for i in range(len(hosts))]
    pool = _Pool(nodes, list(nodes), cum, total, version=0)
    rng = random.Random(4)
    draws = [rng.random() * total for _ in range(5000)]
    draws += [float(k) for k in range(int(total))]  # the edges between nodes
    draws += [k - 1e-9 for k in range(1, int(total))]
    for r in draws:
        assert pool.pick(r) == bisect_right(cum, r), r
    assert {pool.pick(r) for r in draws} == set(range(len(hosts)))


def test_running_in_slices_leaves_the_collector_as_it_was():
    gc.unfreeze()  # what an earlier test in this process left frozen (a replay freezes its log)
    sim = Simulation(load_scenario(None))
    assert gc.isenabled()
    sim.run_until(90.0)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        sim.run_until(180.0)
        assert not gc.isenabled()
    finally:
        gc.enable()
    kept = [object() for _ in range(10)]
    gc.freeze()
    try:
        sim.run_until(400.0)
        assert gc.get_freeze_count() > 0
        # what the caller froze stays frozen: in no generation the collector visits
        assert id(kept) not in {id(o) for o in gc.get_objects()}
    finally:
        gc.unfreeze()
    assert id(kept) in {id(o) for o in gc.get_objects()}


@pytest.mark.parametrize("sid", sorted(bundled_scenarios()))
def test_a_drill_with_decisions_makes_no_reference_cycles(sid):
    scenario = load_scenario(sid)
    commands = sorted(load_decisions(DECISIONS / f"{sid}.yaml"), key=lambda c: c.at)
    gc.collect()
    gc.disable()  # count what the run leaves, not what the collector found on the way
    try:
        sim = Simulation(scenario, seed=3)
        sim.run(commands)
        assert sim.finished and len(sim.events) > 10
        assert gc.collect() == 0  # with the drill still held: what its run made and dropped
    finally:
        gc.enable()
