"""Events in words: one line of the feed, a logged command, the drill's clock, the names of
things — in either language, for the live view, the replay and the players' screen. No Textual
here; the report words its own narrative from the same events.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .engine import events as ev
from .engine.events import Event
from .engine.services import with_reason
from .i18n import get_language, pick, t
from .model.durations import format_duration, format_offset
from .model.load import Scenario

SEVERITIES: tuple[str, ...] = ("info", "notice", "warning", "critical")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

# The feed's filter groups the kinds of event the way a facilitator thinks of them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "attack": (ev.STAGE_START, ev.COMPROMISE, ev.EFFECT, ev.EFFECT_END),
    "detection": (ev.DETECTION, ev.ALERT),
    "response": (
        ev.TASK_START,
        ev.TASK_END,
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
    if kind == ev.EFFECT:
        return "warning" if data.get("effect") in ("exfiltrate", "privilege") else "critical"
    if kind == ev.EXPECTATION:
        status = data.get("status")
        return {"missed": "critical", "overdue": "warning", "late": "warning", "met": "notice"}.get(
            str(status), "info"
        )
    if kind in (ev.COMPROMISE, ev.DETECTION, ev.COMMAND_REFUSED, ev.STAGE_START):
        return "warning"
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
    for prefix in ("Department of ", "Office of the ", "Sở ", "Quận ", "Huyện ", "Thị xã ", "Ban "):
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            name = name[len(prefix) :]
            break
    for suffix in (" District", " Town", " Committee"):
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
    """A site, service or team's name in the current language, or its id."""
    city = scenario.city
    if what == "site" and key in city.sites:
        return pick(city.sites[key].name.model_dump(), lang)
    if what == "service" and key in city.services:
        return pick(city.services[key].name.model_dump(), lang)
    if what == "team" and key in scenario.spec.teams:
        return pick(scenario.spec.teams[key].name.model_dump(), lang)
    return key


def _selector_text(sel: Any) -> str:
    if not isinstance(sel, dict):
        return str(sel or "")
    parts = []
    for name in ("node", "site", "kind", "zone", "tag", "match", "group"):
        values = sel.get(name)
        if values:
            values = [values] if isinstance(values, str) else values
            parts.append(",".join(values) if name == "node" else f"{name}={','.join(values)}")
    return " ".join(parts)


def command_text(record: dict[str, Any], lang: str | None = None) -> str:
    """A logged command as one line: ``isolate hoan-kiem-ws``, ``escalate → national-cert`` …"""
    lang = lang or get_language()
    parts = [t(f"tui.act_{record.get('action', '').replace('-', '_')}", lang)]
    if record.get("target"):
        parts.append(_selector_text(record["target"]))
    for key in ("service", "inject", "stage"):
        if record.get(key):
            parts.append(str(record[key]))
    if "expectation" in record:
        parts.append(f"#{record['expectation'] + 1}")
    if record.get("to"):
        parts.append(f"→ {record['to']}")
    if record.get("delay") is not None:
        parts.append(f"+{format_duration(float(record['delay']))}")
    if record.get("lasts") is not None:
        parts.append(format_duration(float(record["lasts"])))
    if record.get("text"):
        parts.append(f"“{one_line(pick(record['text'], lang))}”")
    return " ".join(p for p in parts if p)


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
        return t("tui.ev_stage_start", lang, stage=e.target, technique=d.get("technique", ""))
    if kind == ev.COMPROMISE:
        return t(
            "tui.ev_compromise", lang, node=e.target, hosts=d.get("hosts", 0), infected=d.get("infected", 0)
        )
    if kind == ev.EFFECT:
        effect = str(d.get("effect", ""))
        return t(
            f"tui.ev_effect_{effect}" if effect in _EFFECTS else "tui.ev_effect_privilege",
            lang,
            node=e.target,
            hosts=d.get("hosts", 0),
            rate=d.get("rate_gb_per_hour", 0),
            lasts=format_duration(float(d.get("lasts", 0) or 0)),
        )
    if kind == ev.EFFECT_END:
        return t("tui.ev_effect_end", lang, node=e.target)
    if kind == ev.DETECTION:
        how = str(d.get("how", "sensor"))
        return t("tui.ev_detection", lang, team=team(e.actor), node=e.target, how=t(f"tui.how_{how}", lang))
    if kind == ev.ALERT:
        return t("tui.ev_alert", lang, team=team(e.actor), node=e.target, queued=d.get("queued", 0))
    if kind == ev.TASK_START:
        return t(
            "tui.ev_task_start",
            lang,
            team=team(e.actor),
            step=t(f"tui.step_{d.get('step', 'triage').replace('-', '_')}", lang),
            node=e.target,
            takes=format_duration(float(d.get("takes", 0) or 0)),
        )
    if kind == ev.TASK_END:
        return t(
            "tui.ev_task_end",
            lang,
            team=team(e.actor),
            step=t(f"tui.step_{d.get('step', 'triage').replace('-', '_')}", lang),
            node=e.target,
        )
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
            down=format_duration(float(d.get("down_for", 0) or 0)),
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
            by=format_duration(float(d.get("by", 0) or 0)),
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
        return t(f"tui.ev_command_{source.replace('-', '_')}", lang, command=command_text(record, lang))
    if kind == ev.COMMAND_REFUSED:
        return t(
            "tui.ev_refused",
            lang,
            command=command_text(d.get("command", {}), lang),
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
            arrives=format_duration(float(d.get("arrives_in", 0) or 0)),
        )
    if kind == ev.TEAM_ARRIVED:
        return t("tui.ev_team_arrived", lang, team=team(e.actor), staff=d.get("staff", 0))
    if kind == ev.STAFF_CHANGE:
        return t(
            "tui.ev_staff_change",
            lang,
            team=team(e.actor),
            staff=d.get("staff", 0),
            change=d.get("change", 0),
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


def first_words(text: str, cells: int = 60) -> str:
    """The start of a message, for a line that has no room for all of it."""
    text = " ".join(text.split())
    return text if len(text) <= cells else text[: cells - 1].rsplit(" ", 1)[0] + "…"


def one_line(text: str) -> str:
    """A text of several lines on one line of the feed, its lines kept apart by " / "."""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())
