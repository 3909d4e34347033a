"""A drill's figures as readable text, in the chosen language."""

from __future__ import annotations

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
        name += f" ({obj.service})"
    elif obj.site:
        name += f" ({obj.site})"
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


def summary_lines(scenario: Scenario, snap: Snapshot, seed: int) -> list[str]:
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
    lines.append("  " + t("summary.bodies", count=len(affected), names=_first(affected)))
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
                    citizens=f"{row.citizens:,.0f}",
                )
            )
        if len(districts) > DISTRICT_ROWS:
            lines.append("    " + t("summary.districts_more", count=len(districts) - DISTRICT_ROWS))
    lines += [
        "  " + t("summary.exfil", value=f"{snap.data_exfiltrated_gb:.1f}"),
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
    lines.append("  " + t("summary.citizens", value=f"{snap.citizen_impact:,.0f}"))
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
    return shown if len(names) <= most else shown + " " + t("summary.more", count=len(names) - most)
