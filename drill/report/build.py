"""What goes into the after-action report, gathered from a replay in one language.

Every figure comes from ``drill.metrics`` (the same module as the live view and batch), so a
number in the report never differs from what the room saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from .. import __version__
from ..discovery import discover
from ..engine import events as ev
from ..engine.services import with_reason
from ..i18n import catalogue, t
from ..metrics import ExpectationResult, ObjectiveResult, Snapshot, by_district
from ..model.durations import format_duration, format_offset
from ..model.scenario import Expectation
from ..narration import replan_why
from ..replay import Names, Replay, clock
from ..summary import format_number, format_value
from .analysis import Analysis, CapabilityResult, PlanItem
from .charts import Line, held, step_chart
from .exercise import Exercise, with_conduct

# re-plans the timeline shows: what the work was about changed under it
_PREMISES = ("encrypted", "wiped", "defaced", "backup_lost", "more_hosts")

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
    state: str = "not_met"  # met, not_met, undecided


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
    hidden: bool = False  # a hidden inject: the controllers' only


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


AUDIENCES = ("controllers", "players")


@dataclass
class Field:
    """A line of the exercise overview; an empty value is a blank for the organiser to fill."""

    label: str
    value: str


@dataclass
class Chart:
    id: str
    title: str
    svg: str
    facts: list[str]
    args: dict[str, Any] = field(default_factory=dict)  # to draw it again (as PNG for Word)

    def png(self) -> bytes:
        return bytes(step_chart(**self.args, fmt="png"))


@dataclass
class Found:
    """One row of "what the teams found out": a foothold, a technique or an identify expectation."""

    what: str
    truth: str  # when the attacker did it
    found: str  # when a team found it, or "not found"
    by: str
    how: str
    after: str  # how long after
    status: str = ""  # identify expectations: met, late, missed, open, not_applicable
    status_label: str = ""


@dataclass
class Discovered:
    footholds: list[Found]
    techniques: list[Found]
    identify: list[Found]


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
    plan: list[PlanItem]
    charts: list[Chart]
    warnings: list[str]
    footer: dict[str, str] = field(default_factory=dict)
    definitions: list[str] = field(default_factory=list)
    overview: list[Field] = field(default_factory=list)
    capabilities: list[CapabilityResult] = field(default_factory=list)
    classification: str = ""
    audience: str = "controllers"
    exercise_name: str = ""
    discovered: Discovered | None = None
    # figures per district with its wards and communes: (district, affected, hosts, longest, citizens)
    by_district: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def t(self, key: str, **values: Any) -> str:
        """A report label in this report's language (for the templates)."""
        return t(f"report.{key}", self.lang, **values)


# ---------------------------------------------------------------------------------------------- build
def build_report(
    replay: Replay, lang: str, exercise: Exercise | None = None, audience: str = "controllers"
) -> Report:
    """The report of a replay; ``audience="players"`` leaves out the attacker's ground truth,
    the hidden injects and the facilitator's notes."""
    exercise = with_conduct(exercise or Exercise(), replay.header)
    return _Builder(replay, lang, exercise, audience).build()


