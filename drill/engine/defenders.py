"""Defender teams: sensors raise alerts, and people with limited time work the playbooks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import simpy

from ..model.city import matches
from ..model.common import CRITICALITY_RANK, Exponential, Selector
from ..model.scenario import DetectionRule, Playbook, Stage, Step, Team
from . import events as ev
from .later import call_later
from .randomness import sample

if TYPE_CHECKING:
    from .simulation import Simulation

DEFAULT_STEPS = (
    Step(do="triage", takes={"fixed": "20m"}),
    Step(do="isolate", takes={"fixed": "10m"}),
    Step(do="reimage", takes={"fixed": "3h"}),
    Step(do="restore", takes="from-backup"),
)
# what a decision may ask a team for by name when its playbook has no such step; a patch is not
# part of the response to an alert (DEFAULT_STEPS), only of the players' decisions
DEFAULT_WORK = (*DEFAULT_STEPS, Step(do="patch", takes={"fixed": "45m"}))
# users notice encrypted files, a defaced page or a dead portal within minutes (a scenario's
# detection rules may say otherwise: users_notice)
USERS_NOTICE = Exponential(exponential=15.0)


@dataclass(order=True)
class Task:
    priority: int
    seq: int
    node: str
    step_index: int
    steps: tuple[Step, ...]
    team: str
    auto: bool = True


class Defenders:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        spec = sim.spec
        self.teams: dict[str, Team] = dict(spec.teams)
        self.queues: dict[str, simpy.PriorityStore] = {}
        self.staff: dict[str, int] = {}
        self.workers: dict[str, list[simpy.Process]] = {}
        self.busy: dict[str, int] = {}
        self.arrived: dict[str, bool] = {}
        self._seq = 0
        self.first_detection: float | None = None
        default_playbook = next(iter(spec.playbooks.values()), None)
        self.playbook: dict[str, Playbook | None] = {}
        for tid, team in self.teams.items():
            self.playbook[tid] = spec.playbooks.get(team.playbook) if team.playbook else default_playbook
        self.watchers: list[tuple[str, Selector]] = []
        for tid, team in self.teams.items():
            if team.watches:
                w = team.watches
                if any((w.site, w.zone, w.kind, w.group, w.tag)):
                    self.watchers.append(
                        (tid, Selector(site=w.site, zone=w.zone, kind=w.kind, group=w.group, tag=w.tag))
                    )
        self.home = next((tid for tid, _ in self.watchers), next(iter(self.teams)))
        self.working_on: set[str] = set()
        # node → the compromise its coming sensor alert is for, and when it comes
        self._alerting: dict[str, tuple[float, float]] = {}
        self._sensors: dict[tuple[str, str], tuple[float, object]] = {}  # (node, technique) → coverage, delay

    def start(self) -> None:
        for tid, team in self.teams.items():
            self.queues[tid] = simpy.PriorityStore(self.sim.env)
            self.busy[tid] = 0
            self.staff[tid] = 0
            self.workers[tid] = []
            self.arrived[tid] = team.on_call is None
            if team.on_call is None:
                self._hire(tid, team.staff, tid)

    # ------------------------------------------------------------ staff
    def _hire(self, team: str, count: int, queue: str) -> None:
        for _ in range(count):
            self.workers[team].append(self.sim.env.process(self._worker(team, queue)))
        self.staff[team] += count

    def change_staff(self, team: str, change: int) -> None:
        if change > 0:
            self._hire(team, change, team)
        else:
            for _ in range(min(-change, len(self.workers[team]))):
                proc = self.workers[team].pop()
                if proc.is_alive:
                    proc.interrupt("leave")
            self.staff[team] = max(0, self.staff[team] + change)
        self.sim.emit(ev.STAFF_CHANGE, team, team, change=change, staff=self.staff[team])

    def escalate(self, to: str, by: str) -> None:
        team = self.teams[to]
        delay = team.on_call.arrives_after if team.on_call else 0.0
        self.sim.emit(ev.ESCALATION, by, to, arrives_in=delay)
        if self.arrived.get(to) and team.on_call is None:
            return

        def arrive(_e: object) -> None:
            if self.arrived.get(to) and self.staff[to] > 0:
                return
            self.arrived[to] = True
            # outside help works the queue of whoever called it
            self._hire(to, team.staff, by if by in self.queues else self.home)
            self.sim.emit(ev.TEAM_ARRIVED, to, by, staff=team.staff)

        self.sim.env.timeout(delay).callbacks.append(arrive)

    # ------------------------------------------------------------ detection
    def team_for(self, node: str) -> str:
        spec = self.sim.city.nodes[node]
        group = self.sim.city.sites[spec.site].group
        for tid, selector in self.watchers:
            if matches(selector, spec, group):
                return tid
        return self.home

    def _coverage(self, node: str, technique: str) -> tuple[float, object]:
        """The chance that the sensors see one compromised machine of ``node``, and the time from
        then to the alert: the node's sensors, changed by the scenario's detection rules."""
        key = (node, technique)
        known = self._sensors.get(key)
        if known is not None:
            return known
        spec = self.sim.city.nodes[node]
        coverage: float = spec.sensors.coverage
        delay: object = spec.sensors.delay
        for rule in self._rules(node, technique):
            if rule.coverage is not None:
                coverage = rule.coverage
            if rule.delay is not None:
                delay = rule.delay
        self._sensors[key] = (coverage, delay)
        return coverage, delay

    def _rules(self, node: str, technique: str) -> list[DetectionRule]:
        """The scenario's detection rules for ``node`` and ``technique``, the last one winning."""
        spec = self.sim.city.nodes[node]
        group = self.sim.city.sites[spec.site].group
        return [
            rule
            for rule in self.sim.spec.detection
            if (not rule.technique or rule.technique == technique) and matches(rule.targets, spec, group)
        ]

    def watch(self, node: str, stage: Stage | None, machines: int = 1) -> None:
        """``machines`` more machines of ``node`` were taken: each may be seen by the sensors, so a
        group is seen sooner the more of it is taken (one roll for the lot: with coverage c and the
        stage's noise n, all go unseen with chance (1 - c) ** (machines × n)). A sighting whose
        alert would come before the one on its way hurries it."""
        state = self.sim.nodes[node]
        if state.detected or machines <= 0:
            return
        rng = self.sim.streams("detect")
        coverage, delay = self._coverage(node, stage.technique if stage else "")
        noise = stage.noise if stage else 1.0
        # both drawn every time: two drills that differ only in coverage meet the same dice, and the
        # better watched one is never the later to see (tests/model/test_detection.py)
        seen = rng.random() >= (1.0 - coverage) ** (machines * noise)
        wait = sample(delay, rng)
        if not seen:
            return
        since = state.compromised_at
        due = self.sim.now + wait
        coming = self._alerting.get(node)
        if coming is not None and coming[0] == since and coming[1] <= due:
            return
        self._alerting[node] = (since, due)
        call_later(self.sim.env, wait, self._detect, node, "sensor", since)

    def noticed(self, node: str, technique: str = "") -> None:
        """Users notice harm they can see (encrypted files, a defaced page, a dead portal) after a
        while: the scenario's ``users_notice`` for the node, else about a quarter of an hour."""
        delay: object = USERS_NOTICE
        for rule in self._rules(node, technique):
            if rule.users_notice is not None:
                delay = rule.users_notice
        wait = sample(delay, self.sim.streams("notice"))
        since = self.sim.nodes[node].compromised_at
        call_later(self.sim.env, wait, self._detect, node, "users", since)

    def _detect(self, node: str, how: str, since: float) -> None:
        sim = self.sim
        state = sim.nodes[node]
        coming = self._alerting.get(node)
        if how == "sensor" and coming is not None and coming[0] == since and coming[1] <= sim.now:
            del self._alerting[node]
        if sim.finished:
            return
        if state.detected or (state.status != "compromised" and not state.overloaded):
            return
        if state.status == "compromised" and state.compromised_at != since:
            return  # a stale alert from before the node was cleaned
        state.detected = True
        team = self.team_for(node)
        # set before the event, so that conditions such as `detected: true` see it when it is emitted
        first = self.first_detection is None
        if first:
            self.first_detection = sim.now
        sim.emit(ev.DETECTION, team, node, how=how, site=sim.city.nodes[node].site, campaign=state.campaign)
        if first:
            sim.msel.first_detection()
        if state.status != "compromised":
            return  # a flood is noticed, but there is nothing to clean
        playbook = self.playbook.get(team)
        if playbook is None or playbook.auto:
            steps = playbook.steps if playbook else DEFAULT_STEPS
            self.enqueue(team, node, steps, auto=True)

    # ------------------------------------------------------------ work
    def enqueue(self, team: str, node: str, steps: tuple[Step, ...], auto: bool) -> None:
        rank = CRITICALITY_RANK[self.sim.city.nodes[node].criticality]
        self._seq += 1
        task = Task(-rank, self._seq, node, 0, tuple(steps), team, auto)
        self.queues[team].put(task)
        self.sim.emit(ev.ALERT, team, node, step=steps[0].do, queued=len(self.queues[team].items))

    def _worker(self, team: str, queue: str):  # type: ignore[no-untyped-def]
        env = self.sim.env
        store = self.queues[queue]
        while True:
            try:
                task: Task = yield store.get()
            except simpy.Interrupt:
                return
            step = task.steps[task.step_index]
            node = task.node
            if self._pointless(task, step):
                self._next(task)
                continue
            duration = self._duration(step, node, team)
            self.busy[team] += 1
            state = self.sim.nodes[node]
            if step.do in ("reimage", "restore"):
                state.working = True
                self.sim.services.refresh([node])
            self.sim.emit(ev.TASK_START, team, node, step=step.do, takes=duration, queued=len(store.items))
            try:
                yield env.timeout(duration)
            except simpy.Interrupt:
                self.busy[team] -= 1
                store.put(task)
                return
            self.busy[team] -= 1
            self._finish_step(team, task, step)
            # auto: the playbook's own work, not a decision (the scorecard tells them apart)
            self.sim.emit(ev.TASK_END, team, node, step=step.do, queued=len(store.items), auto=task.auto)
            self._next(task)

    def _pointless(self, task: Task, step: Step) -> bool:
        state = self.sim.nodes[task.node]
        if step.do == "isolate":
            return state.isolated
        if step.do == "reimage":
            return state.status != "compromised"
        if step.do == "patch":
            return state.patched
        if step.do == "restore":
            return (
                state.impact not in ("encrypted", "wiped", "defaced")
                and not state.isolated
                and state.status != "compromised"
            )
        return False

    def _duration(self, step: Step, node: str, team: str) -> float:
        if step.takes == "from-backup":
            return self.restore_time(node)
        return sample(step.takes, self.sim.streams(f"team/{team}"))

    def restore_time(self, node: str) -> float:
        spec = self.sim.city.nodes[node]
        state = self.sim.nodes[node]
        if state.impact not in ("encrypted", "wiped", "defaced"):
            return 30.0  # nothing to bring back: checks and reconnection
        if spec.backup is not None and not state.backup_lost:
            return spec.backup.restore
        return spec.rebuild

    def _next(self, task: Task) -> None:
        if task.step_index + 1 < len(task.steps):
            task.step_index += 1
            self._seq += 1
            task.seq = self._seq
            self.queues[task.team].put(task)

    def _finish_step(self, team: str, task: Task, step: Step) -> None:
        sim = self.sim
        node = task.node
        state = sim.nodes[node]
        if step.do == "isolate":
            sim.handler.isolate_nodes([node], by=team)
        elif step.do == "reimage":
            state.working = False
            sim.handler.clean(node, by=team)
        elif step.do == "restore":
            state.working = False
            sim.handler.restored(node, by=team, reconnect=task.auto)
        elif step.do == "patch":
            sim.handler.patched(node, by=team)
        elif step.do == "reset-credentials":
            sim.handler.block_trust([node], by=team)
        elif step.do == "report":
            sim.emit(ev.REPORT, team, "", to="", auto=True)

    def utilisation(self) -> dict[str, tuple[int, int, int]]:
        """Per team: busy, staff, queued."""
        return {
            tid: (self.busy.get(tid, 0), self.staff.get(tid, 0), len(self.queues[tid].items))
            for tid in self.teams
        }
