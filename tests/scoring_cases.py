"""Small hand-built drills for the scoring tests: a tiny scenario on the engine test city and
event streams written out by hand, so the right figures follow from reasoning alone."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from drill.engine.events import Event
from drill.model.load import Scenario, load_scenario

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"

# The engine test city (tests/fixtures/engine/topology.yaml): five sites without population
# (core, dc, d1, d2, island), so a service's citizens split evenly: 1/5 each. The app serves
# 1000 citizens a day (200 a site) and needs the WAN; the one-stop shop serves 5000 (1000 a
# site) and needs the app. District 1's only workstations are d1-ws (100 hosts): its front desk.
TINY = """
scenario: tiny
title: {{en: Tiny, vi: Nhỏ}}
description: {{en: Scoring tests., vi: Kiểm thử chấm điểm.}}
unit: d1
audience: [soc]
topology: topology.yaml
start: 2015-03-04T08:00:00+07:00
duration: 8h
{extra}
teams:
  soc: {{name: SOC, staff: 2, watches: {{group: [districts, datacentre]}}}}
attacker:
  campaigns:
    - id: c
      stages:
        - {{id: land, technique: T1566.001, at: T+0m, targets: {{node: d1-ws}}}}
injects:
  - id: call
    at: T+45m
    {reveals}
    to: [soc]
    text: {{en: The help desk calls, vi: Bộ phận hỗ trợ gọi}}
    expects:
      - {{action: isolate, target: {{site: d1}}, within: 1h, by: soc{counts}}}
      - {{action: escalate, to: soc, within: 2h, by: soc}}
objectives:
{objectives}
"""

DEFAULT_OBJECTIVES = """  - {metric: time_to_contain, under: 4h}
  - {metric: downtime, service: app, under: 2h}
  - {metric: hosts_compromised, under: 50}
  - {metric: expectations_met, at_least: 0.5}"""


def tiny(
    tmp_path: Path,
    reveals: bool = False,
    counts: bool | None = None,
    extra: str = "",
    objectives: str = DEFAULT_OBJECTIVES,
) -> Scenario:
    shutil.copy(ENGINE / "topology.yaml", tmp_path / "topology.yaml")
    text = TINY.format(
        extra=extra,
        reveals="reveals: true" if reveals else "",
        counts="" if counts is None else f", counts_automatic: {str(counts).lower()}",
        objectives=objectives,
    )
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(str(path))


class Stream:
    """Events in order, numbered as the engine numbers them."""

    def __init__(self, teams: dict[str, int] | None = None, duration: float = 480.0) -> None:
        self.events: list[Event] = []
        self.add(0.0, "drill_start", "facilitator", "tiny", duration=duration, teams=teams or {"soc": 2})

    def add(self, t: float, kind: str, actor: str = "", target: str = "", **data: Any) -> Event:
        event = Event(t, len(self.events), kind, actor, target, data)
        self.events.append(event)
        return event
