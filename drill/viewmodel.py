"""What the drill's screens show, folded from its events.

No Textual here: the live drill, the players' screen and the replay all read one model, and tests
check it without a terminal. The figures themselves (times to detect, contain, recover …) come from
``drill.metrics.Metrics``, which the model feeds; the model adds what a screen needs around them —
each node's state, each body's worst state, the MSEL's progress, the feed's entries and what the
players may see. ``Timeline`` rebuilds the model at any moment of a recorded drill, fast.
"""

from __future__ import annotations

import bisect
import copy
import gc
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .engine import events as ev
from .engine.events import Event
from .engine.services import with_reason
from .engine.state import NodeState, new_nodes
from .i18n import get_language, pick, t
from .metrics import Metrics, Snapshot
from .model.durations import format_duration, format_offset
from .model.load import Scenario
from .nodefold import fold_node, is_node_offline

# A node's label (NodeState.label) from the worst to the best; a body shows its worst node.
STATE_ORDER: tuple[str, ...] = (
    "wiped",
    "encrypted",
    "defaced",
    "exfiltrating",
    "overloaded",
    "privileged",
    "foothold",
    "isolated",
    "offline",
    "cleaned",
    "restored",
    "clean",
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
    "isolated": "■",
    "offline": "○",
    "cleaned": "✓",
    "restored": "✓",
    "clean": "·",
}

SEVERITIES: tuple[str, ...] = ("info", "notice", "warning", "critical")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

# The feed's filter groups the kinds of event the way a facilitator thinks of them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "attack": (ev.STAGE_START, ev.COMPROMISE, ev.EFFECT, ev.EFFECT_END),
    "detection": (ev.DETECTION, ev.ALERT),
    "response": (
        ev.TASK_START,
        ev.TASK_END,
        ev.ISOLATE,
        ev.RECONNECT,
        ev.LINK_CUT,
        ev.LINK_RESTORED,
        ev.CLEANED,
        ev.RESTORED,
        ev.PATCHED,
        ev.ESCALATION,
        ev.TEAM_ARRIVED,
        ev.STAFF_CHANGE,
        ev.REPORT,
    ),
    "service": (
        ev.SERVICE_DOWN,
        ev.SERVICE_REASON,
        ev.SERVICE_UP,
        ev.SITE_DISCONNECTED,
        ev.SITE_CONNECTED,
        ev.OFFLINE,
        ev.ONLINE,
        ev.BACKUP_LOST,
    ),
    "msel": (ev.INJECT, ev.INJECT_SKIPPED, ev.INJECT_DELAYED, ev.EXPECTATION),
    "decision": (ev.COMMAND, ev.COMMAND_REFUSED),
    "note": (ev.NOTE,),
    "drill": (ev.DRILL_START, ev.DRILL_END),
}
CATEGORY_OF = {kind: cat for cat, kinds in CATEGORIES.items() for kind in kinds}

# What the timeline bar marks and the replay jumps between.
MARK_KINDS: dict[str, tuple[str, ...]] = {
    "inject": (ev.INJECT,),
    "detection": (ev.DETECTION,),
    "decision": (ev.COMMAND,),
    "note": (ev.NOTE,),
}

# Kinds the players never see: the attacker's moves, the evaluators' scoring, the controllers' work.
_HIDDEN_FROM_PLAYERS = frozenset(
    {
        ev.STAGE_START,
        ev.COMPROMISE,
        ev.EFFECT,
        ev.EFFECT_END,
        ev.EXPECTATION,
        ev.INJECT_SKIPPED,
        ev.INJECT_DELAYED,
        ev.NOTE,
        ev.COMMAND_REFUSED,
        ev.BACKUP_LOST,
    }
)

RECENT_PER_BODY = 12


