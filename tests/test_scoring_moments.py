"""Grading at any moment: an expected action is met, late, missed (its deadline passed) or open
(not yet due); an objective is met, not met, or undecided while it can still change. The live
view, `replay --at`, `run --until`, a cut log's report and the final figures agree."""

from __future__ import annotations

import json

import pytest

from drill.cli import main
from drill.engine import Simulation
from drill.log import header_for, write_log
from drill.metrics import Metrics, fold
from drill.model.load import load_scenario
from drill.replay import Replay
from drill.report import build_report
from drill.viewmodel import ViewModel
from tests.scoring_cases import Stream, tiny


def _opened(s: Stream, t: float, inject: str, index: int, due: float, action: str = "isolate") -> None:
    s.add(t, "expectation", "soc", inject, index=index, status="open", action=action, due=due)


def test_an_expectation_is_open_until_its_deadline_then_missed(tmp_path):
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(45.0, "inject", "white-cell", "call")
    _opened(s, 45.0, "call", 0, 105.0)
    # the engine's own "missed" at a run stopped at T+1h must not decide it
    s.add(60.0, "expectation", "soc", "call", index=0, status="missed", action="isolate", due=105.0)
    assert fold(scenario, s.events, 60.0).expectations == {"met": 0, "late": 0, "missed": 0, "open": 1}
    assert fold(scenario, s.events, 106.0).expectations["missed"] == 1


def test_done_is_when_the_decision_was_taken_even_before_the_inject_asked(tmp_path):
    scenario = tiny(tmp_path)
    s = Stream()
    decided = s.add(120.0, "command", "soc", "escalate", command={"action": "escalate", "to": "soc"})
    _opened(s, 157.0, "call", 1, 277.0, action="escalate")
    s.add(157.0, "expectation", "soc", "call", index=1, status="met", action="escalate", due=277.0,
          command=decided.seq)  # fmt: skip
    item = fold(scenario, s.events, 200.0).expectation_items[0]
    assert item.status == "met" and item.done_at == 120.0


@pytest.mark.parametrize("counts", [False, True])
def test_the_playbook_doing_it_counts_only_when_the_trainer_says(tmp_path, counts):
    scenario = tiny(tmp_path, counts=counts)
    s = Stream()
    _opened(s, 45.0, "call", 0, 105.0)
    s.add(70.0, "isolate", "soc", "d1-ws")
    s.add(70.0, "task_end", "soc", "d1-ws", step="isolate", queued=0, auto=True)
    item = next(i for i in fold(scenario, s.events, 120.0).expectation_items if i.index == 0)
    assert item.automatic_at == 70.0
    assert item.status == ("met" if counts else "missed")


def test_the_scorecard_says_the_playbook_did_it(tmp_path):
    # District 1's PCs are always seen at once, and the team's default playbook isolates them
    scenario = tiny(tmp_path, extra="detection: [{targets: {node: d1-ws}, coverage: 1, delay: 10m}]")
    sim = Simulation(scenario, seed=3)
    sim.run()
    log = tmp_path / "tiny.jsonl"
    write_log(log, header_for(sim, str(tmp_path / "tiny.yaml"), "en"), sim.events)
    report = build_report(Replay.open(log), "en")
    isolate = next(r for g in report.scores for r in g.rows if "solate" in r.action)
    auto = [e for e in sim.events if e.kind == "task_end" and e.data.get("step") == "isolate"]
    assert auto  # the team's playbook isolated District 1's PCs: shown, not counted
    assert "by the playbook" in isolate.done and "not counted" in isolate.done
    assert isolate.status == "missed"


def test_objectives_are_undecided_while_they_can_still_change(tmp_path):
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(0.0, "compromise", "c", "d1-ws", hosts=3, infected=3)
    s.add(100.0, "service_down", "", "app", reason="node:dc-app")
    early = {o.metric: o.state for o in fold(scenario, s.events, 60.0).objectives}
    # T+1h: not contained, but four hours have not passed; nothing else has reached its bound
    assert early == {
        "time_to_contain": "undecided",
        "downtime": "undecided",
        "hosts_compromised": "undecided",
        "expectations_met": "undecided",
    }
    late = {o.metric: o.state for o in fold(scenario, s.events, 300.0).objectives}
    assert late["time_to_contain"] == "not_met"  # five hours in and still not contained
    assert late["downtime"] == "not_met"  # 3h20m down: over the 2h bound
    # at the planned end a service still down is not met, though under the bound so far
    s.add(400.0, "service_up", "", "app")
    s.add(420.0, "service_down", "", "app", reason="node:dc-app")
    end = {o.metric: o for o in fold(scenario, s.events, 480.0).objectives}
    assert end["downtime"].value == pytest.approx(360.0) and end["downtime"].state == "not_met"
    assert end["hosts_compromised"].state == "met"  # 3 distinct hosts < 50, at the end


