"""A drill's figures as readable text, in the chosen language."""

from __future__ import annotations

from .discovery import Discovery
from .i18n import get_language, pick, t
from .metrics import Snapshot, by_district
from .model.durations import format_duration, format_offset
from .model.load import Scenario

DISTRICT_ROWS = 5  # districts named in the summary's roll-up, most harmed first


def objective_label(scenario: Scenario, index: int) -> str:
    obj = scenario.spec.objectives[index]
    if obj.name:
        return pick(obj.name.model_dump())
    name = t(f"metrics.{obj.metric}")
    if obj.service:
        service = scenario.city.services.get(obj.service)
        name += f" ({pick(service.name.model_dump()) if service is not None else obj.service})"
    elif obj.site:
        name += f" ({body_name(scenario, obj.site)})"
    return name


def format_number(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """``12,345.6`` in English, ``12.345,6`` in Vietnamese."""
    text = f"{value:,.{decimals}f}"
    if (lang or get_language()) == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_value(metric: str, value: float | None, lang: str | None = None) -> str:
    """One figure as people read it: durations, shares, gigabytes, counts."""
    if value is None:
        return "—"
    if metric.startswith("time_to") or metric == "downtime":
        return format_duration(value)
    if metric == "expectations_met":
        return f"{format_number(value * 100, 0, lang)} %"
    if metric == "data_exfiltrated_gb":
        return f"{format_number(value, 1, lang)} GB"
    return format_number(value, 0, lang)


def time_text(snap: Snapshot, which: str) -> str:
    """A time to detect, contain or recover, or why there is none (yet)."""
    value = getattr(snap, f"time_to_{which}")
    if value is not None:
        return format_duration(value)
    if snap.incident_start is None:
        return "—"
    if snap.now < snap.planned:
        return t("summary.not_yet")  # the drill goes on: it may still come
    if which == "detect":
        return t("summary.never")
    if which == "contain":
        return t("summary.not_contained")
    # nothing harmed, but the attacker still on the network: not recovered (it can still harm)
    return (
        t("summary.nothing_to_recover") if not snap.harmed and snap.contained else t("summary.not_recovered")
    )


def objective_mark(state: str) -> str:
    return t(f"summary.{state}")


def summary_lines(
    scenario: Scenario, snap: Snapshot, seed: int, fired: dict[str, float] | None = None
) -> list[str]:
    """The drill's figures; with ``fired`` (inject id → when it fired), which injects fired and
    which never did."""
    spec = scenario.spec
    lines = [
        t("summary.title", title=pick(spec.title.model_dump()), id=spec.scenario),
        t("summary.run", seed=seed, clock=format_duration(snap.now), duration=format_duration(snap.planned)),
        "",
        t("summary.times"),
        "  "
        + (
            t("summary.clock_start", at=format_offset(snap.incident_start))
            if snap.incident_start is not None
            else t("summary.no_incident")
        ),
        "  " + t("summary.detect", value=time_text(snap, "detect")),
        "  " + t("summary.contain", value=time_text(snap, "contain")),
        "  " + t("summary.recover", value=time_text(snap, "recover")),
        "  " + t("summary.dwell", value=format_duration(snap.dwell_mean)),
        "",
        t("summary.spread"),
        "  " + t("summary.hosts", now=snap.hosts_now, ever=snap.hosts_ever, nodes=snap.nodes_ever),
    ]
    if snap.reinfections or snap.hosts_reinfected:
        lines.append("  " + t("summary.reinfected", count=snap.reinfections, hosts=snap.hosts_reinfected))
    affected = snap.bodies_affected
    lines.append(
        "  "
        + t("summary.bodies", count=len(affected), names=_first([body_name(scenario, b) for b in affected]))
    )
    districts = by_district(scenario.city, snap) if _units_touched(scenario, snap) else []
    if districts:
        lines.append("  " + t("summary.by_district"))
        for row in districts[:DISTRICT_ROWS]:
            lines.append(
                "    "
                + t(
                    "summary.district_row",
                    name=pick(scenario.city.sites[row.site].name.model_dump()),
                    bodies=row.bodies,
                    units=row.units,
                    hosts=row.hosts,
                    longest=format_duration(row.longest_down),
                    citizens=format_number(row.citizens, 0),
                )
            )
        if len(districts) > DISTRICT_ROWS:
            lines.append("    " + t("summary.districts_more", count=len(districts) - DISTRICT_ROWS))
    lines += [
        "  " + t("summary.exfil", value=format_number(snap.data_exfiltrated_gb, 1)),
        "",
        t("summary.services"),
    ]
    down = [(sid, m) for sid, m in snap.downtime_by_service.items() if m > 0]
    if not down:
        lines.append("  " + t("summary.no_downtime"))
    for sid, minutes in sorted(down, key=lambda x: (-x[1], x[0]))[:12]:
        name = pick(scenario.city.services[sid].name.model_dump())
        mark = " *" if sid in snap.services_down else ""
        lines.append(f"  {name:<48} {format_duration(minutes):>10}{mark}")
    if len(down) > 12:
        lines.append("  " + t("summary.more", count=len(down) - 12))
    bodies = [m for m in snap.downtime_by_body.values() if m > 0]
    if bodies:
        lines.append("  " + t("summary.bodies_down", count=len(bodies), longest=format_duration(max(bodies))))
    lines.append("  " + t("summary.citizens", value=format_number(snap.citizen_impact)))
    lines += ["", t("summary.responders")]
    for team, util in snap.utilisation.items():
        name = pick(spec.teams[team].name.model_dump())
        lines.append(
            "  "
            + t(
                "summary.team",
                name=name,
                staff=snap.staff.get(team, 0),
                util=f"{util:.0%}",
                queue=snap.queue.get(team, 0),
            )
        )
    ex = snap.expectations
    lines += [
        "",
        t(
            "summary.expectations",
            met=ex.get("met", 0),
            late=ex.get("late", 0),
            missed=ex.get("missed", 0),
            open=ex.get("open", 0),
        ),
    ]
    if fired is not None:
        lines += ["", *inject_lines(scenario, fired, ended=snap.now >= snap.planned)]
    if snap.objectives:
        lines += ["", t("summary.objectives")]
        for res in snap.objectives:
            bound = format_value(res.metric, res.bound)
            rel = "<" if res.kind == "under" else "≥"
            value = format_value(res.metric, res.value)
            if res.value is None and res.metric.startswith("time_to_"):
                value = time_text(snap, res.metric.removeprefix("time_to_"))
            label = objective_label(scenario, res.index)
            lines.append(f"  [{objective_mark(res.state)}] {label}: {value} ({rel} {bound})")
    return lines


def discovery_lines(scenario: Scenario, found: Discovery, investigated: bool) -> list[str]:
    """What the teams found out (drill/discovery.py), for a drill with investigations or
    identify expectations; none otherwise."""
    if not (investigated or found.identify):
        return []
    taken = found.footholds
    seen = [f for f in taken if f.found]
    lines = ["", t("summary.discovery")]
    first = min((f.found_after for f in seen if f.found_after is not None), default=None)
    after = t("summary.found_first", after=format_duration(first)) if first is not None else ""
    lines.append("  " + t("summary.footholds_found", found=len(seen), taken=len(taken)) + after)
    known = [x for x in found.techniques if x.identified is not None]
    lines.append("  " + t("summary.techniques_identified", found=len(known), used=len(found.techniques)))
    for res in found.identify:
        name = pick(res.spec.name.model_dump()) if res.spec.name else f"{res.spec.stage} ({res.technique})"
        when = f" ({format_offset(res.identified.at)})" if res.identified is not None else ""
        lines.append(f"  [{t('summary.identify_' + res.status)}] {name}{when}")
    return lines


def _units_touched(scenario: Scenario, snap: Snapshot) -> bool:
    """Whether a ward or commune was affected or harmed: then the figures roll up by district."""
    sites = scenario.city.sites
    touched = [*snap.bodies_affected, *snap.citizen_impact_by_body]
    touched += [s for s, m in snap.downtime_by_body.items() if m > 0]
    return any(sites[s].parent for s in touched if s in sites)


def _first(names: list[str], most: int = 8) -> str:
    if not names:
        return "—"
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else shown + " " + t("summary.more_bodies", count=len(names) - most)


def body_name(scenario: Scenario, sid: str) -> str:
    """A body (site) by its name in the language spoken; its id only if the topology has no such site."""
    site = scenario.city.sites.get(sid)
    return pick(site.name.model_dump()) if site is not None else sid


def inject_lines(scenario: Scenario, fired: dict[str, float], ended: bool = True) -> list[str]:
    """The injects that fired (when), those that never did (or not yet, before the end), and the
    facilitator's held-back ones."""
    done = [(at, i.id) for i in scenario.spec.injects if (at := fired.get(i.id)) is not None]
    never = [i.id for i in scenario.spec.injects if i.id not in fired and not i.contingency]
    held = [i.id for i in scenario.spec.injects if i.id not in fired and i.contingency]
    shown = ", ".join(f"{iid} ({format_offset(at)})" for at, iid in sorted(done)) or "—"
    lines = [t("summary.injects"), "  " + t("summary.injects_fired", count=len(done), names=shown)]
    if never:
        key = "summary.injects_never" if ended else "summary.injects_not_yet"
        lines.append("  " + t(key, count=len(never), names=", ".join(never)))
    if held:
        lines.append("  " + t("summary.injects_held", count=len(held), names=", ".join(held)))
    return lines
