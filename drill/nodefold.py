"""How events change the nodes: one fold, shared by the replay and the live view-model, that
rebuilds from a log the node states the engine held (tests compare the two field by field)."""

from __future__ import annotations

from collections.abc import Callable

from .engine import events as ev
from .engine.attacker import IMPACT_OF
from .engine.events import Event
from .engine.state import NodeState
from .model.city import City


def is_node_offline(city: City, e: Event) -> bool:
    """Whether an ``offline`` event switched a node off (an inject's effect) rather than a service
    (a decision): ids of nodes and services may be the same."""
    return e.target in city.nodes and (e.target not in city.services or e.actor == "white-cell")


def fold_node(nodes: dict[str, NodeState], city: City, e: Event) -> bool:
    """Apply one event to the node it changes; True when it changed one (``e.target``)."""
    handler = _NODE.get(e.kind)
    state = nodes.get(e.target)
    if handler is None or state is None:
        return False
    return handler(state, city, e)


def _compromise(state: NodeState, city: City, e: Event) -> bool:
    if state.status != "compromised":
        state.status = "compromised"
        state.impact = "foothold" if state.impact == "none" else state.impact
        state.detected = False
        state.campaign = e.actor
        state.compromised_at = e.t
    state.infected = int(e.data.get("infected", state.infected))
    return True


def _effect(state: NodeState, city: City, e: Event) -> bool:
    effect = str(e.data.get("effect", ""))
    if effect == "deny":
        state.overloaded = True
        state.overloaded_until = max(state.overloaded_until, e.t + float(e.data.get("lasts", 0.0)))
        return True
    if e.data.get("resumed"):
        return False  # exfiltration going on once a way out reopens: the node's state is as it was
    state.impact = IMPACT_OF.get(effect, state.impact)
    if effect in ("encrypt", "wipe"):
        state.infected = int(e.data.get("hosts", state.infected))
        backup = city.nodes[e.target].backup
        if effect == "wipe" and backup is not None and not backup.offline:
            state.backup_lost = True
    return True


def _effect_end(state: NodeState, city: City, e: Event) -> bool:
    if e.data.get("effect") != "deny":
        return False
    state.overloaded = False
    return True


def _detection(state: NodeState, city: City, e: Event) -> bool:
    state.detected = True
    return True


def _isolate(state: NodeState, city: City, e: Event) -> bool:
    state.isolated = e.kind == ev.ISOLATE
    return True


def _cleaned(state: NodeState, city: City, e: Event) -> bool:
    state.status = "cleaned"
    state.infected = 0
    state.impact = state.impact if e.data.get("damaged") else "none"
    state.detected = False
    return True


def _restored(state: NodeState, city: City, e: Event) -> bool:
    state.status = "restored"
    state.impact = "none"
    state.infected = 0
    return True


def _backup_lost(state: NodeState, city: City, e: Event) -> bool:
    state.backup_lost = True
    return True


def _patched(state: NodeState, city: City, e: Event) -> bool:
    state.patched = True
    return True


def _offline(state: NodeState, city: City, e: Event) -> bool:
    if not is_node_offline(city, e):
        return False  # a service taken offline: not a node's state
    state.offline = True
    return True


def _task(state: NodeState, city: City, e: Event) -> bool:
    if e.data.get("step") not in ("reimage", "restore"):
        return False
    state.working = e.kind == ev.TASK_START
    return True


_NODE: dict[str, Callable[[NodeState, City, Event], bool]] = {
    ev.COMPROMISE: _compromise,
    ev.EFFECT: _effect,
    ev.EFFECT_END: _effect_end,
    ev.DETECTION: _detection,
    ev.ISOLATE: _isolate,
    ev.RECONNECT: _isolate,
    ev.CLEANED: _cleaned,
    ev.RESTORED: _restored,
    ev.PATCHED: _patched,
    ev.BACKUP_LOST: _backup_lost,
    ev.OFFLINE: _offline,
    ev.TASK_START: _task,
    ev.TASK_END: _task,
}