def test_run_until_says_played_of_planned_and_leaves_the_future_open(capsys, tmp_path):
    log = tmp_path / "until.jsonl"
    assert main(["run", "ransomware-hoan-kiem", "--until", "1h", "--log", str(log)]) == 0
    out = capsys.readouterr().out
    assert "1h played of 8h planned" in out
    # seed 2014: the sensors see the first PC at T+35m (the SOC's alert asks for block-trust within
    # 1h and the report deadline runs 2h), the help desk calls at T+45m (isolate within 1h, report
    # within 2h): four actions asked for, none due by T+1h — open, not missed
    assert "0 missed, 4 not yet due" in out
    assert "[NOT MET] time to contain" not in out and "[UNDECIDED] time to contain" in out
    header = json.loads(log.read_text(encoding="utf-8").split("\n", 1)[0])
    assert header["duration"] == 480 and header["stop"] == 60
    report = build_report(Replay.open(log), "en")
    assert report.recorded == "1h" and report.planned == "8h"


BUNDLED = [
    "ddos-filing-deadline",
    "docmgmt-credential-theft",
    "grassroots-district-drill",
    "portal-defacement",
    "ransomware-hoan-kiem",
    "supply-chain-update",
]


def _no_decisions(events, moment):
    opened = {
        (e.target, e.data["index"]): float(e.data["due"])
        for e in events
        if e.kind == "expectation" and e.data["status"] == "open"
    }
    return {
        "met": 0,
        "late": 0,
        "missed": sum(1 for due in opened.values() if due < moment),
        "open": sum(1 for due in opened.values() if due >= moment),
    }


@pytest.mark.parametrize("ref", BUNDLED)
def test_every_reader_grades_the_same_at_any_moment(ref, tmp_path):
    """With no decisions (and the playbooks' work not counted, the default), an expected action
    opened before the moment is missed once its deadline has passed and open before that."""
    scenario = load_scenario(ref)
    sim = Simulation(scenario)
    sim.run()
    log = tmp_path / "full.jsonl"
    write_log(log, header_for(sim, ref, "en"), sim.events)
    replay = Replay.open(log)
    planned = scenario.spec.duration
    for moment in [*(m for m in (60.0, 180.0) if m < planned), planned]:
        before = [e for e in sim.events if e.t < moment or moment == scenario.spec.duration]
        expected = _no_decisions(before, moment)
        # replay --at
        assert replay.seek(moment).snapshot.expectations == expected, moment
        # the live view
        assert ViewModel.at(scenario, sim.events, moment).snapshot().expectations == expected
        # run --until
        stopped = Simulation(scenario)
        stopped.end = moment
        metrics = Metrics(scenario)
        stopped.subscribe(metrics.feed)
        stopped.run()
        assert metrics.snapshot(stopped.now).expectations == expected, moment
        # the report of a log cut (a crash) at that moment
        cut = tmp_path / f"cut-{int(moment)}.jsonl"
        write_log(cut, header_for(sim, ref, "en"), before)
        report = build_report(Replay.open(cut), "en")
        # a cut log knows the drill up to its last event: graded at that moment
        expected = _no_decisions(before, before[-1].t)
        assert report.score_counts == expected
        # the improvement plan holds each missed one: as a row's issue, or in the evidence of a
        # row with the same cause (a report missed after an inject and under the standing duty)
        missed = sum(1 for p in report.plan for x in (p.issue, *p.evidence) if x.startswith("Missed:"))
        assert missed == expected["missed"]


def test_containment_met_early_stays_undecided_until_the_end(tmp_path):
    """Contained at T+50m against '< 4h': at T+1h30m a new foothold could still re-open it (and
    one not contained by T+4h would fail it), so it is undecided; the planned end settles it."""
    scenario = tiny(tmp_path)
    s = Stream()
    s.add(0.0, "compromise", "c", "d1-ws", hosts=1, infected=1)
    s.add(20.0, "detection", "soc", "d1-ws", how="sensor")
    s.add(50.0, "isolate", "soc", "d1-ws")
    states = {o.metric: o.state for o in fold(scenario, s.events, 90.0).objectives}
    assert states["time_to_contain"] == "undecided"
    final = {o.metric: o for o in fold(scenario, s.events, 480.0).objectives}
    assert final["time_to_contain"].state == "met" and final["time_to_contain"].value == 50.0
    # re-opened at T+5h and never contained again: past the bound, not met — and final at once
    s.add(300.0, "compromise", "c", "d1-srv", hosts=1, infected=1)
    assert {o.metric: o.state for o in fold(scenario, s.events, 310.0).objectives}["time_to_contain"] == (
        "not_met"
    )
