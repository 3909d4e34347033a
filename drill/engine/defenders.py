"""Defender teams: sensors raise alerts, and people with limited time work the playbooks.

A task is one playbook step on one node. Its hands-on work is person-time (a base once for the
node, plus some per machine worked on) shared by up to ``crew`` people, never shorter than the
step's ``shortest``; then its lead time (a backup copy, a rebuild) keeps the node out of service
but holds no one. A team's people pick the most urgent task first: containment of a live
compromise before eradication before recovery, then the node's criticality, then arrival.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import TYPE_CHECKING, Any

from ..model.city import matches
from ..model.common import CRITICALITY_RANK, Exponential, Selector
from ..model.scenario import FROM_BACKUP, DetectionRule, Effort, Playbook, Stage, Step, Team
from . import events as ev
from .later import call_later
from .randomness import sample

if TYPE_CHECKING:
    from .events import Event
    from .simulation import Simulation

DEFAULT_STEPS = (
    Step(do="triage", takes={"fixed": "20m"}),
    Step(do="isolate", takes={"fixed": "10m"}),
    # one machine: 3h, as a fixed reimage was; a group adds a quarter of an hour per machine
    Step(do="reimage", effort=Effort(base="2h 45m", per_host="15m"), crew=4, shortest="1h"),
    Step(do="restore", effort=Effort(base="30m", per_host="10m"), lead=FROM_BACKUP, crew=2),
)
# what a decision may ask a team for by name when its playbook has no such step; a patch is not
# part of the response to an alert (DEFAULT_STEPS), only of the players' decisions
DEFAULT_WORK = (*DEFAULT_STEPS, Step(do="patch", effort=Effort(base="40m", per_host="5m"), crew=2))
# users notice encrypted files, a defaced page or a dead portal within minutes (a scenario's
# detection rules may say otherwise: users_notice)
USERS_NOTICE = Exponential(exponential=15.0)

# The usual order of work: contain a live compromise, then eradicate, then recover.
PHASE = {
    "triage": 0,
    "isolate": 0,
    "report": 0,
    "reimage": 1,
    "reset-credentials": 1,
    "patch": 1,
    "restore": 2,
    # finding out where the attacker is: after containing what is known, with the cleaning
    "investigate": 1,
}
DAMAGED = ("encrypted", "wiped", "defaced")
# containment: worth taking a person off later work for, while the attacker is still on the network
CONTAIN = ("triage", "isolate")
# events that may change what a running task works on (more machines, data lost, a backup lost)
_PREMISE_KINDS = frozenset({ev.COMPROMISE, ev.EFFECT, ev.BACKUP_LOST, ev.CLEANED})


@dataclass(eq=False)
class Task:
    """One playbook step on one node, in a team's queue or under way."""

    node: str
    steps: tuple[Step, ...]
    team: str  # whose queue it is in
    auto: bool
    step_index: int = 0
    key: tuple[int, int, int] = (0, 0, 0)  # urgency: phase, criticality, arrival (lowest first)
    # the current step's plan, made when it first starts
    planned: bool = False
    effort: float = 0.0  # person-minutes of hands-on work left
    per_host: float = 0.0  # the person-minutes drawn for each machine
    machines: int = 0  # the machines it works on
    earliest: float = 0.0  # the hands-on work ends no sooner (the step's `shortest`)
    lead: float = 0.0  # minutes to wait after the hands-on work
    source: str = ""  # where the lead time comes from: none, intact, backup, rebuild, fixed
    crew: dict[str, int] = field(default_factory=dict)  # people on it now, by team
    since: float = 0.0  # when `effort` was last brought up to date
    waiting: bool = False  # the hands-on work is done; the node waits for the lead time
    ends: float = 0.0  # when the current phase ends, as planned now
    version: int = 0  # a later plan makes the earlier timers stale
    actor: str = ""  # the team that leads it (its first person's)
    resumed: bool = False  # it went back to the queue after it started
    investigation: Any = None  # an investigate step: what it examines (engine/investigations.py)

    @property
    def step(self) -> Step:
        return self.steps[self.step_index]

    @property
    def people(self) -> int:
        return sum(self.crew.values())


