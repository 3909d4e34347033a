"""Every figure of drill/metrics.py against a value worked out by hand from a hand-built stream.

The streams use the engine test city (tests/fixtures/engine/topology.yaml): districts d1 and d2,
a data centre with dc-app (service ``app``, 1,000 citizens a day, needs ``wan``) and dc-db
(``records``, 3 GB of data), and five bodies that all use every service.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from oracle_cases import HEAD, ORACLES, TEAM

from drill.engine.events import Event
from drill.metrics import WORKING_DAY_HOURS, Metrics, fold
from drill.model.load import Scenario, load_scenario, parse_scenario

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"
BODIES = ["core", "d1", "d2", "dc", "island"]


def _worm(objectives: str = "") -> Scenario:
    text = (ENGINE / "worm.yaml").read_text(encoding="utf-8")
    if objectives:
        head, _, _ = text.partition("objectives:")
        text = head + "objectives:\n" + objectives
    scenario, problems = parse_scenario(text, str(ENGINE / "worm.yaml"), ENGINE)
    assert scenario is not None, problems
    return scenario


SCENARIO = load_scenario(str(ENGINE / "worm.yaml"))


class Stream:
    """Events in order, numbered as they are added."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, t: float, kind: str, target: str = "", actor: str = "x", **data) -> Stream:
        self.events.append(Event(float(t), len(self.events), kind, actor, target, data))
        return self


def incident() -> Stream:
    return (
        Stream()
        .add(0, "drill_start", "s", teams={"soc": 2, "cert": 0})
        .add(10, "compromise", "d1-ws", hosts=3)
        .add(20, "compromise", "d1-srv", hosts=1)
        .add(25, "compromise", "d1-ws", hosts=2)  # more machines of a group already held
        .add(40, "detection", "d1-ws")
        .add(50, "service_down", "app", reason="node:dc-app")
        .add(60, "isolate", "d1-ws")
        .add(70, "isolate", "d1-srv")  # everything held is isolated: contained at T+70 …
        .add(80, "reconnect", "d1-srv")  # … until a held node comes back
        .add(90, "cleaned", "d1-srv")  # contained again, for good, at T+90
        .add(130, "service_up", "app", down_for=80.0)
    )


def test_the_life_cycle_of_an_incident():
    snap = fold(SCENARIO, incident().events, 200.0)
    assert snap.time_to_detect == 30.0  # first compromise T+10, first detection T+40
    assert snap.time_to_contain == 80.0  # contained for good at T+90
    assert snap.contained
    assert snap.time_to_recover == 120.0  # from the first compromise to the last service back
    assert snap.hosts_ever == 6 and snap.nodes_ever == 2
    assert snap.hosts_now == 5 and snap.nodes_now == 1  # d1-srv was cleaned
    assert snap.hosts_by_body_ever == {"d1": 6} and snap.hosts_by_body_now == {"d1": 5}
    assert snap.bodies_affected == ["d1"]
    assert snap.dwell_mean == 30.0  # d1-ws seen after 30 minutes; d1-srv cleaned unseen
    assert snap.services_reached == ["app"] and snap.services_down == []
    assert snap.downtime_by_service == {"app": 80.0}
    # every body uses the app (T+50 to T+130); d1 also cannot serve from T+60 on: d1-ws, its
    # only workstations and so its front desk, stays isolated — hurt from T+50 to T+200
    assert snap.downtime_by_body == {**dict.fromkeys(BODIES, 80.0), "d1": 150.0}
    # groups of people (a service at a body; no populations, so citizens split evenly over the
    # five bodies): the app's 1,000 a day are all harmed for its 80 own minutes; then d1's
    # groups while its desk is out — its app group (200 a day) after the app is back, T+130 to
    # T+200, and its one-stop group (5,000 / 5 a day) T+60 to T+200 (each group once a minute)
    harmed = 1000 * 80 + 200 * 70 + 1000 * 140
    assert snap.citizen_impact == pytest.approx(harmed / 60 / WORKING_DAY_HOURS)
    assert snap.now == 200.0


