"""The drill's figures, folded from its events — one module for the live view, replay, report
and batch, so a number never differs between them.

Definitions (after the incident-handling phases of NIST SP 800-61: detection and analysis,
containment, eradication and recovery). Every clock is in drill minutes and runs from the
**incident start**; every time figure is zero or more, or "not yet" (None).

- **Incident start**: the first effect of the attack — the first compromise or the first attack
  effect (a flood, a defacement, encryption, exfiltration …), whichever comes first. A service
  the players take down before that does not start the incident.
- **Detected**: the first moment the defenders know of the incident at or after its start — a
  sensor alert, users reporting what they see (both ``detection`` events), or the delivery of an
  inject the trainer marked ``reveals: true`` (a help-desk call, a ransom note).
- **Contained**: nothing of the attacker is active — every compromised node is isolated or
  cleaned and no flood reaches a node — and the incident has been detected. The moment is the
  later of the two: an attack that went quiet before anyone knew is contained when it is known.
  A new foothold after that re-opens it (containment that did not hold is not containment).
- **Recovered**: contained, and nothing harmed is left — every service is up, every body is
  back on the WAN, and no node is left encrypted, wiped or defaced. The moment is the later of
  containment and the end of the last harm; there is nothing to recover (None) when nothing was
  ever harmed. So ``detect ≤ contain ≤ recover`` whenever they are reached.
- **Hosts compromised in all**: distinct machines — per node (a group of like machines) the
  most compromised at one time, never more than it has. Hits on machines already counted (a
  reinfection after a cleaning) are a figure of their own: ``hosts_reinfected``.
- **Citizen impact** (requests not served): each service's citizens per working day are split
  over the bodies whose people use it, by population (evenly when none has any). A group of
  people — one service at one body — is harmed for every minute that (a) the service is down
  for its own reason, or (b) the body cannot serve: it is cut off from the WAN, or its front
  desk (its nodes tagged ``one-stop``, else its workstations) is all encrypted, wiped,
  isolated or switched off (services used from the Internet are still reached from home).
  A body with a ``parent`` (a ward or commune under its district) also cannot serve while its
  parent cannot: its people need both desks. A parent's own share is its population less its
  children's (a district whose communes hold all its people serves them through them).
  A service down only because a citizen-facing service it needs is down (an online service
  behind the portal) adds nobody: its people are those of that service. Impact =
  Σ over harmed groups of citizens × minutes / (8 h × 60), counted once per group per minute.
- **Expected actions**, graded at any moment ``now``: *met* (done by the deadline), *late*
  (done after it), *missed* (the deadline has passed and it is not done) or *open* (not yet
  due). Done means a player's decision (its time, even before the inject asked) or the
  facilitator's mark; the simulated team's own playbook doing it counts only where the
  scenario says ``counts_automatic: true`` (the scorecard shows it either way).
- **Objectives**, graded at ``now``: *met*, *not met*, or *undecided* while the outcome can
  still change before the drill's planned end (e.g. ``time to contain < 4h`` at T+1h, not yet
  contained). At the planned end nothing is undecided; a downtime objective whose service is
  still down then is not met.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .engine import events as ev
from .engine.events import Event
from .model.load import Scenario
from .model.scenario import Expectation

WORKING_DAY_HOURS = 8.0
WORKING_DAY_MINUTES = WORKING_DAY_HOURS * 60.0
EPS = 1e-9
# effects that leave a node harmed until it is restored
DAMAGE = {"encrypt": "encrypted", "wipe": "wiped", "deface": "defaced"}
# playbook steps and the expected actions they do
STEP_ACTIONS = {
    "isolate": ("isolate",),
    "reimage": ("reimage",),
    "restore": ("restore",),
    "patch": ("patch",),
    "reset-credentials": ("reset-credentials", "block-trust"),
    "report": ("report",),
}
# objectives whose figure only grows as the drill goes on
GROWING = (
    "hosts_compromised",
    "nodes_compromised",
    "bodies_affected",
    "downtime",
    "citizen_impact",
    "data_exfiltrated_gb",
)
MET, NOT_MET, UNDECIDED = "met", "not_met", "undecided"


@dataclass
class ObjectiveResult:
    index: int
    metric: str
    value: float | None
    bound: float
    kind: str  # under | at_least
    met: bool
    service: str | None = None
    site: str | None = None
    state: str = NOT_MET  # met, not_met, undecided


@dataclass
class ExpectationResult:
    """One expected action, graded at the snapshot's moment."""

    inject: str  # an inject id, or "deadlines"
    index: int
    action: str
    by: str
    issued: float
    due: float
    status: str  # met, late, missed, open
    done_at: float | None  # when it was done (a decision, or the playbook where that counts)
    automatic_at: float | None  # when the team's own playbook did it, if it did
    counts_automatic: bool  # whether the playbook's doing counts


