"""``drill scenarios``: the bundled scenario library, one line per drill."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

from ..data import bundled_scenarios
from ..diagnostics import DrillError
from ..i18n import pick, t
from ..model.durations import format_duration
from ..model.load import Scenario, load_scenario


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help=t("scenarios.help"), description=t("scenarios.description"))
    p.add_argument("--json", action="store_true", help=t("scenarios.json_help"))
    p.set_defaults(handler=run)


@dataclass
class Entry:
    """One bundled scenario, or the reason it could not be read."""

    id: str
    scenario: Scenario | None
    problem: str = ""


def library() -> list[Entry]:
    """Every bundled scenario, loaded and checked, in id order."""
    out = []
    for sid, path in sorted(bundled_scenarios().items()):
        try:
            out.append(Entry(sid, load_scenario(path)))
        except DrillError as exc:
            out.append(Entry(sid, None, exc.message))
    return out


def _record(entry: Entry) -> dict[str, Any]:
    if entry.scenario is None:
        return {"id": entry.id, "valid": False, "problem": entry.problem}
    spec = entry.scenario.spec
    site = entry.scenario.city.sites[spec.unit]
    return {
        "id": entry.id,
        "valid": True,
        "title": spec.title.model_dump(),
        "unit": spec.unit,
        "unit_name": site.name.model_dump(),
        "duration_minutes": spec.duration,
        "duration": format_duration(spec.duration, "en"),  # as a scenario writes it
        "audience": list(spec.audience),
        "injects": len(spec.injects),
        "tags": list(spec.tags),
    }


def run(args: argparse.Namespace) -> int:
    entries = library()
    broken = [e for e in entries if e.scenario is None]
    if args.json:
        print(json.dumps([_record(e) for e in entries], ensure_ascii=False, indent=2))
        return 1 if broken else 0
    if not entries:
        print(t("scenarios.none"))
        return 0
    rows = []
    for entry in entries:
        if entry.scenario is None:
            continue
        spec = entry.scenario.spec
        unit = pick(entry.scenario.city.sites[spec.unit].name.model_dump())
        rows.append((entry.id, unit, format_duration(spec.duration), pick(spec.title.model_dump())))
    heads = (
        t("scenarios.col_id"),
        t("scenarios.col_unit"),
        t("scenarios.col_duration"),
        t("scenarios.col_title"),
    )
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(3)]
    for row in [heads, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    print()
    print(t("scenarios.count", count=len(rows)))
    print(t("scenarios.hint"))
    for entry in broken:
        print(t("scenarios.broken", id=entry.id), file=sys.stderr)
        print(entry.problem, file=sys.stderr)
    return 1 if broken else 0
