"""Verifying a drill costs about what running it cost, however many decisions it recorded: the
engine's look at the collector's frozen objects (a walk over all of them) is not taken once per
decision, and ``--verify`` does not fold the log for seeking."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest

import drill.engine.simulation as simulation
from drill.cli import main
from drill.engine.simulation import _RELOOK_AFTER, _promote_survivors

ROOT = Path(__file__).resolve().parent.parent


def test_a_frozen_heap_is_walked_once_per_many_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    looks: list[int] = []
    moved: list[int] = []
    simulation._frozen_by_caller[0] = 0
    monkeypatch.setattr(gc, "get_freeze_count", lambda: looks.append(1) or 1_000_000)
    monkeypatch.setattr(gc, "freeze", lambda: moved.append(1))
    monkeypatch.setattr(gc, "unfreeze", lambda: None)
    slices = 5000
    for _ in range(slices):  # a replay of 5,000 decisions: a short slice each, a long queue
        _promote_survivors(pending=10**6)
    assert len(looks) <= slices // _RELOOK_AFTER + 1  # not 5,000 walks over a million objects
    assert moved == []  # and the caller's frozen objects stay frozen


def test_a_large_frozen_heap_is_walked_about_once_per_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller with 20 million objects frozen (a long test session, a replay's screen): 20,000
    slices look once, not every 1,000 slices (20 walks over 20 million objects: seconds)."""
    looks: list[int] = []
    simulation._frozen_by_caller[0] = 0
    monkeypatch.setattr(gc, "get_freeze_count", lambda: looks.append(1) or 20_000_000)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(gc, "unfreeze", lambda: None)
    for _ in range(20_000):
        _promote_survivors(pending=10**6)
    assert len(looks) == 1


def test_with_nothing_frozen_survivors_are_still_moved_after_each_large_slice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moved: list[int] = []
    simulation._frozen_by_caller[0] = 0
    monkeypatch.setattr(gc, "get_freeze_count", lambda: 0)
    monkeypatch.setattr(gc, "freeze", lambda: moved.append(1))
    monkeypatch.setattr(gc, "unfreeze", lambda: None)
    for _ in range(10):
        _promote_survivors(pending=10**6)
    _promote_survivors(pending=10)  # a small slice: nothing worth moving
    assert len(moved) == 10


def _verify_costs_about_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """``n`` decisions; every slice counts as large (as on a 100,000-node city, whose queue of
    events is long), and the heap is frozen as the replay freezes it."""
    decisions = tmp_path / "d.yaml"
    decisions.write_text(
        "".join(f"- {{at: {i * 470.0 / n:.4f}, action: note, text: n{i}}}\n" for i in range(n)),
        encoding="utf-8",
    )
    log = tmp_path / "d.jsonl"
    monkeypatch.setattr(simulation, "_MANY_SURVIVORS", -1)
    start = time.process_time()
    assert main(["run", "--decisions", str(decisions), "--log", str(log)]) == 0
    ran = time.process_time() - start
    gc.freeze()  # what the replay's screen, or a long-lived caller, does
    try:
        from drill.replay import verify_log

        start = time.process_time()
        verdict, _seed = verify_log(log)
        verified = time.process_time() - start
    finally:
        gc.unfreeze()
    assert verdict.identical
    # processor time, not the wall clock (a shared machine stretches the latter): before the fix
    # the verify never finished where the run took seconds — an order of magnitude, not a margin
    assert verified < 2.0 * ran + 2.0, (ran, verified)


def test_verify_of_some_decisions_costs_about_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _verify_costs_about_the_run(tmp_path, monkeypatch, 3_000)


@pytest.mark.slow(quick="test_verify_of_some_decisions_costs_about_the_run")
def test_verify_of_many_decisions_costs_about_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _verify_costs_about_the_run(tmp_path, monkeypatch, 20_000)