@dataclass
class Snapshot:
    """Every figure at one moment (minutes since T+0)."""

    now: float
    time_to_detect: float | None
    time_to_contain: float | None
    time_to_recover: float | None
    contained: bool
    dwell_mean: float | None
    hosts_now: int
    hosts_ever: int
    nodes_now: int
    nodes_ever: int
    hosts_by_body_now: dict[str, int]
    hosts_by_body_ever: dict[str, int]
    bodies_affected: list[str]
    services_reached: list[str]
    services_down: list[str]
    downtime_by_service: dict[str, float]
    downtime_by_body: dict[str, float]
    citizen_impact: float
    data_exfiltrated_gb: float
    utilisation: dict[str, float]
    queue: dict[str, int]
    staff: dict[str, int]
    expectations: dict[str, int]
    objectives: list[ObjectiveResult] = field(default_factory=list)
    # where the clocks stand (minutes since T+0; None: not yet)
    planned: float = 0.0
    incident_start: float | None = None
    detected_at: float | None = None
    contained_at: float | None = None
    recovered_at: float | None = None
    harmed: bool = False  # anything harmed since the incident started (something to recover)
    hosts_reinfected: int = 0
    reinfections: int = 0
    bodies_cut_off: list[str] = field(default_factory=list)
    citizen_impact_by_body: dict[str, float] = field(default_factory=dict)
    expectation_items: list[ExpectationResult] = field(default_factory=list)

    def figure(self, metric: str, service: str | None = None, site: str | None = None) -> float | None:
        """One figure by the name objectives use."""
        if metric == "time_to_detect":
            return self.time_to_detect
        if metric == "time_to_contain":
            return self.time_to_contain
        if metric == "time_to_recover":
            return self.time_to_recover
        if metric == "hosts_compromised":
            return float(self.hosts_by_body_ever.get(site, 0) if site else self.hosts_ever)
        if metric == "nodes_compromised":
            return float(self.nodes_ever)
        if metric == "bodies_affected":
            return float(len(self.bodies_affected))
        if metric == "downtime":
            if service:
                return self.downtime_by_service.get(service, 0.0)
            if site:
                return self.downtime_by_body.get(site, 0.0)
            return max(self.downtime_by_service.values(), default=0.0)
        if metric == "citizen_impact":
            return self.citizen_impact_by_body.get(site, 0.0) if site else self.citizen_impact
        if metric == "data_exfiltrated_gb":
            return self.data_exfiltrated_gb
        if metric == "expectations_met":
            total = sum(self.expectations.get(k, 0) for k in ("met", "late", "missed"))
            return self.expectations.get("met", 0) / total if total else 1.0
        raise KeyError(metric)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["objectives"] = [o.__dict__ for o in self.objectives]
        out["expectation_items"] = [x.__dict__ for x in self.expectation_items]
        return out


