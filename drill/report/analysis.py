"""Analysis by capability and the improvement plan (after the HSEEP after-action report).

Each expected action and each objective belongs to a capability — detection, containment,
recovery, reporting, communication or coordination — by its action or metric (an exercise file
may rename them). For each capability the report lists its **strengths** and its **areas for
improvement**, each with its evidence from the log, and rates it:

- **U** (unable to be performed): it was asked for and nothing of it was done — every expected
  action of it missed, or an objective of it never reached (never detected, never contained);
- **M** (performed with major challenges): an expected action of it missed, or an objective of
  it not met;
- **S** (performed with some challenges): an action of it late, or something that cost (a body
  cut off or a service down for an hour or more) with every action and objective of it met;
- **P** (performed without challenges): everything of it met, nothing costly.

An evaluator's rating in the exercise file replaces the rule's, with their note beside it.

The improvement plan has one row per root cause: the shortfalls of one team on one action and
one target (a report missed after an inject and again under the standing deadline) merge into
one row; an objective whose cause is another row (nothing contained because nothing was
detected) adds its evidence to that row instead of a second one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..engine import events as ev
from ..metrics import ExpectationResult, ObjectiveResult
from ..model.durations import format_duration, format_offset

if TYPE_CHECKING:
    from .build import _Builder

CAPABILITIES = ("detection", "containment", "recovery", "reporting", "communication", "coordination")
BY_ACTION = {
    "isolate": "containment",
    "cut-link": "containment",
    "block-trust": "containment",
    "offline": "containment",
    "reset-credentials": "containment",
    "patch": "containment",
    "reimage": "recovery",
    "restore": "recovery",
    "reconnect": "recovery",
    "restore-link": "recovery",
    "online": "recovery",
    "report": "reporting",
    "notify": "reporting",
    "escalate": "coordination",
    "communicate": "communication",
}
BY_METRIC = {
    "time_to_detect": "detection",
    "time_to_contain": "containment",
    "time_to_recover": "recovery",
    "hosts_compromised": "containment",
    "nodes_compromised": "containment",
    "bodies_affected": "containment",
    "data_exfiltrated_gb": "detection",
    "downtime": "recovery",
    "citizen_impact": "recovery",
    "expectations_met": "coordination",
}
COSTLY = 60.0  # minutes: an outage this long is an observation even when every target was met
EARLY = 60.0  # minutes: an isolation this soon after a node's first compromise is a strength
# days after the conduct date: (start, completion) by priority
PLAN_DAYS = {"high": (7, 30), "medium": (14, 60), "low": (30, 90)}


@dataclass
class Finding:
    text: str
    evidence: str = ""


@dataclass
class CapabilityResult:
    key: str
    name: str
    objectives: list[str]
    strengths: list[Finding]
    improvements: list[Finding]
    rating: str  # P, S, M, U, or "" when nothing of it was asked or seen
    rating_label: str
    reason: str  # why the rule gave this rating
    note: str = ""  # the evaluator's note, when they rated it
    overridden: bool = False


@dataclass
class PlanItem:
    capability: str
    issue: str
    action: str
    owner: str
    contact: str
    start: str
    end: str
    priority: str
    priority_label: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class _Cap:
    asked: int = 0
    missed: int = 0
    late: int = 0
    done: int = 0
    unmet: int = 0
    never: int = 0
    costly: int = 0
    pending: int = 0  # objectives undecided and actions not yet due: the drill can still change them
    strengths: list[Finding] = field(default_factory=list)
    improvements: list[Finding] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)


def capability_of_action(action: str) -> str:
    return BY_ACTION.get(action, "coordination")


def capability_of_metric(metric: str) -> str:
    return BY_METRIC.get(metric, "coordination")


class Analysis:
    """The capabilities and the improvement plan of one report."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.ex = builder.exercise
        self.caps: dict[str, _Cap] = {c: _Cap() for c in CAPABILITIES}  # then the scenario's own
        self.plan_rows: dict[tuple[str, ...], PlanItem] = {}
        self.order: list[tuple[str, ...]] = []

    # ------------------------------------------------------------ naming
    def name(self, key: str) -> str:
        if key in self.ex.capabilities:
            return self.ex.capabilities[key]
        if key in CAPABILITIES:
            return self.b.tr(f"cap_{key}")
        return key.replace("-", " ").capitalize()  # the scenario's own: its id in words

    def cap(self, key: str) -> _Cap:
        return self.caps.setdefault(key, _Cap())

    def of_expectation(self, item: ExpectationResult, exp: Any) -> str:
        """The capability the scenario names for an expected action, else its action's."""
        return (exp.capability if exp is not None and exp.capability else None) or capability_of_action(
            item.action
        )

    def of_objective(self, res: ObjectiveResult) -> str:
        spec = self.b.spec.objectives[res.index]
        return spec.capability or capability_of_metric(res.metric)

    # ------------------------------------------------------------ run
    def run(self) -> tuple[list[CapabilityResult], list[PlanItem]]:
        self.expectations()
        self.objectives()
        self.detection()
        self.isolations()
        self.outages()
        return self.results(), [self.plan_rows[k] for k in self.order]

    # ------------------------------------------------------------ expected actions
    def expectations(self) -> None:
        b = self.b
        for item in sorted(b.snap.expectation_items, key=lambda i: (i.due, i.issued)):
            exp = b.expectation(item.inject, item.index)
            cap = self.cap(self.of_expectation(item, exp))
            what = b.describe(item.action, exp)
            source = b.source(item.inject)
            if item.status == "open":
                cap.pending += 1
                continue
            cap.asked += 1
            if item.status == "met" and item.done_at is not None:
                cap.done += 1
                margin = item.due - item.done_at
                cap.strengths.append(
                    Finding(
                        b.tr("strength_met", action=what, source=source),
                        b.tr(
                            "ev_met", at=format_offset(item.done_at), margin=format_duration(margin, b.lang)
                        ),
                    )
                )
                continue
            if item.status == "late":
                cap.late += 1
                cap.done += 1
                evidence = b.tr(
                    "ev_late",
                    at=format_offset(item.done_at or item.due),
                    due=format_offset(item.due),
                    late=format_duration((item.done_at or item.due) - item.due, b.lang),
                )
                issue = b.tr("issue_late", action=what, source=source)
            else:
                cap.missed += 1
                evidence = b.tr("ev_missed", due=format_offset(item.due), issued=format_offset(item.issued))
                issue = b.tr("issue_missed", action=what, source=source)
            if item.automatic_at is not None and not item.counts_automatic:
                evidence += "; " + b.tr("ev_playbook", at=format_offset(item.automatic_at))
            cap.improvements.append(Finding(issue, evidence))
            self.add_plan_for_expectation(item, exp, issue, evidence)

    def add_plan_for_expectation(self, item: ExpectationResult, exp: Any, issue: str, evidence: str) -> None:
        b = self.b
        target = ""
        if exp is not None and exp.target is not None:
            target = b.names.selector(exp.target.model_dump(exclude_defaults=True))
        elif exp is not None and exp.service:
            target = b.names.service(exp.service)
        to = b.names.whom(exp.to) if exp is not None and exp.to else ""
        team = b.names.team(item.by) if item.by else b.tr("the_unit", unit=b.names.site(b.spec.unit))
        key = ("exp", item.by or "", item.action, target, to)
        within = format_duration(exp.within, b.lang) if exp is not None else ""
        key_action = item.action
        selector = exp.target.model_dump(exclude_defaults=True) if exp is not None and exp.target else None
        if item.action in ("cut-link", "restore-link") and b.internet_only(selector):
            key_action = f"{item.action}_internet"  # the city's Internet link, not a body's WAN link
        action = b.tr(
            f"corrective.{key_action}",
            team=team,
            target=target or b.tr("the_systems"),
            to=to or b.tr("the_authority"),
            within=within,
        )
        priority = "high" if item.status == "missed" else "medium"
        self.plan(key, self.of_expectation(item, exp), issue, action, item.by, priority, evidence)

    # ------------------------------------------------------------ objectives
    def objectives(self) -> None:
        b = self.b
        for res in b.snap.objectives:
            cap = self.cap(self.of_objective(res))
            obj = b.objective(res)
            cap.objectives.append(obj.label)
            if res.state == "met":
                cap.strengths.append(
                    Finding(
                        b.tr("strength_objective", label=obj.label),
                        b.tr("ev_objective", value=obj.value, target=obj.target),
                    )
                )
                continue
            if res.state != "not_met":
                cap.pending += 1  # undecided
                continue
            cap.unmet += 1
            if res.value is None:
                cap.never += 1
            issue = b.tr("issue_objective", label=obj.label, value=obj.value, target=obj.target)
            cap.improvements.append(Finding(issue))
            self.plan_for_objective(res, issue, obj)

    def plan_for_objective(self, res: ObjectiveResult, issue: str, obj: Any) -> None:
        b, s = self.b, self.b.snap
        unit = b.names.site(b.spec.unit)
        evidence = ""
        metric = res.metric
        cap = self.of_objective(res)
        if metric in ("time_to_contain", "time_to_recover") and s.detected_at is None:
            # nothing can be contained that nobody saw: the cause is detection
            self.detect_row().evidence.append(issue)
            return
        if metric == "expectations_met" and any(k[0] == "exp" for k in self.plan_rows):
            return  # its causes are the rows of the missed and late actions
        values: dict[str, str] = {"unit": unit, "value": obj.value, "target": obj.target}
        if metric == "time_to_detect":
            if s.detected_at is None:
                self.detect_row().evidence.append(issue)
                return
            values["first"] = self.first_hits()
        elif metric == "time_to_contain":
            still = sorted({b.names.node(n) for n in self.still_compromised()})
            values["nodes"] = b.tr("the_systems") if b.players else ", ".join(still[:4]) or "—"
            metric = "time_to_contain_active" if still else "time_to_contain_slow"
            values["detected"] = format_offset(s.detected_at or 0.0)
            values["when"] = b.at_last()
        elif metric in ("downtime",) and res.service:
            values["service"] = b.names.service(res.service)
        elif metric == "downtime" and res.site:
            values["service"] = b.names.site(res.site)
        elif metric == "bodies_affected":
            values["bodies"] = ", ".join(b.names.site(x) for x in s.bodies_affected[:6])
        elif metric in ("hosts_compromised", "nodes_compromised"):
            top = sorted(s.hosts_by_body_ever.items(), key=lambda x: (-x[1], x[0]))[:3]
            values["bodies"] = ", ".join(b.names.site(x) for x, _n in top) or unit
        elif metric == "time_to_recover":
            worst = sorted(s.downtime_by_service.items(), key=lambda x: (-x[1], x[0]))[:3]
            values["services"] = ", ".join(b.names.service(x) for x, _m in worst) or "—"
        action = b.tr(f"corrective_metric.{metric}", **values)
        self.plan(
            ("obj", res.metric, res.service or "", res.site or ""), cap, issue, action, None, "high", evidence
        )

    def detect_row(self) -> PlanItem:
        """The one row for an incident nobody detected."""
        if ("detect",) not in self.plan_rows:
            issue, action = self.detection_row()
            end = format_offset(self.b.replay.end)
            self.plan(
                ("detect",), "detection", issue, action, None, "high", self.b.tr("ev_never_detected", end=end)
            )
        return self.plan_rows[("detect",)]

    def detection_row(self) -> tuple[str, str]:
        b = self.b
        first = self.first_hits()
        return b.tr("issue_never_detected", nodes=first), b.tr(
            "corrective_metric.never_detected", nodes=first
        )

    def first_hits(self) -> str:
        b = self.b
        if b.players:
            return b.tr("the_systems")  # which machines the attacker took first: the controllers' truth
        nodes: list[str] = []
        for e in b.replay.events:
            if e.kind == ev.COMPROMISE and e.target not in nodes:
                nodes.append(e.target)
            if len(nodes) >= 3:
                break
        return ", ".join(b.names.node(n) for n in nodes) or "—"

    def still_compromised(self) -> list[str]:
        state = self.b.replay.state_at(self.b.replay.end)
        return [
            nid
            for nid, st in state.items()
            if getattr(st, "compromised", 0) and not getattr(st, "isolated", False)
        ]

    # ------------------------------------------------------------ what the events show
    def detection(self) -> None:
        b, s = self.b, self.b.snap
        cap = self.caps["detection"]
        if s.incident_start is None:
            return
        if s.detected_at is None:
            cap.never += 1
            cap.unmet += 1
            row = self.detect_row()
            cap.improvements.append(Finding(row.issue, row.evidence[0]))
            return
        how = next(
            (e for e in b.replay.events if e.kind in (ev.DETECTION, ev.INJECT) and e.t >= s.detected_at), None
        )
        cap.strengths.append(
            Finding(
                b.tr("strength_detected", after=format_duration(s.time_to_detect, b.lang)),
                b.tr("ev_detected", at=format_offset(s.detected_at))
                + (f" — {b.names.node(how.target)}" if how is not None and how.kind == ev.DETECTION else ""),
            )
        )

    def isolations(self) -> None:
        """Isolations soon after a node's first compromise: what went well in containment."""
        b = self.b
        first: dict[str, float] = {}
        by_player: set[float] = set()
        for e in b.replay.events:
            if e.kind == ev.COMPROMISE:
                first.setdefault(e.target, e.t)
            elif e.kind == ev.COMMAND and e.data.get("command", {}).get("action") == "isolate":
                by_player.add(e.t)
            elif e.kind == ev.ISOLATE and e.target in first and e.t in by_player:
                after = e.t - first[e.target]
                if after <= EARLY:
                    self.caps["containment"].strengths.append(
                        Finding(
                            b.tr("strength_isolated", node=b.names.node(e.target)),
                            b.tr("ev_isolated", at=format_offset(e.t), after=format_duration(after, b.lang)),
                        )
                    )

    def bodies_named(self, sites: list[str]) -> list[str]:
        """Names of bodies out together; a district's wards and communes out with it are counted
        under its name, not named one by one."""
        b = self.b
        city = b.replay.scenario.city.sites
        chosen = set(sites)
        under: dict[str, int] = {}
        for site in sites:
            parent = city[site].parent if site in city else None
            if parent in chosen:
                under[parent] = under.get(parent, 0) + 1
        out = []
        for site in sites:
            parent = city[site].parent if site in city else None
            if parent in chosen:
                continue
            name = b.names.site(site)
            out.append(b.tr("with_units", name=name, count=under[site]) if site in under else name)
        return out

    def outages(self) -> None:
        """Bodies cut off and services down for long: observations even when every target was met."""
        b, s = self.b, self.b.snap
        groups: dict[int, list[str]] = {}
        for body, minutes in s.downtime_by_body.items():
            if minutes >= COSTLY:
                groups.setdefault(round(minutes), []).append(body)
        if groups:
            minutes = max(groups)
            sites = sorted(groups[minutes])
            names = self.names_list(self.bodies_named(sites))
            issue = b.tr("issue_cut_off", sites=names, span=format_duration(minutes, b.lang))
            city = b.replay.scenario.city.sites
            top = [x for x in sites if x not in city or city[x].parent not in groups[minutes]]
            evidence = "; ".join(self.cut_spans(site) for site in top[:3] if self.cut_spans(site))
            self.caps["recovery"].costly += 1
            self.caps["recovery"].improvements.append(Finding(issue, evidence))
            self.plan(
                ("cut", *sites),
                "recovery",
                issue,
                b.trn("corrective_cut_off", len(sites), sites=names),
                None,
                "medium",
                evidence,
            )
        worst = sorted(
            ((k, m) for k, m in s.downtime_by_service.items() if m >= COSTLY), key=lambda x: (-x[1], x[0])
        )
        if worst and not any(k[0] == "obj" and k[1] == "downtime" for k in self.plan_rows):
            same = [k for k, m in worst if round(m) == round(worst[0][1])]
            names = self.names_list([b.names.service(k) for k in same])
            issue = b.tr(
                "issue_service_down",
                count=len(same),
                services=names,
                span=format_duration(worst[0][1], b.lang),
            )
            self.caps["recovery"].costly += 1
            self.caps["recovery"].improvements.append(Finding(issue, ""))
            self.plan(
                ("svc", *same),
                "recovery",
                issue,
                b.tr("corrective_service_down", count=len(same), services=names),
                None,
                "medium",
                "",
            )

    def cut_spans(self, site: str) -> str:
        """When a body was cut off from the city network, from the events: the evidence of why
        it could not serve (an isolation nobody lifted, a link cut …)."""
        b = self.b
        spans: list[str] = []
        since: float | None = None
        for e in b.replay.events:
            if e.target != site:
                continue
            if e.kind == ev.SITE_DISCONNECTED and since is None:
                since = e.t
            elif e.kind == ev.SITE_CONNECTED and since is not None:
                spans.append(b.tr("ev_cut_span", start=format_offset(since), end=format_offset(e.t)))
                since = None
        if since is not None:
            spans.append(b.tr("ev_cut_open", start=format_offset(since), until=b.until_last()))
        if not spans:
            return ""
        return b.tr("ev_cut_site", site=b.names.site(site), spans=", ".join(spans))

    def names_list(self, names: list[str], limit: int = 4) -> str:
        if len(names) <= limit:
            return ", ".join(names)
        return ", ".join(names[:limit]) + " " + self.b.tr("and_more_items", count=len(names) - limit)

    # ------------------------------------------------------------ plan rows
    def plan(
        self,
        key: tuple[str, ...],
        capability: str,
        issue: str,
        action: str,
        team: str | None,
        priority: str,
        evidence: str,
    ) -> None:
        b = self.b
        if key in self.plan_rows:
            row = self.plan_rows[key]
            row.evidence.append(issue if not evidence else f"{issue} — {evidence}")
            return
        owner = b.names.team(team) if team else b.names.site(b.spec.unit)
        start, end = self.dates(priority)
        self.plan_rows[key] = PlanItem(
            capability=self.name(capability),
            issue=issue,
            action=action,
            owner=owner,
            contact=self.ex.contacts.get(team or "", "") or self.ex.contacts.get(b.spec.unit, ""),
            start=start,
            end=end,
            priority=priority,
            priority_label=b.tr(f"priority_{priority}"),
            evidence=[evidence] if evidence else [],
        )
        self.order.append(key)

    def dates(self, priority: str) -> tuple[str, str]:
        b = self.b
        start, end = PLAN_DAYS[priority]
        if self.ex.date is None:
            return b.tr("days_after", days=start), b.tr("days_after", days=end)
        fmt = b.tr("date_format")
        return (
            (self.ex.date + dt.timedelta(days=start)).strftime(fmt),
            (self.ex.date + dt.timedelta(days=end)).strftime(fmt),
        )

    # ------------------------------------------------------------ ratings
    def results(self) -> list[CapabilityResult]:
        b = self.b
        out = []
        for key, cap in self.caps.items():
            if not (cap.asked or cap.objectives or cap.strengths or cap.improvements):
                continue
            rating, reason = self.rate(cap)
            override = self.ex.ratings.get(key)
            note = ""
            if override is not None:
                rating, note = override.rating, override.note
            out.append(
                CapabilityResult(
                    key=key,
                    name=self.name(key),
                    objectives=cap.objectives,
                    strengths=cap.strengths,
                    improvements=cap.improvements,
                    rating=rating,
                    rating_label=b.tr(f"rating_{rating}"),
                    reason=reason,
                    note=note,
                    overridden=override is not None,
                )
            )
        return out

    def rate(self, cap: _Cap) -> tuple[str, str]:
        b = self.b
        if (cap.asked and cap.done == 0 and cap.missed) or cap.never:
            return "U", b.tr("rule_U")
        if cap.missed or cap.unmet:
            return "M", b.tr("rule_M", missed=cap.missed, unmet=cap.unmet)
        if cap.pending:
            # nothing wrong so far, but what is still open may yet go wrong: no P or S before it is
            return "N", b.tr("rule_N", pending=cap.pending)
        if cap.late or cap.costly:
            return "S", b.tr("rule_S", late=cap.late, costly=cap.costly)
        return "P", b.tr("rule_P")
