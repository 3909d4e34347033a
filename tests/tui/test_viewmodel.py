"""The view-model folds events into what the screens show, the same way the engine holds them; the
timeline rebuilds it at any moment of a long log, fast. No terminal here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from drill.engine import Simulation
from drill.engine import events as ev
from drill.engine.commands import Command, TimedCommand
from drill.engine.events import Event
from drill.i18n import LANGUAGES
from drill.model.load import load_scenario
from drill.narration import CATEGORY_OF
from drill.tui.widgets.metrics import strip_text
from drill.viewmodel import (
    Timeline,
    ViewModel,
    clock_text,
    describe,
    sample_series,
    severity,
    short_name,
    visible_to_players,
)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None)


def _run(scenario, seed, commands=()):
    sim = Simulation(scenario, seed=seed)
    sim.run(commands)
    return sim


@pytest.mark.parametrize("seed", [1, 7, 2015])
def test_node_states_match_the_engine(scenario, seed):
    commands = [
        TimedCommand(action="isolate", target={"node": "hoan-kiem-ws"}, at=150),
        TimedCommand(action="reimage", target={"node": "hoan-kiem-ws"}, at=160),
        TimedCommand(action="ddos", target={"node": "portal-web"}, lasts=60, at=170, source="red-team")
        if "portal-web" in scenario.city.nodes
        else TimedCommand(action="note", text="x", at=170),
        TimedCommand(action="cut-link", target={"site": "dong-da"}, at=200),
    ]
    for stop in (100.0, 175.0, None):
        sim = Simulation(scenario, seed=seed)
        if stop is None:
            sim.run(commands)
        else:
            sim.run([c for c in commands if c.at <= stop])
            sim = Simulation(scenario, seed=seed)
            sim.start()
            for c in commands:
                if c.at > stop:
                    break
                sim.run_until(c.at)
                sim.apply(c)
            sim.run_until(stop)
        vm = ViewModel(scenario).feed_all(sim.events)
        for node, state in sim.nodes.items():
            assert vm.node_label(node) == state.label, (stop, node)
            assert vm.nodes[node].isolated == state.isolated
        assert sorted(vm.services_down) == sorted(sim.services.down_since)
        assert sorted(vm.disconnected) == sorted(s for s, up in sim.services.connected.items() if not up)


ENGINE_CITY = Path(__file__).resolve().parent.parent / "fixtures" / "engine" / "worm.yaml"


def test_the_views_figures_on_a_hand_built_stream():
    # District 1 has 102 machines (a router, a server and 100 workstations); 30 of them fall at
    # T+10, are seen at T+40 and isolated at T+60; the app goes down at T+50
    city = load_scenario(str(ENGINE_CITY))
    stream = [
        ("drill_start", "s", {"teams": {"soc": 2, "cert": 0}}),
        ("compromise", "d1-ws", {"hosts": 30}),
        ("detection", "d1-ws", {}),
        ("service_down", "app", {"reason": "node:dc-app"}),
        ("alert", "d1-ws", {"queued": 2}),
        ("isolate", "d1-ws", {"compromised": True}),
        # done at T+65, after its deadline T+45: late (graded from the deadline and the time
        # it was done, as every expectation event carries its due time)
        ("expectation", "call", {"index": 0, "status": "late", "due": 45.0}),
    ]
    times = [0.0, 10.0, 40.0, 50.0, 55.0, 60.0, 65.0]
    events = [
        Event(t, i, kind, "soc" if kind == "alert" else "x", target, data)
        for i, (t, (kind, target, data)) in enumerate(zip(times, stream, strict=True))
    ]
    vm = ViewModel(city).feed_all(events[:4])
    assert (
        strip_text(vm.snapshot())
        == "Detect 30m · Contain open · Hosts 30/30 · Down 1 · Obj ✓0 ✗0 ?1 · ✓0 !0 ✗0 · Queue 0"  # noqa: E501
    )
    assert vm.body_share("d1") == pytest.approx(30 / 102)
    assert vm.node_label("d1-ws") == "foothold" and vm.body_worst("d1") == "foothold"
    assert vm.body_worst("d2") == "clean" and vm.body_share("d2") == 0.0
    vm.feed_all(events[4:])
    snap = vm.snapshot()
    # contained in 50m, under the objective's 4h, but a new foothold before the planned end (12h)
    # would re-open it: still undecided
    assert (
        strip_text(snap)
        == "Detect 30m · Contain 50m · Hosts 30/30 · Down 1 · Obj ✓0 ✗0 ?1 · ✓0 !1 ✗0 · Queue 2"  # noqa: E501
    )
    assert (snap.now, snap.time_to_detect, snap.time_to_contain) == (65.0, 30.0, 50.0)
    assert snap.downtime_by_service == {"app": 15.0}
    assert vm.node_label("d1-ws") == "isolated" and vm.body_worst("d1") == "isolated"
    assert vm.services_down == {"app": 50.0}
    # the planned end (T+12h) settles it: met; the app, still down, has been down 670 minutes
    vm.feed_all([Event(720.0, 7, "drill_end", "facilitator", "engine-worm", {})])
    snap = vm.snapshot()
    assert (
        strip_text(snap)
        == "Detect 30m · Contain 50m · Hosts 30/30 · Down 1 · Obj ✓1 ✗0 ?0 · ✓0 !1 ✗0 · Queue 2"  # noqa: E501
    )
    assert snap.downtime_by_service == {"app": 670.0}


def test_body_worst_state_and_share(scenario):
    sim = _run(scenario, 2015)
    vm = ViewModel(scenario).feed_all(sim.events)
    infected = sum(vm.metrics.infected.get(n, 0) for n in scenario.city.nodes_by_site["hoan-kiem"])
    total = sum(scenario.city.nodes[n].hosts for n in scenario.city.nodes_by_site["hoan-kiem"])
    assert vm.body_share("hoan-kiem") == pytest.approx(infected / total)
    labels = [sim.nodes[n].label for n in scenario.city.nodes_by_site["hoan-kiem"]]
    assert vm.body_worst("hoan-kiem") in labels
    assert vm.body_worst("ba-vi") == "clean"


def test_players_do_not_see_an_undetected_compromise(scenario):
    sim = Simulation(scenario, seed=2015)
    sim.run_until(30)  # the phishing landed; nobody has noticed yet
    vm = ViewModel(scenario).feed_all(sim.events)
    assert vm.node_label("hoan-kiem-ws") == "foothold"
    assert vm.node_label("hoan-kiem-ws", public=True) == "no_alert"  # not "clean": nobody looked
    assert vm.body_worst("hoan-kiem", public=True) == "no_alert"
    assert vm.body_share("hoan-kiem", public=True) == 0


def test_what_players_may_see(scenario):
    sim = Simulation(scenario, seed=2015)
    sim.run_until(10)
    sim.apply(Command(action="inject", inject="backup-also-encrypted", source="facilitator"))
    sim.apply(Command(action="inject", inject="cert-busy", source="facilitator"))
    sim.apply(Command(action="note", text="SOC slow to call", source="facilitator"))
    sim.apply(Command(action="compromise", target={"node": "ba-vi-ws"}, source="red-team"))
    sim.apply(Command(action="isolate", target={"node": "ba-vi-ws"}))
    shown = [e for e in sim.events if visible_to_players(e)]
    kinds = {e.kind for e in shown}
    assert not kinds & {ev.NOTE, ev.COMPROMISE, ev.STAGE_START, ev.EXPECTATION}
    injects = [e.target for e in shown if e.kind == ev.INJECT]
    assert injects == ["cert-busy"]  # the hidden one stays off
    commands = [e.data["command"]["action"] for e in shown if e.kind == ev.COMMAND]
    assert commands == ["isolate"]  # the players' own decision, not the facilitator's or red team's


def test_msel_progress(scenario):
    sim = Simulation(scenario, seed=2015)
    sim.run_until(60)
    sim.apply(Command(action="delay-inject", inject="helpdesk-calls", delay=30, source="facilitator"))
    vm = ViewModel(scenario).feed_all(sim.events)
    assert vm.msel["helpdesk-calls"].status == "delivered"  # due at T+45, already out
    sim2 = Simulation(scenario, seed=2015)
    sim2.run_until(20)
    sim2.apply(Command(action="delay-inject", inject="helpdesk-calls", delay=30, source="facilitator"))
    sim2.apply(Command(action="skip-inject", inject="cert-busy", source="facilitator"))
    vm2 = ViewModel(scenario).feed_all(sim2.events)
    assert vm2.msel["helpdesk-calls"].status == "upcoming" and vm2.msel["helpdesk-calls"].at == 75
    assert vm2.msel["cert-busy"].status == "skipped"
    assert vm2.msel["backup-also-encrypted"].status == "held"
    assert vm2.next_inject_time() == 75
    sim2.run_until(80)
    sim2.apply(Command(action="mark", inject="helpdesk-calls", expectation=1, source="facilitator"))
    vm3 = ViewModel(scenario).feed_all(sim2.events)
    view = vm3.msel["helpdesk-calls"]
    assert view.delivered_at == 75
    assert [e.status for e in view.expects] == ["open", "met"]
    assert [e.index for e in vm3.open_expectations() if e.inject == "helpdesk-calls"] == [0]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_event_reads_as_a_sentence(scenario, lang):
    sim = Simulation(scenario, seed=3)
    sim.run_until(5)
    for command in (
        Command(action="free-inject", text="call the mayor", source="facilitator"),
        Command(action="escalate", to="national-cert"),
        Command(action="report", to="so-thong-tin-truyen-thong"),
        Command(action="communicate", text="we are on it"),
        Command(action="offline", service="email"),
        Command(action="online", service="email"),
        Command(action="cut-link", target={"site": "ba-vi"}),
        Command(action="restore-link", target={"site": "ba-vi"}),
        Command(action="isolate", target={"node": "nowhere"}),
        Command(action="start-stage", stage="encrypt", source="red-team"),
        Command(action="skip-inject", inject="cert-busy", source="facilitator"),
        Command(action="delay-inject", inject="helpdesk-calls", delay=10, source="facilitator"),
    ):
        sim.apply(command)
    sim.run_until(sim.end)
    kinds = set()
    for e in sim.events:
        text = describe(e, scenario, lang)
        assert text and "tui." not in text, (e.kind, text)
        kinds.add(e.kind)
        assert severity(e) in ("info", "notice", "warning", "critical")
        assert e.kind in CATEGORY_OF
    assert {ev.COMMAND_REFUSED, ev.LINK_CUT, ev.ESCALATION, ev.INJECT_DELAYED} <= kinds


def test_clock_shows_the_drill_date(scenario):
    assert clock_text(scenario, 65, "en") == "T+01:05 · Wed 04 Mar 2015 09:05"
    assert clock_text(scenario, 65, "vi") == "T+01:05 · 04/03/2015 09:05"


def test_short_names_and_series():
    assert short_name("Department of Home Affairs") == "Home Affairs"
    assert short_name("Quận Hoàn Kiếm") == "Hoàn Kiếm"
    assert short_name("Hoan Kiem District") == "Hoan Kiem"
    assert short_name("Internet") == "Internet"
    assert sample_series([(0.0, 0.0), (10.0, 5.0), (20.0, 2.0)], 40, 4) == [5.0, 2.0, 2.0, 2.0]
    assert sample_series([], 10, 3) == [0.0, 0.0, 0.0]


def _long_log(scenario, count):
    """A long event stream: one real drill's events repeated, one drill after another."""
    sim = _run(scenario, 2015, [TimedCommand(action="isolate", target={"site": "hoan-kiem"}, at=130)])
    out = []
    offset = 0.0
    while len(out) < count:
        for e in sim.events:
            out.append(Event(e.t + offset, len(out), e.kind, e.actor, e.target, e.data))
        offset += sim.end
    return out


