"""The simulation: one drill's simpy environment, its state, and the stream of events it emits."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import Any

import simpy

from ..diagnostics import DrillError
from ..i18n import t
from ..model.durations import format_offset
from ..model.load import Scenario
from . import events as ev
from .attacker import Attacker
from .commands import Command, check_before_end
from .defenders import Defenders
from .events import Event
from .evidence import Evidence
from .handlers import CommandHandler
from .investigations import Investigations
from .msel import Msel
from .randomness import Streams
from .services import Services
from .state import Network, NodeState, new_nodes

Listener = Callable[[Event], None]
_STATE_KINDS = ev.STATE_KINDS


# young objects left by a slice above which they are worth moving out of the collector's way
_MANY_SURVIVORS = 50_000
# slices to let pass before looking again whether the caller keeps objects frozen: the look walks
# every frozen object, and a replay of many decisions runs a short slice per decision
_RELOOK_AFTER = 1000
# and at least one slice per this many frozen objects: a long-lived caller (a test session, a
# replay's screen) may keep tens of millions frozen, and a look at 1000-slice intervals then costs
# more than the replay itself; so each slice pays for walking about this many of them
_WALK_PER_SLICE = 100
_frozen_by_caller = [0]  # slices left before the next look


def _promote_survivors(pending: int) -> None:
    """A large slice makes millions of short-lived records and leaves hundreds of thousands alive
    (pending attempts, events): the cyclic collector would rescan those as young objects after
    every slice — a third of a large drill's time — though the engine makes no reference cycles.
    Freezing and unfreezing moves them straight to the oldest generation. Not when the caller
    keeps objects frozen (that would release them), and only after a slice that left many — more
    new objects, or a long queue of events (which a slice renews without adding to the count): the
    frozen count takes a walk over the frozen objects."""
    many = gc.get_count()[0] > _MANY_SURVIVORS or pending > _MANY_SURVIVORS
    if not many:
        return
    if _frozen_by_caller[0]:
        _frozen_by_caller[0] -= 1
    elif frozen := gc.get_freeze_count():  # quick when nothing is frozen; else a walk over them
        _frozen_by_caller[0] = max(_RELOOK_AFTER, frozen // _WALK_PER_SLICE)
    else:
        gc.freeze()
        gc.unfreeze()


class Simulation:
    """Runs a scenario. Advance it with ``run_until``; change it only with ``apply``."""

    def __init__(self, scenario: Scenario, seed: int | None = None, keep_events: bool = True) -> None:
        self.scenario = scenario
        self.spec = scenario.spec
        self.city = scenario.city
        self.seed = self.spec.seed if seed is None else seed
        self.env = simpy.Environment()
        self.streams = Streams(self.seed)
        self.events: list[Event] = []
        self.keep_events = keep_events
        self.listeners: list[Listener] = []
        self._seq = 0
        self.end = self.spec.duration  # where this run stops (``--until`` stops it earlier)
        self.planned = self.spec.duration  # the drill's planned length, whatever ``end`` is
        self.nodes: dict[str, NodeState] = new_nodes(self.city)
        self.network = Network(self.city, self.nodes)
        # every team's knowledge, folded from the events as they are emitted: the simulated teams
        # act on what their team knows (imported here: the fold reads the engine's event kinds)
        from ..team_knowledge import TeamKnowledgeFold

        self.knowledge = TeamKnowledgeFold(self.spec.teams)
        self.listeners.append(self.knowledge.feed)
        self.evidence = Evidence(self)
        self.investigations = Investigations(self)
        self.services = Services(self)
        self.defenders = Defenders(self)
        self.attacker = Attacker(self)
        self.msel = Msel(self)
        self.handler = CommandHandler(self)
        self.started = False
        self.finished = False

    # ------------------------------------------------------------ events
    @property
    def now(self) -> float:
        return self.env.now

    def emit(self, kind: str, actor: str = "", target: str = "", **data: Any) -> Event:
        return self.record(kind, actor, target, data)

    def record(self, kind: str, actor: str, target: str, data: dict[str, Any]) -> Event:
        """Append one event and tell every listener (the hot path: keep it lean)."""
        event = Event(float(self.env._now), self._seq, kind, actor, target, data)
        self._seq += 1
        if self.keep_events:
            self.events.append(event)
        for listener in self.listeners:
            listener(event)
        if kind in _STATE_KINDS and self.started:
            self.msel.state_changed(event)
        return event

    def learn(
        self, team: str, node: str, fact: str, how: str, certainty: str = "confirmed", **data: Any
    ) -> None:
        """``team`` learns something (``fact``: compromise, technique, incident) about ``node``
        (or about the incident, node ""): one ``learned`` event, unless it knew it already."""
        data = {k: v for k, v in data.items() if v not in ("", None)}
        k = self.knowledge[team]
        technique, account = data.get("technique", ""), data.get("account", "")
        news = (not technique or technique not in k.techniques) or (
            bool(account) and account not in k.accounts
        )
        if fact == "compromise" and certainty == "confirmed":
            known = k.nodes.get(node)
            if (
                k.holds(node)
                and known is not None
                and (not technique or technique in known.techniques)
                and (not account or account in k.accounts)
            ):
                return
        elif fact == "compromise":
            if k.holds(node) or k.suspects(node):
                return
        elif (fact == "technique" and not news) or (fact == "incident" and k.incident is not None):
            return
        self.emit(ev.LEARNED, team, node, fact=fact, how=how, certainty=certainty, **data)

    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    # ------------------------------------------------------------ running
    def start(self) -> None:
        if self.started:
            return
        self.started = True
        self.emit(
            ev.DRILL_START,
            "facilitator",
            self.spec.scenario,
            seed=self.seed,
            duration=self.planned,
            # where the run stops when that is before the planned end (so every reader says
            # "3h played of 8h planned")
            **({"stop": self.end} if self.end < self.planned else {}),
            topology=self.city.id,
            teams={tid: (0 if team.on_call else team.staff) for tid, team in self.spec.teams.items()},
        )
        self.services.start()
        self.defenders.start()
        self.attacker.start()
        self.msel.start()

    def run_until(self, until: float) -> None:
        """Advance the drill to ``until`` minutes (not past its end)."""
        self.start()
        until = min(until, self.end)
        if until > self.env.now:
            collecting = gc.isenabled()
            gc.disable()
            try:
                self.env.run(until=until)
            finally:
                if collecting:
                    _promote_survivors(len(self.env._queue))
                    gc.enable()
        if self.env.now >= self.end and not self.finished:
            self.finish()

    def step(self) -> bool:
        """Advance to just after the next event; False when nothing is left before the end."""
        self.start()
        nxt = self.env.peek()
        if nxt == float("inf") or nxt >= self.end:
            self.run_until(self.end)
            return False
        count = len(self.events)
        while len(self.events) == count and self.env.peek() < self.end:
            self.env.step()
        if len(self.events) == count:
            # only silent steps before the end: the log could not say where the drill stopped
            # (a re-run stops after the last event it holds), so run on to the end, as above
            self.run_until(self.end)
            return False
        return True

    def next_event_time(self) -> float:
        return self.env.peek()

    def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.msel.finish()
        self.emit(ev.DRILL_END, "facilitator", self.spec.scenario)

    def run(self, commands: Iterable[Any] = ()) -> list[Event]:
        """Run the whole drill headless, applying timed commands (``at`` minutes) in order; a
        command due at or after the end is refused (``DrillError``) before anything runs."""
        commands = sorted(commands, key=lambda c: c.at)
        check_before_end(commands, self.end)
        self.start()
        for command in commands:
            self.run_until(command.at)
            self.apply(command)
        self.run_until(self.end)
        return self.events

    # ------------------------------------------------------------ outside changes
    def apply(self, command: Command) -> Event:
        """Apply a command now; an unknown name is refused with the nearest valid ones, and the
        drill goes on. After the drill's end only a note goes in (said in the debrief, it changes
        nothing in the drill); anything else is not applied: ``DrillError`` says so."""
        self.start()
        if self.finished and command.action != "note":
            raise DrillError(t("engine.drill_ended", action=command.action, end=format_offset(self.now)))
        return self.handler.apply(command)
