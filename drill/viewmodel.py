"""What the drill's screens show, folded from its events: the view state.

No Textual here: the live drill, the players' screen and the replay all read one model, and tests
check it without a terminal. The figures themselves (times to detect, contain, recover …) come from
``drill.metrics.Metrics``, which the model feeds; what the players know comes from
``drill.knowledge``, which it feeds too; the model adds what a screen needs around them — each
node's state, each body's worst state, the MSEL's progress, the feed's entries. The words for
events are in ``drill.narration``; ``drill.timeline`` rebuilds the model at any moment of a
recorded drill, fast.
"""

from __future__ import annotations

import bisect
import copy
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .engine import events as ev
from .engine.events import Event
from .engine.state import NodeState, new_nodes
from .knowledge import NO_ALERT, PlayersKnowledge, players_see
from .metrics import Metrics, Snapshot
from .model.load import Scenario
from .narration import (  # noqa: F401 - the names screens and tests take from here
    CATEGORIES,
    SEVERITIES,
    SEVERITY_RANK,
    category,
    clock_text,
    command_text,
    describe,
    first_words,
    severity,
    short_name,
)
from .nodefold import fold_node, is_node_offline
from .team_knowledge import TeamKnowledgeFold

# A node's label (NodeState.label) from the worst to the best; a body shows its worst node.
STATE_ORDER: tuple[str, ...] = (
    "wiped",
    "encrypted",
    "defaced",
    "exfiltrating",
    "overloaded",
    "privileged",
    "foothold",
    "suspected",  # a team's lead (the facilitator's lens on a team's knowledge)
    "isolated",
    "offline",
    "cleaned",
    "restored",
    "clean",
    NO_ALERT,  # the players' word for a node nobody has seen anything on
)
STATE_RANK = {label: i for i, label in enumerate(STATE_ORDER)}
COMPROMISED_STATES = frozenset({"wiped", "encrypted", "defaced", "exfiltrating", "privileged", "foothold"})
# the glyph beside a state, so a state reads without colour too
STATE_GLYPH = {
    "wiped": "✖",
    "encrypted": "✖",
    "defaced": "✖",
    "exfiltrating": "▲",
    "overloaded": "≈",
    "privileged": "●",
    "foothold": "●",
    "suspected": "?",
    "isolated": "■",
    "offline": "○",
    "cleaned": "✓",
    "restored": "✓",
    "clean": "·",
    NO_ALERT: "·",
}

RECENT_PER_BODY = 12


def visible_to_players(event: Event) -> bool:
    """Whether the players' screen may show this event (what the players know decides)."""
    return players_see(event)


def sample_series(points: Sequence[tuple[float, float]], end: float, count: int) -> list[float]:
    """A step series (time, value) read at ``count`` evenly spaced times from 0 to ``end``."""
    if count <= 0:
        return []
    if not points:
        return [0.0] * count
    times = [p[0] for p in points]
    out = []
    span = max(end, 1e-9)
    for i in range(count):
        at = span * (i + 1) / count
        k = bisect.bisect_right(times, at) - 1
        out.append(points[k][1] if k >= 0 else 0.0)
    return out


# ---------------------------------------------------------------- the MSEL as shown


@dataclass
class ExpectView:
    inject: str
    index: int
    action: str
    by: str
    spec: dict[str, Any]  # what, where or to whom (target, service, to), as the scenario says
    due: float | None = None
    status: str = "waiting"  # waiting (inject not delivered), open, overdue, met, late, missed


@dataclass
class InjectView:
    id: str
    title: dict[str, str] | str
    text: dict[str, str] | str
    sender: dict[str, str] | str
    to: tuple[str, ...]
    channel: str
    hidden: bool
    trigger: str  # at, when, contingency, free, deadlines
    at: float | None = None  # when it is due (with delays)
    status: str = "upcoming"  # upcoming, pending, held, delivered, skipped
    delivered_at: float | None = None
    why: str = ""
    expects: list[ExpectView] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.status in ("delivered", "skipped")


def _expect_spec(exp: Any) -> dict[str, Any]:
    """What an expected action names, for narration.expect_detail to word in either language."""
    target = getattr(exp, "target", None)
    return {
        "target": target.model_dump(exclude_defaults=True) if target is not None else None,
        "service": getattr(exp, "service", None),
        "to": getattr(exp, "to", None),
    }


# ---------------------------------------------------------------- the model