def test_timeline_rebuilds_any_moment_exactly(scenario):
    events = _long_log(scenario, 3000)
    timeline = Timeline(scenario, events, every=250)
    for count in (0, 1, 249, 250, 251, 777, 1999, len(events)):
        expected = ViewModel(scenario).feed_all(events[:count])
        got = timeline.at_index(count)
        assert len(got.events) == count
        assert {n: s.label for n, s in got.nodes.items()} == {n: s.label for n, s in expected.nodes.items()}
        assert got.snapshot().as_dict() == expected.snapshot().as_dict()
        assert got.metrics.series == expected.metrics.series
        assert [(v.id, v.status) for v in got.injects()] == [(v.id, v.status) for v in expected.injects()]
    # seeking does not disturb the checkpoints: going back gives the same again
    again = timeline.at_index(777)
    assert again.snapshot().as_dict() == ViewModel(scenario).feed_all(events[:777]).snapshot().as_dict()
    assert events[timeline.index_at(events[500].t) - 1].t < events[500].t


def test_timeline_marks_and_jumps(scenario):
    events = _long_log(scenario, 600)
    timeline = Timeline(scenario, events)
    injects = [i for i, e in enumerate(events) if e.kind == ev.INJECT]
    first = timeline.next_mark(0, "inject")
    assert first is not None and first.index == injects[0]
    nxt = timeline.next_mark(first.index + 1, "inject")
    assert nxt is not None and nxt.index == injects[1]
    back = timeline.next_mark(nxt.index + 1, "inject", forward=False)
    assert back is not None and back.index == injects[0]
    assert timeline.next_mark(0, "note") is None


