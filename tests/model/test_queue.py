"""The order of work: containment of a live compromise before eradication before recovery, then
criticality, then arrival; and a person is taken off eradication or recovery to contain.

The hand-built cases use the office fixture (tests/fixtures/work): fixed durations, no links, no
sensors; the injects raise the alerts. The promises over seeds use the default scenario.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.engine import Simulation
from drill.engine import events as ev
from drill.engine.defenders import CONTAIN
from drill.model.load import Scenario
from drill.viewmodel import describe
from tests.model.paired import FIXTURES, decisions, figure, paired, run, scenario_from

OFFICE = FIXTURES / "work" / "work.yaml"
DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "ransomware-hoan-kiem.yaml"
LAND_PCS = (
    '        - {id: land, technique: T1566.001, at: T+0m, targets: {match: "pcs-*"}, success: 1, hosts: all}'
    "\n"
)
# pcs-480 is encrypted a minute in, quietly: nobody calls, only the players' restore brings it back
LOCK_480 = (
    "        - {id: lock, technique: T1486, after: {stage: land, wait: 1m}, effect: encrypt,"
    " targets: {node: pcs-480}, loud: false}\n"
)
REIMAGE = (
    "      - do: reimage\n        effort: {base: 2h, per_host: 15m}\n        crew: 4\n        shortest: 1h\n"
)
RESTORE = (
    "      - do: restore\n"
    "        effort: {base: 30m, per_host: 10m}\n"
    "        lead: from-backup\n"
    "        crew: 2\n"
)
# the playbook as it was written before effort, crew and lead time: one person, per node
LEGACY = {
    REIMAGE: "      - {do: reimage, takes: 2h}\n",
    RESTORE: "      - {do: restore, takes: from-backup}\n",
}


def office(alerts: dict[str, str], legacy: bool = False) -> Scenario:
    """One person; the office's PCs taken at T+0 and pcs-480 encrypted; an inject finds each node
    of ``alerts`` (node → time) compromised, which raises an alert for the team."""
    injects = "injects:\n" + "".join(
        f"  - {{id: find-{node}, at: {at}, text: found, hidden: true,"
        f" effect: {{detect: {{node: {node}}}}}}}\n"
        for node, at in alerts.items()
    )
    replace = {
        "it: {name: IT, staff: 3": "it: {name: IT, staff: 1",
        LAND_PCS: LAND_PCS + LOCK_480,
        "playbooks:\n": injects + "playbooks:\n",
    }
    return scenario_from(OFFICE, **replace, **(LEGACY if legacy else {}))


def events(sim: Simulation, kind: str, target: str | None = None) -> list[ev.Event]:
    return [e for e in sim.events if e.kind == kind and (target is None or e.target == target)]


def containment_waiting(sim: Simulation, team: str) -> list[str]:
    """Triage or isolation of a live compromise (held by the attacker, on the network) waiting in
    the queue that ``team``'s people work."""
    queue = sim.defenders.queues[sim.defenders.serves[team]]
    out = []
    for _key, task in queue:
        state = sim.nodes[task.node]
        if task.step.do in CONTAIN and state.status == "compromised" and not state.isolated:
            out.append(f"{task.step.do} {task.node}")
    return out


def watch_the_queue(sim: Simulation) -> list[str]:
    """Every moment eradication or recovery starts while containment waits for the same team."""
    found: list[str] = []

    def listener(e: ev.Event) -> None:
        if e.kind == ev.TASK_START and e.data["step"] not in CONTAIN:
            waiting = containment_waiting(sim, e.actor)
            if waiting:
                found.append(
                    f"T+{e.t:.0f}m {e.actor} starts {e.data['step']} {e.target} while {waiting} wait"
                )

    sim.subscribe(listener)
    return found


# ---------------------------------------------------------------- hand-built