def test_figures_in_the_middle_of_the_incident():
    events = incident().events
    at_75 = fold(SCENARIO, [e for e in events if e.t <= 75], 75.0)
    assert at_75.contained and at_75.time_to_contain == 60.0  # both isolated by T+70
    assert at_75.services_down == ["app"] and at_75.time_to_recover is None
    assert at_75.downtime_by_service == {"app": 25.0}  # down since T+50, still down
    assert at_75.downtime_by_body == dict.fromkeys(BODIES, 25.0)
    # d1-srv undetected for 55 minutes so far; d1-ws seen after 30
    assert at_75.dwell_mean == pytest.approx((30 + 55) / 2)
    at_85 = fold(SCENARIO, [e for e in events if e.t <= 85], 85.0)
    assert not at_85.contained and at_85.time_to_contain is None  # d1-srv reconnected infected
    at_30 = fold(SCENARIO, [e for e in events if e.t <= 30], 30.0)
    assert at_30.time_to_detect is None and not at_30.contained
    assert at_30.hosts_now == 6


def test_the_series_behind_the_charts():
    snap_metrics = Metrics(SCENARIO).feed_all(incident().events)
    assert snap_metrics.series["hosts"] == [(0.0, 0.0), (10.0, 3.0), (20.0, 4.0), (25.0, 6.0), (90.0, 5.0)]
    # four services in the city: all up at the start, one down from T+50 to T+130
    assert snap_metrics.series["services_up"] == [(0.0, 4.0), (50.0, 3.0), (130.0, 4.0)]


def test_nothing_happened():
    snap = fold(SCENARIO, Stream().add(0, "drill_start", "s", teams={"soc": 2}).events, 720.0)
    assert snap.time_to_detect is None and snap.time_to_contain is None and snap.time_to_recover is None
    assert not snap.contained
    assert snap.hosts_ever == 0 and snap.bodies_affected == [] and snap.dwell_mean is None
    assert snap.downtime_by_service == {} and snap.citizen_impact == 0.0
    assert snap.utilisation == {"soc": 0.0}


def test_a_service_down_without_a_compromise_recovers_from_its_own_start():
    # a flood: no foothold, so the incident starts with the flood (T+30), not at T+0
    flood = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(30, "effect", "dc-app", effect="deny")
        .add(30, "service_down", "app")
        .add(45, "service_down", "onestop")
    )
    unseen = [
        *flood.events,
        Event(90.0, 4, "service_up", "x", "app", {}),
        Event(100.0, 5, "service_up", "x", "onestop", {}),
    ]
    # nobody saw it and the flood never ended: not contained, so not recovered either
    quiet = fold(SCENARIO, unseen, 120.0)
    assert quiet.time_to_detect is None and quiet.time_to_contain is None
    assert quiet.time_to_recover is None
    events = (
        flood.add(40, "detection", "dc-app")
        .add(80, "effect_end", "dc-app", effect="deny")  # contained: seen, and the flood is over
        .add(90, "service_up", "app")
        .add(100, "service_up", "onestop")
        .events
    )
    snap = fold(SCENARIO, events, 120.0)
    assert snap.time_to_detect == 10.0 and snap.time_to_contain == 50.0
    assert snap.time_to_recover == 70.0  # T+30 to T+100, when the last one came back
    assert snap.downtime_by_service == {"app": 60.0, "onestop": 55.0}
    assert snap.downtime_by_body == dict.fromkeys(BODIES, 70.0)  # hurt while either is down
    assert snap.citizen_impact == pytest.approx((1000 * 60 + 5000 * 55) / 60 / WORKING_DAY_HOURS)
    assert snap.services_reached == ["app", "onestop"]


def test_a_second_outage_adds_to_the_downtime():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "service_down", "records")
        .add(20, "service_up", "records")
        .add(50, "service_down", "records")
        .events
    )
    snap = fold(SCENARIO, events, 80.0)
    assert snap.downtime_by_service == {"records": 40.0}  # 10 + 30 so far
    assert snap.services_down == ["records"] and snap.time_to_recover is None


