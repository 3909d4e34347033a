"""What goes into the after-action report, gathered from a replay in one language.

Every figure comes from ``drill.metrics`` (the same module as the live view and batch), so a
number in the report never differs from what the room saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .. import __version__
from ..engine import events as ev
from ..engine.services import with_reason
from ..i18n import t
from ..metrics import ObjectiveResult, Snapshot
from ..model.durations import format_duration, format_offset
from ..model.scenario import Expectation
from ..replay import Names, Replay, clock
from ..summary import format_number, format_value
from .charts import Line, step_chart

GROUPED = (ev.SERVICE_DOWN, ev.SERVICE_UP, ev.SITE_DISCONNECTED, ev.SITE_CONNECTED, ev.BACKUP_LOST)
MAX_TIMELINE = 400
# the events a decision causes at once, which its own line already tells
ECHOES = {
    "isolate": (ev.ISOLATE,),
    "reconnect": (ev.RECONNECT,),
    "offline": (ev.OFFLINE,),
    "online": (ev.ONLINE,),
    "escalate": (ev.ESCALATION,),
    "report": (ev.REPORT,),
    "notify": (ev.REPORT,),
    "communicate": (ev.REPORT,),
}  # rows; a long log keeps its first rows and says how many more there were
STATUSES = ("met", "late", "missed", "open")
NEVER = {
    "time_to_detect": "never_detected",
    "time_to_contain": "not_contained",
    "time_to_recover": "not_recovered",
}
MAX_BODIES = 15  # rows per body in a table; the rest are summed up in one line
NAMED_BODIES = 6  # bodies named in the key figures


@dataclass
class Figure:
    label: str
    value: str
    note: str = ""


@dataclass
class Objective:
    label: str
    value: str
    target: str
    met: bool


@dataclass
class Team:
    name: str
    role: str
    staff: int
    busy: str


@dataclass
class Downtime:
    name: str
    value: str
    minutes: float
    still_down: bool


@dataclass
class Row:
    """A line of the timeline."""

    t_plus: str
    clock: str
    kind: str  # css class: attack, detect, inject, decision, response, service, note, drill
    who: str
    what: str


@dataclass
class Score:
    """One expected action on the scorecard."""

    source: str
    action: str
    issued: str
    deadline: str
    status: str  # met, late, missed, open
    status_label: str
    done: str


@dataclass
class TeamScore:
    team: str
    rows: list[Score]
    counts: dict[str, int]


@dataclass
class Note:
    t_plus: str
    clock: str
    text: str
    hidden: bool


@dataclass
class PlanRow:
    finding: str
    action: str
    owner: str
    due: str = ""


@dataclass
class Chart:
    id: str
    title: str
    svg: str
    facts: list[str]


@dataclass
class Report:
    lang: str
    title: str
    scenario_id: str
    description: str
    unit: str
    date: str
    start: str
    end: str
    recorded: str
    planned: str
    finished: bool
    branched_from: str
    teams: list[Team]
    objectives: list[Objective]
    objectives_met: int
    figures: list[Figure]
    downtime_services: list[Downtime]
    downtime_bodies: list[Downtime]
    downtime_bodies_more: str
    hosts_by_body: list[tuple[str, str]]
    hosts_by_body_more: str
    timeline: list[Row]
    timeline_more: int
    scores: list[TeamScore]
    score_counts: dict[str, int]
    notes: list[Note]
    plan: list[PlanRow]
    charts: list[Chart]
    warnings: list[str]
    footer: dict[str, str] = field(default_factory=dict)

    def t(self, key: str, **values: Any) -> str:
        """A report label in this report's language (for the templates)."""
        return t(f"report.{key}", self.lang, **values)


# ---------------------------------------------------------------------------------------------- build
def build_report(replay: Replay, lang: str) -> Report:
    return _Builder(replay, lang).build()


