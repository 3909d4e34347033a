"""The drill's figures, folded from its events — one module for the live view, replay, report
and batch, so a number never differs between them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .engine import events as ev
from .engine.events import Event
from .model.load import Scenario

WORKING_DAY_HOURS = 8.0


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
            return self.citizen_impact
        if metric == "data_exfiltrated_gb":
            return self.data_exfiltrated_gb
        if metric == "expectations_met":
            total = sum(self.expectations.get(k, 0) for k in ("met", "late", "missed"))
            return self.expectations.get("met", 0) / total if total else 1.0
        raise KeyError(metric)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["objectives"] = [o.__dict__ for o in self.objectives]
        return out


class Metrics:
    """Feed it events in order; ask for a snapshot at any time."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        city = scenario.city
        self.city = city
        self.node_site = {n: spec.site for n, spec in city.nodes.items()}
        self.data_gb = {n: spec.data_gb for n, spec in city.nodes.items()}
        self.users: dict[str, list[str]] = {site: [] for site in city.sites}
        for sid, svc in city.services.items():
            sites = list(city.sites) if "all" in svc.users else [s for s in svc.users if s in city.sites]
            for site in sites:
                self.users[site].append(sid)
        self.citizens = {sid: svc.serves.citizens for sid, svc in city.services.items()}
        self.now = 0.0
        self.first_compromise: float | None = None
        self.first_detection: float | None = None
        self.contained_at: float | None = None
        self.recovered_at: float | None = None
        self.infected: dict[str, int] = {}
        self.compromised_at: dict[str, float] = {}
        self.isolated: set[str] = set()
        self.active: set[str] = set()  # compromised and not isolated
        self.dwell: list[float] = []
        self.detected: set[str] = set()
        self.hosts_ever = 0
        self.nodes_ever: set[str] = set()
        self.body_ever: dict[str, int] = {}
        self.down_since: dict[str, float] = {}
        self.first_down: float | None = None  # the first outage: a flood's incident starts there
        self.downtime: dict[str, float] = {}
        self.services_reached: list[str] = []
        self.disconnected_since: dict[str, float] = {}
        self.body_down_since: dict[str, float] = {}
        self.body_downtime: dict[str, float] = {}
        self.exfil: dict[str, tuple[float, float, float]] = {}  # node → (since, rate/h, already)
        self.exfiltrated: dict[str, float] = {}
        self.staff: dict[str, int] = {}
        self.busy: dict[str, int] = {}
        self.busy_since: dict[str, float] = {}
        self.busy_time: dict[str, float] = {}
        self.staff_time: dict[str, float] = {}
        self.staff_since: dict[str, float] = {}
        self.queue: dict[str, int] = {}
        self.expectations: dict[tuple[str, int], str] = {}
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
        self.now = e.t
        handler = _HANDLERS.get(e.kind)
        if handler is not None:
            handler(self, e)

    def _start(self, e: Event) -> None:
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

    def _compromise(self, e: Event) -> None:
        node = e.target
        hosts = int(e.data.get("hosts", 0))
        if node not in self.infected:
            self.infected[node] = 0
            self.compromised_at[node] = e.t
            self.nodes_ever.add(node)
            if node not in self.isolated:
                self.active.add(node)
                self.contained_at = None
            elif not self.active and self.contained_at is None:
                self.contained_at = e.t  # taken while already isolated: contained as it falls
        if self.first_compromise is None:
            self.first_compromise = e.t
            self.incident = True
        self.infected[node] += hosts
        self.hosts_ever += hosts
        site = self.node_site[node]
        self.body_ever[site] = self.body_ever.get(site, 0) + hosts
        self._hosts_point(e.t)

    def _hosts_point(self, t: float) -> None:
        self.series["hosts"].append((t, float(sum(self.infected.values()))))

    def _detection(self, e: Event) -> None:
        node = e.target
        if self.first_detection is None and node in self.infected:
            self.first_detection = e.t
        if node in self.compromised_at and node not in self.detected:
            self.detected.add(node)
            self.dwell.append(e.t - self.compromised_at[node])

    def _effect(self, e: Event) -> None:
        if e.data.get("effect") == "exfiltrate":
            node = e.target
            self.exfil[node] = (
                e.t,
                float(e.data.get("rate_gb_per_hour", 0.0)),
                self.exfiltrated.get(node, 0.0),
            )
        if e.data.get("effect") == "deny":
            self.incident = True

    def _stop_exfil(self, node: str, t: float) -> None:
        if node in self.exfil:
            since, rate, already = self.exfil.pop(node)
            self.exfiltrated[node] = min(self.data_gb.get(node, 0.0), already + rate * (t - since) / 60.0)

    def _isolate(self, e: Event) -> None:
        node = e.target
        self.isolated.add(node)
        self._stop_exfil(node, e.t)
        if node in self.active:
            self.active.discard(node)
            if not self.active and self.first_compromise is not None:
                self.contained_at = e.t

    def _reconnect(self, e: Event) -> None:
        node = e.target
        self.isolated.discard(node)
        if node in self.infected:
            self.active.add(node)
            self.contained_at = None

    def _cleaned(self, e: Event) -> None:
        node = e.target
        self._stop_exfil(node, e.t)
        if node in self.infected:
            del self.infected[node]
            self.detected.discard(node)
            self.compromised_at.pop(node, None)
            self._hosts_point(e.t)
        if node in self.active:
            self.active.discard(node)
            if not self.active and self.first_compromise is not None:
                self.contained_at = e.t

    def _service_down(self, e: Event) -> None:
        sid = e.target
        self.down_since[sid] = e.t
        if self.first_down is None:
            self.first_down = e.t
        if sid not in self.services_reached:
            self.services_reached.append(sid)
        self.recovered_at = None
        self.incident = True
        self._services_point(e.t)
        self._bodies(e.t)

    def _service_up(self, e: Event) -> None:
        sid = e.target
        since = self.down_since.pop(sid, e.t)
        self.downtime[sid] = self.downtime.get(sid, 0.0) + (e.t - since)
        if not self.down_since:
            self.recovered_at = e.t
        self._services_point(e.t)
        self._bodies(e.t)

    def _services_point(self, t: float) -> None:
        self.series["services_up"].append((t, float(len(self.city.services) - len(self.down_since))))

    def _site(self, e: Event) -> None:
        if e.kind == ev.SITE_DISCONNECTED:
            self.disconnected_since[e.target] = e.t
        else:
            self.disconnected_since.pop(e.target, None)
        self._bodies(e.t)

    def _bodies(self, t: float) -> None:
        """A body is hurt while any service it uses is down, or it is cut off from the WAN."""
        for site, used in self.users.items():
            hurt = site in self.disconnected_since or any(s in self.down_since for s in used)
            if hurt and site not in self.body_down_since:
                self.body_down_since[site] = t
            elif not hurt and site in self.body_down_since:
                self.body_downtime[site] = (
                    self.body_downtime.get(site, 0.0) + t - self.body_down_since.pop(site)
                )

    def _task_start(self, e: Event) -> None:
        team = e.actor
        self._busy(team, +1, e.t)
        self.queue[team] = int(e.data.get("queued", 0))
        self._queue_point(e.t)

    def _task_end(self, e: Event) -> None:
        self._busy(e.actor, -1, e.t)
        self.queue[e.actor] = int(e.data.get("queued", 0))
        self._queue_point(e.t)

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

    def _expectation(self, e: Event) -> None:
        self.expectations[(e.target, int(e.data.get("index", 0)))] = str(e.data.get("status"))

    # ------------------------------------------------------------ reading
    def snapshot(self, now: float | None = None) -> Snapshot:
        now = self.now if now is None else now
        fc = self.first_compromise
        ttd = self.first_detection - fc if (self.first_detection is not None and fc is not None) else None
        contained = fc is not None and not self.active
        ttc = (
            (self.contained_at - fc)
            if (contained and self.contained_at is not None and fc is not None)
            else None
        )
        start = fc if fc is not None else self.first_down
        ttr = None
        if (
            self.services_reached
            and not self.down_since
            and self.recovered_at is not None
            and start is not None
        ):
            ttr = self.recovered_at - start
        # nodes still undetected count with their dwell so far
        undetected = [now - since for node, since in self.compromised_at.items() if node not in self.detected]
        all_dwell = self.dwell + undetected
        downtime = dict(self.downtime)
        for sid, since in self.down_since.items():
            downtime[sid] = downtime.get(sid, 0.0) + now - since
        body = dict(self.body_downtime)
        for site, since in self.body_down_since.items():
            body[site] = body.get(site, 0.0) + now - since
        impact = sum(
            self.citizens.get(sid, 0) * minutes / 60.0 / WORKING_DAY_HOURS
            for sid, minutes in downtime.items()
        )
        exfil = dict(self.exfiltrated)
        for node, (since, rate, already) in self.exfil.items():
            exfil[node] = min(self.data_gb.get(node, 0.0), already + rate * (now - since) / 60.0)
        by_body_now: dict[str, int] = {}
        for node, count in self.infected.items():
            site = self.node_site[node]
            by_body_now[site] = by_body_now.get(site, 0) + count
        util = {}
        for team, staff in self.staff.items():
            staff_time = self.staff_time.get(team, 0.0) + staff * (now - self.staff_since.get(team, now))
            busy_time = self.busy_time.get(team, 0.0) + self.busy.get(team, 0) * (
                now - self.busy_since.get(team, now)
            )
            util[team] = busy_time / staff_time if staff_time > 0 else 0.0
        counts = {"open": 0, "overdue": 0, "met": 0, "late": 0, "missed": 0}
        for status in self.expectations.values():
            counts[status] = counts.get(status, 0) + 1
        snap = Snapshot(
            now=now,
            time_to_detect=ttd,
            time_to_contain=ttc,
            time_to_recover=ttr,
            contained=contained,
            dwell_mean=sum(all_dwell) / len(all_dwell) if all_dwell else None,
            hosts_now=sum(self.infected.values()),
            hosts_ever=self.hosts_ever,
            nodes_now=len(self.infected),
            nodes_ever=len(self.nodes_ever),
            hosts_by_body_now=dict(sorted(by_body_now.items())),
            hosts_by_body_ever=dict(sorted(self.body_ever.items())),
            bodies_affected=sorted(self.body_ever),
            services_reached=list(self.services_reached),
            services_down=sorted(self.down_since),
            downtime_by_service=dict(sorted(downtime.items())),
            downtime_by_body=dict(sorted(body.items())),
            citizen_impact=impact,
            data_exfiltrated_gb=sum(exfil.values()),
            utilisation=util,
            queue=dict(self.queue),
            staff=dict(self.staff),
            expectations=counts,
        )
        snap.objectives = self._objectives(snap)
        return snap

    def _objectives(self, snap: Snapshot) -> list[ObjectiveResult]:
        out = []
        for i, obj in enumerate(self.scenario.spec.objectives):
            value = snap.figure(obj.metric, obj.service, obj.site)
            if obj.under is not None:
                bound = float(obj.under)
                if value is None:
                    # never contained or recovered counts as failing; never compromised as passing
                    met = obj.metric == "time_to_detect" and self.first_compromise is None
                    met = met or (obj.metric == "time_to_contain" and self.first_compromise is None)
                    met = met or (obj.metric == "time_to_recover" and not self.services_reached)
                else:
                    met = value < bound
                out.append(ObjectiveResult(i, obj.metric, value, bound, "under", met, obj.service, obj.site))
            else:
                bound = float(obj.at_least or 0.0)
                met = value is not None and value >= bound
                out.append(
                    ObjectiveResult(i, obj.metric, value, bound, "at_least", met, obj.service, obj.site)
                )
        return out


_HANDLERS = {
    ev.DRILL_START: Metrics._start,
    ev.COMPROMISE: Metrics._compromise,
    ev.DETECTION: Metrics._detection,
    ev.EFFECT: Metrics._effect,
    ev.ISOLATE: Metrics._isolate,
    ev.RECONNECT: Metrics._reconnect,
    ev.CLEANED: Metrics._cleaned,
    ev.RESTORED: Metrics._cleaned,
    ev.SERVICE_DOWN: Metrics._service_down,
    ev.SERVICE_UP: Metrics._service_up,
    ev.SITE_DISCONNECTED: Metrics._site,
    ev.SITE_CONNECTED: Metrics._site,
    ev.TASK_START: Metrics._task_start,
    ev.TASK_END: Metrics._task_end,
    ev.ALERT: Metrics._alert,
    ev.TEAM_ARRIVED: Metrics._arrived,
    ev.STAFF_CHANGE: Metrics._staff,
    ev.EXPECTATION: Metrics._expectation,
}


def fold(scenario: Scenario, events: Iterable[Event], now: float | None = None) -> Snapshot:
    """The figures after ``events``."""
    return Metrics(scenario).feed_all(events).snapshot(now)
