"""The players' screen shows what the players know, nothing more: checked kind by kind, on small
hand-built streams (two drills that differ only in what the players cannot know must look the
same to them), and over a whole drill (no machine shows an attacker before a detection)."""

from __future__ import annotations

import pytest

from drill.engine import Simulation
from drill.engine import events as ev
from drill.engine.commands import Command, TimedCommand
from drill.engine.events import Event
from drill.i18n import LANGUAGES, t
from drill.knowledge import HIDDEN_KINDS
from drill.model.load import load_scenario
from drill.viewmodel import COMPROMISED_STATES, ViewModel, describe, visible_to_players

WS, SRV = "hoan-kiem-ws", "hoan-kiem-srv"
SITE = "hoan-kiem"

# Every kind of event, and what the players make of it. A new kind fails here until someone
# decides whether the players see it.
SEEN = {
    ev.DRILL_START: "the drill starts for everyone",
    ev.DRILL_END: "and ends for everyone",
    ev.DETECTION: "how the defenders learn of an attacker",
    ev.ALERT: "their own teams' queue",
    ev.TASK_START: "their own teams' work",
    ev.TASK_END: "their own teams' work",
    ev.TASK_WAITING: "their own teams' work, waiting on a backup copy or a rebuild",
    ev.ISOLATE: "their decision or their team's",
    ev.RECONNECT: "their decision",
    ev.LINK_CUT: "their decision",
    ev.LINK_RESTORED: "their decision",
    ev.RESTORED: "the outcome of their decision",
    ev.PATCHED: "the outcome of their decision (in words that say nothing of an attacker)",
    ev.OFFLINE: "a machine or service that stops is noticed",
    ev.ONLINE: "and so is one that comes back",
    ev.SERVICE_DOWN: "citizens and staff notice",
    ev.SERVICE_UP: "citizens and staff notice",
    ev.SERVICE_REASON: "a service still down names what it waits for",
    ev.SITE_DISCONNECTED: "a body off the WAN is noticed",
    ev.SITE_CONNECTED: "and back on it",
    ev.INJECT: "messages delivered to them (not the hidden ones)",
    ev.COMMAND: "their own decisions (not the facilitator's or the red team's)",
    ev.ESCALATION: "their decision",
    ev.TEAM_ARRIVED: "help they called arrives",
    ev.STAFF_CHANGE: "their own staff",
    ev.REPORT: "their reports and statements",
    ev.LEARNED: "what their teams learned (an alert, a report, a finding, a lead)",
    ev.INVESTIGATED: "their own teams' investigations and what they found",
}


def _all_kinds() -> set[str]:
    return {
        value
        for name, value in vars(ev).items()
        if name.isupper() and isinstance(value, str) and not name.startswith("_")
    }


def test_every_kind_of_event_is_decided_for_the_players():
    assert _all_kinds() == set(SEEN) | set(HIDDEN_KINDS)
    assert not set(SEEN) & set(HIDDEN_KINDS)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None)


class Stream:
    """A hand-written drill: events one after another, a minute apart."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, actor: str = "", target: str = "", **data: object) -> Stream:
        self.events.append(Event(float(len(self.events)), len(self.events), kind, actor, target, dict(data)))
        return self


def players_view(scenario, events: list[Event]) -> tuple:
    """Everything the players' screen shows: the feed in both languages and each node's and
    body's word on the map (times and sequence numbers aside: they are not the point here)."""
    vm = ViewModel(scenario).feed_all(events)
    shown = [e for e in events if visible_to_players(e)]
    lines = tuple(describe(e, scenario, lang, public=True) for lang in LANGUAGES for e in shown)
    city = scenario.city
    labels = tuple(sorted((n, vm.node_label(n, public=True)) for n in city.nodes_by_site[SITE]))
    bodies = tuple(vm.body_worst(s, public=True) for s in city.sites)
    return lines, labels, bodies


def test_patching_says_nothing_of_an_attacker_on_the_machine(scenario):
    held = Stream().add(ev.COMPROMISE, "phish", WS, hosts=3, infected=3)
    held.add(ev.PATCHED, "hoan-kiem-it", WS, site=SITE, compromised=True)
    clean = Stream().add(ev.PATCHED, "hoan-kiem-it", WS, site=SITE, compromised=False)
    seen_held = players_view(scenario, held.events)
    assert seen_held == players_view(scenario, clean.events)
    assert all("attacker" not in line for line in seen_held[0])
    # the facilitator, who knows, is told
    assert "attacker already on it stays" in describe(held.events[-1], scenario, "en")


def test_a_reimage_looks_the_same_whether_or_not_there_was_an_attacker(scenario):
    work = ("hoan-kiem-it", WS)
    there = Stream().add(ev.COMPROMISE, "phish", WS, hosts=3, infected=3)
    there.add(ev.TASK_START, *work, step="reimage", takes=60.0, queued=0)
    there.add(ev.CLEANED, *work, site=SITE, damaged=False)
    there.add(ev.TASK_END, *work, step="reimage", queued=0)
    nothing = Stream().add(ev.TASK_START, *work, step="reimage", takes=60.0, queued=0)
    nothing.add(ev.TASK_END, *work, step="reimage", queued=0)
    view = players_view(scenario, there.events)
    assert view == players_view(scenario, nothing.events)
    assert (WS, "cleaned") in view[1]