def test_a_body_cut_off_from_the_wan_is_down_while_it_is():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "site_disconnected", "d2")
        .add(40, "site_connected", "d2")
        .add(60, "site_disconnected", "d2")
        .events
    )
    assert fold(SCENARIO, events, 100.0).downtime_by_body == {"d2": 70.0}  # 30, then 40 so far
    assert fold(SCENARIO, events, 100.0).downtime_by_service == {}


def test_the_responders_load():
    stream = (
        Stream()
        .add(0, "drill_start", "s", teams={"soc": 2, "cert": 0})
        .add(10, "alert", "d1-ws", actor="soc", queued=3)
        .add(10, "task_start", "d1-ws", actor="soc", queued=2)  # one busy
        .add(20, "task_start", "d1-srv", actor="soc", queued=1)  # two busy
        .add(40, "task_end", "d1-ws", actor="soc", queued=1)  # one busy
        .add(50, "team_arrived", "soc", actor="cert", staff=4)
        .add(60, "task_end", "d1-srv", actor="soc", queued=0)  # none busy
    )
    snap = fold(SCENARIO, stream.events, 100.0)
    busy = 1 * 10 + 2 * 20 + 1 * 20  # staff-minutes at work
    assert snap.utilisation["soc"] == pytest.approx(busy / (2 * 100))
    assert snap.utilisation["cert"] == 0.0
    assert snap.staff == {"soc": 2, "cert": 4}
    assert snap.queue == {"soc": 0, "cert": 0}
    at_30 = fold(SCENARIO, [e for e in stream.events if e.t <= 30], 30.0)
    assert at_30.queue["soc"] == 1 and at_30.utilisation["soc"] == pytest.approx((10 + 2 * 10) / (2 * 30))
    # a team cut to one person at T+70: its staff-minutes shrink, its busy minutes do not
    stream.add(70, "staff_change", "soc", actor="soc", change=-1, staff=1)
    snap = fold(SCENARIO, stream.events, 100.0)
    assert snap.staff["soc"] == 1
    assert snap.utilisation["soc"] == pytest.approx(busy / (2 * 70 + 1 * 30))
    assert Metrics(SCENARIO).feed_all(stream.events).series["queue"] == [
        (0.0, 0.0),
        (10.0, 3.0),
        (10.0, 2.0),
        (20.0, 1.0),
        (40.0, 1.0),
        (60.0, 0.0),
    ]


def test_exfiltration_runs_at_its_rate_until_the_node_is_isolated_or_cleaned():
    def stream(stop: str | None) -> list[Event]:
        s = (
            Stream()
            .add(0, "drill_start", "s", teams={})
            .add(0, "compromise", "dc-db", hosts=1)
            .add(0, "effect", "dc-db", effect="exfiltrate", rate_gb_per_hour=1.0)
        )
        if stop:
            s.add(90, stop, "dc-db")
        return s.events

    assert fold(SCENARIO, stream(None), 30.0).data_exfiltrated_gb == pytest.approx(0.5)
    assert fold(SCENARIO, stream(None), 600.0).data_exfiltrated_gb == pytest.approx(3.0)  # all it holds
    for stop in ("isolate", "cleaned", "restored"):
        assert fold(SCENARIO, stream(stop), 600.0).data_exfiltrated_gb == pytest.approx(1.5), stop


def test_expectations_are_counted_by_their_last_status():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "expectation", "call", index=0, status="open", due=60.0)
        .add(10, "expectation", "call", index=1, status="open", due=60.0)
        .add(10, "expectation", "press", index=0, status="open", due=600.0)
        .add(10, "expectation", "other", index=0, status="open", due=60.0)
        .add(10, "expectation", "later", index=0, status="open", due=800.0)
        .add(20, "expectation", "call", index=0, status="met")
        .add(70, "expectation", "call", index=1, status="overdue")
        .add(80, "expectation", "call", index=1, status="late")
        .add(90, "expectation", "other", index=0, status="overdue")
        .events
    )
    # graded at T+720 from each deadline: call/0 done at T+20 by T+60 (met); call/1 done at T+80
    # after T+60 (late); press (due T+600) and other (due T+60) never done (missed — the
    # engine's 'overdue' is not a grade of its own); later is due at T+800 (open)
    snap = fold(SCENARIO, events, 720.0)
    assert snap.expectations == {"open": 1, "met": 1, "late": 1, "missed": 2}
    assert snap.figure("expectations_met") == pytest.approx(1 / 4)  # met of met, late and missed
    # at T+50 nothing is due yet: call/0 met, the other four open
    assert fold(SCENARIO, events[:7], 50.0).expectations == {"open": 4, "met": 1, "late": 0, "missed": 0}
    assert fold(SCENARIO, events[:1], 0.0).figure("expectations_met") == 1.0  # none asked yet