class Metrics:
    """Feed it events in order; ask for a snapshot at any time.

    The state is plain dicts, sets and tuples (the replay copies it a level at a time)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        city = scenario.city
        self.city = city
        self.node_site = {n: spec.site for n, spec in city.nodes.items()}
        self.data_gb = {n: spec.data_gb for n, spec in city.nodes.items()}
        self.users: dict[str, list[str]] = {site: [] for site in city.sites}
        for sid, svc in city.services.items():
            for site in _user_sites(city, svc.users):
                self.users[site].append(sid)
        self.citizens = {sid: svc.serves.citizens for sid, svc in city.services.items()}
        self.demand = _demand(scenario)
        self.body_demand: dict[str, list[tuple[str, float, bool]]] = {}
        for sid, groups in self.demand.items():
            internet = city.services[sid].from_internet
            for site, per_day in groups:
                self.body_demand.setdefault(site, []).append((sid, per_day, internet))
        self.desk = _front_desks(scenario)
        self.parent = {sid: site.parent for sid, site in city.sites.items() if site.parent}
        self.children: dict[str, list[str]] = {}
        for child, parent in self.parent.items():
            self.children.setdefault(parent, []).append(child)
        self.revealing = {i.id for i in scenario.spec.injects if i.reveals}
        self.planned = float(scenario.spec.duration)
        self.now = 0.0
        # clocks
        self.incident_start: float | None = None
        self.first_compromise: float | None = None
        self.first_detection: float | None = None
        self.quiet_since: float | None = None  # nothing of the attacker active since
        self.harm_clear_since: float | None = None  # nothing harmed since
        self.harmed_ever = False
        self.overloaded: set[str] = set()
        self.damaged: dict[str, str] = {}  # node → encrypted, wiped or defaced
        self.offline_nodes: set[str] = set()
        # spread
        self.infected: dict[str, int] = {}
        self.peak: dict[str, int] = {}  # node → most hosts compromised at once
        self.host_hits = 0
        self.cleaned_nodes: set[str] = set()
        self.reinfections = 0
        self.compromised_at: dict[str, float] = {}
        self.isolated: set[str] = set()
        self.active: set[str] = set()  # compromised and not isolated
        self.dwell: list[float] = []
        self.detected: set[str] = set()
        self.nodes_ever: set[str] = set()
        # services and bodies
        self.down_since: dict[str, float] = {}
        self.down_reason: dict[str, str] = {}
        self.downtime: dict[str, float] = {}
        self.services_reached: list[str] = []
        self.disconnected_since: dict[str, float] = {}
        self.body_down_since: dict[str, float] = {}
        self.body_downtime: dict[str, float] = {}
        self.desk_out: dict[str, int] = {}  # body → front-desk nodes out of use
        self.impact: dict[str, float] = {}  # body → requests not served so far
        self.impact_rate: dict[str, float] = {}  # body → requests not served a minute, now
        self.impact_t = 0.0
        # body → since when its rate has held: a rate is summed once per change of rate, so the
        # same drill with more events in it (a decision that changes nothing) sums the same
        self.impact_since: dict[str, float] = {}
        self.impact_dirty = False
        self.exfil: dict[str, tuple[float, float, float]] = {}  # node → (since, rate/h, already)
        self.exfiltrated: dict[str, float] = {}
        # teams
        self.staff: dict[str, int] = {}
        self.busy: dict[str, int] = {}
        self.busy_since: dict[str, float] = {}
        self.busy_time: dict[str, float] = {}
        self.staff_time: dict[str, float] = {}
        self.staff_since: dict[str, float] = {}
        self.queue: dict[str, int] = {}
        # expected actions: key → (action, by, issued, due, done_at or None)
        self.expectations: dict[tuple[str, int], tuple[str, str, float, float, float | None]] = {}
        self.command_t: dict[int, float] = {}  # a decision's sequence number → its time
        self.automatic: dict[tuple[str, str], dict[str, float]] = {}  # (action, team) → node → first t
        self.series: dict[str, list[tuple[float, float]]] = {
            "hosts": [(0.0, 0.0)],
            "services_up": [],
            "queue": [(0.0, 0.0)],
        }
        self.incident = False

    def feed_all(self, events: Iterable[Event]) -> Metrics:
        for event in events:
            self.feed(event)
        return self

    # ------------------------------------------------------------ folding
    def feed(self, e: Event) -> None:
        if e.t > self.impact_t:
            self._impact_to(e.t)
        self.now = e.t
        handler = _HANDLERS.get(e.kind)
        if handler is not None:
            handler(self, e)

    def _start(self, e: Event) -> None:
        if "duration" in e.data:
            self.planned = float(e.data["duration"])
        for team, staff in e.data.get("teams", {}).items():
            self._set_staff(team, staff, e.t)
            self.busy[team] = 0
            self.queue[team] = 0
        self.series["services_up"].append((e.t, float(len(self.city.services))))

    def _set_staff(self, team: str, staff: int, t: float) -> None:
        if team in self.staff_since:
            self.staff_time[team] = self.staff_time.get(team, 0.0) + self.staff[team] * (
                t - self.staff_since[team]
            )
        self.staff[team] = staff
        self.staff_since[team] = t

    def _begin(self, t: float) -> None:
        """The incident's first effect."""
        if self.incident_start is None:
            self.incident_start = t
            self.incident = True
            self._active_changed(t)
            self._harm_changed(t)

    def _active_changed(self, t: float) -> None:
        attacking = bool(self.active) or bool(self.overloaded - self.isolated)
        if attacking:
            self.quiet_since = None
        elif self.quiet_since is None and self.incident_start is not None:
            self.quiet_since = t

    def _harm_changed(self, t: float) -> None:
        harmed = bool(self.down_since) or bool(self.disconnected_since) or bool(self.damaged)
        if harmed and self.incident_start is not None:
            self.harmed_ever = True
        if harmed:
            self.harm_clear_since = None
        elif self.harm_clear_since is None:
            self.harm_clear_since = t

    def _compromise(self, e: Event) -> None:
        node = e.target
        hosts = int(e.data.get("hosts", 0))
        self._begin(e.t)
        if node not in self.infected:
            self.infected[node] = 0
            self.compromised_at[node] = e.t
            self.nodes_ever.add(node)
            if node in self.cleaned_nodes:
                self.reinfections += 1
            if node not in self.isolated:
                self.active.add(node)
        if self.first_compromise is None:
            self.first_compromise = e.t
        self.infected[node] = int(e.data.get("infected", self.infected[node] + hosts))
        self.host_hits += hosts
        self.peak[node] = max(self.peak.get(node, 0), self.infected[node])
        self._active_changed(e.t)
        self._hosts_point(e.t)

    def _hosts_point(self, t: float) -> None:
        self.series["hosts"].append((t, float(sum(self.infected.values()))))

    def _detection(self, e: Event) -> None:
        node = e.target
        self._detected(e.t)
        if node in self.compromised_at and node not in self.detected:
            self.detected.add(node)
            self.dwell.append(e.t - self.compromised_at[node])

    def _detected(self, t: float) -> None:
        if self.first_detection is None and self.incident_start is not None:
            self.first_detection = t

    def _inject(self, e: Event) -> None:
        if e.target in self.revealing:
            self._detected(e.t)

    def _effect(self, e: Event) -> None:
        effect = e.data.get("effect")
        node = e.target
        self._begin(e.t)
        if effect == "exfiltrate":
            self._stop_exfil(node, e.t)  # what a copy already running sent is kept
            self.exfil[node] = (
                e.t,
                float(e.data.get("rate_gb_per_hour", 0.0)),
                self.exfiltrated.get(node, 0.0),
            )
        elif effect == "deny":
            self.overloaded.add(node)
            self._active_changed(e.t)
        elif effect in DAMAGE:
            self.damaged[node] = DAMAGE[effect]
            self._node_use(node, e.t)
            self._harm_changed(e.t)

    def _effect_end(self, e: Event) -> None:
        if e.data.get("effect") == "exfiltrate":
            self._stop_exfil(e.target, e.t)  # no way out is left: nothing more goes
        elif e.data.get("effect") == "deny":
            self.overloaded.discard(e.target)
            self._active_changed(e.t)

    def _stop_exfil(self, node: str, t: float) -> None:
        if node in self.exfil:
            since, rate, already = self.exfil.pop(node)
            self.exfiltrated[node] = min(self.data_gb.get(node, 0.0), already + rate * (t - since) / 60.0)

    def _isolate(self, e: Event) -> None:
        node = e.target
        self.isolated.add(node)
        self._stop_exfil(node, e.t)
        self.active.discard(node)
        self._active_changed(e.t)
        self._node_use(node, e.t)

    def _reconnect(self, e: Event) -> None:
        node = e.target
        self.isolated.discard(node)
        if node in self.infected:
            self.active.add(node)
        self._active_changed(e.t)
        self._node_use(node, e.t)

    def _cleaned(self, e: Event) -> None:
        node = e.target
        self._stop_exfil(node, e.t)
        if node in self.infected:
            del self.infected[node]
            self.detected.discard(node)
            self.compromised_at.pop(node, None)
            self.cleaned_nodes.add(node)
            self._hosts_point(e.t)
        self.active.discard(node)
        if e.kind == ev.RESTORED or not e.data.get("damaged", node in self.damaged):
            self.damaged.pop(node, None)
            self._node_use(node, e.t)
        self._active_changed(e.t)
        self._harm_changed(e.t)

    def _offline(self, e: Event) -> None:
        node = e.target
        if node not in self.city.nodes or (node in self.city.services and e.actor != "white-cell"):
            return  # a service taken offline: its service_down event follows
        if e.kind == ev.OFFLINE:
            self.offline_nodes.add(node)
        else:
            self.offline_nodes.discard(node)
        self._node_use(node, e.t)

    def _node_use(self, node: str, t: float) -> None:
        """A front-desk node went out of use or came back."""
        site = self.node_site.get(node)
        if site is None or node not in self.desk.get(site, ()):
            return
        out = sum(1 for n in self.desk[site] if self._out(n))
        if out != self.desk_out.get(site, 0):
            self.desk_out[site] = out
            self.impact_dirty = True
            self._bodies(t)

    def _out(self, node: str) -> bool:
        # a defaced web page does not stop a desk; encrypted or wiped machines do
        return (
            node in self.isolated
            or node in self.offline_nodes
            or self.damaged.get(node, "defaced") != "defaced"
        )

    def _service_down(self, e: Event) -> None:
        sid = e.target
        self.down_since[sid] = e.t
        self.down_reason[sid] = str(e.data.get("reason", ""))
        if sid not in self.services_reached:
            self.services_reached.append(sid)
        self.impact_dirty = True
        self._services_point(e.t)
        self._bodies(e.t)
        self._harm_changed(e.t)

    def _service_reason(self, e: Event) -> None:
        if e.target in self.down_since:
            self.down_reason[e.target] = str(e.data.get("reason", ""))
            self.impact_dirty = True

    def _service_up(self, e: Event) -> None:
        sid = e.target
        since = self.down_since.pop(sid, e.t)
        self.down_reason.pop(sid, None)
        self.downtime[sid] = self.downtime.get(sid, 0.0) + (e.t - since)
        self.impact_dirty = True
        self._services_point(e.t)
        self._bodies(e.t)
        self._harm_changed(e.t)

    def _services_point(self, t: float) -> None:
        self.series["services_up"].append((t, float(len(self.city.services) - len(self.down_since))))

    def _site(self, e: Event) -> None:
        if e.kind == ev.SITE_DISCONNECTED:
            self.disconnected_since[e.target] = e.t
        else:
            self.disconnected_since.pop(e.target, None)
        self.impact_dirty = True
        self._bodies(e.t)
        self._harm_changed(e.t)

    def _body_out(self, site: str) -> bool:
        """A body cannot serve: cut off from the WAN, or its whole front desk out of use, or (a
        ward or commune) its district cannot."""
        if self._own_out(site):
            return True
        parent = self.parent.get(site)
        return parent is not None and self._own_out(parent)

    def _own_out(self, site: str) -> bool:
        if site in self.disconnected_since:
            return True
        desk = self.desk.get(site, ())
        return bool(desk) and self.desk_out.get(site, 0) >= len(desk)

    def _bodies(self, t: float) -> None:
        """A body is hurt while any service it uses is down, or it cannot serve."""
        for site, used in self.users.items():
            hurt = self._body_out(site) or any(s in self.down_since for s in used)
            if hurt and site not in self.body_down_since:
                self.body_down_since[site] = t
            elif not hurt and site in self.body_down_since:
                self.body_downtime[site] = (
                    self.body_downtime.get(site, 0.0) + t - self.body_down_since.pop(site)
                )

    # citizen impact: requests a minute not served, per body, changed only by events
    def _counted_down(self, sid: str) -> bool:
        """A service down that harms its own people: not only because a citizen-facing service it
        needs is down (then they are that service's people)."""
        return sid in self.down_since and not self._behind_front_door(sid)

    def _behind_front_door(self, sid: str, depth: int = 0) -> bool:
        reason = self.down_reason.get(sid, "")
        what, _, other = reason.partition(":")
        if what != "service" or other not in self.down_since or depth > 20:
            return False
        return self.citizens.get(other, 0) > 0 or self._behind_front_door(other, depth + 1)

    def _rates(self) -> dict[str, float]:
        counted = {
            sid for sid in self.down_since if self.citizens.get(sid, 0) > 0 and self._counted_down(sid)
        }
        out_bodies = {site for site in self.desk_out if self._own_out(site)} | set(self.disconnected_since)
        if out_bodies and self.children:  # a district out takes its communes' people with it
            out_bodies |= {child for site in list(out_bodies) for child in self.children.get(site, ())}
        rates: dict[str, float] = {}
        for sid in counted:
            for site, per_day in self.demand.get(sid, ()):
                rates[site] = rates.get(site, 0.0) + per_day / WORKING_DAY_MINUTES
        for site in out_bodies:
            for sid, per_day, from_internet in self.body_demand.get(site, ()):
                if sid not in counted and not from_internet:
                    rates[site] = rates.get(site, 0.0) + per_day / WORKING_DAY_MINUTES
        return rates

    def _impact_to(self, t: float) -> None:
        if self.impact_dirty:  # the state changed at the last event: new rates from then on
            new = self._rates()
            _accrue(self.impact, self.impact_since, self.impact_rate, new, self.impact_t)
            self.impact_rate = new
            self.impact_dirty = False
        self.impact_t = t

    def _task(self, e: Event) -> None:
        """People start, join, leave or finish a task's hands-on work (``moved``: people by team;
        a log written before crews were counted moves one person of the actor's team)."""
        moved = e.data.get("moved")
        if moved is None:
            moved = {e.actor: {ev.TASK_START: 1, ev.TASK_END: -1}.get(e.kind, 0)}
        for team, change in moved.items():
            if change:
                self._busy(team, int(change), e.t)
        self.queue[e.actor] = int(e.data.get("queued", 0))
        self._queue_point(e.t)
        if e.kind != ev.TASK_END:
            return
        step = str(e.data.get("step", ""))
        # older logs do not say: the steps a decision never queues are the playbook's
        auto = e.data.get("auto", step in ("isolate", "reset-credentials", "report", "triage"))
        if auto:
            for action in STEP_ACTIONS.get(step, ()):
                done = self.automatic.setdefault((action, e.actor), {})
                done.setdefault(e.target, e.t)

    def _alert(self, e: Event) -> None:
        self.queue[e.actor] = int(e.data.get("queued", 0))
        self._queue_point(e.t)

    def _queue_point(self, t: float) -> None:
        self.series["queue"].append((t, float(sum(self.queue.values()))))

    def _busy(self, team: str, change: int, t: float) -> None:
        if team in self.busy_since:
            self.busy_time[team] = self.busy_time.get(team, 0.0) + self.busy.get(team, 0) * (
                t - self.busy_since[team]
            )
        self.busy[team] = self.busy.get(team, 0) + change
        self.busy_since[team] = t

    def _arrived(self, e: Event) -> None:
        team = e.actor
        self._set_staff(team, self.staff.get(team, 0) + int(e.data.get("staff", 0)), e.t)

    def _staff(self, e: Event) -> None:
        self._set_staff(e.actor, int(e.data.get("staff", 0)), e.t)

    def _command(self, e: Event) -> None:
        self.command_t[e.seq] = e.t

    def _expectation(self, e: Event) -> None:
        key = (e.target, int(e.data.get("index", 0)))
        status = str(e.data.get("status"))
        item = self.expectations.get(key)
        if item is None:
            due = float(e.data.get("due", e.t))
            item = (str(e.data.get("action", "")), e.actor, e.t, due, None)
        if status in ("met", "late") and item[4] is None:
            # done when the decision was taken (maybe before the inject asked), or when marked
            seq = int(e.data.get("command", -1))
            done = self.command_t.get(seq, e.t) if seq >= 0 else e.t
            item = (*item[:4], done)
        # the engine's open, overdue and missed are graded here from the deadline and the clock
        self.expectations[key] = item

    # ------------------------------------------------------------ reading
    def snapshot(self, now: float | None = None) -> Snapshot:
        now = self.now if now is None else now
        start = self.incident_start
        detected_at = (
            self.first_detection if self.first_detection is not None and self.first_detection <= now else None
        )
        contained_at = None
        if detected_at is not None and self.quiet_since is not None:
            contained_at = max(detected_at, self.quiet_since)
        recovered_at = None
        if contained_at is not None and self.harmed_ever and self.harm_clear_since is not None:
            recovered_at = max(contained_at, self.harm_clear_since)
        ttd = detected_at - start if detected_at is not None and start is not None else None
        ttc = contained_at - start if contained_at is not None and start is not None else None
        ttr = recovered_at - start if recovered_at is not None and start is not None else None
        # nodes still undetected count with their dwell so far
        undetected = [now - since for node, since in self.compromised_at.items() if node not in self.detected]
        all_dwell = self.dwell + undetected
        downtime = dict(self.downtime)
        for sid, since in self.down_since.items():
            downtime[sid] = downtime.get(sid, 0.0) + now - since
        body = dict(self.body_downtime)
        for site, since in self.body_down_since.items():
            body[site] = body.get(site, 0.0) + now - since
        rates, impact, since = self.impact_rate, dict(self.impact), dict(self.impact_since)
        if self.impact_dirty:
            rates = self._rates()
            _accrue(impact, since, self.impact_rate, rates, self.impact_t)
        for site, rate in rates.items():
            impact[site] = impact.get(site, 0.0) + rate * max(0.0, now - since[site])
        impact = {site: v for site, v in sorted(impact.items()) if v > 0}
        exfil = dict(self.exfiltrated)
        for node, (since, rate, already) in self.exfil.items():
            exfil[node] = min(self.data_gb.get(node, 0.0), already + rate * (now - since) / 60.0)
        by_body_now: dict[str, int] = {}
        for node, count in self.infected.items():
            site = self.node_site[node]
            by_body_now[site] = by_body_now.get(site, 0) + count
        by_body_ever: dict[str, int] = {}
        for node, count in self.peak.items():
            site = self.node_site[node]
            by_body_ever[site] = by_body_ever.get(site, 0) + count
        hosts_ever = sum(self.peak.values())
        util = {}
        for team, staff in self.staff.items():
            staff_time = self.staff_time.get(team, 0.0) + staff * (now - self.staff_since.get(team, now))
            busy_time = self.busy_time.get(team, 0.0) + self.busy.get(team, 0) * (
                now - self.busy_since.get(team, now)
            )
            util[team] = busy_time / staff_time if staff_time > 0 else 0.0
        items = self._grade(now)
        counts = {"met": 0, "late": 0, "missed": 0, "open": 0}
        for item in items:
            counts[item.status] += 1
        snap = Snapshot(
            now=now,
            time_to_detect=ttd,
            time_to_contain=ttc,
            time_to_recover=ttr,
            contained=contained_at is not None,
            dwell_mean=sum(all_dwell) / len(all_dwell) if all_dwell else None,
            hosts_now=sum(self.infected.values()),
            hosts_ever=hosts_ever,
            nodes_now=len(self.infected),
            nodes_ever=len(self.nodes_ever),
            hosts_by_body_now=dict(sorted(by_body_now.items())),
            hosts_by_body_ever=dict(sorted(by_body_ever.items())),
            bodies_affected=sorted(by_body_ever),
            services_reached=list(self.services_reached),
            services_down=sorted(self.down_since),
            downtime_by_service=dict(sorted(downtime.items())),
            downtime_by_body=dict(sorted(body.items())),
            citizen_impact=sum(impact.values()),
            data_exfiltrated_gb=sum(exfil.values()),
            utilisation=util,
            queue=dict(self.queue),
            staff=dict(self.staff),
            expectations=counts,
            planned=self.planned,
            incident_start=start,
            detected_at=detected_at,
            contained_at=contained_at,
            recovered_at=recovered_at,
            harmed=self.harmed_ever,
            hosts_reinfected=self.host_hits - hosts_ever,
            reinfections=self.reinfections,
            bodies_cut_off=sorted(self.disconnected_since),
            citizen_impact_by_body=impact,
            expectation_items=items,
        )
        snap.objectives = self._objectives(snap)
        return snap

    # ------------------------------------------------------------ expected actions
    def _grade(self, now: float) -> list[ExpectationResult]:
        out = []
        for (inject, index), (action, by, issued, due, done) in self.expectations.items():
            spec = self._expectation_spec(inject, index)
            counts = self._counts_automatic(spec)
            auto = self._automatic_at(action, by, spec, now)
            when = done if done is not None and done <= now + EPS else None
            if counts and auto is not None and (when is None or auto < when):
                when = auto
            if when is not None:
                status = "met" if when <= due + EPS else "late"
            elif now > due + EPS:
                status = "missed"
            else:
                status = "open"
            out.append(ExpectationResult(inject, index, action, by, issued, due, status, when, auto, counts))
        return out

    def _expectation_spec(self, inject: str, index: int) -> Expectation | None:
        spec = self.scenario.spec
        if inject == "deadlines":
            if index < len(spec.deadlines):
                d = spec.deadlines[index]
                return Expectation(action=d.action, to=d.to, within=d.within, by=d.by, text=d.text)
            return None
        for item in spec.injects:
            if item.id == inject:
                return item.expects[index] if index < len(item.expects) else None
        return None

    def _counts_automatic(self, spec: Expectation | None) -> bool:
        if spec is not None and spec.counts_automatic is not None:
            return spec.counts_automatic
        return self.scenario.spec.counts_automatic

    def _automatic_at(self, action: str, by: str, spec: Expectation | None, now: float) -> float | None:
        """When a team's own playbook first did this action (on the expected nodes), if it did."""
        targets = set(self.city.select(spec.target)) if spec is not None and spec.target else None
        best: float | None = None
        for (done_action, team), nodes in self.automatic.items():
            if done_action != action or (by and team != by):
                continue
            for node, t in nodes.items():
                if t <= now + EPS and (targets is None or node in targets) and (best is None or t < best):
                    best = t
        return best

    # ------------------------------------------------------------ objectives
    def _objectives(self, snap: Snapshot) -> list[ObjectiveResult]:
        out = []
        final = snap.now >= self.planned - EPS
        for i, obj in enumerate(self.scenario.spec.objectives):
            value = snap.figure(obj.metric, obj.service, obj.site)
            under = obj.under is not None
            bound = float(obj.under) if under else float(obj.at_least or 0.0)  # type: ignore[arg-type]
            state = self._objective_state(snap, obj.metric, obj.service, obj.site, value, bound, under, final)
            out.append(
                ObjectiveResult(
                    i,
                    obj.metric,
                    value,
                    bound,
                    "under" if under else "at_least",
                    state == MET,
                    obj.service,
                    obj.site,
                    state,
                )
            )
        return out

    def _objective_state(
        self,
        snap: Snapshot,
        metric: str,
        service: str | None,
        site: str | None,
        value: float | None,
        bound: float,
        under: bool,
        final: bool,
    ) -> str:
        def compare(v: float) -> str:
            return MET if (v < bound if under else v >= bound) else NOT_MET

        if metric.startswith("time_to_"):
            if value is not None:
                verdict = compare(value)
                if verdict == MET and metric != "time_to_detect" and not final:
                    # a new foothold (or new harm) re-opens containment (or recovery) and moves its
                    # clock later: only the planned end settles it; a clock past its bound never
                    # comes back under it
                    return UNDECIDED
                return verdict
            start = snap.incident_start
            if start is None or (metric == "time_to_recover" and not self.harmed_ever):
                # nothing happened (yet): nothing to detect, contain or recover
                return (MET if under else NOT_MET) if final else UNDECIDED
            if under and snap.now - start >= bound - EPS:
                return NOT_MET  # too late to come in under the bound
            return NOT_MET if final else UNDECIDED
        if metric in GROWING:
            assert value is not None
            if under and value >= bound:
                return NOT_MET
            if not under and value >= bound:
                return MET
            if not final:
                return UNDECIDED
            if under and metric == "downtime" and self._still_down(service, site):
                return NOT_MET  # still down at the end: its downtime is not known to stay under
            return compare(value)
        # a share of expected actions: final only at the planned end
        if not final:
            return UNDECIDED
        return compare(value if value is not None else 0.0)

    def _still_down(self, service: str | None, site: str | None) -> bool:
        if service:
            return service in self.down_since
        if site:
            return site in self.body_down_since
        return bool(self.down_since)


