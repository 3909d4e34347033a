"""Events in words: one line of the feed, a logged command, the drill's clock, the names of
things — in either language, for the live view, the replay and the players' screen. No Textual
here; the report words its own narrative from the same events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .engine import events as ev
from .engine.events import Event
from .engine.services import with_reason
from .i18n import get_language, pick, t
from .model.durations import format_duration, format_offset
from .model.load import Scenario
from .summary import format_number

SEVERITIES: tuple[str, ...] = ("info", "notice", "warning", "critical")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

# The feed's filter groups the kinds of event the way a facilitator thinks of them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "attack": (ev.STAGE_START, ev.COMPROMISE, ev.EFFECT, ev.EFFECT_END),
    "detection": (ev.DETECTION, ev.ALERT, ev.LEARNED, ev.INVESTIGATED),
    "response": (
        ev.TASK_START,
        ev.TASK_END,
        ev.TASK_WAITING,
        ev.TASK_REPLANNED,
        ev.ISOLATE,
        ev.RECONNECT,
        ev.LINK_CUT,
        ev.LINK_RESTORED,
        ev.CLEANED,
        ev.RESTORED,
        ev.PATCHED,
        ev.ESCALATION,
        ev.TEAM_ARRIVED,
        ev.STAFF_CHANGE,
        ev.REPORT,
    ),
    "service": (
        ev.SERVICE_DOWN,
        ev.SERVICE_REASON,
        ev.SERVICE_UP,
        ev.SITE_DISCONNECTED,
        ev.SITE_CONNECTED,
        ev.OFFLINE,
        ev.ONLINE,
        ev.BACKUP_LOST,
    ),
    "msel": (ev.INJECT, ev.INJECT_SKIPPED, ev.INJECT_DELAYED, ev.EXPECTATION),
    "decision": (ev.COMMAND, ev.COMMAND_REFUSED),
    "note": (ev.NOTE,),
    "drill": (ev.DRILL_START, ev.DRILL_END),
}
CATEGORY_OF = {kind: cat for cat, kinds in CATEGORIES.items() for kind in kinds}

# What the timeline bar marks and the replay jumps between.


def severity(event: Event) -> str:
    """How loud an event is in the feed: info, notice, warning or critical."""
    kind, data = event.kind, event.data
    if kind in (ev.SERVICE_DOWN, ev.SITE_DISCONNECTED, ev.BACKUP_LOST):
        return "critical"
    if kind == ev.SERVICE_REASON:
        return "warning"
    if kind == ev.TASK_REPLANNED:
        # the work's premise changed (data lost meanwhile), or it lost its last person
        premise = data.get("reason") in ("encrypted", "wiped", "defaced", "backup_lost", "more_hosts")
        return "warning" if premise or data.get("requeued") else "info"
    if kind == ev.EFFECT:
        return "warning" if data.get("effect") in ("exfiltrate", "privilege") else "critical"
    if kind == ev.EXPECTATION:
        status = data.get("status")
        return {"missed": "critical", "overdue": "warning", "late": "warning", "met": "notice"}.get(
            str(status), "info"
        )
    if kind in (ev.COMPROMISE, ev.DETECTION, ev.COMMAND_REFUSED, ev.STAGE_START):
        return "warning"
    if kind == ev.LEARNED:
        return "warning" if data.get("certainty") == "confirmed" else "notice"
    if kind == ev.INVESTIGATED:
        return "notice"
    if kind in (
        ev.INJECT,
        ev.ISOLATE,
        ev.RECONNECT,
        ev.CLEANED,
        ev.RESTORED,
        ev.PATCHED,
        ev.SERVICE_UP,
        ev.SITE_CONNECTED,
        ev.COMMAND,
        ev.ESCALATION,
        ev.TEAM_ARRIVED,
        ev.LINK_CUT,
        ev.LINK_RESTORED,
        ev.NOTE,
    ):
        return "notice"
    return "info"


def category(event: Event) -> str:
    return CATEGORY_OF.get(event.kind, "drill")


def command_source(record: dict[str, Any]) -> str:
    """Who entered a logged command (the log leaves out the default, "player")."""
    return str(record.get("source", "player"))


def short_name(name: str) -> str:
    """A body's name for a small tile: without the words every body of its kind shares."""
    for prefix in (
        *("Department of ", "Office of the ", "Sở ", "Quận ", "Huyện ", "Thị xã ", "Ban "),
        *("Phường ", "Xã ", "Thị trấn "),
    ):
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            name = name[len(prefix) :]
            break
    for suffix in (" District", " Town", " Committee", " Ward", " Commune", " Township"):
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            name = name[: -len(suffix)]
            break
    return name


