"""Replaying a recorded drill: the state and the figures at any moment, the marks of a timeline,
verification against a re-run, and branching a new live drill from any moment.

No user interface here: the TUI's replay screen and ``drill report`` both read a drill through
``Replay``. Seeking is fast because the fold keeps a checkpoint every ``CHECKPOINT_EVERY`` events
and folds forwards from the nearest one.

The state "at T" is what the live drill showed when its clock read T: every event before T, as
after ``Simulation.run_until(T)`` (which runs the events due before T, not those due at T).
"""

from __future__ import annotations

import bisect
import copy
import gc
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .diagnostics import DrillError
from .engine import events as ev
from .engine.commands import PLAYER_ACTIONS
from .engine.events import Event
from .engine.state import NodeState, new_nodes
from .i18n import get_language, pick, t
from .log import LogData, check_names, read_log
from .metrics import Metrics, Snapshot
from .model.durations import format_offset
from .model.load import Scenario
from .nodefold import fold_node, is_node_offline
from .session import Session, first_difference, recorded_commands, resimulate, scenario_of

CHECKPOINT_EVERY = 1000
MARK_KINDS = ("inject", "detection", "decision", "note")
# the node fields a log carries; ``overloaded_until`` is a timer the engine extends silently (only
# the end of a flood is logged), so it is not part of the replayed state
NODE_FIELDS = (
    "hosts",
    "status",
    "impact",
    "infected",
    "detected",
    "isolated",
    "offline",
    "working",
    "patched",
    "backup_lost",
    "overloaded",
    "campaign",
    "compromised_at",
)


def node_fields(state: NodeState) -> tuple[Any, ...]:
    """The replayable part of a node's state, for comparing a replay with a simulation."""
    return tuple(getattr(state, name) for name in NODE_FIELDS)


# ---------------------------------------------------------------------------------------------- names
class Names:
    """Readable names (vi/en) of the scenario's and topology's ids, for the views and the report."""

    def __init__(self, scenario: Scenario, lang: str | None = None) -> None:
        self.scenario = scenario
        self.city = scenario.city
        self.lang = lang or get_language()

    def text(self, value: Any) -> str:
        """A logged or scenario text: a plain string, ``{en, vi}``, or a model with both."""
        if value is None:
            return ""
        if hasattr(value, "model_dump"):
            value = value.model_dump()
        return pick(value, self.lang)

    def node(self, nid: str) -> str:
        spec = self.city.nodes.get(nid)
        return self.text(spec.name) if spec is not None and spec.name else nid

    def site(self, sid: str) -> str:
        spec = self.city.sites.get(sid)
        return self.text(spec.name) if spec is not None else sid

    def service(self, sid: str) -> str:
        spec = self.city.services.get(sid)
        return self.text(spec.name) if spec is not None else sid

    def team(self, tid: str) -> str:
        spec = self.scenario.spec.teams.get(tid)
        return self.text(spec.name) if spec is not None else tid

    def whom(self, wid: str) -> str:
        """A team or a body (reports go to either)."""
        if wid in self.scenario.spec.teams:
            return self.team(wid)
        if wid in self.city.sites:
            return self.site(wid)
        return wid

    def inject(self, iid: str) -> str:
        """An inject's title, else the start of its text."""
        for inject in self.scenario.spec.injects:
            if inject.id == iid:
                return self.text(inject.title) if inject.title else _shorten(self.text(inject.text))
        return iid

    def stage(self, sid: str) -> str:
        for campaign in self.scenario.spec.attacker.campaigns:
            for stage in campaign.stages:
                if stage.id == sid:
                    return self.text(stage.name) if stage.name else sid
        return sid

    def action(self, action: str) -> str:
        return t(f"replay.action.{action}", self.lang)

    def selector(self, selector: Any) -> str:
        """A logged node selector (``{node: [...]}``, ``{site: [...]}`` …) in words."""
        if not isinstance(selector, dict):
            return str(selector or "")
        parts: list[str] = []
        for key, values in selector.items():
            values = [values] if isinstance(values, str) else list(values or ())
            if key == "node":
                parts += [self.node(v) for v in values]
            elif key == "site":
                parts += [self.site(v) for v in values]
            else:
                parts += [f"{key}={v}" for v in values]
        return ", ".join(parts)

    def command(self, record: dict[str, Any]) -> str:
        """A logged command in words: ``isolate Hoan Kiem workstations (Hoan Kiem IT staff)``."""
        action = str(record.get("action", ""))
        words = [self.action(action)]
        if record.get("target"):
            words.append(self.selector(record["target"]))
        if record.get("service"):
            words.append(self.service(str(record["service"])))
        if record.get("inject"):
            words.append(self.inject(str(record["inject"])))
        if record.get("stage"):
            words.append(self.stage(str(record["stage"])))
        if record.get("to"):
            words.append("→ " + self.whom(str(record["to"])))
        if record.get("text") and action in ("note", "free-inject", "communicate", "report", "notify"):
            words.append(f"“{self.text(record['text'])}”")
        out = " ".join(w for w in words if w)
        if record.get("by"):
            out += f" ({self.team(str(record['by']))})"
        return out