def _seeks_land_exactly(scenario, count: int) -> None:
    # how fast a seek is, is measured by benchmarks/replay_seek.py; here, that far from the
    # checkpoints, backwards and forwards, it shows what folding the log up to there shows
    events = _long_log(scenario, count)
    timeline = Timeline(scenario, events)
    for fraction in (0.99, 0.01, 0.73):
        t = timeline.end * fraction
        got = timeline.at(t)
        count = timeline.index_at(t)
        assert len(got.events) == count and all(e.t < t for e in got.events)
        assert count == len(events) or events[count].t >= t
        expected = ViewModel(scenario).feed_all(events[:count])
        assert got.now == t
        assert got.snapshot().as_dict() == expected.metrics.snapshot(t).as_dict()  # the figures at t
        assert {n: s.label for n, s in got.nodes.items()} == {n: s.label for n, s in expected.nodes.items()}


def test_seeking_in_a_long_log_lands_on_the_exact_moment(scenario):
    # three checkpoints of the default 2,000 events: the seeks land before the first, between
    # two and after the last, as in the 100,000-event log
    _seeks_land_exactly(scenario, 7_000)


@pytest.mark.slow(quick="test_seeking_in_a_long_log_lands_on_the_exact_moment")
def test_seeking_in_a_100000_event_log_lands_on_the_exact_moment(scenario):
    _seeks_land_exactly(scenario, 100_000)


