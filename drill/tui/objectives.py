"""The scenario's objectives as the console shows them: met, not met, or undecided while the
drill can still go either way. The grading is the metrics module's; this reads it."""

from __future__ import annotations

from dataclasses import dataclass

from ..metrics import ObjectiveResult, Snapshot
from ..model.load import Scenario
from ..summary import format_value, objective_label

STATES = ("met", "not_met", "undecided")
GLYPH = {"met": "✓", "not_met": "✗", "undecided": "?"}


def objective_state(result: ObjectiveResult) -> str:
    """``met``, ``not_met`` or ``undecided``. The metrics grade each objective; a grading of
    three states names its own (``state``), else their yes or no stands."""
    state = getattr(result, "state", None)
    if state in STATES:
        return str(state)
    return "met" if result.met else "not_met"


@dataclass(frozen=True)
class ObjectiveLine:
    state: str
    label: str
    value: str  # the figure now
    bound: str  # "< 4h", "≥ 60 %"


def objective_lines(scenario: Scenario, snap: Snapshot) -> list[ObjectiveLine]:
    out = []
    for res in snap.objectives:
        rel = "<" if res.kind == "under" else "≥"
        out.append(
            ObjectiveLine(
                objective_state(res),
                objective_label(scenario, res.index),
                format_value(res.metric, res.value),
                f"{rel} {format_value(res.metric, res.bound)}",
            )
        )
    return out


def objective_counts(snap: Snapshot) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for res in snap.objectives:
        counts[objective_state(res)] += 1
    return counts