def severity(event: Event) -> str:
    """How loud an event is in the feed: info, notice, warning or critical."""
    kind, data = event.kind, event.data
    if kind in (ev.SERVICE_DOWN, ev.SITE_DISCONNECTED, ev.BACKUP_LOST):
        return "critical"
    if kind == ev.SERVICE_REASON:
        return "warning"
    if kind == ev.EFFECT:
        return "warning" if data.get("effect") in ("exfiltrate", "privilege") else "critical"
    if kind == ev.EXPECTATION:
        status = data.get("status")
        return {"missed": "critical", "overdue": "warning", "late": "warning", "met": "notice"}.get(
            str(status), "info"
        )
    if kind in (ev.COMPROMISE, ev.DETECTION, ev.COMMAND_REFUSED, ev.STAGE_START):
        return "warning"
    if kind in (
        ev.INJECT,
        ev.ISOLATE,
        ev.RECONNECT,
        ev.CLEANED,
        ev.RESTORED,
        ev.PATCHED,
        ev.SERVICE_UP,
        ev.SITE_CONNECTED,
        ev.COMMAND,
        ev.ESCALATION,
        ev.TEAM_ARRIVED,
        ev.LINK_CUT,
        ev.LINK_RESTORED,
        ev.NOTE,
    ):
        return "notice"
    return "info"


def category(event: Event) -> str:
    return CATEGORY_OF.get(event.kind, "drill")


def command_source(record: dict[str, Any]) -> str:
    """Who entered a logged command (the log leaves out the default, "player")."""
    return str(record.get("source", "player"))


def visible_to_players(event: Event) -> bool:
    """Whether the players' screen may show this event."""
    kind, data = event.kind, event.data
    if kind in _HIDDEN_FROM_PLAYERS:
        return False
    if kind == ev.INJECT:
        return not data.get("hidden", False)
    if kind == ev.COMMAND:
        return command_source(data.get("command", {})) == "player"
    if kind == ev.OFFLINE and event.actor == "white-cell":
        return True  # a machine that goes down is noticed
    return True


def short_name(name: str) -> str:
    """A body's name for a small tile: without the words every body of its kind shares."""
    for prefix in ("Department of ", "Office of the ", "Sở ", "Quận ", "Huyện ", "Thị xã ", "Ban "):
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            name = name[len(prefix) :]
            break
    for suffix in (" District", " Town", " Committee"):
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            name = name[: -len(suffix)]
            break
    return name


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


def drill_datetime(scenario: Scenario, minutes: float) -> datetime:
    """The drill's calendar clock at ``minutes`` after T+0 (in the scenario's own time zone)."""
    return scenario.spec.start + timedelta(minutes=minutes)


# ---------------------------------------------------------------- the MSEL as shown


@dataclass
class ExpectView:
    inject: str
    index: int
    action: str
    by: str
    detail: str  # what, where or to whom, as written in the scenario
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


def _expect_detail(exp: Any) -> str:
    parts = []
    if getattr(exp, "target", None) is not None:
        parts.append(exp.target.describe())
    if getattr(exp, "service", None):
        parts.append(f"service={exp.service}")
    if getattr(exp, "to", None):
        parts.append(f"→ {exp.to}")
    return " ".join(parts)


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
        self.events: list[Event] = []
        self.now = 0.0
        self.started = False
        self.finished = False
        self.cut_links: dict[str, bool] = {}
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
                view.expects.append(ExpectView(inject.id, i, exp.action, exp.by or "", _expect_detail(exp)))
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
        if fold_node(self.nodes, self.city, e):
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
            self.cut_links[e.target] = True
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
                    f"→ {deadline.to}" if deadline is not None and deadline.to else "",
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
        """A node's state in one word; on the players' screen, an undetected compromise is not shown."""
        state = self.nodes[node]
        if public and state.status == "compromised" and not state.detected:
            if state.isolated:
                return "isolated"
            if state.overloaded:
                return "overloaded"
            if state.offline:
                return "offline"
            return "clean"
        return state.label

    def body_worst(self, site: str, public: bool = False) -> str:
        worst = "clean"
        for node in self.city.nodes_by_site.get(site, ()):
            label = self.node_label(node, public)
            if STATE_RANK.get(label, 99) < STATE_RANK[worst]:
                worst = label
        return worst

    def body_share(self, site: str, public: bool = False) -> float:
        """The share of a body's hosts compromised now (counted by the metrics)."""
        total = self.site_hosts.get(site, 0)
        if not total:
            return 0.0
        if public:
            infected = sum(
                self.nodes[n].infected
                for n in self.city.nodes_by_site.get(site, ())
                if self.nodes[n].status == "compromised" and self.nodes[n].detected
            )
        else:
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