def test_containment_goes_before_a_restore_queued_earlier():
    """One person. An alert on pcs-1 at T+10m (its triage starts), the players order a restore of
    pcs-480 at T+12m, an alert on pcs-20 at T+15m. Worked by hand: triage pcs-20 30-50, isolate
    pcs-1 50-60, isolate pcs-20 60-70, reimage pcs-1 70-190, reimage pcs-20 190-310, and only then
    the restore of pcs-480 (queued first, but recovery comes after containment and eradication).
    Written with the old keys, so that the engine before the queue order ran it too (and started
    the restore at T+30m, which held the person for a day while pcs-20 stayed on the network)."""
    scenario = office({"pcs-1": "T+10m", "pcs-20": "T+15m"}, legacy=True)
    sim = Simulation(scenario, seed=1)
    wrong = watch_the_queue(sim)
    sim.run(decisions({"at": 12, "action": "restore", "target": {"node": "pcs-480"}, "by": "it"}))
    assert {e.target: e.t for e in events(sim, ev.ISOLATE)} == {"pcs-1": 60.0, "pcs-20": 70.0}
    assert {e.target: e.t for e in events(sim, ev.CLEANED) if e.t < 1000} == {"pcs-1": 190.0, "pcs-20": 310.0}
    restore = next(e for e in events(sim, ev.TASK_START, "pcs-480") if e.data["step"] == "restore")
    assert restore.t == 310.0
    assert wrong == []


def test_a_live_compromise_takes_the_person_off_a_restore_and_the_restore_resumes():
    """One person restores pcs-480 from T+10m (30m + 10m for each of its 480 encrypted machines).
    An alert on pcs-20 at T+20m: the person leaves the restore to triage (20-40) and isolate
    (40-50) pcs-20, then reimages it (2h + 15m × 20 = 7h, 50-470), and goes back to the restore,
    whose work done is kept: 4,820 minutes left, then the 1d rebuild."""
    sim, _ = run(
        office({"pcs-20": "T+20m"}),
        1,
        decisions({"at": 10, "action": "restore", "target": {"node": "pcs-480"}, "by": "it"}),
    )
    (isolated,) = events(sim, ev.ISOLATE, "pcs-20")
    assert isolated.t == 50.0
    (requeued,) = events(sim, ev.TASK_REPLANNED, "pcs-480")
    assert (requeued.t, requeued.data["reason"], requeued.data.get("requeued")) == (20.0, "reassigned", True)
    first, again = events(sim, ev.TASK_START, "pcs-480")
    assert (first.t, first.data["takes"]) == (10.0, 4830.0 + 1440.0)
    assert (again.t, again.data["takes"], again.data.get("resumed")) == (470.0, 4820.0 + 1440.0, True)
    (restored,) = events(sim, ev.RESTORED, "pcs-480")
    assert restored.t == 470.0 + 4820.0 + 1440.0
    scenario = sim.scenario
    assert describe(requeued, scenario, "en") == (
        "IT: restore pcs-480 back in the queue, its people were needed to contain a live compromise"
    )
    assert describe(again, scenario, "en") == "IT: restore pcs-480 resumes (about 4d 8h 20m left)"
    vi = "IT: tiếp tục khôi phục pcs-480 (còn khoảng 4 ngày 8 giờ 20 phút)"
    assert describe(again, scenario, "vi") == vi


def test_a_playbook_order_puts_its_steps_first():
    """The same morning with `order: [restore]`: the restore queued at T+12m goes before the
    triage of pcs-20, and containment no longer takes its person."""
    scenario = scenario_from(
        OFFICE,
        **{
            "it: {name: IT, staff: 3": "it: {name: IT, staff: 1",
            LAND_PCS: LAND_PCS + LOCK_480,
            "playbooks:\n": "injects:\n  - {id: find, at: T+15m, text: found, hidden: true, "
            "effect: {detect: {node: pcs-20}}}\nplaybooks:\n",
            "    auto: true\n": "    auto: true\n    order: [restore]\n",
        },
    )
    sim, _ = run(
        scenario, 1, decisions({"at": 12, "action": "restore", "target": {"node": "pcs-480"}, "by": "it"})
    )
    (waiting,) = events(sim, ev.TASK_WAITING, "pcs-480")
    assert waiting.t == 12.0 + 4830.0
    assert events(sim, ev.TASK_REPLANNED, "pcs-480") == []
    triage = next(e for e in events(sim, ev.TASK_START, "pcs-20") if e.data["step"] == "triage")
    assert triage.t == waiting.t