def test_figures_by_the_names_objectives_use():
    events = [
        *incident().events,
        Event(140.0, 99, "compromise", "x", "d2-srv", {"hosts": 1}),
        Event(150.0, 100, "service_down", "x", "records", {}),
    ]
    snap = fold(SCENARIO, events, 200.0)
    assert snap.figure("time_to_detect") == 30.0
    assert snap.figure("time_to_contain") is None  # d2-srv is held and not isolated
    assert snap.figure("time_to_recover") is None  # records is down
    assert snap.figure("hosts_compromised") == 7.0
    assert snap.figure("hosts_compromised", site="d1") == 6.0
    assert snap.figure("hosts_compromised", site="d2") == 1.0
    assert snap.figure("hosts_compromised", site="island") == 0.0
    assert snap.figure("nodes_compromised") == 3.0
    assert snap.figure("bodies_affected") == 2.0
    assert snap.figure("downtime", service="app") == 80.0
    assert snap.figure("downtime", service="onestop") == 0.0
    assert snap.figure("downtime", site="d2") == 80.0 + 50.0  # app's outage, then records' so far
    assert snap.figure("downtime") == 80.0  # the longest of any service
    # records serves no citizens and d2's desk (d2-ws) is untouched: the life cycle's impact —
    # the app's outage for all, then d1's desk out (see test_the_life_cycle_of_an_incident)
    harmed = 1000 * 80 + 200 * 70 + 1000 * 140
    assert snap.figure("citizen_impact") == pytest.approx(harmed / 60 / WORKING_DAY_HOURS)
    assert snap.figure("data_exfiltrated_gb") == 0.0
    with pytest.raises(KeyError):
        snap.figure("no-such-figure")


OBJECTIVES = """\
  - {metric: time_to_detect, under: 20m}
  - {metric: time_to_contain, under: 4h}
  - {metric: hosts_compromised, under: 6}
  - {metric: hosts_compromised, under: 7}
  - {metric: downtime, service: app, under: 80m}
  - {metric: downtime, service: app, under: 81m}
  - {metric: bodies_affected, at_least: 1}
  - {metric: bodies_affected, at_least: 2}
"""


def test_objectives_are_met_strictly_under_or_at_least_their_bound():
    # at the planned end (worm.yaml: 12h) every objective is settled
    snap = fold(_worm(OBJECTIVES), incident().events, 720.0)
    results = [(o.metric, o.value, o.bound, o.kind, o.met) for o in snap.objectives]
    assert results == [
        ("time_to_detect", 30.0, 20.0, "under", False),
        ("time_to_contain", 80.0, 240.0, "under", True),
        ("hosts_compromised", 6.0, 6.0, "under", False),  # under means below, not equal
        ("hosts_compromised", 6.0, 7.0, "under", True),
        ("downtime", 80.0, 80.0, "under", False),
        ("downtime", 80.0, 81.0, "under", True),
        ("bodies_affected", 1.0, 1.0, "at_least", True),  # at least includes equal
        ("bodies_affected", 1.0, 2.0, "at_least", False),
    ]
    assert [o.index for o in snap.objectives] == list(range(8))
    assert snap.objectives[4].service == "app"
    # at T+200, before the planned end: a figure past its bound is not met at once, one reached
    # 'at least' is met; a containment under its bound may still be re-opened, and a growing
    # figure under its bound may still grow: undecided
    middle = fold(_worm(OBJECTIVES), incident().events, 200.0)
    assert [o.state for o in middle.objectives] == [
        "not_met",
        "undecided",
        "not_met",
        "undecided",
        "not_met",
        "undecided",
        "met",
        "undecided",
    ]
    assert [o.met for o in middle.objectives] == [o.state == "met" for o in middle.objectives]