def test_the_viewmodel_does_not_load_textual():
    import subprocess

    code = "import sys, drill.viewmodel; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _figures_after(stream: list[tuple[float, str, str, dict]]) -> dict[str, str]:
    """The times as the Figures panel and the closing screen show them, after a hand-built
    stream of the engine test worm (12h)."""
    from rich.console import Console

    from drill.tui.screens.closing import closing_text
    from drill.tui.widgets.metrics import time_figure

    city = load_scenario(str(ENGINE_CITY))
    events = [Event(t, i, kind, "x", target, data) for i, (t, kind, target, data) in enumerate(stream)]
    vm = ViewModel(city).feed_all(events)
    snap = vm.snapshot()
    shown = {which: time_figure(snap, which) for which in ("detect", "contain", "recover")}
    console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(closing_text(city, vm, vm.now, None))
    closing = console.export_text()
    rows = {line[:18].strip(): line[18:].strip() for line in closing.splitlines()}
    labels = {"detect": "Time to detect", "contain": "Time to contain", "recover": "Time to recover"}
    assert {which: rows[label] for which, label in labels.items()} == shown  # the same on both
    return shown


START = (0.0, "drill_start", "s", {"teams": {"soc": 2, "cert": 0}})
HIT = (10.0, "compromise", "d1-ws", {"hosts": 30})


def test_the_times_say_why_there_is_none_yet():
    # nothing happened: nothing to detect, contain or recover
    assert _figures_after([START, (60.0, "note", "", {"text": "quiet"})]) == dict.fromkeys(
        ("detect", "contain", "recover"), "—"
    )
    # 30 machines taken at T+10, nobody knows: not yet detected, not contained; nothing harmed
    assert _figures_after([START, HIT, (60.0, "note", "", {"text": "?"})]) == {
        "detect": "not yet",
        "contain": "not contained",
        "recover": "—",
    }
    # seen at T+40 and isolated at T+60, but the app they broke is still down: not recovered
    assert _figures_after(
        [
            START,
            HIT,
            (40.0, "detection", "d1-ws", {}),
            (50.0, "service_down", "app", {"reason": "node:dc-app"}),
            (60.0, "isolate", "d1-ws", {"compromised": True}),
        ]
    ) == {"detect": "30m", "contain": "50m", "recover": "not recovered"}
    # the drill over (T+12h) and never seen: not detected, not "not yet"
    assert _figures_after([START, HIT, (720.0, "drill_end", "engine-worm", {})]) == {
        "detect": "not detected",
        "contain": "not contained",
        "recover": "—",
    }
