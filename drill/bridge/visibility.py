"""What each seat may see of a drill: the one place that decides it.

A team sees the injects addressed to it (or to everyone), its own decisions and refusals, the
alerts, findings and work of its own people, reports sent to it, what anyone in the city sees (a
service down, a site cut off, the drill starting and ending) — and what it knows: its own
``learned`` and ``investigated`` events, the very events the per-team knowledge fold
(drill/team_knowledge.py) reads, so a console folding what it received knows what its team knows
and nothing of another team's knowledge. Observers and the projector see the players' view (the
narrated line of each team's finding, not its artefacts); the facilitator sees everything.
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
# what a team knows: its own, never another's (what another team shares reaches it as its own
# ``learned``, how=shared)
KNOWLEDGE_KINDS = frozenset({ev.LEARNED, ev.INVESTIGATED})
# the data keys a console other than the facilitator's receives: the rest of an event's data can
# tell ground truth (``compromised`` on an isolation, the campaign behind a detection)
PUBLIC_KEYS = frozenset(
    {"to", "channel", "title", "text", "sender", "step", "queued", "site", "people", "takes", "public"}
)
# what a team's own knowledge events carry to its console: what the team learned and how, what its
# investigation examined and found. Not ``attacker_since`` (the engine's own record of when the
# attacker arrived, to the minute: the team has its artefacts' timestamps), nor, in a finding,
# ``false_lead`` (the team cannot tell an administrator's tools from an attacker's) or ``planted``
# (that a trainer put the trace there)
LEARNED_KEYS = frozenset({"fact", "how", "certainty", "technique", "account", "source"})
INVESTIGATED_KEYS = frozenset({"procedure", "number", "examined", "machines", "account", "findings"})
FINDING_KEYS = frozenset({"node", "technique", "since", "artefact", "text"})
ARTEFACT_KEYS = frozenset({"source", "node", "time", "line", "file", "sha256", "account", "ip", "domain"})


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
    if kind in OWN_KINDS or kind in KNOWLEDGE_KINDS:
        return event.actor == team
    if kind == ev.REPORT and event.data.get("public"):
        return True  # a statement to the press and the citizens: everyone hears it
    if kind in (ev.REPORT, ev.ESCALATION, ev.TEAM_ARRIVED):  # between two teams: both know
        return team in (event.actor, event.target)
    return False


def _finding(finding: Any) -> dict[str, Any]:
    if not isinstance(finding, dict):
        return {}
    out = {k: v for k, v in finding.items() if k in FINDING_KEYS}
    art = finding.get("artefact")
    out["artefact"] = {k: v for k, v in art.items() if k in ARTEFACT_KEYS} if isinstance(art, dict) else {}
    return out


def knowledge_data(event: Event) -> dict[str, Any]:
    """A ``learned`` or ``investigated`` event's data as its own team receives it."""
    d = event.data
    if event.kind == ev.LEARNED:
        return {k: v for k, v in d.items() if k in LEARNED_KEYS}
    data = {k: v for k, v in d.items() if k in INVESTIGATED_KEYS}
    data["findings"] = [_finding(f) for f in d.get("findings") or ()]
    return data


def public_record(event: Event, role: str, team: str | None = None) -> dict[str, Any]:
    """The event as a console receives it: whole for the facilitator, without ground truth else
    (a team's own knowledge events with what it learned, everyone else's with their line only)."""
    record = event.as_dict()
    if role == FACILITATOR:
        return record
    if role == TEAM and team and event.kind in KNOWLEDGE_KINDS and event.actor == team:
        record["data"] = knowledge_data(event)
        return record
    data = {k: v for k, v in event.data.items() if k in PUBLIC_KEYS}
    if event.kind in (ev.COMMAND, ev.COMMAND_REFUSED):
        data["command"] = event.data.get("command", {})
        if event.kind == ev.COMMAND_REFUSED:
            data["reason"] = event.data.get("reason", "")
    record["data"] = data
    return record