def clock(start: datetime, minutes: float, lang: str | None = None, date: bool = True) -> str:
    """The calendar time of a drill time, in the scenario's own time zone."""
    key = "replay.datetime_format" if date else "replay.time_format"
    return (start + timedelta(minutes=minutes)).strftime(t(key, lang))


def when(start: datetime, minutes: float, lang: str | None = None) -> str:
    """``T+02:05 (2015-03-04 10:05)``."""
    return f"{format_offset(minutes)} ({clock(start, minutes, lang)})"


# ---------------------------------------------------------------------------------------------- state
@dataclass
class Mark:
    """A point on the timeline bar."""

    t: float
    seq: int
    kind: str  # inject, detection, decision, note
    label: str


@dataclass
class World:
    """What the drill looked like at one moment, folded from its events."""

    nodes: dict[str, NodeState]
    services_down: dict[str, float] = field(default_factory=dict)  # service → down since
    services_offline: list[str] = field(default_factory=list)  # taken offline by a decision
    sites_disconnected: dict[str, float] = field(default_factory=dict)
    links_cut: dict[str, float] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)  # attacker stages started, and when
    injects: dict[str, float] = field(default_factory=dict)  # delivered, and when
    expectations: dict[tuple[str, int], str] = field(default_factory=dict)

    def copy(self) -> World:
        return World(
            {nid: copy.copy(state) for nid, state in self.nodes.items()},
            dict(self.services_down),
            list(self.services_offline),
            dict(self.sites_disconnected),
            dict(self.links_cut),
            dict(self.stages),
            dict(self.injects),
            dict(self.expectations),
        )


class WorldFold:
    """Folds events into a ``World``: the same node states the engine holds, from the log alone."""

    def __init__(self, scenario: Scenario) -> None:
        self.city = scenario.city
        self.world = World(new_nodes(self.city))

    def feed(self, e: Event) -> None:
        if fold_node(self.world.nodes, self.city, e):
            return
        handler = _WORLD.get(e.kind)
        if handler is not None:
            handler(self, e)

    def _offline(self, e: Event) -> None:
        # a service taken offline by a decision (a node switched off is a node's state)
        if not is_node_offline(self.city, e) and e.target not in self.world.services_offline:
            self.world.services_offline.append(e.target)

    def _online(self, e: Event) -> None:
        if e.target in self.world.services_offline:
            self.world.services_offline.remove(e.target)

    def _service(self, e: Event) -> None:
        if e.kind == ev.SERVICE_DOWN:
            self.world.services_down[e.target] = e.t
        else:
            self.world.services_down.pop(e.target, None)

    def _site(self, e: Event) -> None:
        if e.kind == ev.SITE_DISCONNECTED:
            self.world.sites_disconnected[e.target] = e.t
        else:
            self.world.sites_disconnected.pop(e.target, None)

    def _link(self, e: Event) -> None:
        if e.kind == ev.LINK_CUT:
            self.world.links_cut[e.target] = e.t
        else:
            self.world.links_cut.pop(e.target, None)

    def _stage(self, e: Event) -> None:
        self.world.stages.setdefault(e.target, e.t)

    def _inject(self, e: Event) -> None:
        if e.target:
            self.world.injects.setdefault(e.target, e.t)

    def _expectation(self, e: Event) -> None:
        self.world.expectations[(e.target, int(e.data.get("index", 0)))] = str(e.data.get("status"))


