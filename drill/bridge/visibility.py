"""What each seat may see of a drill: the one place that decides it.

A team sees the injects addressed to it (or to everyone), its own decisions and refusals, the
alerts, findings and work of its own people, reports sent to it, and what anyone in the city
sees (a service down, a site cut off, the drill starting and ending). Observers and the
projector see the players' view; the facilitator sees everything.

When the per-team knowledge fold lands, ``sees`` asks it instead; nothing else changes.
"""

from __future__ import annotations

from typing import Any

from ..engine import events as ev
from ..engine.events import Event
from ..knowledge import players_see

FACILITATOR = "facilitator"
OBSERVER = "observer"
PROJECTOR = "projector"
TEAM = "team"

# what anyone in the city notices: services and sites going down and coming back, the drill itself
BROADCAST_KINDS = frozenset(
    {
        ev.DRILL_START,
        ev.DRILL_END,
        ev.SERVICE_DOWN,
        ev.SERVICE_UP,
        ev.SITE_DISCONNECTED,
        ev.SITE_CONNECTED,
        ev.OFFLINE,
        ev.ONLINE,
    }
)
# the work of one team: it sees its own, not another's
OWN_KINDS = frozenset(
    {
        ev.DETECTION,
        ev.ALERT,
        ev.TASK_START,
        ev.TASK_END,
        ev.TASK_WAITING,
        ev.ISOLATE,
        ev.RECONNECT,
        ev.LINK_CUT,
        ev.LINK_RESTORED,
        ev.RESTORED,
        ev.PATCHED,
        ev.STAFF_CHANGE,
    }
)
# the data keys a console other than the facilitator's receives: the rest of an event's data can
# tell ground truth (``compromised`` on an isolation, the campaign behind a detection)
PUBLIC_KEYS = frozenset(
    {"to", "channel", "title", "text", "sender", "step", "queued", "site", "people", "takes", "public"}
)


def command_team(event: Event) -> str:
    """The team a command (or refusal) was entered for; '' for the facilitator's own."""
    record = event.data.get("command", {})
    return str(record.get("by") or "") if isinstance(record, dict) else ""


def sees(role: str, team: str | None, event: Event) -> bool:
    """Whether a seat of ``role`` (for ``team``) receives ``event``."""
    if role == FACILITATOR:
        return True
    if role in (OBSERVER, PROJECTOR) or not team:
        return players_see(event)
    kind = event.kind
    if kind in (ev.COMMAND, ev.COMMAND_REFUSED):
        return command_team(event) == team
    if not players_see(event):
        return False
    if kind == ev.INJECT:
        to = event.data.get("to") or []
        return not to or team in to
    if kind in BROADCAST_KINDS:
        return True
    if kind in OWN_KINDS:
        return event.actor == team
    if kind == ev.REPORT and event.data.get("public"):
        return True  # a statement to the press and the citizens: everyone hears it
    if kind in (ev.REPORT, ev.ESCALATION, ev.TEAM_ARRIVED):  # between two teams: both know
        return team in (event.actor, event.target)
    return False


def public_record(event: Event, role: str) -> dict[str, Any]:
    """The event as a console receives it: whole for the facilitator, without ground truth else."""
    record = event.as_dict()
    if role == FACILITATOR:
        return record
    data = {k: v for k, v in event.data.items() if k in PUBLIC_KEYS}
    if event.kind in (ev.COMMAND, ev.COMMAND_REFUSED):
        data["command"] = event.data.get("command", {})
        if event.kind == ev.COMMAND_REFUSED:
            data["reason"] = event.data.get("reason", "")
    record["data"] = data
    return record
