"""Warnings for a scenario that is valid but cannot do what it says.

The attacker's reach is over-estimated on purpose (every stage succeeds, a spread crosses any link
of its kinds through any node): a warning here means that even then the thing never happens, so
it is never a false alarm about luck. Found: injects waiting for a state no stage or inject can
bring about, spreading stages whose targets no link of theirs reaches, expected actions past the
drill's end or owed by a team with nobody in it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from ..diagnostics import Diagnostic, path_text
from ..i18n import t
from ..yamlio import Document
from .city import City
from .scenario import ScenarioSpec

# stage effects that leave a node unable to serve (engine/state.py DOWN_IMPACTS)
_TAKES_DOWN = {"encrypt", "wipe", "deny", "deface"}
_IMPACT_OF = {
    "encrypted": "encrypt",
    "wiped": "wipe",
    "defaced": "deface",
    "overloaded": "deny",
    "exfiltrating": "exfiltrate",
}
# actions of the players that leave a node unable to serve while they last
_PLAYERS_TAKE_DOWN = {"isolate", "offline", "reimage", "restore", "cut-link"}
# states only a node the attacker holds can be in
_HELD_STATES = {"compromised", "detected", "cleaned"}


class _Reach:
    """What the attacker and the injects can touch, at the most."""

    def __init__(self, spec: ScenarioSpec, city: City) -> None:
        self.city = city
        self.held: set[str] = set()  # nodes some stage can compromise
        self.impacts: dict[str, set[str]] = {}  # effect -> nodes it can reach
        self.offline: set[str] = set()  # nodes an inject can switch off
        self.unreached: list[tuple[int, int, Any]] = []  # spreading stages that land nowhere
        for ci, campaign in enumerate(spec.attacker.campaigns):
            owned: set[str] = set()
            for si, stage in enumerate(campaign.stages):
                targets = set(city.select(stage.targets)) if stage.targets is not None else None
                if stage.effect == "deny" and targets is not None:
                    hit = targets
                elif stage.over:
                    start = owned or (targets or set())
                    spread = self._spread(start, set(stage.over))
                    hit = spread & targets if targets is not None else spread
                    if targets is not None and owned and not hit:
                        self.unreached.append((ci, si, stage))
                elif stage.effect is not None and stage.after is not None:
                    hit = set(owned)
                else:
                    hit = targets or set()
                if stage.effect != "deny":
                    owned |= hit
                    self.held |= hit
                if stage.effect:
                    self.impacts.setdefault(stage.effect, set()).update(hit)
        # nodes the players are expected to take out of service (isolate, switch off, rebuild …):
        # a service that goes down by their hand is one the scenario foresees
        self.by_players: set[str] = set()
        for inject in spec.injects:
            for exp in inject.expects:
                if exp.action in _PLAYERS_TAKE_DOWN and exp.target is not None:
                    self.by_players |= set(city.select(exp.target))
        for inject in spec.injects:
            eff = inject.effect
            if eff is None:
                continue
            if eff.compromise is not None:
                self.held |= set(city.select(eff.compromise))
            if eff.offline is not None:
                self.offline |= set(city.select(eff.offline))
            if eff.deny is not None:
                self.impacts.setdefault("deny", set()).update(city.select(eff.deny.targets))

    def _spread(self, start: set[str], kinds: set[str]) -> set[str]:
        seen = set(start)
        todo = deque(sorted(start))
        graph = self.city.graph
        while todo:
            node = todo.popleft()
            if node not in graph:
                continue
            for other in sorted(graph.neighbors(node)):
                if other not in seen and graph.edges[node, other].get("kind") in kinds:
                    seen.add(other)
                    todo.append(other)
        return seen

    def downable(self) -> set[str]:
        """Nodes that some stage or inject can leave unable to serve."""
        out = self.offline | self.by_players
        for effect, nodes in self.impacts.items():
            if effect in _TAKES_DOWN:
                out |= nodes
        return out

    def needs(self, service: str, seen: set[str] | None = None) -> set[str]:
        """Every node ``service`` stands on: its own, the nodes it needs, those of the services it needs."""
        seen = set() if seen is None else seen
        if service in seen or service not in self.city.services:
            return set()
        seen.add(service)
        spec = self.city.services[service]
        out = set(self.city.service_nodes.get(service, ())) | set(spec.requires.nodes)
        for dep in spec.requires.services:
            out |= self.needs(dep, seen)
        return out


def scenario_warnings(doc: Document, spec: ScenarioSpec, city: City) -> list[Diagnostic]:
    """What a valid scenario says it does but cannot, each at its place in the file."""
    reach = _Reach(spec, city)
    out: list[Diagnostic] = []

    def warn(path: tuple[Any, ...], key: str, **values: Any) -> None:
        line, col = doc.where(path)
        out.append(
            Diagnostic(doc.file, line, col, path_text(path), t(f"feasibility.{key}", **values), "warning")
        )

    for ci, si, stage in reach.unreached:
        warn(
            ("attacker", "campaigns", ci, "stages", si, "targets"),
            "stage_unreached",
            stage=stage.id,
            over=", ".join(stage.over),
        )
    downable = reach.downable()
    gear_down = any(city.is_transit(n) for n in downable)
    ends = spec.duration
    for i, inject in enumerate(spec.injects):
        base = ("injects", i)
        if inject.at is not None and inject.at >= ends:
            warn((*base, "at"), "inject_after_end", inject=inject.id)
        cond = inject.when
        if cond is not None:
            _condition(warn, (*base, "when"), inject.id, cond, reach, downable, gear_down, city)
        for k, exp in enumerate(inject.expects):
            team = exp.by
            if team and team in spec.teams and not _can_act(spec, team):
                warn((*base, "expects", k, "by"), "nobody_in_team", inject=inject.id, team=team)
    return out


def _condition(
    warn: Any,
    base: tuple[Any, ...],
    inject: str,
    cond: Any,
    reach: _Reach,
    downable: set[str],
    gear_down: bool,
    city: City,
) -> None:
    if cond.service_down is not None:
        sid = cond.service_down.service
        stands_on = reach.needs(sid)
        internet = city.services[sid].from_internet and gear_down
        if not (stands_on & downable) and not internet:
            nodes = ", ".join(sorted(stands_on)) or "—"
            warn(
                (*base, "service_down", "service"),
                "service_never_down",
                inject=inject,
                service=sid,
                nodes=nodes,
            )
    if cond.node is not None:
        state = cond.node.state
        targets = set(city.select(cond.node.targets))
        if state in _IMPACT_OF:
            reached = targets & reach.impacts.get(_IMPACT_OF[state], set())
        elif state in _HELD_STATES:
            reached = targets & reach.held
        elif state == "offline":
            reached = targets & reach.offline
        else:
            reached = targets  # isolated, restored …: the players' own doing
        if not reached:
            warn((*base, "node", "targets"), "node_never_in_state", inject=inject, state=state)
    hc = cond.hosts_compromised
    if hc is not None:
        pool = {n for n in reach.held if hc.site is None or city.nodes[n].site == hc.site}
        hosts = sum(city.nodes[n].hosts for n in pool)
        if hosts < hc.at_least:
            warn(
                (*base, "hosts_compromised"), "hosts_never", inject=inject, at_least=hc.at_least, hosts=hosts
            )


def _can_act(spec: ScenarioSpec, team: str) -> bool:
    """A team can act if it has people, is on call, or an inject brings it people."""
    t_ = spec.teams[team]
    if t_.staff > 0 or t_.on_call is not None:
        return True
    return any(
        i.effect is not None
        and i.effect.staff is not None
        and i.effect.staff.team == team
        and i.effect.staff.change > 0
        for i in spec.injects
    )