class Defenders:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        spec = sim.spec
        self.teams: dict[str, Team] = dict(spec.teams)
        self.queues: dict[str, list[tuple[tuple[int, int, int], Task]]] = {}
        self.running: dict[str, list[Task]] = {}  # by queue: tasks whose hands-on work is under way
        self.on_node: dict[str, list[Task]] = {}  # tasks under way (hands-on or waiting), by node
        self.staff: dict[str, int] = {}  # people present
        self.busy: dict[str, int] = {}  # people on hands-on work
        self.pending: dict[str, int] = {}  # people an outside team will arrive with
        self.presence: dict[str, str] = {}  # away, travelling, present
        self.serves: dict[str, str] = {}  # the queue a team's people work
        self.pool: dict[str, list[str]] = {}  # by queue: the teams whose people work it
        # machines whose data was damaged, remembered when the attacker is cleaned off them
        self.damaged: dict[str, int] = {}
        self._waking: set[str] = set()
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
        # node → the compromise its coming sensor alert is for, and when it comes
        self._alerting: dict[str, tuple[float, float]] = {}
        self._sensors: dict[tuple[str, str], tuple[float, object]] = {}  # (node, technique) → coverage, delay

    def start(self) -> None:
        for tid, team in self.teams.items():
            self.queues[tid] = []
            self.running[tid] = []
            self.pool[tid] = []
            self.busy[tid] = 0
            self.staff[tid] = 0
            self.pending[tid] = team.staff
            self.presence[tid] = "away"
            self.serves[tid] = tid
        for tid, team in self.teams.items():
            if team.on_call is None:
                self._join(tid, tid)
        self.sim.subscribe(self._seen)

    # ------------------------------------------------------------ staff
    def _join(self, team: str, queue: str) -> int:
        """A team's people are here and work ``queue``; how many came."""
        self.presence[team] = "present"
        self.serves[team] = queue
        if team not in self.pool[queue]:
            self.pool[queue].append(team)
        count, self.pending[team] = self.pending[team], 0
        self.staff[team] += count
        return count

    def change_staff(self, team: str, change: int) -> None:
        if self.presence[team] != "present":
            # a team on call or on its way: the change is to the people who will come
            self.pending[team] = max(0, self.pending[team] + change)
            self.sim.emit(
                ev.STAFF_CHANGE,
                team,
                team,
                change=change,
                staff=self.staff[team],
                arrives_with=self.pending[team],
            )
            return
        queue = self.serves[team]
        if change >= 0:
            self.staff[team] += change
            self.sim.emit(ev.STAFF_CHANGE, team, team, change=change, staff=self.staff[team])
            self._wake(queue)
            return
        leaving = min(-change, self.staff[team])
        idle = self.staff[team] - self.busy[team]
        self.staff[team] -= leaving
        self.sim.emit(ev.STAFF_CHANGE, team, team, change=change, staff=self.staff[team])
        leaving -= min(idle, leaving)
        # the rest leave tasks under way, the least urgent first; a task left with no one goes
        # back to the queue with the work still to do
        while leaving > 0:
            task = max((x for x in self.running[queue] if x.crew.get(team)), key=lambda x: x.key)
            was = self._remaining(task)
            self._progress(task)
            gone = min(leaving, task.crew[team])
            leaving -= gone
            self._move(task, team, -gone)
            if task.people == 0:
                self._requeue(task, "staff_left", was, {team: -gone})
            else:
                self._plan_end(task)
                self._replanned(task, "staff_left", was, {team: -gone})
        self._wake(queue)

    def escalate(self, to: str, by: str) -> None:
        team = self.teams[to]
        delay = team.on_call.arrives_after if team.on_call else 0.0
        self.sim.emit(ev.ESCALATION, by, to, arrives_in=delay)
        if team.on_call is None or self.presence[to] == "travelling":
            return
        if self.presence[to] == "present":
            if self.staff[to] > 0:
                return
            self.pending[to] = team.staff  # everyone left: a new call brings a new team
        self.presence[to] = "travelling"
        call_later(self.sim.env, delay, self._arrive, to, by)

    def _arrive(self, to: str, by: str) -> None:
        # outside help works the queue of whoever called it
        queue = by if by in self.queues else self.home
        count = self._join(to, queue)
        self.sim.emit(ev.TEAM_ARRIVED, to, by, staff=count)
        self._wake(queue)

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

    def detect_now(
        self, node: str, how: str, team: str, technique: str = "", account: str = "", source: str = ""
    ) -> None:
        """``team`` finds the attacker on ``node`` by its own work (an investigation)."""
        since = self.sim.nodes[node].compromised_at
        self._detect(node, how, since, finder=team, technique=technique, account=account, source=source)

    def share(self, finder: str, node: str, technique: str = "", account: str = "") -> None:
        """A finding on a node another team watches is passed on to that team."""
        owner = self.team_for(node)
        if owner != finder:
            self.sim.learn(
                owner,
                node,
                "compromise",
                "shared",
                technique=technique,
                account=account,
                source=finder,
                attacker_since=self.sim.nodes[node].compromised_at,
            )

    def _detect(
        self,
        node: str,
        how: str,
        since: float,
        finder: str = "",
        technique: str = "",
        account: str = "",
        source: str = "",
    ) -> None:
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
        sim.emit(
            ev.DETECTION,
            finder or team,
            node,
            how=how,
            site=sim.city.nodes[node].site,
            campaign=state.campaign,
        )
        if first:
            sim.msel.first_detection()
        if state.status != "compromised":
            sim.learn(team, "", "incident", how)  # a flood is noticed, but there is nothing to clean
            return
        # what the alert (or the finding) tells: the machine, and the technique that took it
        if how in ("sensor", "investigation"):
            stage = sim.evidence.taken_with.get(node)
            technique = technique or (stage.technique if stage is not None else "")
        sim.learn(
            finder or team,
            node,
            "compromise",
            how,
            technique=technique,
            account=account,
            source=source,
            attacker_since=state.compromised_at if how == "investigation" else None,
        )
        if finder and finder != team:
            self.share(finder, node, technique=technique, account=account)
        playbook = self.playbook.get(team)
        if playbook is None or playbook.auto:
            steps = playbook.steps if playbook else DEFAULT_STEPS
            self.enqueue(team, node, steps, auto=True)

    def reconnected(self, node: str) -> None:
        """A node known to be compromised is back on the network (someone reconnected it): a team
        whose playbook contains on its own takes it off again — its own isolate step may have been
        skipped because the node was isolated at that moment."""
        state = self.sim.nodes[node]
        team = self.team_for(node)
        if state.status != "compromised" or not self.sim.knowledge[team].holds(node) or self.sim.finished:
            return
        playbook = self.playbook.get(team)
        if playbook is not None and not playbook.auto:
            return
        steps = playbook.steps if playbook else DEFAULT_STEPS
        isolate = next((s for s in steps if s.do == "isolate"), None)
        if isolate is None:
            return
        waiting = [t for _, t in self.queues[team]] + self.on_node.get(node, [])
        if any(t.node == node and t.step.do == "isolate" for t in waiting):
            return
        self.enqueue(team, node, (isolate,), auto=True)

    # ------------------------------------------------------------ the queue
    def enqueue(
        self, team: str, node: str, steps: tuple[Step, ...], auto: bool, investigation: Any = None
    ) -> None:
        task = Task(node, tuple(steps), team, auto, investigation=investigation)
        self._queue(task)
        data: dict[str, Any] = {"step": steps[0].do, "queued": len(self.queues[team])}
        if investigation is not None:
            data["procedure"] = investigation.procedure
        self.sim.emit(ev.ALERT, team, node, **data)
        self._wake(team)

    def _queue(self, task: Task) -> None:
        """Put a task's current step in its team's queue, by urgency, as a new arrival."""
        self._seq += 1
        rank = CRITICALITY_RANK[self.sim.city.nodes[task.node].criticality]
        task.key = (self._phase(task.team, task.step.do), -rank, self._seq)
        heappush(self.queues[task.team], (task.key, task))

    def _phase(self, team: str, do: str) -> int:
        """How early a team picks a step: those its playbook's ``order`` names first, in that
        order; then the others by the usual phase."""
        playbook = self.playbook.get(team)
        order = playbook.order if playbook else ()
        if do in order:
            return order.index(do)
        return len(order) + PHASE[do]

    def _wake(self, queue: str) -> None:
        """Hand out work once everything happening at this moment has happened (so that the
        tasks queued together are weighed together)."""
        if queue not in self._waking:
            self._waking.add(queue)
            call_later(self.sim.env, 0.0, self._dispatch, queue)

    def _idle(self, queue: str) -> str | None:
        """A team with somebody free to work ``queue``, or None."""
        for team in self.pool[queue]:
            if self.staff[team] > self.busy[team]:
                return team
        return None

    def _dispatch(self, queue: str) -> None:
        self._waking.discard(queue)
        heap = self.queues[queue]
        running = self.running[queue]
        moved: dict[Task, dict[str, int]] = {}
        was: dict[Task, float] = {}
        started: list[Task] = []
        while heap:
            task = heap[0][1]
            if self._pointless(task, task.step):
                heappop(heap)
                if task.planned:  # started earlier, then requeued: say that it stops
                    self.sim.emit(
                        ev.TASK_END,
                        task.actor,
                        task.node,
                        step=task.step.do,
                        dropped=True,
                        moved={},
                        queued=len(heap),
                    )
                self._next(task)
                continue
            team = self._idle(queue)
            if team is None and self._live(task):
                team = self._free_person(queue, task.key, moved, was)
            if team is None:
                break
            heappop(heap)
            if not task.planned:
                self._plan(task, team)
            task.actor = task.actor or team
            task.since = self.sim.now
            self._move(task, team, 1)
            running.append(task)
            self.on_node.setdefault(task.node, [])
            if task not in self.on_node[task.node]:
                self.on_node[task.node].append(task)
            started.append(task)
        # people still free help the tasks under way, the most urgent first, up to their crew
        team = self._idle(queue)
        if team is not None:
            for task in sorted(running, key=lambda x: x.key):
                while team is not None and task.people < self._cap(task):
                    if task not in started and task not in was:
                        was[task] = self._remaining(task)
                        self._progress(task)
                    self._move(task, team, 1)
                    if task not in started:
                        moved.setdefault(task, {})
                        moved[task][team] = moved[task].get(team, 0) + 1
                    team = self._idle(queue)
        for task, change in moved.items():
            if task.people:
                self._plan_end(task)
                reason = "joined" if sum(change.values()) > 0 else "reassigned"
                self._replanned(task, reason, was[task], change)
        for task in started:
            self._plan_end(task)
            self._started(task)

    def _live(self, task: Task) -> bool:
        """Containment of a live compromise: triage or isolation of a node the attacker holds
        and that is still on the network."""
        state = self.sim.nodes[task.node]
        return task.step.do in CONTAIN and state.status == "compromised" and not state.isolated

    def _free_person(
        self, queue: str, key: tuple[int, int, int], moved: dict[Task, dict[str, int]], was: dict[Task, float]
    ) -> str | None:
        """A person for the containment of a live compromise, taken off the least urgent task
        under way that comes later in the team's order (eradication, recovery): a helper if one
        has some, else its last person, which sends it back to the queue with the work left.
        Return the person's team, or None."""
        later = [x for x in self.running[queue] if x.key[0] > key[0] and x.people]
        if not later:
            return None
        task = max([x for x in later if x.people > 1] or later, key=lambda x: x.key)
        if task not in was:
            was[task] = self._remaining(task)
        self._progress(task)
        team = next(t for t in reversed(list(task.crew)) if task.crew[t] > 0)
        self._move(task, team, -1)
        change = moved.pop(task, {})
        change[team] = change.get(team, 0) - 1
        if task.people:
            moved[task] = change
        else:
            self._requeue(task, "reassigned", was.pop(task), change)
        return team

    def _move(self, task: Task, team: str, people: int) -> None:
        """People join (or leave) a task's hands-on work."""
        task.crew[team] = task.crew.get(team, 0) + people
        if task.crew[team] == 0:
            del task.crew[team]
        self.busy[team] += people

    def _cap(self, task: Task) -> int:
        """People who can share a task: its step's crew, and no more than one per machine."""
        return min(task.step.crew, max(1, task.machines))

    # ------------------------------------------------------------ planning
    def machines(self, do: str, node: str) -> int:
        """The machines a step works on: a reimage, those the attacker holds; a restore, those
        whose data is damaged; any other step, every machine of the node."""
        state = self.sim.nodes[node]
        if do == "reimage":
            return max(1, state.infected)
        if do == "restore":
            hit = state.infected if state.status == "compromised" else 0
            if state.impact not in DAMAGED:
                return hit
            return max(hit, self.damaged.get(node, 0)) or state.hosts
        return state.hosts

    def _lead(self, step: Step, node: str, draw: bool = True) -> tuple[str, float]:
        """Where a step's lead time comes from, and how long it is."""
        wait = step.wait
        if wait is None:
            return "none", 0.0
        if wait == FROM_BACKUP:
            return self.restore_time(node)
        if not draw:
            return "fixed", 0.0
        return "fixed", sample(wait, self.sim.streams(f"work/{node}/{step.do}/lead"))

    def restore_time(self, node: str) -> tuple[str, float]:
        """The wait to bring a node back: none when its data is intact and the attacker is gone,
        its backup's restore time, else its rebuild time. A machine the attacker still holds is
        restored whole (system and data) from its backup, never by checks alone."""
        spec = self.sim.city.nodes[node]
        state = self.sim.nodes[node]
        if state.impact not in DAMAGED and state.status != "compromised":
            return "intact", 0.0
        if spec.backup is not None and not state.backup_lost:
            return "backup", spec.backup.restore
        return "rebuild", spec.rebuild

    def _plan(self, task: Task, team: str) -> None:
        sim = self.sim
        step = task.step
        # one stream per node and step: another team's or another node's work draws no number here
        rng = sim.streams(f"work/{task.node}/{step.do}")
        base, per_host = step.work
        if step.do == "investigate" and task.investigation is None:
            # a playbook's own investigation: the node it works on, with the step's procedure
            task.investigation = sim.investigations.plan([task.node], step.procedure or "endpoint-analysis")
        if task.investigation is not None:
            task.machines = task.investigation.machines
        else:
            task.machines = self.machines(step.do, task.node)
        task.per_host = sample(per_host, rng)
        task.effort = sample(base, rng) + task.per_host * task.machines
        task.source, task.lead = self._lead(step, task.node)
        task.earliest = sim.now + step.shortest
        task.planned = True
        task.waiting = False
        if step.do in ("reimage", "restore"):
            sim.nodes[task.node].working = True
            sim.services.refresh([task.node])

    def _progress(self, task: Task) -> None:
        """Count the hands-on work done since the last count."""
        now = self.sim.now
        if not task.waiting:
            task.effort = max(0.0, task.effort - task.people * (now - task.since))
        task.since = now

    def _plan_end(self, task: Task) -> None:
        """(Re)schedule the end of the current phase."""
        now = self.sim.now
        end = task.ends if task.waiting else max(now + task.effort / task.people, task.earliest)
        task.ends = end
        task.version += 1
        call_later(self.sim.env, end - now, self._due, task, task.version)

    def _remaining(self, task: Task) -> float:
        """Minutes until the step is done, as planned now (hands-on at the present crew, then
        the lead time)."""
        now = self.sim.now
        if task.waiting:
            return task.ends - now
        if not task.people:
            return task.effort + task.lead
        left = max(0.0, task.effort - task.people * (now - task.since))
        return max(left / task.people, task.earliest - now) + task.lead

    def _due(self, task: Task, version: int) -> None:
        if version != task.version:
            return  # re-planned since
        sim = self.sim
        if not task.waiting:
            released = {team: -count for team, count in task.crew.items()}
            for team, count in list(task.crew.items()):
                self._move(task, team, -count)
            self.running[task.team].remove(task)
            task.effort = 0.0
            if task.lead > 0:
                task.waiting = True
                task.ends = sim.now + task.lead
                task.version += 1
                call_later(sim.env, task.lead, self._due, task, task.version)
                sim.emit(
                    ev.TASK_WAITING,
                    task.actor,
                    task.node,
                    step=task.step.do,
                    lead=task.lead,
                    source=task.source,
                    moved=released,
                    queued=len(self.queues[task.team]),
                )
                self._wake(task.team)
                return
        else:
            released = {}
        step = task.step
        self._finish_step(task.actor, task, step)
        sim.emit(
            ev.TASK_END,
            task.actor,
            task.node,
            step=step.do,
            moved=released,
            queued=len(self.queues[task.team]),
            # the playbook's own work, not a decision (the scorecard tells them apart)
            auto=task.auto,
        )
        self._next(task)
        self._wake(task.team)

    def _started(self, task: Task) -> None:
        data: dict[str, Any] = {
            "step": task.step.do,
            "takes": self._remaining(task),
            "people": task.people,
            "machines": task.machines,
            "lead": task.lead,
            "moved": dict(task.crew),
            "queued": len(self.queues[task.team]),
        }
        if task.resumed:
            data["resumed"] = True
        if task.investigation is not None:
            data["procedure"] = task.investigation.procedure
        self.sim.emit(ev.TASK_START, task.actor, task.node, **data)

    def _replanned(self, task: Task, reason: str, was: float, moved: dict[str, int] | None = None) -> None:
        self._emit_replan(task, reason, was, self._remaining(task), task.people, moved or {})

    def _emit_replan(
        self,
        task: Task,
        reason: str,
        was: float,
        remaining: float | None,
        people: int,
        moved: dict[str, int],
        **extra: Any,
    ) -> None:
        """The record of a re-plan (``extra`` goes before the queue's length, as the log has it)."""
        self.sim.emit(
            ev.TASK_REPLANNED,
            task.actor,
            task.node,
            step=task.step.do,
            reason=reason,
            was=was,
            remaining=remaining,
            people=people,
            moved=moved,
            **extra,
            queued=len(self.queues[task.team]),
        )

    def _requeue(self, task: Task, reason: str, was: float, moved: dict[str, int]) -> None:
        """Back to the queue, keeping its place and the work still to do; the node stays out."""
        if task in self.running[task.team]:
            self.running[task.team].remove(task)
        task.version += 1
        task.resumed = True
        heappush(self.queues[task.team], (task.key, task))
        self._emit_replan(task, reason, was, None, 0, moved, requeued=True)
        self._wake(task.team)

    # ------------------------------------------------------------ premises
    def _seen(self, e: Event) -> None:
        """A listener on every event: work under way on a node whose state changed is looked at
        again once this moment's changes are done."""
        if e.target in self.on_node and e.kind in _PREMISE_KINDS:
            call_later(self.sim.env, 0.0, self._recheck, e.target)

    def _recheck(self, node: str) -> None:
        """Work whose premise changed re-plans: more machines to work on, or a different wait
        (the data was encrypted after a restore began, the backup was lost)."""
        state = self.sim.nodes[node]
        for task in list(self.on_node.get(node, ())):
            if not task.planned or task.investigation is not None:
                continue
            step = task.step
            if step.do == "reimage" and state.status != "compromised" and not task.waiting:
                # other work (a decision's reimage or restore) already cleaned it: nothing is
                # left to do here, and the people go on to what comes next
                was = self._remaining(task)
                self._progress(task)
                task.effort = 0.0
                task.earliest = self.sim.now
                if task.people:
                    self._plan_end(task)
                    self._replanned(task, "cleaned", was)
                continue
            extra = max(0, self.machines(step.do, node) - task.machines)
            source, lead = (task.source, task.lead)
            if step.wait == FROM_BACKUP:
                source, lead = self.restore_time(node)
            changed = source != task.source
            if not extra and not changed:
                continue
            if changed:
                if source == "intact":
                    reason = "cleaned"  # other work removed the attacker: nothing left to bring back
                elif source == "rebuild" and task.source == "backup":
                    reason = "backup_lost"
                else:
                    reason = state.impact if state.impact in DAMAGED else "compromised"
            else:
                reason = "more_hosts"
            was = self._remaining(task)
            self._progress(task)
            task.machines += extra
            task.effort += task.per_host * extra
            if changed:
                task.source = source
                task.lead = lead
            if task.waiting and extra:
                # more hands-on work after it was done: back to the queue for it, then the wait
                task.waiting = False
                self._requeue(task, reason, was, {})
                continue
            if task.waiting:
                task.ends = self.sim.now + lead  # the wait starts again, from now
            elif task.people == 0:
                continue  # in the queue: its plan is new when it starts again
            self._plan_end(task)
            self._replanned(task, reason, was)
            if extra:
                self._wake(task.team)  # more machines: room for more people on it

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

    def _next(self, task: Task) -> None:
        """On to the task's next step, queued as a new arrival."""
        if task.planned:
            self._drop(task)
        if task.step_index + 1 < len(task.steps):
            task.step_index += 1
            task.planned = task.waiting = task.resumed = False
            task.crew = {}
            task.actor = ""
            self._queue(task)

    def _drop(self, task: Task) -> None:
        """A step started earlier is over (done, or pointless now): the node is no longer worked on."""
        tasks = self.on_node.get(task.node, [])
        if task in tasks:
            tasks.remove(task)
            if not tasks:
                del self.on_node[task.node]
        state = self.sim.nodes[task.node]
        if task.step.do in ("reimage", "restore") and state.working:
            state.working = False
            self.sim.services.refresh([task.node])

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
            # outside help works the calling team's queue: it puts back what that team took off
            sim.handler.restored(node, by=team, reconnect=task.auto, owner=task.team)
        elif step.do == "patch":
            sim.handler.patched(node, by=team)
        elif step.do == "reset-credentials":
            sim.handler.block_trust([node], by=team)
        elif step.do == "report":
            sim.emit(ev.REPORT, team, "", to="", auto=True)
        elif step.do == "investigate":
            sim.investigations.conclude(task)

    def utilisation(self) -> dict[str, tuple[int, int, int]]:
        """Per team: busy, staff, queued."""
        return {
            tid: (self.busy.get(tid, 0), self.staff.get(tid, 0), len(self.queues[tid])) for tid in self.teams
        }