# ---------------------------------------------------------------- seeking in a recorded drill


@dataclass(frozen=True)
class Mark:
    """A moment the timeline bar shows: an inject, a detection, a decision or a note."""

    t: float
    index: int  # events[:index + 1] includes it
    kind: str


class Timeline:
    """A recorded drill's model at any moment: checkpoints every ``every`` events, and a short
    fold from the nearest one."""

    def __init__(self, scenario: Scenario, events: list[Event], every: int = 2000) -> None:
        self.scenario = scenario
        self.events = events
        self.times = [e.t for e in events]
        self.every = max(1, every)
        vm = ViewModel(scenario)
        self._checkpoints: list[ViewModel] = [vm.checkpoint()]
        for i, e in enumerate(events):
            vm.feed(e)
            if (i + 1) % self.every == 0:
                self._checkpoints.append(vm.checkpoint())
        self.final = vm
        kinds = {k: name for name, ks in MARK_KINDS.items() for k in ks}
        self.marks = [Mark(e.t, i, kinds[e.kind]) for i, e in enumerate(events) if e.kind in kinds]
        # the events and checkpoints live as long as the timeline and never change: keep the
        # collector from walking them again (a full pass in a busy process paused a seek 0.25 s)
        gc.freeze()

    @property
    def end(self) -> float:
        return self.times[-1] if self.times else 0.0

    def __len__(self) -> int:
        return len(self.events)

    def at_index(self, count: int) -> ViewModel:
        """The model after the first ``count`` events."""
        count = max(0, min(count, len(self.events)))
        base = self._checkpoints[count // self.every]
        vm = base.restore(self.events, self.final.metrics.series)
        for e in self.events[len(vm.events) : count]:
            vm.feed(e)
        return vm

    def index_at(self, t: float) -> int:
        """How many events the live drill had shown when its clock read ``t``: those due before
        ``t`` (``Simulation.run_until(t)`` stops before the events due at ``t``)."""
        return bisect.bisect_left(self.times, t)

    def at(self, t: float) -> ViewModel:
        vm = self.at_index(self.index_at(t))
        vm.now = max(vm.now, t)
        return vm

    def next_mark(self, count: int, kind: str | None, forward: bool = True) -> Mark | None:
        """The first mark (of ``kind``, or any) after the first ``count`` events, or the last before."""
        marks = [m for m in self.marks if kind is None or m.kind == kind]
        if forward:
            return next((m for m in marks if m.index >= count), None)
        return next((m for m in reversed(marks) if m.index < count - 1), None)


# ---------------------------------------------------------------- text


def clock_text(scenario: Scenario, minutes: float, lang: str | None = None) -> str:
    """``T+01:05 · Wed 04 Mar 2015 09:05``: the drill clock and the simulated date and time."""
    when = drill_datetime(scenario, minutes)
    return t("tui.clock", lang or get_language(), offset=format_offset(minutes), date=when)


def name_of(scenario: Scenario, what: str, key: str, lang: str | None = None) -> str:
    """A site, service or team's name in the current language, or its id."""
    city = scenario.city
    if what == "site" and key in city.sites:
        return pick(city.sites[key].name.model_dump(), lang)
    if what == "service" and key in city.services:
        return pick(city.services[key].name.model_dump(), lang)
    if what == "team" and key in scenario.spec.teams:
        return pick(scenario.spec.teams[key].name.model_dump(), lang)
    return key


def _selector_text(sel: Any) -> str:
    if not isinstance(sel, dict):
        return str(sel or "")
    parts = []
    for name in ("node", "site", "kind", "zone", "tag", "match", "group"):
        values = sel.get(name)
        if values:
            values = [values] if isinstance(values, str) else values
            parts.append(",".join(values) if name == "node" else f"{name}={','.join(values)}")
    return " ".join(parts)


def command_text(record: dict[str, Any], lang: str | None = None) -> str:
    """A logged command as one line: ``isolate hoan-kiem-ws``, ``escalate → national-cert`` …"""
    lang = lang or get_language()
    parts = [t(f"tui.act_{record.get('action', '').replace('-', '_')}", lang)]
    if record.get("target"):
        parts.append(_selector_text(record["target"]))
    for key in ("service", "inject", "stage"):
        if record.get(key):
            parts.append(str(record[key]))
    if "expectation" in record:
        parts.append(f"#{record['expectation'] + 1}")
    if record.get("to"):
        parts.append(f"→ {record['to']}")
    if record.get("delay") is not None:
        parts.append(f"+{format_duration(float(record['delay']))}")
    if record.get("lasts") is not None:
        parts.append(format_duration(float(record["lasts"])))
    if record.get("text"):
        parts.append(f"“{pick(record['text'], lang)}”")
    return " ".join(p for p in parts if p)


def describe(event: Event, scenario: Scenario, lang: str | None = None) -> str:
    """One line of the event feed, in ``lang``."""
    lang = lang or get_language()
    e, d = event, event.data

    def team(x: str) -> str:
        if x in ("player", "facilitator", "red-team", "script"):
            return t(f"tui.by_{x.replace('-', '_')}", lang)
        return name_of(scenario, "team", x, lang) if x in scenario.spec.teams else x

    def site(x: str) -> str:
        return name_of(scenario, "site", x, lang)

    kind = e.kind
    if kind == ev.DRILL_START:
        return t("tui.ev_drill_start", lang, seed=d.get("seed", ""))
    if kind == ev.DRILL_END:
        return t("tui.ev_drill_end", lang)
    if kind == ev.STAGE_START:
        return t("tui.ev_stage_start", lang, stage=e.target, technique=d.get("technique", ""))
    if kind == ev.COMPROMISE:
        return t(
            "tui.ev_compromise", lang, node=e.target, hosts=d.get("hosts", 0), infected=d.get("infected", 0)
        )
    if kind == ev.EFFECT:
        effect = str(d.get("effect", ""))
        return t(
            f"tui.ev_effect_{effect}" if effect in _EFFECTS else "tui.ev_effect_privilege",
            lang,
            node=e.target,
            hosts=d.get("hosts", 0),
            rate=d.get("rate_gb_per_hour", 0),
            lasts=format_duration(float(d.get("lasts", 0) or 0)),
        )
    if kind == ev.EFFECT_END:
        return t("tui.ev_effect_end", lang, node=e.target)
    if kind == ev.DETECTION:
        how = str(d.get("how", "sensor"))
        return t("tui.ev_detection", lang, team=team(e.actor), node=e.target, how=t(f"tui.how_{how}", lang))
    if kind == ev.ALERT:
        return t("tui.ev_alert", lang, team=team(e.actor), node=e.target, queued=d.get("queued", 0))
    if kind == ev.TASK_START:
        return t(
            "tui.ev_task_start",
            lang,
            team=team(e.actor),
            step=t(f"tui.step_{d.get('step', 'triage').replace('-', '_')}", lang),
            node=e.target,
            takes=format_duration(float(d.get("takes", 0) or 0)),
        )
    if kind == ev.TASK_END:
        return t(
            "tui.ev_task_end",
            lang,
            team=team(e.actor),
            step=t(f"tui.step_{d.get('step', 'triage').replace('-', '_')}", lang),
            node=e.target,
        )
    if kind in (ev.ISOLATE, ev.RECONNECT, ev.CLEANED):
        return t(f"tui.ev_{kind}", lang, node=e.target, by=team(e.actor))
    if kind == ev.PATCHED:
        key = "tui.ev_patched_held" if d.get("compromised") else "tui.ev_patched"
        return t(key, lang, node=e.target, by=team(e.actor))
    if kind == ev.RESTORED:
        key = "tui.ev_restored" if d.get("from_backup") else "tui.ev_rebuilt"
        return t(key, lang, node=e.target, by=team(e.actor))
    if kind in (ev.LINK_CUT, ev.LINK_RESTORED):
        return t(f"tui.ev_{kind}", lang, a=d.get("a", ""), b=d.get("b", ""), by=team(e.actor))
    if kind == ev.BACKUP_LOST:
        return t("tui.ev_backup_lost", lang, node=e.target)
    if kind in (ev.OFFLINE, ev.ONLINE):
        what = (
            name_of(scenario, "service", e.target, lang) if e.target in scenario.city.services else e.target
        )
        return t(f"tui.ev_{kind}", lang, what=what, by=team(e.actor))
    if kind in (ev.SERVICE_DOWN, ev.SERVICE_REASON):
        return with_reason(
            t(f"tui.ev_{kind}", lang, service=name_of(scenario, "service", e.target, lang)),
            d.get("reason"),
            lang,
            service=lambda sid: name_of(scenario, "service", sid, lang),
        )
    if kind == ev.SERVICE_UP:
        return t(
            "tui.ev_service_up",
            lang,
            service=name_of(scenario, "service", e.target, lang),
            down=format_duration(float(d.get("down_for", 0) or 0)),
        )
    if kind in (ev.SITE_DISCONNECTED, ev.SITE_CONNECTED):
        return t(f"tui.ev_{kind}", lang, site=site(e.target))
    if kind == ev.INJECT:
        if not e.target:
            return t("tui.ev_free_inject", lang, text=pick(d.get("text"), lang))
        title = pick(d.get("title"), lang) or first_words(pick(d.get("text"), lang)) or e.target
        return t(
            "tui.ev_inject",
            lang,
            id=e.target,
            title=title,
            channel=t(f"tui.channel_{d.get('channel')}", lang),
        )
    if kind == ev.INJECT_SKIPPED:
        return t("tui.ev_inject_skipped", lang, id=e.target)
    if kind == ev.INJECT_DELAYED:
        due = d.get("due")
        return t(
            "tui.ev_inject_delayed",
            lang,
            id=e.target,
            by=format_duration(float(d.get("by", 0) or 0)),
            due=format_offset(float(due)) if due is not None else "—",
        )
    if kind == ev.EXPECTATION:
        status = str(d.get("status", "open"))
        return t(
            f"tui.ev_expect_{status}",
            lang,
            action=t(f"tui.act_{str(d.get('action', '')).replace('-', '_')}", lang),
            team=team(e.actor) if e.actor else "—",
            inject=e.target,
            due=format_offset(float(d.get("due", 0) or 0)),
        )
    if kind == ev.COMMAND:
        record = d.get("command", {})
        source = command_source(record)
        return t(f"tui.ev_command_{source.replace('-', '_')}", lang, command=command_text(record, lang))
    if kind == ev.COMMAND_REFUSED:
        return t(
            "tui.ev_refused",
            lang,
            command=command_text(d.get("command", {}), lang),
            reason=pick(d.get("reason", ""), lang),
        )
    if kind == ev.NOTE:
        return t("tui.ev_note", lang, text=pick(d.get("text"), lang))
    if kind == ev.ESCALATION:
        return t(
            "tui.ev_escalation",
            lang,
            by=team(e.actor),
            to=team(e.target),
            arrives=format_duration(float(d.get("arrives_in", 0) or 0)),
        )
    if kind == ev.TEAM_ARRIVED:
        return t("tui.ev_team_arrived", lang, team=team(e.actor), staff=d.get("staff", 0))
    if kind == ev.STAFF_CHANGE:
        return t(
            "tui.ev_staff_change",
            lang,
            team=team(e.actor),
            staff=d.get("staff", 0),
            change=d.get("change", 0),
        )
    if kind == ev.REPORT:
        to = str(d.get("to") or e.target or "")
        if d.get("public"):
            return t("tui.ev_communicate", lang, by=team(e.actor), text=pick(d.get("text"), lang))
        if d.get("auto"):
            return t("tui.ev_report_auto", lang, by=team(e.actor))
        return t(
            "tui.ev_report", lang, by=team(e.actor), to=team(to) if to in scenario.spec.teams else site(to)
        )
    return f"{kind} {e.actor} {e.target}".strip()


_EFFECTS = ("encrypt", "deface", "exfiltrate", "deny", "wipe", "privilege")


def first_words(text: str, cells: int = 60) -> str:
    """The start of a message, for a line that has no room for all of it."""
    text = " ".join(text.split())
    return text if len(text) <= cells else text[: cells - 1].rsplit(" ", 1)[0] + "…"