def test_an_incident_that_never_happens_meets_its_time_objectives_and_one_never_closed_fails_them():
    scenario = _worm(
        "  - {metric: time_to_detect, under: 1h}\n"
        "  - {metric: time_to_contain, under: 1h}\n"
        "  - {metric: time_to_recover, under: 1h}\n"
    )
    quiet = fold(scenario, Stream().add(0, "drill_start", "s", teams={}).events, 720.0)
    assert [o.met for o in quiet.objectives] == [True, True, True]
    open_ = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "compromise", "d1-ws", hosts=1)
        .add(20, "service_down", "app")
        .events
    )
    never = fold(scenario, open_, 720.0)
    assert [o.met for o in never.objectives] == [False, False, False]
    assert [o.value for o in never.objectives] == [None, None, None]


def test_a_metrics_object_fed_one_event_at_a_time_reads_the_same_at_every_step():
    # a snapshot does not disturb the fold: reading in the middle changes nothing after
    events = incident().events
    metrics = Metrics(SCENARIO)
    for e in events:
        metrics.feed(e)
        metrics.snapshot(e.t)
    assert metrics.snapshot(200.0).time_to_contain == 80.0
    assert metrics.snapshot(200.0).hosts_now == 5


def test_without_a_time_the_figures_are_those_at_the_last_event():
    events = incident().events[:6]  # up to the app going down at T+50
    snap = Metrics(SCENARIO).feed_all(events).snapshot()
    assert snap.now == 50.0 and snap.downtime_by_service == {"app": 0.0}
    # at T+40, the last event: d1-ws seen 30 minutes after it fell, d1-srv unseen for 20 so far
    assert fold(SCENARIO, events[:5]).dwell_mean == pytest.approx((30 + 20) / 2)


def test_machines_now_are_counted_by_body():
    events = [*incident().events[:4], Event(27.0, 4, "compromise", "x", "d2-ws", {"hosts": 4})]
    snap = fold(SCENARIO, events, 30.0)
    assert snap.hosts_by_body_now == {"d1": 6, "d2": 4}
    assert snap.hosts_by_body_ever == {"d1": 6, "d2": 4}
    assert snap.bodies_affected == ["d1", "d2"]


def test_a_machine_cleaned_and_taken_again_is_seen_again():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "compromise", "d1-ws", hosts=1)
        .add(20, "detection", "d1-ws")  # seen after 10 minutes
        .add(30, "cleaned", "d1-ws")
        .add(40, "compromise", "d1-ws", hosts=1)
        .add(70, "detection", "d1-ws")  # seen again, after 30 minutes
        .events
    )
    snap = fold(SCENARIO, events, 100.0)
    assert snap.dwell_mean == pytest.approx((10 + 30) / 2)
    assert snap.time_to_detect == 10.0  # the first detection counts
    # one distinct machine, taken twice: counted once in all, the second hit apart
    assert snap.hosts_ever == 1 and snap.hosts_now == 1
    assert snap.hosts_reinfected == 1 and snap.reinfections == 1


def test_a_machine_reconnected_before_it_is_taken_counts_as_spreading():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(5, "isolate", "d2-srv")
        .add(6, "reconnect", "d2-srv")
        .add(10, "compromise", "d2-srv", hosts=1)
        .events
    )
    snap = fold(SCENARIO, events, 60.0)
    assert not snap.contained and snap.time_to_contain is None


def test_two_whole_outages_add_up():
    # a flood on dc-db starts the incident at T+10; seen at T+15 and over at T+20: contained
    # at T+20; recovered when the last harm ends (the second outage, over at T+70)
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "effect", "dc-db", effect="deny")
        .add(10, "service_down", "records")
        .add(15, "detection", "dc-db")
        .add(20, "effect_end", "dc-db", effect="deny")
        .add(20, "service_up", "records")
        .add(50, "service_down", "records")
        .add(70, "service_up", "records")
        .events
    )
    snap = fold(SCENARIO, events, 100.0)
    assert snap.downtime_by_service == {"records": 30.0}
    assert snap.time_to_recover == 60.0  # from the first outage (T+10) to the end of the last (T+70)


