"""Counts a debrief can defend: distinct machines, and citizen impact once per group of people a
minute, at body level too (see the metrics module for the formula)."""

from __future__ import annotations

import pytest

from drill.metrics import fold
from tests.scoring_cases import Stream, tiny


def test_a_reinfected_machine_is_counted_once_and_the_reinfection_apart(tmp_path):
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(0.0, "compromise", "c", "d1-srv", hosts=1, infected=1)  # d1-srv is one machine
    s.add(60.0, "cleaned", "soc", "d1-srv", damaged=False)
    s.add(90.0, "compromise", "c", "d1-srv", hosts=1, infected=1)
    snap = fold(scenario, s.events, 120.0)
    assert snap.hosts_ever == 1 and snap.hosts_by_body_ever == {"d1": 1}
    assert snap.reinfections == 1 and snap.hosts_reinfected == 1


def test_a_body_never_counts_more_machines_than_it_has(tmp_path):
    scenario = tiny(tmp_path)
    s = Stream()
    for k in range(3):  # d1-ws (100 machines) taken, cleaned and taken again three times
        s.add(100.0 * k, "compromise", "c", "d1-ws", hosts=80, infected=80)
        s.add(100.0 * k + 50, "cleaned", "soc", "d1-ws", damaged=False)
    snap = fold(scenario, s.events, 400.0)
    assert snap.hosts_by_body_ever["d1"] == 80 <= 100


def test_a_body_cut_off_from_the_wan_loses_every_service_its_people_need(tmp_path):
    # District 1 off the WAN for an hour: its share of the app (1000 / 5 sites) and of the
    # one-stop shop (5000 / 5), over an 8-hour day
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(60.0, "site_disconnected", "", "d1")
    s.add(120.0, "site_connected", "", "d1")
    snap = fold(scenario, s.events, 480.0)
    assert snap.citizen_impact == pytest.approx((200 + 1000) * 60 / 480)
    assert snap.citizen_impact_by_body == pytest.approx({"d1": 150.0})


def test_encrypted_front_desk_stops_a_body_serving(tmp_path):
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(0.0, "compromise", "c", "d1-ws", hosts=100, infected=100)
    s.add(12.0, "effect", "c", "d1-ws", effect="encrypt", hosts=100)
    s.add(60.0, "restored", "soc", "d1-ws")
    snap = fold(scenario, s.events, 480.0)
    assert snap.citizen_impact == pytest.approx((200 + 1000) * 48 / 480)


def test_a_service_down_behind_another_adds_nobody(tmp_path):
    # the app goes down; the one-stop shop, which citizens reach through it, follows: the same
    # people, counted once (the app's 1000 a day), not again for the one-stop shop's 5000
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(60.0, "service_down", "", "app", reason="node:dc-app")
    s.add(60.0, "service_down", "", "onestop", reason="service:app")
    s.add(108.0, "service_up", "", "app")
    s.add(108.0, "service_up", "", "onestop")
    snap = fold(scenario, s.events, 480.0)
    assert snap.citizen_impact == pytest.approx(1000 * 48 / 480)
    # down for its own reason (its records system), the one-stop shop's people count
    s2 = Stream()
    s2.add(60.0, "service_down", "", "onestop", reason="service:records")
    s2.add(108.0, "service_up", "", "onestop")
    assert fold(scenario, s2.events, 480.0).citizen_impact == pytest.approx(5000 * 48 / 480)
