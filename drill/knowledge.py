"""What the players know: one fold of the events, for every view that is not the facilitator's
(the players' screen, the projector).

The players learn of the attacker only through what the defenders see: detections (a sensor
alert, users who noticed, an inject that told them, an investigation's finding), the leads their
teams were given (a node an inject points to, a false lead: "suspected"), the alerts and work of
their own teams,
the messages delivered to them, their own decisions and what those decisions did. Everything
else in the log — the attacker's moves, what a cleaning found, a backup lost, the controllers'
notes and scoring — is ground truth they do not have.

The fold keeps a little ground truth to itself (whether a node holds an attacker, which harm it
did), because a detection reveals what can be seen on the node at that moment; it answers only
with what the players know. No Textual here, and no engine state: events in, knowledge out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import events as ev
from .engine.events import Event
from .model.city import City
from .nodefold import is_node_offline

# Kinds the players never see: the attacker's moves and what they did, what a cleaning found,
# the controllers' work and scoring. (A detection, an alert or a service going down is how the
# defenders see the harm.)
HIDDEN_KINDS = frozenset(
    {
        ev.STAGE_START,
        ev.COMPROMISE,
        ev.EFFECT,
        ev.EFFECT_END,
        ev.CLEANED,  # emitted only where there was an attacker: its very presence tells
        ev.BACKUP_LOST,
        ev.EXPECTATION,
        ev.INJECT_SKIPPED,
        ev.INJECT_DELAYED,
        ev.NOTE,
        ev.COMMAND_REFUSED,
        # why work was re-planned can tell what the attacker did (more machines taken, a cleaning
        # elsewhere): the players see their work start, wait and end
        ev.TASK_REPLANNED,
    }
)
# Harm that anyone at the machine sees (files that do not open, a defaced page, a dead disk);
# data leaving and stolen admin rights are seen only by an investigation.
VISIBLE_HARM = {"encrypt": "encrypted", "wipe": "wiped", "deface": "defaced"}
NO_ALERT = "no_alert"  # the players' word for a node nobody has seen anything on


def players_see(event: Event) -> bool:
    """Whether an event reaches the players (the players' feed shows it, in their words)."""
    kind, data = event.kind, event.data
    if kind in HIDDEN_KINDS:
        return False
    if kind == ev.INJECT:
        return not data.get("hidden", False)
    if kind == ev.COMMAND:
        return str(data.get("command", {}).get("source", "player")) == "player"
    return True


@dataclass(slots=True)
class NodeKnowledge:
    # ground truth, kept to know what a detection reveals (never answered directly)
    attacker: bool = False
    harm: str = ""  # encrypted, wiped, defaced: what anyone at the machine would see
    flooded: bool = False
    # what the players know
    alerted: bool = False  # a detection of an attacker here, not yet cleaned by their work
    flood_seen: bool = False
    harm_seen: str = ""
    isolated: bool = False
    offline: bool = False
    remedied: str = ""  # cleaned, restored: their work on it finished, nothing seen since
    suspected: bool = False  # a lead (an inject that points to it, a false lead): not confirmed


class PlayersKnowledge:
    """The players' picture of each node, folded from the events as they happen."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.nodes: dict[str, NodeKnowledge] = {nid: NodeKnowledge() for nid in city.nodes}
        self.detected_any = False

    def feed(self, e: Event) -> bool:
        """Fold one event; True when it may change what the players know of its node."""
        node = self.nodes.get(e.target)
        if node is None:
            return False
        kind = e.kind
        if kind == ev.COMPROMISE:
            node.attacker = True
        elif kind == ev.EFFECT:
            effect = str(e.data.get("effect", ""))
            if effect == "deny":
                node.flooded = True
            elif effect in VISIBLE_HARM:
                node.harm = VISIBLE_HARM[effect]
                if node.alerted:
                    node.harm_seen = node.harm  # they are watching this machine
            return node.alerted or effect == "deny"
        elif kind == ev.EFFECT_END:
            if e.data.get("effect") == "deny":
                node.flooded = node.flood_seen = False
        elif kind == ev.DETECTION:
            self.detected_any = True
            node.remedied = ""
            if node.attacker:
                node.alerted = True
                node.harm_seen = node.harm
            elif node.flooded:
                node.flood_seen = True
        elif kind == ev.CLEANED:
            node.attacker = False  # the players learn of the cleaning from the work that did it
            node.harm = node.harm if e.data.get("damaged") else ""
        elif kind == ev.LEARNED:
            if e.data.get("certainty") != "suspected" or node.alerted:
                return False
            node.suspected = True
        elif kind == ev.TASK_END and e.data.get("step") == "reimage":
            node.alerted = node.suspected = False
            node.remedied = "cleaned"
        elif kind == ev.RESTORED:
            node.attacker = node.alerted = node.suspected = False
            node.harm = node.harm_seen = ""
            node.remedied = "restored"
        elif kind in (ev.ISOLATE, ev.RECONNECT):
            node.isolated = kind == ev.ISOLATE
        elif kind in (ev.OFFLINE, ev.ONLINE):
            if not is_node_offline(self.city, e) and kind == ev.OFFLINE:
                return False
            node.offline = kind == ev.OFFLINE
        else:
            return False
        return True

    def label(self, node: str) -> str:
        """A node's state in one word, as the players know it (the facilitator's words, and
        ``no_alert`` where nothing has been seen)."""
        k = self.nodes[node]
        if k.isolated:
            return "isolated"
        if k.alerted:
            return k.harm_seen or "foothold"
        if k.flood_seen:
            return "overloaded"
        if k.offline:
            return "offline"
        if k.harm_seen:
            return k.harm_seen  # cleaned, but the files are still encrypted
        if k.suspected:
            return "suspected"
        return k.remedied or NO_ALERT

    def alerted(self, node: str) -> bool:
        """Whether the players know of an attacker on ``node`` now."""
        return self.nodes[node].alerted