_WORLD = {
    ev.OFFLINE: WorldFold._offline,
    ev.ONLINE: WorldFold._online,
    ev.SERVICE_DOWN: WorldFold._service,
    ev.SERVICE_UP: WorldFold._service,
    ev.SITE_DISCONNECTED: WorldFold._site,
    ev.SITE_CONNECTED: WorldFold._site,
    ev.LINK_CUT: WorldFold._link,
    ev.LINK_RESTORED: WorldFold._link,
    ev.STAGE_START: WorldFold._stage,
    ev.INJECT: WorldFold._inject,
    ev.EXPECTATION: WorldFold._expectation,
}


@dataclass
class View:
    """The drill at one moment: the events folded so far, the world and the figures."""

    now: float
    index: int  # how many events have happened (``replay.events[:index]``)
    world: World
    snapshot: Snapshot


@dataclass
class Verdict:
    """The outcome of ``Replay.verify``."""

    identical: bool
    checked: int  # events compared
    commands: int  # recorded commands re-applied
    seq: int | None = None  # the first event that differs
    expected: Event | None = None  # as logged
    found: Event | None = None  # as re-simulated (None: the re-run stopped short)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Checkpoint:
    index: int
    world: World
    metrics: Metrics
    series: dict[str, int]  # lengths of the (append-only) metric series at this point