@dataclass(frozen=True)
class DistrictFigures:
    """A district (or any body with none above it) and the bodies under it, as one: how many of
    them were affected (the district itself counts), hosts compromised in all, the longest time one
    of them could not work or serve, and the requests their people could not make."""

    site: str
    bodies: int
    units: int  # of them, wards, communes and townships
    hosts: int
    longest_down: float
    citizens: float


def by_district(city: Any, snap: Snapshot) -> list[DistrictFigures]:
    """The snapshot's figures per body rolled up to its district (a body's ``parent``), for the
    districts that have bodies under them and something to show; most harmed first."""
    parents = {sid: site.parent for sid, site in city.sites.items() if site.parent in city.sites}
    if not parents:
        return []
    top = set(parents.values())
    acc: dict[str, dict[str, float]] = {}

    def add(site: str, key: str, value: float, how: str = "sum") -> None:
        owner = parents.get(site, site)
        if owner not in top:
            return
        row = acc.setdefault(owner, {"bodies": 0.0, "units": 0.0, "hosts": 0.0, "down": 0.0, "citizens": 0.0})
        row[key] = max(row[key], value) if how == "max" else row[key] + value

    for site in snap.bodies_affected:
        add(site, "bodies", 1)
        if site in parents:
            add(site, "units", 1)
    for site, hosts in snap.hosts_by_body_ever.items():
        add(site, "hosts", hosts)
    for site, minutes in snap.downtime_by_body.items():
        add(site, "down", minutes, "max")
    for site, requests in snap.citizen_impact_by_body.items():
        add(site, "citizens", requests)
    rows = [
        DistrictFigures(owner, int(r["bodies"]), int(r["units"]), int(r["hosts"]), r["down"], r["citizens"])
        for owner, r in acc.items()
        if r["bodies"] or r["down"] > 0 or r["citizens"] > 0
    ]
    return sorted(rows, key=lambda r: (-r.citizens, -r.hosts, -r.longest_down, r.site))