@pytest.mark.parametrize("kind", sorted(HIDDEN_KINDS))
def test_a_hidden_event_changes_nothing_the_players_see(scenario, kind):
    """The same drill with and without one event of a hidden kind, on a machine nobody has
    looked at: the players' screen is the same."""
    data = {
        ev.EFFECT: {"effect": "encrypt", "hosts": 3},
        ev.EFFECT_END: {"effect": "deny"},
        ev.CLEANED: {"site": SITE, "damaged": True},
        ev.EXPECTATION: {"index": 0, "status": "missed", "action": "isolate", "due": 1.0},
        ev.COMMAND_REFUSED: {"command": {"action": "isolate"}, "reason": {"en": "no", "vi": "không"}},
        ev.NOTE: {"text": "SOC slow", "hidden": True},
    }.get(kind, {})
    base = Stream().add(ev.COMPROMISE, "phish", SRV, hosts=1, infected=1)
    base.add(ev.INJECT, "white-cell", "ransom-note", title="Ransom note", text="Pay", to=["hoan-kiem-it"])
    with_it = Stream()
    with_it.events = list(base.events)
    with_it.add(kind, "phish", WS, **data)
    assert players_view(scenario, with_it.events) == players_view(scenario, base.events)


def test_nobody_has_looked_is_not_clean(scenario):
    """An encrypted machine next to a ransom note: no alert until the defenders see it, and then
    what anyone at the machine sees (not the data leaving, which takes an investigation)."""
    s = Stream().add(ev.COMPROMISE, "phish", WS, hosts=3, infected=3)
    s.add(ev.EFFECT, "phish", WS, effect="encrypt", hosts=3)
    s.add(ev.COMPROMISE, "phish", SRV, hosts=1, infected=1)
    s.add(ev.EFFECT, "phish", SRV, effect="exfiltrate", rate_gb_per_hour=2.0)
    s.add(ev.INJECT, "white-cell", "ransom-note", title="Ransom note", text="Pay", to=["hoan-kiem-it"])
    vm = ViewModel(scenario).feed_all(s.events)
    assert vm.node_label(WS, public=True) == "no_alert"
    assert vm.body_worst(SITE, public=True) == "no_alert"
    assert t("tui.state_no_alert", "en") == "no alert"
    vm.feed(Event(10.0, 10, ev.DETECTION, "hoan-kiem-it", WS, {"how": "users", "site": SITE}))
    vm.feed(Event(11.0, 11, ev.DETECTION, "city-soc", SRV, {"how": "sensor", "site": SITE}))
    assert vm.node_label(WS, public=True) == "encrypted"
    assert vm.node_label(SRV, public=True) == "foothold"  # compromised, no more
    assert vm.node_label(SRV) == "exfiltrating"  # the facilitator's truth
    assert vm.body_worst(SITE, public=True) == "encrypted"


def test_over_a_whole_drill_no_machine_shows_an_attacker_before_a_detection(scenario):
    decisions = [
        TimedCommand(at=40, action="patch", target={"node": WS}, by="hoan-kiem-it"),
        TimedCommand(at=90, action="isolate", target={"site": SITE}),
        TimedCommand(at=100, action="reimage", target={"node": WS}),
        TimedCommand(at=200, action="restore", target={"node": SRV}),
    ]
    sim = Simulation(scenario, seed=2015)
    sim.start()
    for d in decisions:
        sim.run_until(d.at)
        sim.apply(Command(**d.model_dump(exclude={"at"}, exclude_defaults=True)))
    sim.run_until(600)
    vm = ViewModel(scenario)
    known: set[str] = set()  # nodes detected and not yet reimaged or restored since
    compromised_once = detected_once = False
    for e in sim.events:
        vm.feed(e)
        if e.kind == ev.DETECTION:
            known.add(e.target)
            detected_once = True
        elif (e.kind == ev.TASK_END and e.data.get("step") == "reimage") or e.kind == ev.RESTORED:
            known.discard(e.target)
        if e.kind == ev.COMPROMISE:
            compromised_once = True
        for node in scenario.city.nodes:
            label = vm.node_label(node, public=True)
            assert label != "clean", node  # the players never know a machine is clean
            if label in COMPROMISED_STATES and node not in known:
                # cleaned but still encrypted: they saw it encrypted before the cleaning
                assert label in ("encrypted", "wiped", "defaced") and vm.knowledge.nodes[node].harm_seen
    assert compromised_once and detected_once
    lines = [describe(e, scenario, "en", public=True) for e in sim.events if visible_to_players(e)]
    assert not [x for x in lines if "attacker" in x or " cleaned by " in x]


def test_a_lead_shows_as_suspected_to_the_players_until_their_work_or_a_detection(scenario):
    from drill.knowledge import PlayersKnowledge

    k = PlayersKnowledge(scenario.city)
    lead = Event(
        10,
        1,
        ev.LEARNED,
        "hoan-kiem-it",
        WS,
        {"fact": "compromise", "how": "inject", "certainty": "suspected"},
    )
    assert k.feed(lead) and k.label(WS) == "suspected" and k.label(SRV) == "no_alert"
    k.feed(Event(20, 2, ev.TASK_END, "hoan-kiem-it", WS, {"step": "reimage"}))
    assert k.label(WS) == "cleaned"
    k.feed(lead._replace(seq=3, target=SRV))
    k.feed(Event(30, 4, ev.COMPROMISE, "c", SRV, {"hosts": 1, "infected": 1}))
    k.feed(Event(31, 5, ev.DETECTION, "hoan-kiem-it", SRV, {"how": "sensor"}))
    assert k.label(SRV) == "foothold"  # confirmed now
