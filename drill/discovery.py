"""What the teams found out, next to the truth: figures folded from the events once, for the
report, the summary and any view.

Definitions (the sentences the report shows with the figures):

- **Foothold found**: a machine the attacker took, and the first moment a team held it for
  compromised (a sensor alert, users' report, an inject, its own investigation, or a finding
  another team shared). *Found after* runs from the moment the attacker took it. A machine taken
  again after a cleaning is a new foothold.
- **Technique identified**: the first moment a team confirmed the technique (an alert that names
  it, or an investigation's finding). *Time to identify* runs from the first time the attacker
  used it: the first machine its stage took or acted on.
- **Identify expectations** (the scenario's ``identify``): the stage's technique confirmed by the
  team named (else any team) within ``within`` of the stage's first success: *met*, *late*
  (confirmed after the deadline), *missed* (the deadline passed, not confirmed), *open* (not yet
  due), or *not applicable* (the stage never succeeded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .engine import events as ev
from .engine.events import Event
from .model.load import Scenario
from .model.scenario import Identify
from .team_knowledge import CONFIRMED, TeamKnowledge, TeamKnowledgeFold

EPS = 1e-9


@dataclass(slots=True)
class Learning:
    team: str
    at: float
    how: str
    source: str = ""


@dataclass(slots=True)
class Foothold:
    node: str
    taken: float  # when the attacker took it
    technique: str
    found: list[Learning] = field(default_factory=list)  # the first learning of each team, in order

    @property
    def found_after(self) -> float | None:
        return self.found[0].at - self.taken if self.found else None


@dataclass(slots=True)
class TechniqueFound:
    technique: str
    first_used: float
    identified: Learning | None = None

    @property
    def time_to_identify(self) -> float | None:
        return None if self.identified is None else max(0.0, self.identified.at - self.first_used)


@dataclass(slots=True)
class IdentifyResult:
    spec: Identify
    technique: str
    used: float | None  # the stage's first success
    identified: Learning | None
    status: str  # met, late, missed, open, not_applicable


@dataclass(slots=True)
class Discovery:
    footholds: list[Foothold]
    techniques: list[TechniqueFound]
    identify: list[IdentifyResult]
    teams: dict[str, TeamKnowledge]


def _learned(e: Event) -> Learning:
    return Learning(e.actor, e.t, str(e.data.get("how", "")), str(e.data.get("source", "")))


def discover(scenario: Scenario, events: Iterable[Event], now: float | None = None) -> Discovery:
    """The footholds, techniques and identify expectations of a drill up to ``now`` (default:
    its last event)."""
    technique_of = {s.id: s.technique for c in scenario.spec.attacker.campaigns for s in c.stages}
    fold = TeamKnowledgeFold(scenario.spec.teams)
    footholds: list[Foothold] = []
    live: dict[str, Foothold] = {}  # node → its foothold now
    techniques: dict[str, TechniqueFound] = {}
    stage_success: dict[str, float] = {}
    last = 0.0
    for e in events:
        if now is not None and e.t > now + EPS:
            break
        last = e.t
        fold.feed(e)
        kind = e.kind
        if kind == ev.COMPROMISE:
            stage = str(e.data.get("stage") or "")
            technique = technique_of.get(stage, "")
            if e.target not in live:
                live[e.target] = foothold = Foothold(e.target, e.t, technique)
                footholds.append(foothold)
            if stage:
                stage_success.setdefault(stage, e.t)
            if technique:
                techniques.setdefault(technique, TechniqueFound(technique, e.t))
        elif kind == ev.EFFECT:
            stage = str(e.data.get("stage") or "")
            technique = technique_of.get(stage, "")
            if stage in technique_of:
                stage_success.setdefault(stage, e.t)
            if technique:
                techniques.setdefault(technique, TechniqueFound(technique, e.t))
        elif kind in (ev.CLEANED, ev.RESTORED):
            live.pop(e.target, None)
        elif kind == ev.LEARNED:
            d = e.data
            foothold = live.get(e.target)
            confirmed = d.get("fact") == "compromise" and d.get("certainty") == CONFIRMED
            if foothold is not None and confirmed and all(x.team != e.actor for x in foothold.found):
                foothold.found.append(_learned(e))
            technique = str(d.get("technique") or "")
            found = techniques.get(technique)
            if found is not None and found.identified is None and d.get("certainty") == CONFIRMED:
                found.identified = _learned(e)
    moment = last if now is None else now
    results = [
        _grade(spec, technique_of, stage_success, _teams_for(fold, spec), moment)
        for spec in scenario.spec.identify
    ]
    return Discovery(footholds, list(techniques.values()), results, fold.teams)


def _teams_for(fold: TeamKnowledgeFold, spec: Identify) -> list[TeamKnowledge]:
    """The teams whose knowledge answers an identify expectation."""
    if spec.by:
        return [fold.teams[spec.by]] if spec.by in fold.teams else []
    return list(fold.teams.values())


def _grade(
    spec: Identify,
    technique_of: dict[str, str],
    stage_success: dict[str, float],
    teams: list[TeamKnowledge],
    now: float,
) -> IdentifyResult:
    technique = technique_of.get(spec.stage, "")
    used = stage_success.get(spec.stage)
    if used is None:
        return IdentifyResult(spec, technique, None, None, "not_applicable")
    # the first confirmation of the technique by a team asked (one known before the stage
    # succeeded counts from its success: they knew it when it happened)
    best: Learning | None = None
    for k in teams:
        known = k.techniques.get(technique)
        if known is not None and known.certainty == CONFIRMED:
            at = max(known.since, used)
            if best is None or at < best.at:
                best = Learning(k.team, at, known.how)
    due = used + spec.within
    if best is not None:
        return IdentifyResult(spec, technique, used, best, "met" if best.at <= due + EPS else "late")
    return IdentifyResult(spec, technique, used, None, "missed" if now > due + EPS else "open")
