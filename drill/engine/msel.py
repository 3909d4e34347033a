"""The MSEL: timed and state-triggered injects, their effects, and the expected actions they ask for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model.scenario import Condition, Expectation, Inject
from . import events as ev
from .commands import Command
from .events import text_record

if TYPE_CHECKING:
    from .simulation import Simulation

_STATE_OF = {
    "compromised": lambda s: s.status == "compromised",
    "detected": lambda s: s.detected,
    "isolated": lambda s: s.isolated,
    "encrypted": lambda s: s.impact == "encrypted",
    "defaced": lambda s: s.impact == "defaced",
    "wiped": lambda s: s.impact == "wiped",
    "exfiltrating": lambda s: s.impact == "exfiltrating",
    "overloaded": lambda s: s.overloaded,
    "cleaned": lambda s: s.status == "cleaned",
    "restored": lambda s: s.status == "restored",
    "patched": lambda s: s.patched,
}


@dataclass
class Open:
    """An expected action waiting for the players."""

    inject: str
    index: int
    spec: Expectation
    due: float
    status: str = "open"  # open, met, late, missed


class Msel:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.injects: dict[str, Inject] = {i.id: i for i in sim.spec.injects}
        self.delivered: dict[str, float] = {}
        self.skipped: set[str] = set()
        self.pending_conditions: list[Inject] = [i for i in sim.spec.injects if i.when is not None]
        self.expectations: list[Open] = []
        self.done: list[tuple[Command, set[str], int]] = []  # commands applied so far
        self.delays: dict[str, float] = {}
        self._checking = False

    def start(self) -> None:
        for inject in self.sim.spec.injects:
            if inject.at is not None:
                self._schedule(inject.id, inject.at)
        if self.pending_conditions:
            self.check_conditions()

    def _schedule(self, inject_id: str, at: float) -> None:
        def fire(_e: object) -> None:
            if inject_id in self.delivered or inject_id in self.skipped:
                return
            due = (self.injects[inject_id].at or 0.0) + self.delays.get(inject_id, 0.0)
            if abs(due - self.sim.now) > 1e-9:
                return  # rescheduled by a delay
            self.deliver(inject_id, why="scheduled")

        self.sim.env.timeout(max(0.0, at - self.sim.now)).callbacks.append(fire)

    def scheduled_time(self, inject_id: str) -> float | None:
        inject = self.injects[inject_id]
        if inject.at is None:
            return None
        return inject.at + self.delays.get(inject_id, 0.0)

    # ------------------------------------------------------------ delivery
    def deliver(self, inject_id: str, why: str) -> None:
        sim = self.sim
        if inject_id in self.delivered:
            return
        inject = self.injects[inject_id]
        self.delivered[inject_id] = sim.now
        sim.emit(
            ev.INJECT,
            "white-cell",
            inject_id,
            why=why,
            to=list(inject.to),
            channel=inject.channel,
            hidden=inject.hidden,
            title=text_record(inject.title),
            text=text_record(inject.text),
            sender=text_record(inject.from_),
        )
        # what the teams it goes to now know: an incident (when it reveals one), the nodes it points to
        leads = inject.effect.suspect if inject.effect else None
        for team in inject.to if not inject.hidden else ():
            if inject.reveals:
                sim.learn(team, "", "incident", "inject", source=inject_id)
            for node in sim.handler.nodes(leads):
                sim.learn(team, node, "compromise", "inject", "suspected", source=inject_id)
        if inject.effect:
            self._effect(inject)
        for index, exp in enumerate(inject.expects):
            self._expect(inject_id, index, exp)
        if inject.reveals and sim.defenders.first_detection is None:
            # the defenders now know of the incident, as the figures say: the deadlines that run
            # from the first detection start, and `detected: true` conditions hold
            sim.defenders.first_detection = sim.now
            self.first_detection()
            if self.pending_conditions:
                sim.env.timeout(0).callbacks.append(lambda _e: self.check_conditions())

    def deliver_free(self, text: Any, to: str | None, hidden: bool) -> None:
        self.sim.emit(
            ev.INJECT,
            "white-cell",
            "",
            why="free",
            to=[to] if to else [],
            channel="in-person",
            hidden=hidden,
            title="",
            text=text,
            sender="",
        )

    def skip(self, inject_id: str) -> None:
        self.skipped.add(inject_id)
        self.sim.emit(ev.INJECT_SKIPPED, "facilitator", inject_id)

    def delay(self, inject_id: str, by: float) -> None:
        self.delays[inject_id] = self.delays.get(inject_id, 0.0) + by
        due = self.scheduled_time(inject_id)
        self.sim.emit(ev.INJECT_DELAYED, "facilitator", inject_id, by=by, due=due)
        if due is not None:
            self._schedule(inject_id, due)

    def _expect(self, inject_id: str, index: int, exp: Expectation) -> None:
        sim = self.sim
        item = Open(inject_id, index, exp, sim.now + exp.within)
        self.expectations.append(item)
        self._tell(item, "open")
        # the players may have acted before they were asked: that counts as on time
        for command, targets, seq in self.done:
            if self._answers(exp, command, targets):
                self._settle(item, "met", by=seq)
                return

        def overdue(_e: object) -> None:
            if item.status == "open" and not sim.finished:
                self._tell(item, "overdue")

        sim.env.timeout(exp.within).callbacks.append(overdue)

    def first_detection(self) -> None:
        """Deadlines run from the first detection (report to the authority, escalate …)."""
        for index, deadline in enumerate(self.sim.spec.deadlines):
            exp = Expectation(
                action=deadline.action,
                to=deadline.to,
                within=deadline.within,
                by=deadline.by,
                text=deadline.text,
            )
            self._expect("deadlines", index, exp)

    def _effect(self, inject: Inject) -> None:
        sim = self.sim
        eff = inject.effect
        assert eff is not None
        handler = sim.handler
        if eff.backups_lost:
            for node in handler.nodes(eff.backups_lost):
                sim.nodes[node].backup_lost = True
                sim.emit(ev.BACKUP_LOST, "white-cell", node)
        if eff.compromise:
            for node in handler.nodes(eff.compromise):
                sim.attacker.compromise(node, None, source=f"inject:{inject.id}")
        if eff.offline:
            changed = []
            for node in handler.nodes(eff.offline):
                if not sim.nodes[node].offline:
                    sim.nodes[node].offline = True
                    changed.append(node)
                    sim.emit(ev.OFFLINE, "white-cell", node)
            if any(sim.network.transit[n] for n in changed):
                sim.network.changed()  # gear switched off carries no traffic: attack paths close
            sim.services.refresh(changed)
            if changed:
                sim.attacker.network_changed()
        if eff.start_stage:
            sim.attacker.activate(sim.attacker.stages[eff.start_stage], f"inject:{inject.id}")
        if eff.deny:
            for node in handler.nodes(eff.deny.targets):
                sim.attacker.deny(node, eff.deny.lasts, f"inject:{inject.id}")
        if eff.staff:
            sim.defenders.change_staff(eff.staff.team, eff.staff.change)
        if eff.detect:
            for node in handler.nodes(eff.detect):
                state = sim.nodes[node]
                if state.status == "compromised":
                    sim.defenders._detect(node, "inject", state.compromised_at)

    # ------------------------------------------------------------ scoring
    def command_applied(self, command: Command, event: ev.Event) -> None:
        targets = set(self.sim.handler.nodes(command.target)) if command.target else set()
        self.done.append((command, targets, event.seq))
        for item in self.expectations:
            if item.status == "open" and self._answers(item.spec, command, targets):
                self._settle(item, "met" if self.sim.now <= item.due + 1e-9 else "late", by=event.seq)

    def _answers(self, exp: Expectation, command: Command, targets: set[str]) -> bool:
        """Whether a player's command is the action an expectation asks for."""
        if exp.action != command.action:
            return False
        if exp.by and command.by and exp.by != command.by:
            return False
        if exp.to and command.to and exp.to != command.to:
            return False
        if exp.service and command.service and exp.service != command.service:
            return False
        return not (
            exp.target is not None and targets and not (targets & set(self.sim.handler.nodes(exp.target)))
        )

    def mark(self, inject_id: str, index: int) -> None:
        for item in self.expectations:
            if item.inject == inject_id and item.index == index and item.status == "open":
                self._settle(item, "met" if self.sim.now <= item.due + 1e-9 else "late", by=-1)
                return

    def _settle(self, item: Open, status: str, by: int) -> None:
        item.status = status
        self._tell(item, status, command=by)

    def _tell(self, item: Open, status: str, **extra: Any) -> None:
        """An expectation event: opened, overdue, or settled (with the command that settled it)."""
        data = {"index": item.index, "status": status, "action": item.spec.action, "due": item.due, **extra}
        self.sim.record(ev.EXPECTATION, item.spec.by or "", item.inject, data)

    def finish(self) -> None:
        # a run stopped before the planned end (``--until``) leaves what is not yet due open
        ended = self.sim.now >= self.sim.planned
        for item in self.expectations:
            if item.status == "open" and (ended or item.due <= self.sim.now):
                self._settle(item, "missed", by=-1)

    # ------------------------------------------------------------ conditions
    def state_changed(self, event: ev.Event | None = None) -> None:
        if self.pending_conditions and not self._checking:
            self.check_conditions()

    def check_conditions(self) -> None:
        self._checking = True
        try:
            for inject in list(self.pending_conditions):
                if inject.id in self.delivered or inject.id in self.skipped:
                    self.pending_conditions.remove(inject)
                    continue
                assert inject.when is not None
                holds, recheck = self._holds(inject.when)
                if holds:
                    self.pending_conditions.remove(inject)
                    self.deliver(inject.id, why="condition")
                elif recheck is not None:
                    self.sim.env.timeout(max(0.0, recheck - self.sim.now)).callbacks.append(
                        lambda _e: self.check_conditions()
                    )
        finally:
            self._checking = False

    def _holds(self, cond: Condition) -> tuple[bool, float | None]:
        """Whether ``cond`` holds now, and when to look again if it may hold by waiting."""
        sim = self.sim
        recheck: float | None = None
        if cond.service_down:
            sd = cond.service_down
            since = sim.services.down_since.get(sd.service)
            if since is None:
                return False, None
            if sim.now - since < sd.for_ - 1e-9:
                recheck = since + sd.for_
        if cond.hosts_compromised:
            hc = cond.hosts_compromised
            total = 0
            for nid, state in sim.nodes.items():
                if state.status == "compromised" and (hc.site is None or sim.city.nodes[nid].site == hc.site):
                    total += state.infected
            if total < hc.at_least:
                return False, None
        if cond.node:
            test = _STATE_OF[cond.node.state]
            found = False
            for nid in sim.city.select(cond.node.targets):
                if test(sim.nodes[nid]):
                    found = True
                    break
            if not found:
                return False, None
        if cond.stage_succeeded and cond.stage_succeeded not in sim.attacker.succeeded:
            return False, None
        if cond.after_inject:
            when = self.delivered.get(cond.after_inject.inject)
            if when is None:
                return False, None
            if sim.now - when < cond.after_inject.wait - 1e-9:
                recheck = max(recheck or 0.0, when + cond.after_inject.wait)
        if cond.detected and sim.defenders.first_detection is None:
            return False, None
        if recheck is not None:
            return False, recheck
        return True, None