def _accrue(
    impact: dict[str, float], since: dict[str, float], old: dict[str, float], new: dict[str, float], t: float
) -> None:
    """Close the stretch of each body whose rate changes at ``t``, and open the new one."""
    for site in sorted(set(old) | set(new)):
        if old.get(site) == new.get(site):
            continue
        if site in old:
            impact[site] = impact.get(site, 0.0) + old[site] * (t - since[site])
        if site in new:
            since[site] = t
        else:
            since.pop(site, None)


def _user_sites(city: Any, users: Iterable[str]) -> list[str]:
    users = list(users)
    return list(city.sites) if "all" in users else [s for s in users if s in city.sites]


def _demand(scenario: Scenario) -> dict[str, list[tuple[str, float]]]:
    """Per service, its citizens a working day split over the bodies whose people use it, by
    population (evenly when none of them has any)."""
    city = scenario.city
    own = _own_populations(city)
    out: dict[str, list[tuple[str, float]]] = {}
    for sid, svc in city.services.items():
        citizens = float(svc.serves.citizens)
        sites = _user_sites(city, svc.users)
        if citizens <= 0 or not sites:
            continue
        population = [own.get(s, 0.0) for s in sites]
        total = sum(population)
        if total > 0:
            out[sid] = [(s, citizens * p / total) for s, p in zip(sites, population, strict=True) if p > 0]
        else:
            out[sid] = [(s, citizens / len(sites)) for s in sites]
    return out