def drill_datetime(scenario: Scenario, minutes: float) -> datetime:
    """The drill's calendar clock at ``minutes`` after T+0 (in the scenario's own time zone)."""
    return scenario.spec.start + timedelta(minutes=minutes)


def clock_text(scenario: Scenario, minutes: float, lang: str | None = None) -> str:
    """``T+01:05 · Wed 04 Mar 2015 09:05``: the drill clock and the simulated date and time."""
    when = drill_datetime(scenario, minutes)
    return t("tui.clock", lang or get_language(), offset=format_offset(minutes), date=when)


def name_of(scenario: Scenario, what: str, key: str, lang: str | None = None) -> str:
    """A site, service, team or attack stage's name in the current language, or its id."""
    city = scenario.city
    if what == "site" and key in city.sites:
        return pick(city.sites[key].name.model_dump(), lang)
    if what == "service" and key in city.services:
        return pick(city.services[key].name.model_dump(), lang)
    if what == "team" and key in scenario.spec.teams:
        return pick(scenario.spec.teams[key].name.model_dump(), lang)
    if what == "stage":
        for campaign in scenario.spec.attacker.campaigns:
            for stage in campaign.stages:
                if stage.id == key and stage.name:
                    return pick(stage.name.model_dump(), lang)
    return key


def _values(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def selector_words(sel: Any, scenario: Scenario | None = None, lang: str | None = None) -> str:
    """A node selector for people: ``hoan-kiem-ws``, ``all of Hoan Kiem District``, ``every
    workstations`` — names, not ``site=hoan-kiem`` (ids stay for nodes: that is what they are
    called on screen)."""
    if not isinstance(sel, dict):
        return str(sel or "")
    parts = []
    if sel.get("node"):
        parts.append(", ".join(_values(sel["node"])))
    for sid in _values(sel.get("site")):
        name = name_of(scenario, "site", sid, lang) if scenario is not None else sid
        parts.append(t("tui.sel_all_of", lang, name=name))
    for kind in _values(sel.get("kind")):
        key = "tui.kind_" + kind.replace("-", "_")
        word = t(key, lang)
        parts.append(t("tui.sel_kind", lang, kind=word if word != key else kind))
    for name in ("zone", "tag", "group", "match"):
        for value in _values(sel.get(name)):
            if name == "group":
                key = f"tui.group_{value}"
                value = t(key, lang) if t(key, lang) != key else value
            parts.append(t(f"tui.sel_{name}", lang, **{name: value}))
    return " · ".join(parts)


def _who(scenario: Scenario | None, key: str, lang: str | None) -> str:
    """A team or a body, by its name."""
    if scenario is None:
        return key
    if key in scenario.spec.teams:
        return name_of(scenario, "team", key, lang)
    return name_of(scenario, "site", key, lang)


def expect_detail(spec: dict[str, Any], scenario: Scenario | None = None, lang: str | None = None) -> str:
    """What an expected action names — where, which service, to whom — in words."""
    parts = []
    if spec.get("target"):
        parts.append(selector_words(spec["target"], scenario, lang))
    if spec.get("service"):
        service = str(spec["service"])
        name = name_of(scenario, "service", service, lang) if scenario is not None else service
        parts.append(t("tui.sel_service", lang, service=name))
    if spec.get("to"):
        parts.append(f"→ {_who(scenario, str(spec['to']), lang)}")
    return " ".join(parts)


def command_text(record: dict[str, Any], lang: str | None = None, scenario: Scenario | None = None) -> str:
    """A logged command as one line: ``isolate hoan-kiem-ws``, ``escalate → National CERT`` … (with
    the scenario, things by their names)."""
    lang = lang or get_language()
    parts = [t(f"tui.act_{record.get('action', '').replace('-', '_')}", lang)]
    if record.get("target"):
        parts.append(selector_words(record["target"], scenario, lang))
    if record.get("service"):
        service = str(record["service"])
        parts.append(name_of(scenario, "service", service, lang) if scenario is not None else service)
    for key in ("inject", "stage"):
        if record.get(key):
            parts.append(str(record[key]))
    if "expectation" in record:
        parts.append(f"#{record['expectation'] + 1}")
    if record.get("to"):
        parts.append(f"→ {_who(scenario, str(record['to']), lang)}")
    if record.get("delay") is not None:
        parts.append(f"+{format_duration(float(record['delay']), lang)}")
    if record.get("lasts") is not None:
        parts.append(format_duration(float(record["lasts"]), lang))
    if record.get("text"):
        parts.append(f"“{one_line(pick(record['text'], lang))}”")
    return " ".join(p for p in parts if p)


_TASK_KINDS = frozenset({ev.TASK_START, ev.TASK_END, ev.TASK_WAITING, ev.TASK_REPLANNED})
# why work under way was re-planned, as the engine says it
REPLAN_REASONS = (
    "cleaned",
    "compromised",
    "encrypted",
    "wiped",
    "defaced",
    "backup_lost",
    "more_hosts",
    "joined",
    "reassigned",
    "staff_left",
)
# why work went back to the queue when it lost everyone on it
_REQUEUE_REASONS = ("staff_left", "reassigned")


def replan_why(reason: str, requeued: bool, people: int, lang: str) -> str:
    """Why work under way was re-planned (or sent back to the queue), in ``lang``."""
    if requeued and reason in _REQUEUE_REASONS:
        return t(f"tui.requeue_{reason}", lang)
    return t(f"tui.replan_{reason}", lang, people=people) if reason in REPLAN_REASONS else reason


def _describe_task(e: Event, team: str, lang: str) -> str:
    """A feed line for a task's start, wait, re-plan or end."""
    d = e.data
    step = t(f"tui.step_{str(d.get('step', 'triage')).replace('-', '_')}", lang)
    args: dict[str, Any] = {"team": team, "step": step, "node": e.target}
    if e.kind == ev.TASK_START:
        takes = format_duration(float(d.get("takes", 0) or 0), lang)
        if d.get("resumed"):
            return t("tui.ev_task_resumed", lang, takes=takes, **args)
        people = int(d.get("people", 1) or 1)
        key = "tui.ev_task_start_crew" if people > 1 else "tui.ev_task_start"
        return t(key, lang, takes=takes, people=people, **args)
    if e.kind == ev.TASK_WAITING:
        source = str(d.get("source", ""))
        key = f"tui.ev_task_waiting_{source}" if source in ("backup", "rebuild") else "tui.ev_task_waiting"
        return t(key, lang, lead=format_duration(float(d.get("lead", 0) or 0), lang), **args)
    if e.kind == ev.TASK_REPLANNED:
        reason = str(d.get("reason", ""))
        people = int(d.get("people", 0) or 0)
        why = replan_why(reason, bool(d.get("requeued")), people, lang)
        if d.get("requeued"):
            return t("tui.ev_task_requeued", lang, why=why, **args)
        return t(
            "tui.ev_task_replanned",
            lang,
            why=why,
            remaining=format_duration(float(d.get("remaining", 0) or 0), lang),
            was=format_duration(float(d.get("was", 0) or 0), lang),
            **args,
        )
    return t("tui.ev_task_dropped" if d.get("dropped") else "tui.ev_task_end", lang, **args)


def describe(event: Event, scenario: Scenario, lang: str | None = None, public: bool = False) -> str:
    """One line of the event feed, in ``lang``; ``public``: in the players' words, which say
    nothing they cannot know (whether a patched machine held an attacker)."""
    lang = lang or get_language()
    e, d = event, event.data

    def team(x: str) -> str:
        if x in ("player", "facilitator", "red-team", "script"):
            return t(f"tui.by_{x.replace('-', '_')}", lang)
        return name_of(scenario, "team", x, lang) if x in scenario.spec.teams else x

    def site(x: str) -> str:
        return name_of(scenario, "site", x, lang)

    kind = e.kind
    if kind == ev.DRILL_START:
        return t("tui.ev_drill_start", lang, seed=d.get("seed", ""))
    if kind == ev.DRILL_END:
        return t("tui.ev_drill_end", lang)
    if kind == ev.STAGE_START:
        stage = name_of(scenario, "stage", e.target, lang)
        return t("tui.ev_stage_start", lang, stage=stage, technique=d.get("technique", ""))
    if kind == ev.COMPROMISE:
        return t(
            "tui.ev_compromise",
            lang,
            node=e.target,
            hosts=number(d.get("hosts", 0), lang),
            infected=number(d.get("infected", 0), lang),
        )
    if kind == ev.EFFECT:
        effect = str(d.get("effect", ""))
        if d.get("resumed"):
            rate = number(float(d.get("rate_gb_per_hour", 0) or 0), lang, 1)
            return t("tui.ev_exfil_resumed", lang, node=e.target, rate=rate)
        return t(
            f"tui.ev_effect_{effect}" if effect in _EFFECTS else "tui.ev_effect_privilege",
            lang,
            node=e.target,
            hosts=number(d.get("hosts", 0), lang),
            rate=number(float(d.get("rate_gb_per_hour", 0) or 0), lang, 1),
            lasts=format_duration(float(d.get("lasts", 0) or 0), lang),
        )
    if kind == ev.EFFECT_END:
        if d.get("paused"):
            return t("tui.ev_exfil_paused", lang, node=e.target)
        return t("tui.ev_effect_end", lang, node=e.target)
    if kind == ev.DETECTION:
        how = str(d.get("how", "sensor"))
        return t("tui.ev_detection", lang, team=team(e.actor), node=e.target, how=t(f"tui.how_{how}", lang))
    if kind == ev.LEARNED:
        return learned_text(e, team(e.actor), lang)
    if kind == ev.INVESTIGATED:
        return t(
            "tui.ev_investigated",
            lang,
            team=team(e.actor),
            procedure=procedure_name(str(d.get("procedure", "")), lang),
            examined=number(d.get("examined", 0), lang),
            found=number(len(d.get("findings", ())), lang),
        )
    if kind == ev.ALERT:
        step = str(d.get("step", "triage"))
        if step != "triage":  # work a decision asked for, queued: not an alert
            return t(
                "tui.ev_queued",
                lang,
                team=team(e.actor),
                step=t(f"tui.step_{step.replace('-', '_')}", lang),
                node=e.target,
                queued=number(d.get("queued", 0), lang),
            )
        return t(
            "tui.ev_alert", lang, team=team(e.actor), node=e.target, queued=number(d.get("queued", 0), lang)
        )
    if kind in _TASK_KINDS:
        return _describe_task(e, team(e.actor), lang)
    if kind in (ev.ISOLATE, ev.RECONNECT, ev.CLEANED):
        return t(f"tui.ev_{kind}", lang, node=e.target, by=team(e.actor))
    if kind == ev.PATCHED:
        key = "tui.ev_patched_held" if d.get("compromised") and not public else "tui.ev_patched"
        return t(key, lang, node=e.target, by=team(e.actor))
    if kind == ev.RESTORED:
        key = "tui.ev_restored" if d.get("from_backup") else "tui.ev_rebuilt"
        return t(key, lang, node=e.target, by=team(e.actor))
    if kind in (ev.LINK_CUT, ev.LINK_RESTORED):
        return t(f"tui.ev_{kind}", lang, a=d.get("a", ""), b=d.get("b", ""), by=team(e.actor))
    if kind == ev.BACKUP_LOST:
        return t("tui.ev_backup_lost", lang, node=e.target)
    if kind in (ev.OFFLINE, ev.ONLINE):
        what = (
            name_of(scenario, "service", e.target, lang) if e.target in scenario.city.services else e.target
        )
        return t(f"tui.ev_{kind}", lang, what=what, by=team(e.actor))
    if kind in (ev.SERVICE_DOWN, ev.SERVICE_REASON):
        return with_reason(
            t(f"tui.ev_{kind}", lang, service=name_of(scenario, "service", e.target, lang)),
            d.get("reason"),
            lang,
            service=lambda sid: name_of(scenario, "service", sid, lang),
        )
    if kind == ev.SERVICE_UP:
        return t(
            "tui.ev_service_up",
            lang,
            service=name_of(scenario, "service", e.target, lang),
            down=format_duration(float(d.get("down_for", 0) or 0), lang),
        )
    if kind in (ev.SITE_DISCONNECTED, ev.SITE_CONNECTED):
        return t(f"tui.ev_{kind}", lang, site=site(e.target))
    if kind == ev.INJECT:
        if not e.target:
            return t("tui.ev_free_inject", lang, text=one_line(pick(d.get("text"), lang)))
        title = pick(d.get("title"), lang) or first_words(pick(d.get("text"), lang)) or e.target
        return t(
            "tui.ev_inject",
            lang,
            id=e.target,
            title=title,
            channel=t(f"tui.channel_{d.get('channel')}", lang),
        )
    if kind == ev.INJECT_SKIPPED:
        return t("tui.ev_inject_skipped", lang, id=e.target)
    if kind == ev.INJECT_DELAYED:
        due = d.get("due")
        return t(
            "tui.ev_inject_delayed",
            lang,
            id=e.target,
            by=format_duration(float(d.get("by", 0) or 0), lang),
            due=format_offset(float(due)) if due is not None else "—",
        )
    if kind == ev.EXPECTATION:
        status = str(d.get("status", "open"))
        return t(
            f"tui.ev_expect_{status}",
            lang,
            action=t(f"tui.act_{str(d.get('action', '')).replace('-', '_')}", lang),
            team=team(e.actor) if e.actor else "—",
            inject=e.target,
            due=format_offset(float(d.get("due", 0) or 0)),
        )
    if kind == ev.COMMAND:
        record = d.get("command", {})
        source = command_source(record)
        return t(
            f"tui.ev_command_{source.replace('-', '_')}", lang, command=command_text(record, lang, scenario)
        )
    if kind == ev.COMMAND_REFUSED:
        return t(
            "tui.ev_refused",
            lang,
            command=command_text(d.get("command", {}), lang, scenario),
            reason=pick(d.get("reason", ""), lang),
        )
    if kind == ev.NOTE:
        return t("tui.ev_note", lang, text=one_line(pick(d.get("text"), lang)))
    if kind == ev.ESCALATION:
        return t(
            "tui.ev_escalation",
            lang,
            by=team(e.actor),
            to=team(e.target),
            arrives=format_duration(float(d.get("arrives_in", 0) or 0), lang),
        )
    if kind == ev.TEAM_ARRIVED:
        key = "tui.ev_team_arrived" if d.get("staff", 0) else "tui.ev_team_arrived_none"
        return t(key, lang, team=team(e.actor), staff=number(d.get("staff", 0), lang))
    if kind == ev.STAFF_CHANGE:
        return t(
            "tui.ev_staff_change" if "arrives_with" not in d else "tui.ev_staff_change_away",
            lang,
            team=team(e.actor),
            staff=d.get("staff", 0),
            change=d.get("change", 0),
            arrives=d.get("arrives_with", 0),
        )
    if kind == ev.REPORT:
        to = str(d.get("to") or e.target or "")
        if d.get("public"):
            return t("tui.ev_communicate", lang, by=team(e.actor), text=one_line(pick(d.get("text"), lang)))
        if d.get("auto"):
            return t("tui.ev_report_auto", lang, by=team(e.actor))
        return t(
            "tui.ev_report", lang, by=team(e.actor), to=team(to) if to in scenario.spec.teams else site(to)
        )
    return f"{kind} {e.actor} {e.target}".strip()


_EFFECTS = ("encrypt", "deface", "exfiltrate", "deny", "wipe", "privilege")


def procedure_name(procedure: str, lang: str | None = None) -> str:
    """An investigation procedure in words."""
    return t(f"tui.proc_{procedure.replace('-', '_')}", lang or get_language())


def learned_text(e: Event, team: str, lang: str | None = None) -> str:
    """A ``learned`` event in words: what the team now knows, and how."""
    lang = lang or get_language()
    d = e.data
    how = t(f"tui.how_{d.get('how', 'sensor')}", lang)
    technique = str(d.get("technique") or "")
    extra = t("tui.ev_learned_with", lang, technique=technique) if technique else ""
    if d.get("account"):
        extra += t("tui.ev_learned_account", lang, account=d["account"])
    fact = d.get("fact")
    if fact == "incident":
        return t("tui.ev_learned_incident", lang, team=team, how=how)
    if fact == "technique":
        return t("tui.ev_learned_technique", lang, team=team, technique=technique, node=e.target, how=how)
    key = "tui.ev_learned_suspected" if d.get("certainty") == "suspected" else "tui.ev_learned_compromise"
    return t(key, lang, team=team, node=e.target, how=how, technique=extra)


def finding_text(finding: dict[str, Any], lang: str | None = None) -> str:
    """One finding of an investigation in words (its artefact's source, file, address …)."""
    lang = lang or get_language()
    art = finding.get("artefact", {})
    values = {k: art.get(k, "") for k in ("file", "ip", "domain", "account")}
    text = t(f"tui.finding_{art.get('source', 'process')}", lang, node=finding.get("node", ""), **values)
    if finding.get("text"):
        text = pick(finding["text"], lang)  # the trainer's own words for a planted trace
    if finding.get("false_lead"):
        text += t("tui.finding_false_lead", lang)
    return text


def first_words(text: str, cells: int = 60) -> str:
    """The start of a message, for a line that has no room for all of it."""
    text = " ".join(text.split())
    return text if len(text) <= cells else text[: cells - 1].rsplit(" ", 1)[0] + "…"


def one_line(text: str) -> str:
    """A text of several lines on one line of the feed, its lines kept apart by " / "."""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def number(value: Any, lang: str | None = None, decimals: int = 0) -> str:
    """A count or amount as the language writes it: ``9,568`` / ``9.568``, ``0.5`` / ``0,5``."""
    try:
        amount = float(value)
    except (TypeError, ValueError):
        return str(value)
    if decimals == 0 and amount != int(amount):
        decimals = 1
    return format_number(amount, decimals, lang)


# ---------------------------------------------------------------- the feed: one line per action

# what a decision does at once, worded by the decision's own line
_EFFECTS_OF_DECISIONS = frozenset(
    {
        ev.ISOLATE,
        ev.RECONNECT,
        ev.LINK_CUT,
        ev.LINK_RESTORED,
        ev.OFFLINE,
        ev.ONLINE,
        ev.ALERT,
        ev.STAGE_START,
        ev.COMPROMISE,
        ev.EFFECT,
    }
)
# decisions whose one effect says it better than the decision (a note, an inject, a report)
_SAID_BY_EFFECT = {ev.NOTE, ev.INJECT, ev.REPORT, ev.ESCALATION, ev.INJECT_SKIPPED, ev.INJECT_DELAYED}
_NODE_EFFECTS = frozenset({ev.ISOLATE, ev.RECONNECT, ev.LINK_CUT, ev.LINK_RESTORED, ev.COMPROMISE})


# what happens to many machines at once for one cause (an inject wiping backups, a playbook
# isolating a body): one line, and how many more
_MANY_AT_ONCE = frozenset({ev.BACKUP_LOST, ev.ISOLATE, ev.RECONNECT, ev.OFFLINE, ev.EFFECT, ev.CLEANED})


def _same_at_once(first: Event, other: Event) -> bool:
    return (
        other.kind == first.kind
        and other.t == first.t
        and other.actor == first.actor
        and other.data.get("effect") == first.data.get("effect")
    )


@dataclass(frozen=True)
class FeedLine:
    """One line of the feed: one event, or several that say one thing (a decision and what it
    did at once; an alert and the triage it started; a run of infections of one group)."""

    first: int  # the index (in the drill's events) of the first event folded in
    event: Event  # the event that words it
    how: str = "single"  # single, decision, alert_task, infections, many
    count: int = 1  # nodes a decision touched; infections folded
    hosts: int = 0  # infections: hosts added in all
    last: Event | None = None  # infections: the last, for the total
    teams: tuple[str, ...] = ()  # decisions: the teams their work was queued for


def restates(e: Event) -> bool:
    """A ``learned`` event that only restates a line the feed has already (the detection or the
    inject it came from): the feed leaves it out; what an investigation found, a finding shared
    and a suspicion are news."""
    d = e.data
    return e.kind == ev.LEARNED and d.get("how") in _RESTATED and d.get("certainty") == "confirmed"


_RESTATED = ("sensor", "users", "inject")


def fold_feed(pairs: Sequence[tuple[int, Event]]) -> list[FeedLine]:
    """(index, event) pairs, as the feed's filter lets them through, folded into lines."""
    out: list[FeedLine] = []
    pairs = [p for p in pairs if not restates(p[1])]
    i, n = 0, len(pairs)
    while i < n:
        index, e = pairs[i]
        nxt = pairs[i + 1][1] if i + 1 < n else None
        if e.kind == ev.COMMAND and nxt is not None and nxt.t == e.t and nxt.kind in _SAID_BY_EFFECT:
            i += 1  # the effect's own line says it
            continue
        if e.kind == ev.COMMAND:
            j, nodes, teams = i + 1, 0, []
            while j < n and pairs[j][1].t == e.t and pairs[j][1].kind in _EFFECTS_OF_DECISIONS:
                effect = pairs[j][1]
                if effect.kind in _NODE_EFFECTS:
                    nodes += 1
                elif effect.kind == ev.ALERT and effect.actor not in teams:
                    teams.append(effect.actor)
                j += 1
            out.append(FeedLine(index, e, "decision", nodes, teams=tuple(teams)))
            i = j
            continue
        if (
            e.kind == ev.ALERT
            and nxt is not None
            and nxt.kind == ev.TASK_START
            and (nxt.t, nxt.actor, nxt.target) == (e.t, e.actor, e.target)
        ):
            out.append(FeedLine(index, nxt, "alert_task"))
            i += 2
            continue
        if e.kind in _MANY_AT_ONCE:
            j = i + 1
            while j < n and _same_at_once(e, pairs[j][1]):
                j += 1
            if j - i > 1:
                out.append(FeedLine(index, e, "many", j - i))
                i = j
                continue
        if e.kind == ev.COMPROMISE:
            j, hosts = i, 0
            while j < n and pairs[j][1].kind == ev.COMPROMISE and pairs[j][1].target == e.target:
                hosts += int(pairs[j][1].data.get("hosts", 0) or 0)
                j += 1
            if j - i > 1:
                out.append(FeedLine(index, e, "infections", j - i, hosts, pairs[j - 1][1]))
                i = j
                continue
        out.append(FeedLine(index, e))
        i += 1
    return out


def feed_text(line: FeedLine, scenario: Scenario, lang: str | None = None, public: bool = False) -> str:
    """A feed line in words."""
    lang = lang or get_language()
    e = line.event
    if line.how == "infections" and line.last is not None:
        return t(
            "tui.ev_compromise_many",
            lang,
            node=e.target,
            hosts=number(line.hosts, lang),
            count=number(line.count, lang),
            infected=number(line.last.data.get("infected", 0), lang),
        )
    if line.how == "alert_task":
        step = str(e.data.get("step", "triage")).replace("-", "_")
        if step != "triage":
            return describe(e, scenario, lang, public)
        return t(
            "tui.ev_alert_started",
            lang,
            team=name_of(scenario, "team", e.actor, lang),
            node=e.target,
            step=t(f"tui.step_{step}", lang),
            takes=format_duration(float(e.data.get("takes", 0) or 0), lang),
        )
    text = describe(e, scenario, lang, public)
    if line.how == "many":
        return text + " " + t("tui.feed_and_more", lang, count=number(line.count - 1, lang))
    if line.how == "decision":
        if line.count > 1:
            text += " " + t("tui.feed_nodes", lang, count=number(line.count, lang))
        if line.teams:
            names = ", ".join(name_of(scenario, "team", x, lang) for x in line.teams)
            text += " · " + t("tui.feed_queued", lang, teams=names)
    return text