class _Builder:
    def __init__(self, replay: Replay, lang: str, exercise: Exercise, audience: str) -> None:
        self.replay = replay
        self.lang = lang
        self.exercise = exercise
        self.players = audience == "players"
        self.audience = audience
        self.scenario = replay.scenario
        self.spec = replay.scenario.spec
        self.names = Names(replay.scenario, lang)
        self.start = replay.start
        self.end = replay.end
        self.snap: Snapshot = replay.metrics.snapshot(replay.end)
        # a log that stops before the planned end (``run --until``, a drill stopped or still
        # going) ends on the moment it reached, not on "the end"
        self.cut = not (replay.finished and replay.end >= replay.duration - 1e-9)
        # one day: the timeline shows the time of day; longer: the date too
        self.long = (self.start.date() != clock_date(self.start, replay.end)) or replay.end >= 1440

    def tr(self, key: str, **values: Any) -> str:
        return t(f"report.{key}", self.lang, **values)

    def trn(self, key: str, n: float, /, **values: Any) -> str:
        """A label with a count: ``key_one`` when there is one and the language has that form."""
        if n == 1 and f"report.{key}_one" in _keys(self.lang):
            key = f"{key}_one"
        return self.tr(key, **values)

    def at_last(self) -> str:
        """When the last figures hold: "at the end", or "at T+03:00" in a log cut there."""
        return self.tr("at_reached", at=format_offset(self.end)) if self.cut else self.tr("at_the_end")

    def until_last(self) -> str:
        """Up to where the log goes: "the end", or "T+03:00" in a log cut there."""
        return format_offset(self.end) if self.cut else self.tr("the_end")

    def clock(self, minutes: float) -> str:
        return clock(self.start, minutes, self.lang, date=self.long)

    def when(self, minutes: float) -> str:
        return f"{format_offset(minutes)} ({self.clock(minutes)})"

    def build(self) -> Report:
        replay, spec, snap = self.replay, self.spec, self.snap
        objectives = [self.objective(o) for o in snap.objectives]
        scores, counts = self.scorecard()
        timeline = self.timeline()
        bodies = self.body_rows(snap.downtime_by_body)
        hosts = sorted(snap.hosts_by_body_ever.items(), key=lambda x: (-x[1], x[0]))
        if self.players:
            hosts = []
        capabilities, plan = Analysis(self).run()
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
            recorded=format_duration(replay.end, self.lang),
            planned=format_duration(replay.duration, self.lang),
            finished=replay.finished,
            branched_from=branched,
            teams=self.teams(),
            objectives=objectives,
            objectives_met=sum(1 for o in objectives if o.state == "met"),
            figures=self.figures(counts),
            downtime_services=self.downtime(snap.downtime_by_service, snap.services_down, self.names.service),
            downtime_bodies=bodies[:MAX_BODIES],
            downtime_bodies_more=self.more_bodies(bodies[MAX_BODIES:]),
            overview=self.overview(),
            capabilities=capabilities,
            classification=self.exercise.classification,
            audience=self.audience,
            exercise_name=self.exercise.name,
            by_district=self.by_district(),
            hosts_by_body=[(self.names.site(site), self.number(hosts)) for site, hosts in hosts[:MAX_BODIES]],
            hosts_by_body_more=self.trn(
                "hosts_more",
                len(hosts) - MAX_BODIES,
                count=len(hosts) - MAX_BODIES,
                hosts=self.number(sum(h for _s, h in hosts[MAX_BODIES:])),
            )
            if len(hosts) > MAX_BODIES
            else "",
            timeline=timeline[:MAX_TIMELINE],
            timeline_more=max(0, len(timeline) - MAX_TIMELINE),
            scores=scores,
            score_counts=counts,
            notes=[] if self.players else self.notes(),
            plan=plan,
            charts=self.charts(),
            warnings=warnings,
            definitions=self.definitions(),
            discovered=None if self.players else self.discovered(),
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

    # ------------------------------------------------------------ what the teams found out
    def discovered(self) -> Discovered | None:
        """What each team knew, when and how, next to the truth (drill/discovery.py); None when
        the drill had no investigation and no identify expectation (nothing to compare)."""
        found = discover(self.scenario, self.replay.events, self.end)
        investigated = any(e.kind == ev.INVESTIGATED for e in self.replay.events)
        if not (investigated or found.identify):
            return None

        def learning(x: Any) -> tuple[str, str, str]:
            if x is None:
                return self.tr("not_found"), "", ""
            return format_offset(x.at), self.names.team(x.team), t(f"tui.how_{x.how}", self.lang)

        footholds = []
        for f in found.footholds:
            first = f.found[0] if f.found else None
            at, by, how = learning(first)
            after = format_duration(f.found_after) if f.found_after is not None else ""
            footholds.append(Found(self.names.node(f.node), format_offset(f.taken), at, by, how, after))
        techniques = []
        for tech in found.techniques:
            at, by, how = learning(tech.identified)
            ttl = tech.time_to_identify
            techniques.append(
                Found(
                    tech.technique,
                    format_offset(tech.first_used),
                    at,
                    by,
                    how,
                    format_duration(ttl) if ttl is not None else "",
                )
            )
        identify = []
        for res in found.identify:
            at, by, how = learning(res.identified)
            name = self.names.text(res.spec.name) if res.spec.name else f"{res.spec.stage} ({res.technique})"
            after = (
                format_duration(res.identified.at - res.used)
                if res.identified and res.used is not None
                else ""
            )
            identify.append(
                Found(
                    name,
                    format_offset(res.used) if res.used is not None else "",
                    at,
                    by,
                    how,
                    after,
                    res.status,
                    self.tr(f"identify_{res.status}"),
                )
            )
        return Discovered(footholds, techniques, identify)

    # ------------------------------------------------------------ overview
    def overview(self) -> list[Field]:
        """The exercise's particulars: what the scenario and log know, blanks for the rest."""
        ex, spec = self.exercise, self.spec
        fmt = self.tr("date_format")
        conduct = ex.date.strftime(fmt) if ex.date else ""
        hours = f"{ex.start} – {ex.end}" if ex.start and ex.end else ex.start or ex.end
        kind = self.tr(f"type_{ex.type}") if ex.type in ("tabletop", "functional", "full-scale") else ex.type
        teams = ", ".join(self.names.team(tid) for tid in spec.teams)
        clock_span = f"{self.clock_full(0.0)} → {self.clock_full(self.replay.end)}"
        return [
            Field(self.tr("ov_name"), ex.name or self.names.text(spec.title)),
            Field(self.tr("ov_type"), kind),
            Field(self.tr("ov_date"), conduct),
            Field(self.tr("ov_time"), hours),
            Field(
                self.tr("duration"),
                self.tr(
                    "duration_value",
                    recorded=format_duration(self.replay.end, self.lang),
                    planned=format_duration(self.replay.duration, self.lang),
                ),
            ),
            Field(self.tr("ov_scenario_clock"), clock_span),
            Field(self.tr("ov_location"), ex.location),
            Field(self.tr("ov_sites"), ", ".join(ex.sites)),
            Field(self.tr("unit"), self.names.site(spec.unit)),
            Field(self.tr("ov_organiser"), ex.organiser),
            Field(self.tr("ov_facilitators"), ", ".join(ex.facilitators)),
            Field(self.tr("ov_evaluators"), ", ".join(ex.evaluators)),
            Field(self.tr("ov_organisations"), ", ".join(ex.organisations) or teams),
            Field(self.tr("ov_classification"), ex.classification),
        ]

    def clock_full(self, minutes: float) -> str:
        return clock(self.start, minutes, self.lang, date=True)

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
            value = self.time(res.metric.removeprefix("time_to_"))
        return Objective(
            self.objective_label(res),
            value,
            f"{relation} {self.value(res.metric, res.bound)}",
            res.met,
            res.state,
        )

    def time(self, which: str) -> str:
        """A time to detect, contain or recover, or why there is none (yet)."""
        s = self.snap
        value = getattr(s, f"time_to_{which}")
        if value is not None:
            return format_duration(value, self.lang)
        if s.incident_start is None:
            return "—"
        if s.now < s.planned:
            return self.tr("not_yet")
        if which == "recover" and not s.harmed and s.contained:
            return self.tr("nothing_to_recover")
        return self.tr(NEVER[f"time_to_{which}"])

    def definitions(self) -> list[str]:
        s = self.snap
        start = (
            self.tr("def_start", at=self.when(s.incident_start))
            if s.incident_start is not None
            else self.tr("def_start_none")
        )
        return [
            start,
            self.tr("def_detect"),
            self.tr("def_contain"),
            self.tr("def_recover"),
            self.tr("def_hosts"),
            self.tr("def_bodies"),
            self.tr("def_impact"),
            self.tr("def_expected", at=format_offset(s.now)),
            self.tr("def_objectives", planned=format_duration(s.planned, self.lang)),
        ]

    def figures(self, counts: dict[str, int]) -> list[Figure]:
        s = self.snap
        bodies = ", ".join(self.names.site(b) for b in s.bodies_affected[:NAMED_BODIES])
        if len(s.bodies_affected) > NAMED_BODIES:
            bodies += " " + self.tr("and_more", count=len(s.bodies_affected) - NAMED_BODIES)
        hosts_note = self.trn(
            "fig_hosts_note",
            s.nodes_ever,
            now=self.number(s.hosts_now),
            nodes=self.number(s.nodes_ever),
            when=self.at_last(),
        )
        if s.reinfections or s.hosts_reinfected:
            hosts_note += "; " + self.trn(
                "fig_reinfected_note",
                s.reinfections,
                count=self.number(s.reinfections),
                hosts=self.number(s.hosts_reinfected),
            )
        services_note = self.tr(
            "fig_services_note", down=self.number(len(s.services_down)), when=self.at_last()
        )
        out_bodies = sum(1 for m in s.downtime_by_body.values() if m > 0)
        if out_bodies:
            services_note += "; " + self.trn("fig_bodies_out_note", out_bodies, count=self.number(out_bodies))
        return [
            Figure(
                self.tr("fig_clock_start"),
                self.when(s.incident_start) if s.incident_start is not None else self.tr("no_incident"),
                self.tr("fig_clock_note"),
            ),
            Figure(self.tr("fig_detect"), self.time("detect")),
            Figure(self.tr("fig_contain"), self.time("contain")),
            Figure(self.tr("fig_recover"), self.time("recover")),
            Figure(self.tr("fig_dwell"), format_duration(s.dwell_mean, self.lang)),
            Figure(self.tr("fig_hosts"), self.number(s.hosts_ever), hosts_note),
            Figure(
                self.tr("fig_bodies"),
                self.number(len(s.bodies_affected)),
                (bodies + " — " if bodies else "") + self.tr("fig_bodies_note"),
            ),
            Figure(self.tr("fig_services"), self.number(len(s.services_reached)), services_note),
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
        return [Downtime(name(k), format_duration(m, self.lang), m, k in still) for k, m in rows]

    def body_rows(self, minutes: dict[str, float]) -> list[Downtime]:
        """Downtime per body, longest first; bodies out for the same time share one row (a WAN
        core down cuts off every body for the same hours: one line says so, not 55)."""
        groups: dict[int, list[str]] = {}
        for body, m in minutes.items():
            if m > 0:
                groups.setdefault(round(m), []).append(body)
        rows = []
        for m, bodies in sorted(groups.items(), key=lambda x: -x[0]):
            names = sorted(self.names.site(b) for b in bodies)
            if len(names) <= 3:
                rows += [Downtime(n, format_duration(m, self.lang), float(m), False) for n in names]
                continue
            label = self.tr("bodies_group", count=len(names), names=", ".join(names[:4]), more=len(names) - 4)
            rows.append(Downtime(label, format_duration(m, self.lang), float(m), False))
        return rows

    def by_district(self) -> list[tuple[str, str, str, str, str]]:
        """The figures rolled up by district, once a ward or commune was affected or harmed (the
        participants' edition leaves out the hosts, as it does per body)."""
        snap, sites = self.snap, self.replay.scenario.city.sites
        touched = [*snap.bodies_affected, *snap.citizen_impact_by_body]
        touched += [b for b, m in snap.downtime_by_body.items() if m > 0]
        if not any(sites[b].parent for b in touched if b in sites):
            return []
        return [
            (
                self.names.site(row.site),
                self.tr("district_affected", bodies=self.number(row.bodies), units=self.number(row.units)),
                "—" if self.players else self.number(row.hosts),
                format_duration(row.longest_down) if row.longest_down > 0 else "—",
                self.number(round(row.citizens)),
            )
            for row in by_district(self.replay.scenario.city, snap)[:MAX_BODIES]
        ]

    def more_bodies(self, rest: list[Downtime]) -> str:
        if not rest:
            return ""
        low, high = format_duration(rest[-1].minutes, self.lang), format_duration(rest[0].minutes, self.lang)
        span = high if low == high else f"{low} – {high}"
        return self.trn("bodies_more", len(rest), count=len(rest), span=span)

    # ------------------------------------------------------------ timeline
    def timeline(self) -> list[Row]:
        rows = self.all_rows()
        if self.players:
            rows = [r for r in rows if r.kind not in ("attack", "note") and not r.hidden]
        return rows

    def all_rows(self) -> list[Row]:
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
                hidden = e.kind in (ev.INJECT, ev.NOTE) and bool(e.data.get("hidden"))
                rows.append(Row(format_offset(e.t), self.clock(e.t), kind, who, what, hidden))
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
            if e.t < self.replay.duration - 1e-9:  # a run stopped before its planned end
                played, planned = format_duration(e.t), format_duration(self.replay.duration)
                return (
                    "drill",
                    tr("facilitator"),
                    tr("ev_stop", at=format_offset(e.t), played=played, planned=planned),
                )
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
            if d.get("resumed"):
                return "attack", attacker, tr("ev_exfil_resumed", node=names.node(e.target))
            return (
                "attack",
                attacker,
                tr(f"ev_effect_{d.get('effect', 'privilege')}", node=names.node(e.target)),
            )
        if e.kind == ev.EFFECT_END:
            if d.get("paused"):
                return "attack", attacker, tr("ev_exfil_paused", node=names.node(e.target))
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
                tr(
                    "ev_inject_delayed",
                    title=names.inject(e.target),
                    by=format_duration(d.get("by"), self.lang),
                ),
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
            # a red team's move is the attack's (and the controllers' only), not the players' decision
            kind = "attack" if record.get("source") == "red-team" else "decision"
            return kind, who, _capital(names.command({k: v for k, v in record.items() if k != "by"}))
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
                tr(
                    "ev_escalation",
                    to=names.team(e.target),
                    after=format_duration(d.get("arrives_in"), self.lang),
                ),
            )
        if e.kind == ev.TEAM_ARRIVED:
            key = "ev_arrived" if d.get("staff", 0) else "ev_arrived_none"
            return "response", names.team(e.actor), tr(key, staff=d.get("staff", 0))
        if e.kind == ev.STAFF_CHANGE:
            change = f"{int(d.get('change', 0)):+d}"
            if "arrives_with" in d:
                return (
                    "response",
                    names.team(e.actor),
                    tr("ev_staff_away", change=change, staff=d["arrives_with"]),
                )
            return "response", names.team(e.actor), tr("ev_staff", change=change, staff=d.get("staff", 0))
        if e.kind == ev.TASK_REPLANNED and (d.get("requeued") or d.get("reason") in _PREMISES):
            # work whose premise changed, or that lost everyone on it (not the comings and goings
            # of helpers: the utilisation chart shows those)
            reason = str(d.get("reason", ""))
            step = t(f"tui.step_{str(d.get('step', '')).replace('-', '_')}", self.lang)
            why = replan_why(reason, bool(d.get("requeued")), int(d.get("people", 0) or 0), self.lang)
            if d.get("requeued"):
                return (
                    "response",
                    names.team(e.actor),
                    tr("ev_requeued", step=step, node=names.node(e.target), why=why),
                )
            return (
                "response",
                names.team(e.actor),
                tr(
                    "ev_replanned",
                    step=step,
                    node=names.node(e.target),
                    why=why,
                    remaining=format_duration(d.get("remaining"), self.lang),
                ),
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
                    "ev_service_up",
                    service=names.service(e.target),
                    after=format_duration(d.get("down_for"), self.lang),
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
                return Expectation(
                    action=d.action, to=d.to, within=d.within, by=d.by, text=d.text, capability=d.capability
                )
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
        if action in ("cut-link", "restore-link") and self.internet_only(record.get("target")):
            text = self.tr(f"{action}_internet")
        if exp is not None:
            text += " " + self.tr("within", within=format_duration(exp.within, self.lang))
        return text

    def internet_only(self, target: Any) -> bool:
        """A selector that names only the Internet node(s): the city's Internet connection."""
        if not isinstance(target, dict) or set(target) != {"node"}:
            return False
        nodes = [target["node"]] if isinstance(target["node"], str) else list(target["node"])
        city = self.scenario.city.nodes
        return bool(nodes) and all(n in city and city[n].kind == "internet" for n in nodes)

    def scorecard(self) -> tuple[list[TeamScore], dict[str, int]]:
        """Every expected action as graded by the metrics at the report's moment."""
        self._scores = list(self.snap.expectation_items)
        order = {tid: i for i, tid in enumerate(self.spec.teams)}
        groups: dict[str, list[ExpectationResult]] = {}
        for item in sorted(self._scores, key=lambda i: (i.due, i.issued)):
            groups.setdefault(item.by, []).append(item)
        out = []
        total = dict.fromkeys(STATUSES, 0)
        for by in sorted(groups, key=lambda b: (order.get(b, len(order)), b)):
            rows = []
            counts = dict.fromkeys(STATUSES, 0)
            for item in groups[by]:
                counts[item.status] += 1
                total[item.status] += 1
                rows.append(
                    Score(
                        source=self.source(item.inject),
                        action=self.describe(item.action, self.expectation(item.inject, item.index)),
                        issued=format_offset(item.issued),
                        deadline=self.when(item.due),
                        status=item.status,
                        status_label=self.tr(f"status_{item.status}"),
                        done=self.done(item),
                    )
                )
            out.append(TeamScore(self.names.team(by) if by else self.tr("any_team"), rows, counts))
        return out, total

    def source(self, inject: str) -> str:
        if inject == "deadlines":
            return self.tr("deadline_source")
        return self.names.inject(inject)

    def done(self, item: ExpectationResult) -> str:
        by_playbook = (
            item.counts_automatic and item.automatic_at is not None and item.done_at == item.automatic_at
        )
        if item.status in ("met", "late") and item.done_at is not None:
            at = format_offset(item.done_at)
            if by_playbook:
                at = self.tr("auto_counted", at=at)
            if item.status == "met":
                return at
            return self.tr("late_by", at=at, late=format_duration(item.done_at - item.due, self.lang))
        if item.automatic_at is not None and not item.counts_automatic:
            return self.tr("auto_not_counted", at=format_offset(item.automatic_at))
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

    # ------------------------------------------------------------ charts
    def charts(self) -> list[Chart]:
        series = self.replay.metrics.series
        s = self.snap
        end = max(self.end, 1.0)
        xlabel = self.tr("chart_time")
        markers = []
        if s.detected_at is not None:
            markers.append(Line(s.detected_at, self.tr("mark_detected")))
        if s.contained_at is not None:
            markers.append(Line(s.contained_at, self.tr("mark_contained")))
        total = float(len(self.scenario.city.services))
        hosts = series.get("hosts", [])
        up = series.get("services_up", [])
        queue = series.get("queue", [])
        specs = [
            ("chart-hosts", "chart_hosts", "chart_hosts_axis", hosts, "#b3261e", markers, None),
            (
                "chart-services",
                "chart_services",
                "chart_services_axis",
                up,
                "#1b6e3a",
                [],
                total * 1.08 or 1.0,
            ),
            ("chart-queue", "chart_queue", "chart_queue_axis", queue, "#1f4e9a", [], None),
        ]
        out = []
        for cid, title, axis, points, colour, marks, ymax in specs:
            args = {
                "points": points,
                "end": end,
                "title": self.tr(title),
                "ylabel": self.tr(axis),
                "xlabel": xlabel,
                "colour": colour,
                "markers": marks,
                "ymax": ymax,
                "chart_id": cid,
            }
            facts = (
                self.facts_low(up, total)
                if cid == "chart-services"
                else self.facts_peak(points, "fact_hosts" if cid == "chart-hosts" else "fact_queue")
            )
            out.append(Chart(cid, self.tr(title), str(step_chart(**args)), facts, args))
        if self.players:
            out = out[1:]  # how many machines the attacker held is the controllers' ground truth
        return out

    def facts_peak(self, points: list[tuple[float, float]], key: str) -> list[str]:
        if not points:
            return []
        points = held(points, max(self.end, 1.0))
        peak_t, peak = max(points, key=lambda p: (p[1], -p[0]))
        return [
            self.trn(
                key,
                peak,
                peak=self.number(peak),
                at=format_offset(peak_t),
                last=self.number(points[-1][1]),
                when=self.at_last(),
            )
        ]

    def facts_low(self, points: list[tuple[float, float]], total: float) -> list[str]:
        if not points:
            return []
        points = held(points, max(self.end, 1.0))
        low_t, low = min(points, key=lambda p: (p[1], p[0]))
        return [
            self.tr(
                "fact_services",
                low=self.number(low),
                total=self.number(total),
                at=format_offset(low_t),
                last=self.number(points[-1][1]),
                when=self.at_last(),
            )
        ]


@cache
def _keys(lang: str) -> frozenset[str]:
    return frozenset(catalogue(lang))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def clock_date(start: datetime, minutes: float) -> date:
    return (start + timedelta(minutes=minutes)).date()
