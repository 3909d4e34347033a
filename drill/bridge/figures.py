"""The figures a team console shows, folded from the events its seat received (nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine import events as ev
from ..engine.events import Event
from ..team_knowledge import TeamKnowledge, fold_team_knowledge


@dataclass
class TeamFigures:
    queued: int = 0  # alerts waiting for the team's people
    alerts: list[tuple[float, str]] = field(default_factory=list)  # (drill minute, narrated line)
    services_down: list[str] = field(default_factory=list)
    isolated: list[str] = field(default_factory=list)
    decisions: int = 0
    refused: int = 0


def team_figures(messages: list[dict[str, Any]], team: str | None, lang: str) -> TeamFigures:
    """Fold a console's received events (``{event, text}``, in order) into its side panel."""
    out = TeamFigures()
    down: dict[str, None] = {}
    isolated: dict[str, None] = {}
    for message in messages:
        e = message["event"]
        kind, data = e["kind"], e.get("data", {})
        if "queued" in data and (team is None or e["actor"] == team):
            out.queued = int(data["queued"] or 0)
        if kind in (ev.ALERT, ev.DETECTION):
            out.alerts.append((float(e["t"]), str(message["text"].get(lang, ""))))
        elif kind == ev.SERVICE_DOWN:
            down[e["target"]] = None
        elif kind == ev.SERVICE_UP:
            down.pop(e["target"], None)
        elif kind == ev.ISOLATE:
            isolated[e["target"]] = None
        elif kind == ev.RECONNECT:
            isolated.pop(e["target"], None)
        elif kind == ev.COMMAND:
            out.decisions += 1
        elif kind == ev.COMMAND_REFUSED:
            out.refused += 1
    out.services_down = list(down)
    out.isolated = list(isolated)
    return out


def seat_knowledge(messages: list[dict[str, Any]], team: str) -> TeamKnowledge:
    """What ``team`` knows, folded (by the one fold the engine and the views use) from the events
    its console received, in order: its own ``learned`` and ``investigated`` are all it gets."""
    events = (
        Event(
            float(e["t"]),
            int(e["seq"]),
            str(e["kind"]),
            str(e.get("actor", "")),
            str(e.get("target", "")),
            e.get("data") or {},
        )
        for e in (m["event"] for m in messages)
    )
    return fold_team_knowledge(events, team)