# ---------------------------------------------------------------------------------------------- replay
class Replay:
    """A recorded drill, read-only: seek to any time, step through it, verify it, branch from it."""

    def __init__(self, log: LogData, scenario: Scenario, warnings: list[str] | None = None) -> None:
        self.log = log
        self.scenario = scenario
        self.header = log.header
        self.events = log.events
        self.warnings = list(warnings or [])
        self.times = [e.t for e in self.events]
        self.seed = int(self.header["seed"])
        self.start = scenario.spec.start
        self.finished = ev.end_of(self.events) is not None
        self.end = self.events[-1].t if self.events else 0.0
        self.duration = float(self.header.get("duration") or scenario.spec.duration)
        self._checkpoints: list[_Checkpoint] = []
        self._full = self._build()

    # ------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path) -> Replay:
        """Read a log and find its scenario; every problem is a DrillError, never a traceback."""
        log, scenario, warnings = open_log(path)
        replay = cls(log, scenario, warnings)
        # the log and its checkpoints live as long as the replay and never change: keep the
        # collector from walking them again (a full pass over a long log pauses a seek ~0.3 s)
        gc.freeze()
        return replay

    def _build(self) -> Metrics:
        metrics = Metrics(self.scenario)
        fold = WorldFold(self.scenario)
        for i, e in enumerate(self.events):
            if i % CHECKPOINT_EVERY == 0:
                self._checkpoints.append(_Checkpoint(i, fold.world.copy(), *_clone_metrics(metrics)))
            metrics.feed(e)
            fold.feed(e)
        self._final_world = fold.world
        return metrics

    # ------------------------------------------------------------ seeking
    def index_at(self, now: float) -> int:
        """How many events happened before the drill clock read ``now`` (all of them at the end)."""
        if not self.events:
            return 0
        if now >= self.end:
            return len(self.events)
        # the drill's start is announced as it starts, before the clock moves
        return max(1, bisect.bisect_left(self.times, now))

    def view(self, index: int, now: float | None = None) -> View:
        """The drill after its first ``index`` events, with the clock at ``now``."""
        index = max(0, min(index, len(self.events)))
        if now is None:
            now = self.events[index - 1].t if index else 0.0
        if index == len(self.events):
            world, metrics = self._final_world.copy(), self._full
            return View(now, index, world, metrics.snapshot(now))
        point = self._checkpoints[index // CHECKPOINT_EVERY]
        fold = WorldFold(self.scenario)
        fold.world = point.world.copy()
        metrics, _ = _clone_metrics(point.metrics)
        metrics.series = {name: self._full.series[name][:n] for name, n in point.series.items()}
        for e in self.events[point.index : index]:
            metrics.feed(e)
            fold.feed(e)
        return View(now, index, fold.world, metrics.snapshot(now))

    def seek(self, now: float) -> View:
        now = max(0.0, min(now, max(self.end, 0.0)))
        return self.view(self.index_at(now), now)

    def state_at(self, now: float) -> dict[str, NodeState]:
        """Every node's state when the clock read ``now``."""
        return self.seek(now).world.nodes

    def metrics_at(self, now: float) -> Snapshot:
        """Every figure when the clock read ``now`` (the same module as the live view)."""
        return self.seek(now).snapshot

    @property
    def metrics(self) -> Metrics:
        """The figures folded over the whole log (with their time series)."""
        return self._full

    # ------------------------------------------------------------ the timeline
    def marks(self, lang: str | None = None) -> list[Mark]:
        """Injects, detections, players' decisions and facilitator's notes, in order."""
        names = Names(self.scenario, lang)
        out: list[Mark] = []
        for e in self.events:
            kind = mark_kind(e)
            if kind is None:
                continue
            if kind == "inject":
                label = names.inject(e.target) if e.target else names.text(e.data.get("text"))
            elif kind == "detection":
                label = names.node(e.target)
            elif kind == "decision":
                label = names.command(e.data.get("command", {}))
            else:
                label = names.text(e.data.get("text"))
            out.append(Mark(e.t, e.seq, kind, label))
        return out

    def next_mark(self, index: int, kinds: tuple[str, ...] = MARK_KINDS) -> int | None:
        """The event index of the next mark of ``kinds`` after event ``index`` (None: no more)."""
        for i in range(max(index, -1) + 1, len(self.events)):
            if mark_kind(self.events[i]) in kinds:
                return i
        return None

    def previous_mark(self, index: int, kinds: tuple[str, ...] = MARK_KINDS) -> int | None:
        for i in range(min(index, len(self.events)) - 1, -1, -1):
            if mark_kind(self.events[i]) in kinds:
                return i
        return None

    # ------------------------------------------------------------ verify and branch
    def verify(self) -> Verdict:
        """Re-run the drill from its seed and recorded commands and compare the two streams."""
        return verify_events(self.scenario, self.seed, self.events, self.warnings)

    def branch(self, at: float, log_path: str | Path) -> Session:
        """A live drill from the moment ``at``, with everything before it re-run, writing a new log
        that names this one and the moment it branched from."""
        if at < 0 or at >= self.duration or (self.finished and at >= self.end):
            raise DrillError(t("replay.branch_outside", at=format_offset(at), end=format_offset(self.end)))
        if Path(log_path).resolve() == Path(self.log.path).resolve():
            raise DrillError(t("replay.branch_same_log", file=str(log_path)))
        before = self.events[: self.index_at(at)]
        sim = resimulate(self.scenario, self.seed, before, until=at)
        seq = first_difference(before, sim.events)
        if seq is not None:
            raise DrillError(t("replay.branch_differs", file=self.log.path, seq=seq))
        ref = self.header.get("scenario_ref") or self.header.get("scenario")
        origin = {"log": str(self.log.path), "at": at}
        return Session(
            self.scenario,
            sim=sim,
            log_path=log_path,
            scenario_ref=ref,
            header_extra={"branched_from": origin},
        )


def open_log(path: str | Path) -> tuple[LogData, Scenario, list[str]]:
    """A log with its events, its scenario and the warnings about both; DrillError if it cannot
    be replayed."""
    log = read_log(path)
    if not log.events:
        raise DrillError(t("replay.no_events", file=str(path)))
    scenario, warnings = _find_scenario(log, Path(path))
    check_names(log.events, scenario, str(path))
    return log, scenario, [*log.warnings, *warnings]


def verify_events(scenario: Scenario, seed: int, events: list[Event], warnings: list[str]) -> Verdict:
    """Re-run a drill from its seed and recorded commands and compare the two streams."""
    sim = resimulate(scenario, seed, events)
    seq = first_difference(events, sim.events)
    commands = len(recorded_commands(events))
    verdict = Verdict(seq is None, len(events), commands, warnings=list(warnings))
    if seq is not None:
        verdict.seq = seq
        verdict.expected = events[seq]
        verdict.found = sim.events[seq] if seq < len(sim.events) else None
        verdict.checked = seq
    return verdict


def verify_log(path: str | Path) -> tuple[Verdict, int]:
    """Verify a log without folding it for seeking (a verification costs about what the drill's
    run cost, whatever the log's length); the verdict and the log's seed."""
    log, scenario, warnings = open_log(path)
    seed = int(log.header["seed"])
    return verify_events(scenario, seed, log.events, warnings), seed


class Cursor:
    """A position in a replay for a player: play, pause, seek, step and jump (the TUI drives it)."""

    def __init__(self, replay: Replay) -> None:
        self.replay = replay
        self.index = 0
        self.now = 0.0

    def view(self) -> View:
        return self.replay.view(self.index, self.now)

    def seek(self, now: float) -> View:
        self.now = max(0.0, min(now, self.replay.end))
        self.index = self.replay.index_at(self.now)
        return self.view()

    def play(self, minutes: float) -> View:
        """Move the clock on by ``minutes`` of drill time (speed × wall time, chosen by the player)."""
        return self.seek(self.now + minutes)

    def step(self, count: int = 1) -> View:
        """Forwards (or backwards) by ``count`` events; the clock follows the last event shown."""
        events = self.replay.events
        self.index = max(0, min(self.index + count, len(events)))
        self.now = events[self.index - 1].t if self.index else 0.0
        return self.view()

    def jump(self, forwards: bool = True, kinds: tuple[str, ...] = MARK_KINDS) -> View | None:
        """To the next (or previous) inject, decision, detection or note; None when there is none."""
        current = self.index - 1  # the last event shown
        if forwards:
            target = self.replay.next_mark(current, kinds)
        else:
            target = self.replay.previous_mark(current, kinds)
        if target is None:
            return None
        self.index = target + 1
        self.now = self.replay.events[target].t
        return self.view()

    @property
    def at_end(self) -> bool:
        return self.index >= len(self.replay.events)


def mark_kind(e: Event) -> str | None:
    """Which timeline mark an event is, if any."""
    if e.kind == ev.INJECT:
        return "inject"
    if e.kind == ev.DETECTION:
        return "detection"
    if e.kind == ev.NOTE:
        return "note"
    if e.kind == ev.COMMAND and e.data.get("command", {}).get("action") in PLAYER_ACTIONS:
        return "decision"
    return None


# ---------------------------------------------------------------------------------------------- helpers
def _shorten(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


def _clone_metrics(metrics: Metrics) -> tuple[Metrics, dict[str, int]]:
    """A copy of ``metrics`` without its time series (they only grow: their lengths are enough).

    Containers are copied a level at a time with the fast built-in copies; a deep copy of every
    checkpoint would cost time that grows with the log."""
    clone = copy.copy(metrics)
    shared = {id(metrics.scenario), id(metrics.city)}
    for name, value in vars(metrics).items():
        if name == "series" or id(value) in shared:
            continue
        setattr(clone, name, _copy(value))
    clone.series = {}
    return clone, {name: len(points) for name, points in metrics.series.items()}


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        first = next(iter(value.values()), None)
        if isinstance(first, (dict, list, set)):
            return {k: _copy(v) for k, v in value.items()}
        return dict(value)
    if isinstance(value, list):
        if value and isinstance(value[0], (dict, list, set)):
            return [_copy(v) for v in value]
        return list(value)
    if isinstance(value, set):
        return set(value)
    return value


def _find_scenario(log: LogData, path: Path) -> tuple[Scenario, list[str]]:
    """The log's scenario: as recorded, else beside the log (the folder moved, or a relative path
    recorded elsewhere), else the bundled scenario of the same id."""
    try:
        return scenario_of(log)
    except DrillError as first:
        ref = str(log.header.get("scenario_ref") or "")
        tries = []
        if ref and not Path(ref).is_absolute():
            tries.append(str(path.parent / ref))
        if ref:
            tries.append(str(path.parent / Path(ref).name))  # the folder moved with its log
        tries.append(str(log.header.get("scenario")))
        for other in tries:
            if other == ref:
                continue
            moved = LogData({**log.header, "scenario_ref": other}, log.events, log.warnings, log.path)
            try:
                return scenario_of(moved)
            except DrillError:
                continue
        raise DrillError(t("replay.no_scenario", file=str(path), reason=first.message)) from first