# ---------------------------------------------------------------- the default scenario


def _never_behind(seeds: range) -> None:
    scenario = scenario_from(DEFAULT, **{"duration: 8h": "duration: 3d"})
    for seed in seeds:
        sim = Simulation(scenario, seed=seed)
        wrong = watch_the_queue(sim)
        sim.run()
        assert wrong == [], (seed, wrong[:3])


def test_in_the_default_scenario_no_containment_waits_behind_later_work():
    _never_behind(range(40))


@pytest.mark.slow(quick="test_in_the_default_scenario_no_containment_waits_behind_later_work")
def test_in_the_default_scenario_no_containment_waits_behind_later_work_200_seeds():
    _never_behind(range(200))


def test_the_default_seed_isolates_the_200_pc_group():
    """Seed 2014, Hoan Kiem's one officer: before the queue order, the officer rebuilt one group
    for a day and the 200 civil servants' PCs were never isolated. Now every group found is
    isolated before any rebuild or restore of another begins, the 200 PCs in the morning."""
    sim, _ = run(scenario_from(DEFAULT), 2014)
    isolated = {e.target: e.t for e in events(sim, ev.ISOLATE)}
    detected = {e.target: e.t for e in events(sim, ev.DETECTION)}
    assert isolated["hoan-kiem-ws"] < 4 * 60
    for node, seen in detected.items():
        assert node in isolated, node
        later_work = [
            e.t
            for e in events(sim, ev.TASK_START)
            if e.target != node and e.data["step"] in ("reimage", "restore") and e.t > seen
        ]
        assert all(isolated[node] <= t for t in later_work), (node, isolated[node], later_work)


def _hoan_kiem_contained(sim: Simulation, _snap: object) -> float:
    """When every Hoan Kiem node the attacker took was first isolated or cleaned (the drill's end
    for one that never was)."""
    hk = [n for n, spec in sim.city.nodes.items() if spec.site == "hoan-kiem"]
    taken = {e.target for e in sim.events if e.kind == ev.COMPROMISE and e.target in hk}
    first: dict[str, float] = {}
    for e in sim.events:
        if e.kind in (ev.ISOLATE, ev.CLEANED) and e.target in taken:
            first.setdefault(e.target, e.t)
    return max((first.get(n, sim.end) for n in taken), default=0.0)


def _containment_first_beats_recovery_first(seeds: range) -> None:
    named = "    name: {en: Ransomware response, vi: Ứng phó mã độc tống tiền}\n"
    usual = scenario_from(DEFAULT)
    recovery_first = scenario_from(DEFAULT, **{named: named + "    order: [restore, reimage]\n"})
    result = paired(figure(usual, _hoan_kiem_contained), figure(recovery_first, _hoan_kiem_contained), seeds)
    # measured: recovery first contains Hoan Kiem about 3 hours later on average (the one officer
    # rebuilds PCs while other groups stay on the network), and never sooner
    low, _high = result.ci95()
    assert low > 60.0, str(result)
    assert result.share(lambda usual, late: late < usual) == 0.0, str(result)


def test_containment_first_contains_sooner_than_recovery_first():
    _containment_first_beats_recovery_first(range(40))


@pytest.mark.slow(quick="test_containment_first_contains_sooner_than_recovery_first")
def test_containment_first_contains_sooner_than_recovery_first_200_seeds():
    _containment_first_beats_recovery_first(range(200))