class _Builder:
    def __init__(self, replay: Replay, lang: str) -> None:
        self.replay = replay
        self.lang = lang
        self.scenario = replay.scenario
        self.spec = replay.scenario.spec
        self.names = Names(replay.scenario, lang)
        self.start = replay.start
        self.end = replay.end
        self.snap: Snapshot = replay.metrics.snapshot(replay.end)
        # one day: the timeline shows the time of day; longer: the date too
        self.long = (self.start.date() != clock_date(self.start, replay.end)) or replay.end >= 1440

    def tr(self, key: str, **values: Any) -> str:
        return t(f"report.{key}", self.lang, **values)

    def clock(self, minutes: float) -> str:
        return clock(self.start, minutes, self.lang, date=self.long)

    def when(self, minutes: float) -> str:
        return f"{format_offset(minutes)} ({self.clock(minutes)})"

    def build(self) -> Report:
        replay, spec, snap = self.replay, self.spec, self.snap
        objectives = [self.objective(o) for o in snap.objectives]
        scores, counts = self.scorecard()
        timeline = self.timeline()
        bodies = self.downtime(snap.downtime_by_body, [], self.names.site)
        hosts = sorted(snap.hosts_by_body_ever.items(), key=lambda x: (-x[1], x[0]))
        header = replay.header
        origin = header.get("branched_from")
        branched = ""
        if isinstance(origin, dict) and "at" in origin:
            branched = self.tr(
                "branched_from", log=str(origin.get("log", "")), at=format_offset(origin["at"])
            )
        warnings = list(replay.warnings)
        if not replay.finished:
            warnings.append(self.tr("not_finished", at=format_offset(replay.end)))
        return Report(
            lang=self.lang,
            title=self.names.text(spec.title),
            scenario_id=spec.scenario,
            description=self.names.text(spec.description),
            unit=self.names.site(spec.unit),
            date=self.start.strftime(t("report.date_format", self.lang)),
            start=self.when(0.0),
            end=self.when(replay.end),
            recorded=format_duration(replay.end),
            planned=format_duration(replay.duration),
            finished=replay.finished,
            branched_from=branched,
            teams=self.teams(),
            objectives=objectives,
            objectives_met=sum(1 for o in objectives if o.met),
            figures=self.figures(counts),
            downtime_services=self.downtime(snap.downtime_by_service, snap.services_down, self.names.service),
            downtime_bodies=bodies[:MAX_BODIES],
            downtime_bodies_more=self.more_bodies(bodies[MAX_BODIES:]),
            hosts_by_body=[(self.names.site(site), self.number(hosts)) for site, hosts in hosts[:MAX_BODIES]],
            hosts_by_body_more=self.tr(
                "hosts_more",
                count=len(hosts) - MAX_BODIES,
                hosts=self.number(sum(h for _s, h in hosts[MAX_BODIES:])),
            )
            if len(hosts) > MAX_BODIES
            else "",
            timeline=timeline[:MAX_TIMELINE],
            timeline_more=max(0, len(timeline) - MAX_TIMELINE),
            scores=scores,
            score_counts=counts,
            notes=self.notes(),
            plan=self.plan(scores_raw=self._scores, objectives=snap.objectives),
            charts=self.charts(),
            warnings=warnings,
            footer={
                "log": replay.log.path,
                "seed": str(replay.seed),
                "events": self.number(len(replay.events)),
                "recorded_with": str(header.get("drill", "?")),
                "drill": __version__,
                "scenario_sha256": str(header.get("scenario_sha256", ""))[:12],
                "topology_sha256": str(header.get("topology_sha256", ""))[:12],
            },
        )

    # ------------------------------------------------------------ numbers
    def number(self, value: float, decimals: int = 0) -> str:
        return format_number(value, decimals, self.lang)

    def value(self, metric: str, value: float | None) -> str:
        return format_value(metric, value, self.lang)

    # ------------------------------------------------------------ summary
    def teams(self) -> list[Team]:
        arrived = {e.actor for e in self.replay.events if e.kind == ev.TEAM_ARRIVED}
        out = []
        for tid, team in self.spec.teams.items():
            if tid in self.spec.audience:
                role = self.tr("role_player")
            elif tid in arrived:
                role = self.tr("role_joined")
            elif team.on_call:
                role = self.tr("role_not_called")
            else:
                role = self.tr("role_support")
            staff = self.snap.staff.get(tid, 0)
            busy = self.snap.utilisation.get(tid, 0.0)
            out.append(Team(self.names.team(tid), role, staff, f"{self.number(busy * 100)} %"))
        return out

    def objective_label(self, res: ObjectiveResult) -> str:
        obj = self.spec.objectives[res.index]
        if obj.name:
            return self.names.text(obj.name)
        label = t(f"metrics.{obj.metric}", self.lang)
        if obj.service:
            label += f" ({self.names.service(obj.service)})"
        elif obj.site:
            label += f" ({self.names.site(obj.site)})"
        return label

    def objective(self, res: ObjectiveResult) -> Objective:
        relation = "<" if res.kind == "under" else "≥"
        value = self.value(res.metric, res.value)
        if res.value is None and res.metric in NEVER:
            value = self.tr(NEVER[res.metric])
        return Objective(
            self.objective_label(res),
            value,
            f"{relation} {self.value(res.metric, res.bound)}",
            res.met,
        )

    def figures(self, counts: dict[str, int]) -> list[Figure]:
        s = self.snap
        never = self.tr("never_detected") if s.nodes_ever else "—"
        not_contained = self.tr("not_contained") if s.nodes_ever else "—"
        not_recovered = self.tr("not_recovered") if s.services_down else "—"
        bodies = ", ".join(self.names.site(b) for b in s.bodies_affected[:NAMED_BODIES])
        if len(s.bodies_affected) > NAMED_BODIES:
            bodies += " " + self.tr("and_more", count=len(s.bodies_affected) - NAMED_BODIES)
        return [
            Figure(self.tr("fig_detect"), _or(s.time_to_detect, never)),
            Figure(self.tr("fig_contain"), _or(s.time_to_contain, not_contained)),
            Figure(self.tr("fig_recover"), _or(s.time_to_recover, not_recovered)),
            Figure(self.tr("fig_dwell"), format_duration(s.dwell_mean)),
            Figure(
                self.tr("fig_hosts"),
                self.number(s.hosts_ever),
                self.tr("fig_hosts_note", now=self.number(s.hosts_now), nodes=self.number(s.nodes_ever)),
            ),
            Figure(self.tr("fig_bodies"), self.number(len(s.bodies_affected)), bodies),
            Figure(
                self.tr("fig_services"),
                self.number(len(s.services_reached)),
                self.tr("fig_services_note", down=self.number(len(s.services_down))),
            ),
            Figure(self.tr("fig_citizens"), self.number(s.citizen_impact), self.tr("fig_citizens_note")),
            Figure(self.tr("fig_exfil"), f"{self.number(s.data_exfiltrated_gb, 1)} GB"),
            Figure(
                self.tr("fig_expected"),
                f"{counts.get('met', 0)} / {sum(counts.values())}",
                self.tr(
                    "fig_expected_note",
                    late=counts.get("late", 0),
                    missed=counts.get("missed", 0),
                    open=counts.get("open", 0),
                ),
            ),
        ]

    def downtime(self, minutes: dict[str, float], still: list[str], name: Any) -> list[Downtime]:
        rows = [(k, m) for k, m in minutes.items() if m > 0]
        rows.sort(key=lambda x: (-x[1], x[0]))
        return [Downtime(name(k), format_duration(m), m, k in still) for k, m in rows]

    def more_bodies(self, rest: list[Downtime]) -> str:
        if not rest:
            return ""
        low, high = format_duration(rest[-1].minutes), format_duration(rest[0].minutes)
        span = high if low == high else f"{low} – {high}"
        return self.tr("bodies_more", count=len(rest), span=span)

    # ------------------------------------------------------------ timeline
    def timeline(self) -> list[Row]:
        rows: list[Row] = []
        first_hit: set[str] = set()
        names = self.names
        events = self.replay.events
        echo: tuple[float, tuple[str, ...]] = (-1.0, ())  # what the last decision's own events are
        i = 0
        while i < len(events):
            e = events[i]
            if e.kind == ev.COMMAND:
                echo = (e.t, ECHOES.get(str(e.data.get("command", {}).get("action")), ()))
            elif e.t == echo[0] and e.kind in echo[1]:
                i += 1
                continue  # "X isolated" right after the decision "isolate X" says it twice
            else:
                echo = (-1.0, ())
            if e.kind in GROUPED:
                # a cascade (a dozen services down at one moment) reads as one line
                j = i
                while j < len(events) and events[j].kind == e.kind and events[j].t == e.t:
                    j += 1
                if j - i > 1:
                    rows.append(self.group(events[i:j]))
                    i = j
                    continue
            row = self.row(e, first_hit, names)
            if row is not None:
                kind, who, what = row
                rows.append(Row(format_offset(e.t), self.clock(e.t), kind, who, what))
            i += 1
        return rows

    def group(self, events: list[Any]) -> Row:
        e = events[0]
        names = self.names
        if e.kind == ev.SERVICE_DOWN:
            # why, for the causes of a cascade: not for the services that only follow another in it
            together = {x.target for x in events}
            items = [
                names.service(x.target)
                if str(x.data.get("reason", "")).startswith("service:")
                and str(x.data["reason"]).split(":", 1)[1] in together
                else with_reason(
                    names.service(x.target), x.data.get("reason"), self.lang, names.service, names.node
                )
                for x in events
            ]
        elif e.kind == ev.SERVICE_UP:
            items = [names.service(x.target) for x in events]
        elif e.kind in (ev.SITE_DISCONNECTED, ev.SITE_CONNECTED):
            items = [names.site(x.target) for x in events]
        else:
            items = [names.node(x.target) for x in events]
        kind = "response" if e.kind == ev.BACKUP_LOST else "service"
        what = self.tr(f"group_{e.kind}", count=len(items), names="; ".join(items))
        return Row(format_offset(e.t), self.clock(e.t), kind, "", what)

    def row(self, e: Any, first_hit: set[str], names: Names) -> tuple[str, str, str] | None:
        tr, d = self.tr, e.data
        attacker = tr("attacker")
        if e.kind == ev.DRILL_START:
            return "drill", tr("facilitator"), tr("ev_start")
        if e.kind == ev.DRILL_END:
            return "drill", tr("facilitator"), tr("ev_end")
        if e.kind == ev.STAGE_START:
            return (
                "attack",
                attacker,
                tr("ev_stage", stage=names.stage(e.target), technique=d.get("technique", "")),
            )
        if e.kind == ev.COMPROMISE:
            if e.target in first_hit:
                return None  # later hosts of the same group: the chart shows them
            first_hit.add(e.target)
            node, site = names.node(e.target), names.site(d.get("site", ""))
            if site and site not in node:
                node = f"{node} ({site})"
            return "attack", attacker, tr("ev_compromise", node=node)
        if e.kind == ev.EFFECT:
            return (
                "attack",
                attacker,
                tr(f"ev_effect_{d.get('effect', 'privilege')}", node=names.node(e.target)),
            )
        if e.kind == ev.EFFECT_END:
            return "service", "", tr("ev_effect_end", node=names.node(e.target))
        if e.kind == ev.DETECTION:
            return (
                "detect",
                names.team(e.actor),
                tr(f"ev_detect_{d.get('how', 'sensor')}", node=names.node(e.target)),
            )
        if e.kind == ev.INJECT:
            title = names.text(d.get("title")) or (tr("free_inject") if not e.target else "")
            to = ", ".join(names.team(x) for x in d.get("to", []))
            text = names.text(d.get("text"))
            what = tr("ev_inject", title=title, text=text) if title else text
            if d.get("hidden"):
                what += " " + tr("hidden_mark")
            return "inject", to or tr("white_cell"), what
        if e.kind == ev.INJECT_SKIPPED:
            return "inject", tr("facilitator"), tr("ev_inject_skipped", title=names.inject(e.target))
        if e.kind == ev.INJECT_DELAYED:
            return (
                "inject",
                tr("facilitator"),
                tr("ev_inject_delayed", title=names.inject(e.target), by=format_duration(d.get("by"))),
            )
        if e.kind == ev.COMMAND:
            record = d.get("command", {})
            if record.get("action") in ("note", "inject", "free-inject", "skip-inject", "delay-inject"):
                return None  # the note or inject event itself follows
            who = (
                names.team(record["by"])
                if record.get("by")
                else tr(f"source_{record.get('source', 'player')}")
            )
            return "decision", who, _capital(names.command({k: v for k, v in record.items() if k != "by"}))
        if e.kind == ev.COMMAND_REFUSED:
            record = d.get("command", {})
            return (
                "decision",
                tr("facilitator"),
                tr("ev_refused", command=names.command(record), reason=names.text(d.get("reason", ""))),
            )
        if e.kind == ev.NOTE:
            what = names.text(d.get("text"))
            if d.get("hidden"):
                what += " " + tr("hidden_mark")
            return "note", tr("facilitator"), what
        if e.kind == ev.ESCALATION:
            return (
                "response",
                names.team(e.actor),
                tr("ev_escalation", to=names.team(e.target), after=format_duration(d.get("arrives_in"))),
            )
        if e.kind == ev.TEAM_ARRIVED:
            return "response", names.team(e.actor), tr("ev_arrived", staff=d.get("staff", 0))
        if e.kind == ev.STAFF_CHANGE:
            return (
                "response",
                names.team(e.actor),
                tr("ev_staff", change=f"{int(d.get('change', 0)):+d}", staff=d.get("staff", 0)),
            )
        if e.kind == ev.PATCHED:
            return (
                "response",
                names.team(e.actor) if e.actor in self.spec.teams else "",
                tr("ev_patched_held" if d.get("compromised") else "ev_patched", node=names.node(e.target)),
            )
        if e.kind in (ev.ISOLATE, ev.RECONNECT, ev.CLEANED, ev.RESTORED, ev.BACKUP_LOST):
            return (
                "response",
                names.team(e.actor) if e.actor in self.spec.teams else "",
                tr(f"ev_{e.kind}", node=names.node(e.target)),
            )
        if e.kind in (ev.LINK_CUT, ev.LINK_RESTORED):
            link = f"{names.node(d.get('a', ''))} — {names.node(d.get('b', ''))}"
            return (
                "response",
                names.team(e.actor) if e.actor in self.spec.teams else "",
                tr(f"ev_{e.kind}", link=link),
            )
        if e.kind in (ev.OFFLINE, ev.ONLINE):
            what = (
                names.service(e.target) if e.target in self.scenario.city.services else names.node(e.target)
            )
            return (
                "service",
                names.team(e.actor) if e.actor in self.spec.teams else "",
                tr(f"ev_{e.kind}", name=what),
            )
        if e.kind in (ev.SERVICE_DOWN, ev.SERVICE_REASON):
            what = tr(f"ev_{e.kind}", service=names.service(e.target))
            return "service", "", with_reason(what, d.get("reason"), self.lang, names.service, names.node)
        if e.kind == ev.SERVICE_UP:
            return (
                "service",
                "",
                tr(
                    "ev_service_up", service=names.service(e.target), after=format_duration(d.get("down_for"))
                ),
            )
        if e.kind in (ev.SITE_DISCONNECTED, ev.SITE_CONNECTED):
            return "service", "", tr(f"ev_{e.kind}", site=names.site(e.target))
        if e.kind == ev.REPORT:
            if d.get("auto"):
                return None
            who = names.team(e.actor) if e.actor in self.spec.teams else ""
            if d.get("public"):
                return (
                    "decision",
                    who,
                    tr("ev_public") if e.target == "public" else tr("ev_public_to", to=names.whom(e.target)),
                )
            key = "ev_notify" if d.get("notify") else "ev_report"
            return "decision", who, tr(key, to=names.whom(e.target) if e.target else "—")
        return None  # alerts, tasks, expectations: on the charts and the scorecard

    # ------------------------------------------------------------ scorecard
    def expectation(self, inject: str, index: int) -> Expectation | None:
        if inject == "deadlines":
            if index < len(self.spec.deadlines):
                d = self.spec.deadlines[index]
                return Expectation(action=d.action, to=d.to, within=d.within, by=d.by, text=d.text)
            return None
        for item in self.spec.injects:
            if item.id == inject and index < len(item.expects):
                return item.expects[index]
        return None

    def describe(self, action: str, exp: Expectation | None) -> str:
        record: dict[str, Any] = {"action": action}
        if exp is not None:
            if exp.target is not None:
                record["target"] = exp.target.model_dump(exclude_defaults=True)
            if exp.service:
                record["service"] = exp.service
            if exp.to:
                record["to"] = exp.to
        text = self.names.command(record)
        if exp is not None:
            text += " " + self.tr("within", within=format_duration(exp.within))
        return text

    def scorecard(self) -> tuple[list[TeamScore], dict[str, int]]:
        items: dict[tuple[str, int], dict[str, Any]] = {}
        for e in self.replay.events:
            if e.kind != ev.EXPECTATION:
                continue
            key = (e.target, int(e.data.get("index", 0)))
            status = str(e.data.get("status"))
            item = items.get(key)
            if item is None:
                item = items[key] = {
                    "inject": e.target,
                    "index": key[1],
                    "by": e.actor,
                    "action": str(e.data.get("action", "")),
                    "issued": e.t,
                    "due": float(e.data.get("due", e.t)),
                    "status": "open",
                    "done": None,
                }
            if status in ("met", "late", "missed"):
                item["status"] = status
                item["done"] = e.t
        self._scores = list(items.values())
        order = {tid: i for i, tid in enumerate(self.spec.teams)}
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in sorted(self._scores, key=lambda i: (i["due"], i["issued"])):
            groups.setdefault(item["by"], []).append(item)
        out = []
        total = dict.fromkeys(STATUSES, 0)
        for by in sorted(groups, key=lambda b: (order.get(b, len(order)), b)):
            rows = []
            counts = dict.fromkeys(STATUSES, 0)
            for item in groups[by]:
                status = item["status"]
                counts[status] += 1
                total[status] += 1
                rows.append(
                    Score(
                        source=self.source(item["inject"]),
                        action=self.describe(item["action"], self.expectation(item["inject"], item["index"])),
                        issued=format_offset(item["issued"]),
                        deadline=self.when(item["due"]),
                        status=status,
                        status_label=self.tr(f"status_{status}"),
                        done=self.done(item),
                    )
                )
            out.append(TeamScore(self.names.team(by) if by else self.tr("any_team"), rows, counts))
        return out, total

    def source(self, inject: str) -> str:
        if inject == "deadlines":
            return self.tr("deadline_source")
        return self.names.inject(inject)

    def done(self, item: dict[str, Any]) -> str:
        if item["status"] == "met":
            return format_offset(item["done"])
        if item["status"] == "late":
            return self.tr(
                "late_by", at=format_offset(item["done"]), late=format_duration(item["done"] - item["due"])
            )
        return "—"

    # ------------------------------------------------------------ notes and plan
    def notes(self) -> list[Note]:
        return [
            Note(
                format_offset(e.t),
                self.clock(e.t),
                self.names.text(e.data.get("text")),
                bool(e.data.get("hidden")),
            )
            for e in self.replay.events
            if e.kind == ev.NOTE
        ]

    def plan(self, scores_raw: list[dict[str, Any]], objectives: list[ObjectiveResult]) -> list[PlanRow]:
        rows = []
        unit = self.names.site(self.spec.unit)
        for item in sorted(scores_raw, key=lambda i: (i["due"], i["issued"])):
            if item["status"] not in ("late", "missed"):
                continue
            exp = self.expectation(item["inject"], item["index"])
            what = self.describe(item["action"], exp)
            if item["status"] == "missed":
                finding = self.tr(
                    "finding_missed",
                    action=what,
                    source=self.source(item["inject"]),
                    deadline=format_offset(item["due"]),
                )
            else:
                finding = self.tr(
                    "finding_late",
                    action=what,
                    source=self.source(item["inject"]),
                    late=format_duration(item["done"] - item["due"]),
                )
            owner = self.names.team(item["by"]) if item["by"] else unit
            rows.append(PlanRow(finding, self.tr(f"recommend.{item['action']}"), owner))
        for res in objectives:
            if res.met:
                continue
            obj = self.objective(res)
            finding = self.tr("finding_objective", label=obj.label, value=obj.value, target=obj.target)
            rows.append(PlanRow(finding, self.tr(f"recommend_metric.{res.metric}"), unit))
        return rows

    # ------------------------------------------------------------ charts
    def charts(self) -> list[Chart]:
        series = self.replay.metrics.series
        s = self.snap
        end = max(self.end, 1.0)
        xlabel = self.tr("chart_time")
        markers = []
        first = self.replay.metrics.first_compromise
        if first is not None and s.time_to_detect is not None:
            markers.append(Line(first + s.time_to_detect, self.tr("mark_detected")))
        if first is not None and s.time_to_contain is not None:
            markers.append(Line(first + s.time_to_contain, self.tr("mark_contained")))
        total = float(len(self.scenario.city.services))
        hosts = series.get("hosts", [])
        up = series.get("services_up", [])
        queue = series.get("queue", [])
        out = [
            Chart(
                "chart-hosts",
                self.tr("chart_hosts"),
                step_chart(
                    hosts,
                    end,
                    self.tr("chart_hosts"),
                    self.tr("chart_hosts_axis"),
                    xlabel,
                    "#b3261e",
                    markers,
                    chart_id="chart-hosts",
                ),
                self.facts_peak(hosts, "fact_hosts"),
            ),
            Chart(
                "chart-services",
                self.tr("chart_services"),
                step_chart(
                    up,
                    end,
                    self.tr("chart_services"),
                    self.tr("chart_services_axis"),
                    xlabel,
                    "#1b6e3a",
                    ymax=total * 1.08 or 1.0,
                    chart_id="chart-services",
                ),
                self.facts_low(up, total),
            ),
            Chart(
                "chart-queue",
                self.tr("chart_queue"),
                step_chart(
                    queue,
                    end,
                    self.tr("chart_queue"),
                    self.tr("chart_queue_axis"),
                    xlabel,
                    "#1f4e9a",
                    chart_id="chart-queue",
                ),
                self.facts_peak(queue, "fact_queue"),
            ),
        ]
        return out

    def facts_peak(self, points: list[tuple[float, float]], key: str) -> list[str]:
        if not points:
            return []
        peak_t, peak = max(points, key=lambda p: (p[1], -p[0]))
        return [
            self.tr(key, peak=self.number(peak), at=format_offset(peak_t), last=self.number(points[-1][1]))
        ]

    def facts_low(self, points: list[tuple[float, float]], total: float) -> list[str]:
        if not points:
            return []
        low_t, low = min(points, key=lambda p: (p[1], p[0]))
        return [
            self.tr(
                "fact_services",
                low=self.number(low),
                total=self.number(total),
                at=format_offset(low_t),
                last=self.number(points[-1][1]),
            )
        ]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _or(minutes: float | None, otherwise: str) -> str:
    return format_duration(minutes) if minutes is not None else otherwise


def clock_date(start: datetime, minutes: float) -> date:
    return (start + timedelta(minutes=minutes)).date()
