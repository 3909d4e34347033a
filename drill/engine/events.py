"""Event records: every change in a drill is one, in order, and nothing else is the truth."""

from __future__ import annotations

from typing import Any, NamedTuple


class Event(NamedTuple):
    t: float  # minutes since T+0
    seq: int
    kind: str
    actor: str
    target: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor,
            "target": self.target,
            "data": self.data,
        }


def text_record(value: Any) -> Any:
    """Bilingual text as an event carries it: ``{en, vi}``, a plain string, or ``""``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return {"en": value.en, "vi": value.vi}


# The kinds of event, by who causes them. Consumers switch on these names.
DRILL_START = "drill_start"
DRILL_END = "drill_end"
STAGE_START = "stage_start"
COMPROMISE = "compromise"
EFFECT = "effect"
EFFECT_END = "effect_end"
DETECTION = "detection"
ALERT = "alert"
TASK_START = "task_start"
TASK_END = "task_end"
TASK_WAITING = "task_waiting"  # the hands-on work is done; the node waits (a backup copy, a rebuild)
TASK_REPLANNED = "task_replanned"  # work under way changed: its premise, its crew, or back to the queue
ISOLATE = "isolate"
RECONNECT = "reconnect"
LINK_CUT = "link_cut"
LINK_RESTORED = "link_restored"
CLEANED = "cleaned"
RESTORED = "restored"
PATCHED = "patched"
BACKUP_LOST = "backup_lost"
OFFLINE = "offline"
ONLINE = "online"
SERVICE_DOWN = "service_down"
SERVICE_UP = "service_up"
SERVICE_REASON = "service_reason"  # a service still down, now for another reason
SITE_DISCONNECTED = "site_disconnected"
SITE_CONNECTED = "site_connected"
INJECT = "inject"
INJECT_SKIPPED = "inject_skipped"
INJECT_DELAYED = "inject_delayed"
EXPECTATION = "expectation"
COMMAND = "command"
COMMAND_REFUSED = "command_refused"
NOTE = "note"
ESCALATION = "escalation"
TEAM_ARRIVED = "team_arrived"
STAFF_CHANGE = "staff_change"
REPORT = "report"
LEARNED = "learned"  # a team now knows (or suspects) something: a node taken, a technique, an account
INVESTIGATED = "investigated"  # an investigation is done: what it examined and the artefacts it found

# Kinds that change what a node, link, site or service is; conditions are re-checked after them.
STATE_KINDS = frozenset(
    {
        COMPROMISE,
        EFFECT,
        EFFECT_END,
        DETECTION,
        ISOLATE,
        RECONNECT,
        CLEANED,
        RESTORED,
        PATCHED,
        SERVICE_DOWN,
        SERVICE_UP,
        INJECT,
        STAGE_START,
    }
)

# After the drill's end only the facilitator's notes for the debrief are recorded (a command and
# its note each).
AFTER_THE_END = frozenset({COMMAND, NOTE})


def end_of(events: list[Event]) -> Event | None:
    """The recorded end of the drill (``drill_end``), or None while it has not ended; only notes
    may follow it, so this looks back past those alone."""
    for event in reversed(events):
        if event.kind == DRILL_END:
            return event
        if event.kind not in AFTER_THE_END:
            return None
    return None