def test_exfiltration_that_starts_late_and_starts_again_after_a_pause():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(30, "compromise", "dc-db", hosts=1)
        .add(30, "effect", "dc-db", effect="exfiltrate", rate_gb_per_hour=1.0)
        .events
    )
    assert fold(SCENARIO, events, 90.0).data_exfiltrated_gb == pytest.approx(1.0)  # from T+30 to T+90
    resumed = [
        *events,
        Event(60.0, 3, "isolate", "x", "dc-db", {}),  # 0.5 GB by then
        Event(100.0, 4, "reconnect", "x", "dc-db", {}),
        Event(100.0, 5, "effect", "x", "dc-db", {"effect": "exfiltrate", "rate_gb_per_hour": 1.0}),
    ]
    assert fold(SCENARIO, resumed, 160.0).data_exfiltrated_gb == pytest.approx(1.5)  # 0.5 + 1


def test_a_team_without_anyone_is_not_busy():
    events = Stream().add(0, "drill_start", "s", teams={"soc": 0, "cert": 0}).events
    assert fold(SCENARIO, events, 100.0).utilisation == {"soc": 0.0, "cert": 0.0}
    half = (
        Stream()
        .add(0, "drill_start", "s", teams={"soc": 1})
        .add(0, "task_start", "d1-ws", actor="soc", queued=0)
        .events
    )
    assert fold(SCENARIO, half, 0.5).utilisation == {"soc": 1.0}  # half a minute, all of it busy


def test_downtime_figures_when_nothing_is_down():
    snap = fold(SCENARIO, Stream().add(0, "drill_start", "s", teams={}).events, 60.0)
    assert snap.figure("downtime") == 0.0
    assert snap.figure("downtime", site="d1") == 0.0
    assert snap.figure("downtime", service="app") == 0.0
    with pytest.raises(KeyError, match="no-such-figure"):
        snap.figure("no-such-figure")


def test_objectives_on_one_service_or_one_body_read_that_service_or_body():
    scenario = _worm(
        "  - {metric: downtime, service: records, under: 10m}\n"
        "  - {metric: hosts_compromised, site: d2, under: 1}\n"
        "  - {metric: downtime, site: d2, under: 10m}\n"
    )
    # at the planned end (12h): the app was down 80 minutes, records never; d2 was hurt only
    # while the app was down (its desk, d2-ws, was never touched)
    snap = fold(scenario, incident().events, 720.0)
    assert [(o.value, o.met) for o in snap.objectives] == [(0.0, True), (0.0, True), (80.0, False)]


def test_the_figures_as_a_dictionary_for_tools():
    snap = fold(_worm(OBJECTIVES), incident().events, 200.0)
    out = snap.as_dict()
    assert out["time_to_detect"] == 30.0 and out["hosts_ever"] == 6 and out["now"] == 200.0
    assert out["downtime_by_service"] == {"app": 80.0}
    assert [o["met"] for o in out["objectives"]] == [o.met for o in snap.objectives]
    assert out["objectives"][0] == {
        "index": 0,
        "metric": "time_to_detect",
        "value": 30.0,
        "bound": 20.0,
        "kind": "under",
        "met": False,
        "service": None,
        "site": None,
        "state": "not_met",  # 30 minutes to detect, past its 20: not met at once
    }


# ---------------------------------------------------------------- the survivors of mutation testing
def test_staff_minutes_add_up_over_several_changes():
    # SOC: 2 people for 10 minutes, 1 for 10, 3 for 20; one of them busy for the first 10
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={"soc": 2})
        .add(0, "task_start", "d1-ws", actor="soc", queued=0)
        .add(10, "task_end", "d1-ws", actor="soc", queued=0)
        .add(10, "staff_change", "soc", actor="soc", change=-1, staff=1)
        .add(20, "staff_change", "soc", actor="soc", change=2, staff=3)
        .events
    )
    assert fold(SCENARIO, events, 40.0).utilisation["soc"] == pytest.approx(10 / (2 * 10 + 1 * 10 + 3 * 20))