def _own_populations(city: Any) -> dict[str, float]:
    """The people each body serves itself: its population less that of the bodies under it."""
    under: dict[str, int] = {}
    for site in city.sites.values():
        if site.parent:
            under[site.parent] = under.get(site.parent, 0) + site.population
    return {sid: float(max(0, site.population - under.get(sid, 0))) for sid, site in city.sites.items()}


def _front_desks(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Per body, the nodes its people are served at: those tagged ``one-stop``, else its
    workstations."""
    city = scenario.city
    out: dict[str, tuple[str, ...]] = {}
    for site, nodes in city.nodes_by_site.items():
        desk = tuple(n for n in nodes if "one-stop" in city.nodes[n].tags)
        if not desk:
            desk = tuple(n for n in nodes if city.nodes[n].kind == "workstations")
        if desk:
            out[site] = desk
    return out


_HANDLERS = {
    ev.DRILL_START: Metrics._start,
    ev.COMPROMISE: Metrics._compromise,
    ev.DETECTION: Metrics._detection,
    ev.INJECT: Metrics._inject,
    ev.EFFECT: Metrics._effect,
    ev.EFFECT_END: Metrics._effect_end,
    ev.ISOLATE: Metrics._isolate,
    ev.RECONNECT: Metrics._reconnect,
    ev.CLEANED: Metrics._cleaned,
    ev.RESTORED: Metrics._cleaned,
    ev.OFFLINE: Metrics._offline,
    ev.ONLINE: Metrics._offline,
    ev.SERVICE_DOWN: Metrics._service_down,
    ev.SERVICE_REASON: Metrics._service_reason,
    ev.SERVICE_UP: Metrics._service_up,
    ev.SITE_DISCONNECTED: Metrics._site,
    ev.SITE_CONNECTED: Metrics._site,
    ev.TASK_START: Metrics._task,
    ev.TASK_END: Metrics._task,
    ev.TASK_WAITING: Metrics._task,
    ev.TASK_REPLANNED: Metrics._task,
    ev.ALERT: Metrics._alert,
    ev.TEAM_ARRIVED: Metrics._arrived,
    ev.STAFF_CHANGE: Metrics._staff,
    ev.COMMAND: Metrics._command,
    ev.EXPECTATION: Metrics._expectation,
}


def fold(scenario: Scenario, events: Iterable[Event], now: float | None = None) -> Snapshot:
    """The figures after ``events``."""
    return Metrics(scenario).feed_all(events).snapshot(now)
