"""Checking a batch's arms before any run: the scenario, its overrides, the decisions file."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import DrillError, problems_text
from ..engine.commands import check_before_end, load_decisions
from ..model.load import check_scenario_document, parse_scenario, resolve_scenario
from ..yamlio import MAX_JSON_BYTES, MAX_YAML_BYTES, load_yaml, read_text
from .job import make_job
from .overrides import Override, apply_overrides, explain, parse_override
from .runner import Arm


def load_arm(
    name: str | None, sets: list[str], decisions: str | None = None, name_decisions: bool = False
) -> Arm:
    """A scenario with ``KEY=VALUE`` overrides, checked like ``drill validate`` checks a file;
    ``name_decisions``: the arm's label names its decisions file (two arms that differ by it).

    The scenario must be valid as written; each problem an override then causes is blamed on it.
    """
    path = resolve_scenario(name)
    text = read_text(path, MAX_YAML_BYTES, "io.too_large_scenario")
    scenario, problems = parse_scenario(text, str(path), path.parent)
    if scenario is None:
        raise DrillError(problems_text(problems), problems)
    overrides: list[Override] = [parse_override(s) for s in sets]
    if overrides:
        doc, paths = apply_overrides(load_yaml(text, str(path)), overrides)
        scenario, problems = check_scenario_document(doc, text, path.parent)
        if scenario is None:
            raise DrillError(explain(problems, overrides, paths), problems)
    decision_texts = ("", "")
    if decisions:
        # every problem in the file, located, before any run; and none after this arm's end
        check_before_end(load_decisions(decisions), scenario.spec.duration)
        limit = MAX_JSON_BYTES if decisions.endswith(".json") else MAX_YAML_BYTES
        decision_texts = (read_text(Path(decisions), limit, "io.too_large_decisions"), decisions)
    label = " ".join([scenario.id, *(o.text for o in overrides)])
    if name_decisions:
        label += " + " + (Path(decisions).name if decisions else "-")
    return Arm(label, scenario, overrides, make_job(scenario, overrides, decision_texts))