def test_outside_help_joins_whoever_of_its_team_is_already_there():
    # one CERT member was sent ahead at T+30; three more arrive at T+50, and one works T+50–60
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={"soc": 1, "cert": 0})
        .add(30, "staff_change", "cert", actor="cert", change=1, staff=1)
        .add(50, "team_arrived", "soc", actor="cert", staff=3)
        .add(50, "task_start", "d1-ws", actor="cert", queued=0)
        .add(60, "task_end", "d1-ws", actor="cert", queued=0)
        .events
    )
    snap = fold(SCENARIO, events, 100.0)
    assert snap.staff["cert"] == 4
    assert snap.utilisation["cert"] == pytest.approx(10 / (1 * 20 + 4 * 50))


def test_before_any_event_the_figures_are_at_t0():
    snap = Metrics(SCENARIO).snapshot()
    assert snap.now == 0.0 and snap.hosts_ever == 0 and snap.downtime_by_service == {}


def test_a_machine_taken_while_already_isolated_is_contained_from_that_moment():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(5, "isolate", "d1-srv")
        .add(10, "compromise", "d1-srv", hosts=1)
        .add(10, "detection", "d1-srv")  # contained is known: it counts from the detection
        .events
    )
    snap = fold(SCENARIO, events, 60.0)
    assert snap.contained and snap.time_to_contain == 0.0 and snap.contained_at == 10.0
    later = [*events, Event(20.0, 4, "compromise", "x", "d1-ws", {"hosts": 1})]
    assert not fold(SCENARIO, later, 60.0).contained  # d1-ws was not isolated


def test_a_service_used_by_some_bodies_hurts_only_them(tmp_path: Path):
    # the oracle networks, with the records used by the data centre and the hub only
    topology = (ORACLES / "topology.yaml").read_text(encoding="utf-8")
    assert "serves: {officials: 100}}" in topology
    (tmp_path / "topology.yaml").write_text(
        topology.replace("serves: {officials: 100}}", "serves: {officials: 100}, users: [dc, hub]}"),
        encoding="utf-8",
    )
    stages = "attacker:\n  campaigns:\n    - id: w\n      stages:\n"
    stages += "        - {id: land, technique: T1078, at: T+1h, targets: {node: hub-a}}\n"
    scenario_text = HEAD.format(duration="12h") + "teams:\n" + TEAM + stages
    scenario, problems = parse_scenario(scenario_text, str(tmp_path / "s.yaml"), tmp_path)
    assert scenario is not None, problems
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "service_down", "records")
        .add(40, "service_up", "records")
        .events
    )
    assert fold(scenario, events, 60.0).downtime_by_body == {"dc": 30.0, "hub": 30.0}


def test_an_objective_remembers_the_service_or_body_it_is_about_and_a_zero_bound():
    scenario = _worm(
        "  - {metric: downtime, site: d2, under: 10m}\n"
        "  - {metric: downtime, service: app, at_least: 0}\n"
        "  - {metric: hosts_compromised, site: d1, at_least: 5}\n"
    )
    objectives = fold(scenario, incident().events, 200.0).objectives
    assert [(o.service, o.site) for o in objectives] == [(None, "d2"), ("app", None), (None, "d1")]
    assert [(o.bound, o.met) for o in objectives] == [(10.0, False), (0.0, True), (5.0, True)]


def test_a_bodys_outages_add_up_and_so_do_expectations_of_one_status():
    events = (
        Stream()
        .add(0, "drill_start", "s", teams={})
        .add(10, "site_disconnected", "d2")
        .add(40, "site_connected", "d2")
        .add(60, "site_disconnected", "d2")
        .add(100, "site_connected", "d2")
        .add(100, "expectation", "a", index=0, status="met")
        .add(100, "expectation", "b", index=0, status="met")
        .events
    )
    snap = fold(SCENARIO, events, 120.0)
    assert snap.downtime_by_body == {"d2": 70.0}  # 30 and 40, both over
    assert snap.expectations["met"] == 2
