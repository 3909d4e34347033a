"""What one team knows: which nodes it knows (or suspects) the attacker holds, since when and how it
learned; the techniques and accounts it has identified or suspects; its investigations.

A team learns only through ``learned`` events — a sensor alert, users' report, an inject, a
finding of its own investigation, or one shared by another team — and stops holding a node for
compromised when work on it (a reimage, a restore) is done. Everything else in the log is ground
truth the team does not have. The engine feeds the same fold as it runs (its simulated teams act
on it), so a view, a replay and the engine never disagree. Events in, knowledge out: no engine
state, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .engine import events as ev
from .engine.events import Event

CONFIRMED = "confirmed"
SUSPECTED = "suspected"
# how a team can learn something
HOWS = ("sensor", "users", "inject", "investigation", "shared")


@dataclass(slots=True)
class NodeFact:
    """A node the team holds for compromised (or suspects)."""

    node: str
    certainty: str
    since: float  # when the team learned it
    how: str
    source: str = ""  # the inject, the investigation or the team it came from
    attacker_since: float | None = None  # when the attacker arrived, as the evidence dates it
    cleared: float | None = None  # when work on it (a reimage, a restore) ended: no longer held
    techniques: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """Whether the team holds the node for compromised now (confirmed, not cleaned since)."""
        return self.certainty == CONFIRMED and self.cleared is None


@dataclass(slots=True)
class Identified:
    """A technique or an account the team has identified (or suspects), and where it saw it."""

    name: str
    certainty: str
    since: float
    how: str
    nodes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TeamKnowledge:
    team: str
    nodes: dict[str, NodeFact] = field(default_factory=dict)  # in the order learned
    techniques: dict[str, Identified] = field(default_factory=dict)
    accounts: dict[str, Identified] = field(default_factory=dict)
    incident: float | None = None  # when the team first knew there was an incident
    investigations: list[Event] = field(default_factory=list)  # its own, with what they found

    def holds(self, node: str) -> bool:
        """Whether the team holds ``node`` for compromised now."""
        fact = self.nodes.get(node)
        return fact is not None and fact.held

    def suspects(self, node: str) -> bool:
        fact = self.nodes.get(node)
        return fact is not None and fact.cleared is None and fact.certainty == SUSPECTED

    def held_nodes(self) -> list[str]:
        return [n for n, fact in self.nodes.items() if fact.held]


def _identify(table: dict[str, Identified], name: str, e: Event, node: str) -> None:
    d = e.data
    certainty = str(d.get("certainty", CONFIRMED))
    known = table.get(name)
    if known is None:
        table[name] = known = Identified(name, certainty, e.t, str(d.get("how", "")))
    elif known.certainty == SUSPECTED and certainty == CONFIRMED:
        known.certainty, known.since, known.how = CONFIRMED, e.t, str(d.get("how", ""))
    if node and node not in known.nodes:
        known.nodes.append(node)


def _learn(k: TeamKnowledge, e: Event) -> None:
    d = e.data
    fact_kind = d.get("fact")
    if k.incident is None:
        k.incident = e.t
    node = e.target
    technique = str(d.get("technique") or "")
    account = str(d.get("account") or "")
    if fact_kind == "compromise" and node:
        certainty = str(d.get("certainty", CONFIRMED))
        fact = k.nodes.get(node)
        fresh = fact is None or fact.cleared is not None
        if fresh or (fact is not None and fact.certainty == SUSPECTED and certainty == CONFIRMED):
            attacker = d.get("attacker_since")
            k.nodes[node] = fact = NodeFact(
                node,
                certainty,
                e.t,
                str(d.get("how", "")),
                str(d.get("source", "")),
                None if attacker is None else float(attacker),
                techniques=list(fact.techniques) if fact is not None and not fresh else [],
            )
        assert fact is not None
        if technique and technique not in fact.techniques:
            fact.techniques.append(technique)
    if technique:
        _identify(k.techniques, technique, e, node)
    if account:
        _identify(k.accounts, account, e, node)


def _clear(k: TeamKnowledge, node: str, at: float) -> None:
    fact = k.nodes.get(node)
    if fact is not None and fact.cleared is None:
        fact.cleared = at


class TeamKnowledgeFold:
    """Every team's knowledge, folded event by event (the engine keeps one as it runs)."""

    def __init__(self, teams: Iterable[str]) -> None:
        self.teams: dict[str, TeamKnowledge] = {team: TeamKnowledge(team) for team in teams}

    def feed(self, e: Event) -> None:
        kind = e.kind
        if kind == ev.LEARNED:
            k = self.teams.get(e.actor)
            if k is not None:
                _learn(k, e)
        elif kind == ev.INVESTIGATED:
            k = self.teams.get(e.actor)
            if k is not None:
                k.investigations.append(e)
        elif (kind == ev.TASK_END and e.data.get("step") in ("reimage", "restore")) or kind == ev.RESTORED:
            # the city's own work is in everyone's ticket system: a machine reimaged is no longer held
            for k in self.teams.values():
                _clear(k, e.target, e.t)

    def __getitem__(self, team: str) -> TeamKnowledge:
        return self.teams[team]


def _teams_in(events: list[Event]) -> list[str]:
    start = next((e for e in events if e.kind == ev.DRILL_START), None)
    teams: Any = start.data.get("teams", {}) if start is not None else {}
    return list(teams)


def fold_team_knowledge(events: Iterable[Event], team: str) -> TeamKnowledge:
    """What ``team`` knows after ``events`` (a whole log, or its start up to some moment)."""
    fold = TeamKnowledgeFold([team])
    for e in events:
        fold.feed(e)
    return fold[team]


def team_knowledge_at(events: Iterable[Event], team: str, at: float) -> TeamKnowledge:
    """What ``team`` knew at drill minute ``at`` (every event up to and at that moment)."""
    return fold_team_knowledge((e for e in events if e.t <= at), team)


def all_team_knowledge(events: list[Event]) -> dict[str, TeamKnowledge]:
    """Every team's knowledge after ``events``, the teams as the drill's start lists them."""
    fold = TeamKnowledgeFold(_teams_in(events))
    for e in events:
        fold.feed(e)
    return fold.teams
