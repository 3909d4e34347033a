"""One moment of detection for the figures and the engine: an inject marked `reveals` starts the
deadlines that run from the first detection, and makes `when: {detected: true}` hold."""

from __future__ import annotations

from drill.engine import events as ev

from .paired import bundled, run

# the default scenario: the help desk's call at T+45m reveals the incident; the report to the
# Department of Information and Communications is due 2h after the first detection; the SOC's
# alert inject waits for `detected: true`


def test_the_help_desks_call_starts_the_deadlines_and_the_detected_condition():
    scenario = bundled("ransomware-hoan-kiem")
    checked = 0
    for seed in range(1, 31):
        sim, snap = run(scenario, seed)
        sensed = next((e.t for e in sim.events if e.kind == ev.DETECTION), None)
        first = min(45.0, sensed) if sensed is not None else 45.0
        assert snap.time_to_detect is not None
        deadline = next(e for e in sim.events if e.kind == ev.EXPECTATION and e.target == "deadlines")
        assert deadline.t == first and deadline.data["due"] == first + 120.0, seed
        alert = next(e for e in sim.events if e.kind == ev.INJECT and e.target == "soc-alert")
        assert alert.t == first, seed
        checked += sensed is None or sensed > 45.0
    assert checked >= 5  # seeds where the call comes before any sensor: the case that matters