class ViewModel:
    """The state of one drill as its screens show it, after the events fed so far."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        city = scenario.city
        self.city = city
        self.nodes: dict[str, NodeState] = new_nodes(city)
        self.node_site = {nid: n.site for nid, n in city.nodes.items()}
        self.site_hosts = {
            s: sum(city.nodes[n].hosts for n in nodes) for s, nodes in city.nodes_by_site.items()
        }
        self.metrics = Metrics(scenario)
        self.knowledge = PlayersKnowledge(city)
        # every team's knowledge; ``lens``: the team whose knowledge the facilitator's map shows
        # ("" — the truth)
        self.teams = TeamKnowledgeFold(scenario.spec.teams)
        self.lens = ""
        self.events: list[Event] = []
        self.now = 0.0
        self.started = False
        self.finished = False
        self.cut_links: dict[str, tuple[str, str]] = {}  # link id → its two ends
        self.services_down: dict[str, float] = {}
        self.forced_offline: dict[str, bool] = {}
        self.disconnected: dict[str, float] = {}
        self.recent: dict[str, deque[int]] = {s: deque(maxlen=RECENT_PER_BODY) for s in city.sites}
        self.stages_started: list[str] = []
        self.msel: dict[str, InjectView] = {}
        for inject in scenario.spec.injects:
            trigger = (
                "at" if inject.at is not None else ("when" if inject.when is not None else "contingency")
            )
            view = InjectView(
                id=inject.id,
                title=_bilingual(inject.title),
                text=_bilingual(inject.text),
                sender=_bilingual(inject.from_),
                to=tuple(inject.to),
                channel=inject.channel,
                hidden=inject.hidden,
                trigger=trigger,
                at=inject.at,
                status={"at": "upcoming", "when": "pending", "contingency": "held"}[trigger],
            )
            for i, exp in enumerate(inject.expects):
                view.expects.append(ExpectView(inject.id, i, exp.action, exp.by or "", _expect_spec(exp)))
            self.msel[inject.id] = view
        # what changed since the screens last looked (sorted when read)
        self.dirty_sites: set[str] = set(city.sites)
        self.site_version: dict[str, int] = {s: 0 for s in city.sites}
        self.msel_version = 0
        self.version = 0

    # ------------------------------------------------------------ folding
    def feed_all(self, events: Iterable[Event]) -> ViewModel:
        for event in events:
            self.feed(event)
        return self

    def feed(self, e: Event) -> None:
        self.metrics.feed(e)
        index = len(self.events)
        self.events.append(e)
        self.now = e.t
        self.version += 1
        changed = fold_node(self.nodes, self.city, e)
        self.teams.feed(e)
        if self.knowledge.feed(e) or changed or e.kind == ev.LEARNED:
            self._touch(e.target)
        handler = _FOLD.get(e.kind)
        if handler is not None:
            handler(self, e)
        site = self.site_of(e)
        if site and site in self.recent:
            self.recent[site].append(index)
            self.dirty_sites.add(site)
            self.site_version[site] += 1

    def site_of(self, e: Event) -> str:
        """The body an event is about, or "" when it is about the whole drill."""
        site = e.data.get("site")
        if isinstance(site, str):
            return site
        target = e.target
        if target in self.node_site:
            return self.node_site[target]
        if e.kind in (ev.SITE_DISCONNECTED, ev.SITE_CONNECTED):
            return target
        if e.kind in (ev.LINK_CUT, ev.LINK_RESTORED):
            return self.node_site.get(str(e.data.get("a", "")), "")
        if e.kind in (ev.COMMAND, ev.COMMAND_REFUSED):
            sel = e.data.get("command", {}).get("target")
            if isinstance(sel, dict):
                nodes = sel.get("node") or ()
                sites = sel.get("site") or ()
                if isinstance(nodes, str):
                    nodes = (nodes,)
                if isinstance(sites, str):
                    sites = (sites,)
                if sites and sites[0] in self.recent:
                    return str(sites[0])
                if nodes and nodes[0] in self.node_site:
                    return self.node_site[nodes[0]]
        return ""

    def _touch(self, node: str) -> None:
        site = self.node_site.get(node)
        if site:
            self.dirty_sites.add(site)
            self.site_version[site] += 1

    def _start(self, e: Event) -> None:
        self.started = True

    def _end(self, e: Event) -> None:
        self.finished = True
        self.msel_version += 1

    def _stage(self, e: Event) -> None:
        self.stages_started.append(e.target)

    def _offline(self, e: Event) -> None:
        # a service taken offline by a decision, or back (a node switched off is a node's state)
        if e.target in self.city.services and not is_node_offline(self.city, e):
            if e.kind == ev.OFFLINE:
                self.forced_offline[e.target] = True
            else:
                self.forced_offline.pop(e.target, None)

    def _link(self, e: Event) -> None:
        if e.kind == ev.LINK_CUT:
            self.cut_links[e.target] = (str(e.data.get("a", "")), str(e.data.get("b", "")))
        else:
            self.cut_links.pop(e.target, None)
        for end in ("a", "b"):
            self._touch(str(e.data.get(end, "")))

    def _service(self, e: Event) -> None:
        if e.kind == ev.SERVICE_DOWN:
            self.services_down[e.target] = e.t
        else:
            self.services_down.pop(e.target, None)
        for node in self.city.service_nodes.get(e.target, ()):
            self._touch(node)

    def _site(self, e: Event) -> None:
        if e.kind == ev.SITE_DISCONNECTED:
            self.disconnected[e.target] = e.t
        else:
            self.disconnected.pop(e.target, None)
        if e.target in self.site_version:
            self.dirty_sites.add(e.target)
            self.site_version[e.target] += 1

    def _inject(self, e: Event) -> None:
        self.msel_version += 1
        if e.target and e.target in self.msel:
            view = self.msel[e.target]
            view.status = "delivered"
            view.delivered_at = e.t
            view.why = str(e.data.get("why", ""))
            for exp in view.expects:
                exp.status = "open"
            return
        key = e.target or f"free-{e.seq}"
        self.msel[key] = InjectView(
            id=key,
            title=e.data.get("title") or "",
            text=e.data.get("text") or "",
            sender=e.data.get("sender") or "",
            to=tuple(e.data.get("to") or ()),
            channel=str(e.data.get("channel", "")),
            hidden=bool(e.data.get("hidden", False)),
            trigger="free",
            status="delivered",
            delivered_at=e.t,
            why="free",
        )

    def _skipped(self, e: Event) -> None:
        view = self.msel.get(e.target)
        if view is not None:
            view.status = "skipped"
            self.msel_version += 1

    def _delayed(self, e: Event) -> None:
        view = self.msel.get(e.target)
        if view is not None:
            due = e.data.get("due")
            view.at = float(due) if due is not None else view.at
            self.msel_version += 1

    def _expectation(self, e: Event) -> None:
        self.msel_version += 1
        inject, index = e.target, int(e.data.get("index", 0))
        view = self.msel.get(inject)
        if view is None and inject == "deadlines":
            view = InjectView(
                id="deadlines",
                title="",
                text="",
                sender="",
                to=(),
                channel="",
                hidden=False,
                trigger="deadlines",
                status="delivered",
                delivered_at=e.t,
            )
            self.msel["deadlines"] = view
        if view is None:
            return
        while len(view.expects) <= index:
            i = len(view.expects)
            deadline = self.scenario.spec.deadlines[i] if inject == "deadlines" else None
            view.expects.append(
                ExpectView(
                    inject,
                    i,
                    str(e.data.get("action", "")),
                    e.actor,
                    {"to": deadline.to} if deadline is not None and deadline.to else {},
                )
            )
        exp = view.expects[index]
        exp.status = str(e.data.get("status", exp.status))
        due = e.data.get("due")
        exp.due = float(due) if due is not None else exp.due

    # ------------------------------------------------------------ reading
    def take_dirty_sites(self) -> list[str]:
        out = sorted(self.dirty_sites)
        self.dirty_sites.clear()
        return out

    def node_label(self, node: str, public: bool = False) -> str:
        """A node's state in one word; on the players' screen, as the players know it; on the
        facilitator's through a team's lens, as that team knows it."""
        if public:
            return self.knowledge.label(node)
        if self.lens:
            return self.team_label(self.lens, node)
        return self.nodes[node].label

    def team_label(self, team: str, node: str) -> str:
        """A node as ``team`` knows it: isolated (anyone sees that), held for compromised, a
        suspicion, or nothing seen."""
        k = self.teams[team]
        if self.nodes[node].isolated:
            return "isolated"
        if k.holds(node):
            return "foothold"
        if k.suspects(node):
            return "suspected"
        return NO_ALERT

    def set_lens(self, team: str) -> None:
        """Show the truth ("") or ``team``'s knowledge on the facilitator's map."""
        self.lens = team if team in self.teams.teams else ""
        self.dirty_sites.update(self.city.sites)
        for site in self.site_version:
            self.site_version[site] += 1
        self.version += 1

    def body_worst(self, site: str, public: bool = False) -> str:
        worst = NO_ALERT if public or self.lens else "clean"
        for node in self.city.nodes_by_site.get(site, ()):
            label = self.node_label(node, public)
            if STATE_RANK.get(label, 99) < STATE_RANK[worst]:
                worst = label
        return worst

    def body_share(self, site: str, public: bool = False) -> float:
        """The share of a body's hosts compromised now (counted by the metrics); the players know
        which machines hold an attacker, not how many of their hosts: none for them."""
        total = self.site_hosts.get(site, 0)
        if not total or public or self.lens:
            return 0.0
        infected = sum(self.metrics.infected.get(n, 0) for n in self.city.nodes_by_site.get(site, ()))
        return infected / total

    def snapshot(self) -> Snapshot:
        return self.metrics.snapshot(self.now)

    def services_of(self, node: str) -> list[str]:
        return list(self.city.nodes[node].services)

    def recent_events(self, site: str, node: str | None = None, public: bool = False) -> list[Event]:
        out = [self.events[i] for i in self.recent.get(site, ())]
        if node:
            out = [e for e in out if e.target == node or e.data.get("a") == node or e.data.get("b") == node]
        if public:
            out = [e for e in out if visible_to_players(e)]
        return out

    def injects(self, status: str | None = None) -> list[InjectView]:
        """The MSEL as shown: upcoming by due time, then pending and held, then delivered in order."""
        views = [v for v in self.msel.values() if status is None or v.status == status]
        order = {"upcoming": 0, "pending": 1, "held": 2, "delivered": 3, "skipped": 4}
        return sorted(
            views,
            key=lambda v: (
                order.get(v.status, 9),
                v.delivered_at if v.status == "delivered" else (v.at if v.at is not None else 0.0),
            ),
        )

    def open_expectations(self) -> list[ExpectView]:
        return [e for v in self.injects("delivered") for e in v.expects if e.status in ("open", "overdue")]

    def next_inject_time(self) -> float | None:
        upcoming = [v.at for v in self.msel.values() if v.status == "upcoming" and v.at is not None]
        return min(upcoming) if upcoming else None

    # ------------------------------------------------------------ checkpoints
    def checkpoint(self) -> ViewModel:
        """A copy of everything but the append-only lists (events, metric series), which a restore
        takes as prefixes of the full ones: cheap to keep many of."""
        events, series = self.events, self.metrics.series
        self.events, self.metrics.series = [], {}
        try:
            clone = copy.deepcopy(self, _shared_memo(self))
        finally:
            self.events, self.metrics.series = events, series
        clone._lengths = (len(events), {k: len(v) for k, v in series.items()})  # type: ignore[attr-defined]
        return clone

    def restore(self, events: list[Event], series: dict[str, list[tuple[float, float]]]) -> ViewModel:
        """A live model from a checkpoint, given the full event list and series it was cut from."""
        vm = copy.deepcopy(self, _shared_memo(self))
        count, lengths = self._lengths  # type: ignore[attr-defined]
        vm.events = events[:count]
        vm.metrics.series = {k: list(v[: lengths.get(k, 0)]) for k, v in series.items()}
        del vm._lengths  # type: ignore[attr-defined]
        vm.dirty_sites = set(self.city.sites)
        return vm

    @classmethod
    def at(cls, scenario: Scenario, events: Sequence[Event], t: float) -> ViewModel:
        """The model at drill time ``t``: every event due before it (a full fold; Timeline is fast)."""
        vm = cls(scenario)
        for e in events:
            if e.t >= t:
                break
            vm.feed(e)
        vm.now = max(vm.now, t) if vm.events else t
        return vm


def _shared_memo(vm: ViewModel) -> dict[int, Any]:
    """Objects that never change while a drill runs, shared instead of copied."""
    shared: list[Any] = [
        vm.scenario,
        vm.city,
        vm.node_site,
        vm.site_hosts,
        vm.metrics.node_site,
        vm.metrics.data_gb,
        vm.metrics.users,
        vm.metrics.citizens,
    ]
    return {id(obj): obj for obj in shared}


def _bilingual(value: Any) -> dict[str, str] | str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return {"en": value.en, "vi": value.vi}


_FOLD = {
    ev.DRILL_START: ViewModel._start,
    ev.DRILL_END: ViewModel._end,
    ev.STAGE_START: ViewModel._stage,
    ev.OFFLINE: ViewModel._offline,
    ev.ONLINE: ViewModel._offline,
    ev.LINK_CUT: ViewModel._link,
    ev.LINK_RESTORED: ViewModel._link,
    ev.SERVICE_DOWN: ViewModel._service,
    ev.SERVICE_UP: ViewModel._service,
    ev.SITE_DISCONNECTED: ViewModel._site,
    ev.SITE_CONNECTED: ViewModel._site,
    ev.INJECT: ViewModel._inject,
    ev.INJECT_SKIPPED: ViewModel._skipped,
    ev.INJECT_DELAYED: ViewModel._delayed,
    ev.EXPECTATION: ViewModel._expectation,
}


def __getattr__(name: str) -> Any:
    """``Timeline`` and ``Mark`` live in ``drill.timeline``; older readers import them from here."""
    if name in ("Timeline", "Mark"):
        from . import timeline

        return getattr(timeline, name)
    raise AttributeError(name)
