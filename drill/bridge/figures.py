"""The figures a team console shows, folded from the events its seat received (nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine import events as ev


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
