"""Staffing: more people finish the work sooner where the work is people's (never later on
average), a staff change reaches a team on its way, and people who leave do not lose the work
they were doing.

The promises over seeds use the default scenario (Hoan Kiem's IT staff as the varied input, over
five days so that rebuilds end); the hand-built cases use the office fixture (tests/fixtures/work).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from drill.engine import Simulation
from drill.engine import events as ev
from drill.model.load import Scenario
from drill.viewmodel import describe
from tests.model.paired import FIXTURES, Paired, decisions, run, scenario_from

OFFICE = FIXTURES / "work" / "work.yaml"
DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "ransomware-hoan-kiem.yaml"
HOAN_KIEM_STAFF = "staff: 1\n    watches: {site: hoan-kiem}"
LEVELS = (1, 2, 3, 5, 8)


def hoan_kiem(staff: int) -> Scenario:
    return scenario_from(
        DEFAULT,
        **{
            HOAN_KIEM_STAFF: f"staff: {staff}\n    watches: {{site: hoan-kiem}}",
            "duration: 8h": "duration: 5d",
        },
    )


def _hoan_kiem(sim: Simulation) -> tuple[list[str], list[str]]:
    """Hoan Kiem's nodes the attacker took, and those whose data it damaged."""
    site = {n for n, spec in sim.city.nodes.items() if spec.site == "hoan-kiem"}
    taken = [e.target for e in sim.events if e.kind == ev.COMPROMISE and e.target in site]
    damaged = [e.target for e in sim.events if e.kind == ev.EFFECT and e.target in site and e.data["hosts"]]
    return list(dict.fromkeys(taken)), list(dict.fromkeys(damaged))


def contained(sim: Simulation, _snap: object) -> float:
    """Every Hoan Kiem node the attacker took is first isolated or cleaned (else the drill's end)."""
    taken, _ = _hoan_kiem(sim)
    first: dict[str, float] = {}
    for e in sim.events:
        if e.kind in (ev.ISOLATE, ev.CLEANED):
            first.setdefault(e.target, e.t)
    return max((first.get(n, sim.end) for n in taken), default=0.0)


def eradicated(sim: Simulation, _snap: object) -> float:
    """The attacker is cleaned off every Hoan Kiem node it took (reimaged or restored)."""
    taken, _ = _hoan_kiem(sim)
    last = {e.target: e.t for e in sim.events if e.kind == ev.CLEANED}
    return max((last.get(n, sim.end) for n in taken), default=0.0)


def recovered(sim: Simulation, _snap: object) -> float:
    """Every Hoan Kiem node whose data was encrypted is back in service (restored)."""
    _, damaged = _hoan_kiem(sim)
    last = {e.target: e.t for e in sim.events if e.kind == ev.RESTORED}
    return max((last.get(n, sim.end) for n in damaged), default=0.0)


def time_to_contain(sim: Simulation, snap: object) -> float:
    value = snap.time_to_contain  # type: ignore[attr-defined]
    return value if value is not None else sim.end


FIGURES: dict[str, Callable[[Simulation, object], float]] = {
    "contained": contained,
    "eradicated": eradicated,
    "recovered": recovered,
    "time_to_contain": time_to_contain,
}


def _figures(staff: int, seeds: range) -> list[dict[str, float]]:
    scenario = hoan_kiem(staff)
    out = []
    for seed in seeds:
        sim, snap = run(scenario, seed)
        out.append({name: pick(sim, snap) for name, pick in FIGURES.items()})
    return out


def _pair(a: list[dict[str, float]], b: list[dict[str, float]], name: str) -> Paired:
    return Paired([x[name] for x in a], [y[name] for y in b])


# ---------------------------------------------------------------- over seeds


def _more_staff_never_worse(seeds: range) -> None:
    runs = {staff: _figures(staff, seeds) for staff in LEVELS}
    for fewer, more in zip(LEVELS, LEVELS[1:], strict=False):
        for name in FIGURES:
            result = _pair(runs[fewer], runs[more], name)
            # never later on average, within the noise of the paired difference (and a minute)
            se = statistics.stdev(result.diffs) / len(seeds) ** 0.5
            assert result.mean_diff <= 1.96 * se + 1.0, f"{name}, {fewer} → {more} staff: {result}"
    # and people's work does get done sooner: from one officer to eight, by hours
    for name in ("eradicated", "recovered"):
        result = _pair(runs[1], runs[8], name)
        assert result.ci95()[1] < -120.0, f"{name}: {result}"


def test_more_hoan_kiem_staff_is_never_worse_on_average():
    _more_staff_never_worse(range(30))


@pytest.mark.slow(quick="test_more_hoan_kiem_staff_is_never_worse_on_average")
def test_more_hoan_kiem_staff_is_never_worse_on_average_200_seeds():
    _more_staff_never_worse(range(200))


def _five_beat_three(seeds: range, interval: bool) -> None:
    three, five = _figures(3, seeds), _figures(5, seeds)
    for name in ("eradicated", "recovered"):
        result = _pair(three, five, name)
        assert result.mean_diff < 0, f"{name}: {result}"
        assert statistics.median(result.diffs) < 0, f"{name}: {result}"
        # a machine restored sooner can go back next to a foothold nobody has found yet and be
        # taken again (seed 36: a rebuild of days): rare, but heavy enough that 40 seeds cannot
        # bound the mean away from zero; 200 can
        assert result.share(lambda a, b: b > a) <= 0.05, f"{name}: {result}"
        if interval:
            assert result.ci95()[1] < 0, f"{name}: {result}"
    # containment is not short of people at three: triage and isolation come first, and take a
    # person off any cleaning or restoring; five are no slower
    for name in ("contained", "time_to_contain"):
        result = _pair(three, five, name)
        # within the noise of the paired difference (a reinfection after an early restore moves
        # the end of containment in a rare seed), and a minute
        se = statistics.stdev(result.diffs) / len(seeds) ** 0.5
        assert result.mean_diff <= 1.96 * se + 1.0, f"{name}: {result}"


def test_five_hoan_kiem_officers_clean_and_recover_sooner_than_three():
    _five_beat_three(range(40), interval=False)


@pytest.mark.slow(quick="test_five_hoan_kiem_officers_clean_and_recover_sooner_than_three")
def test_five_hoan_kiem_officers_clean_and_recover_sooner_than_three_200_seeds():
    _five_beat_three(range(200), interval=True)


def _cert_busy_while_travelling(seeds: range) -> None:
    """City SOC escalates to VNCERT at T+1h (4h away); VNCERT's "busy" inject (−2 staff) comes at
    T+2h, while it travels: two people arrive at T+5h, not four."""
    scenario = scenario_from(DEFAULT)
    commands = decisions(
        {"at": "T+1h", "action": "escalate", "to": "national-cert", "by": "city-soc"},
        {"at": "T+2h", "action": "inject", "inject": "cert-busy", "source": "facilitator"},
    )
    for seed in seeds:
        sim, snap = run(scenario, seed, commands)
        (arrived,) = [e for e in sim.events if e.kind == ev.TEAM_ARRIVED]
        assert (arrived.t, arrived.data["staff"]) == (300.0, 2), seed
        assert sim.defenders.staff["national-cert"] == 2 and snap.staff["national-cert"] == 2


def test_a_staff_cut_while_a_team_travels_reaches_those_who_arrive():
    _cert_busy_while_travelling(range(30))


@pytest.mark.slow(quick="test_a_staff_cut_while_a_team_travels_reaches_those_who_arrive")
def test_a_staff_cut_while_a_team_travels_reaches_those_who_arrive_200_seeds():
    _cert_busy_while_travelling(range(200))


# ---------------------------------------------------------------- hand-built


def office_with(injects: str, staff: int = 3) -> Scenario:
    return scenario_from(
        OFFICE,
        **{
            "it: {name: IT, staff: 3": f"it: {{name: IT, staff: {staff}",
            "playbooks:\n": "injects:\n" + injects + "playbooks:\n",
        },
    )


def _staff(inject: str, at: str, team: str, change: int) -> str:
    effect = f"{{staff: {{team: {team}, change: {change}}}}}"
    return f"  - {{id: {inject}, at: {at}, text: staff, effect: {effect}}}\n"


@pytest.mark.parametrize(("cut", "arrives"), [(-2, 2), (-4, 0), (-9, 0)])
def test_a_team_cut_on_its_way_arrives_reduced_or_with_nobody(cut, arrives):
    scenario = office_with(_staff("busy", "T+30m", "cert", cut))
    sim, snap = run(scenario, 1, decisions({"at": 10, "action": "escalate", "to": "cert", "by": "it"}))
    (change,) = [e for e in sim.events if e.kind == ev.STAFF_CHANGE]
    assert (change.t, change.data["staff"], change.data["arrives_with"]) == (30.0, 0, arrives)
    (arrived,) = [e for e in sim.events if e.kind == ev.TEAM_ARRIVED]
    assert (arrived.t, arrived.data["staff"]) == (70.0, arrives)
    assert sim.defenders.staff["cert"] == arrives == snap.staff["cert"]
    if arrives == 0:
        assert describe(arrived, scenario, "en") == "CERT arrives with nobody: all its staff were taken off"
        assert "không có ai" in describe(arrived, scenario, "vi")
    else:
        assert (
            describe(change, scenario, "en") == f"CERT (not here yet): will come with {arrives} staff ({cut})"
        )


def test_a_staff_change_before_the_call_reaches_those_who_come():
    scenario = office_with(_staff("busy", "T+5m", "cert", -1) + _staff("more", "T+6m", "cert", 2))
    sim, _ = run(scenario, 1, decisions({"at": 10, "action": "escalate", "to": "cert", "by": "it"}))
    (arrived,) = [e for e in sim.events if e.kind == ev.TEAM_ARRIVED]
    assert (arrived.t, arrived.data["staff"]) == (70.0, 5)


def test_people_who_leave_keep_the_work_they_were_doing():
    """Two people reimage the 480 PCs from T+10m (2h + 15m × 480 = 7,320 person-minutes). One
    leaves at T+100m (180 done), the other at T+200m (another 100): the reimage goes back to the
    queue with 7,040 minutes left. A newcomer at T+300m takes it up and ends it at T+7,340m."""
    injects = (
        _staff("one-leaves", "T+100m", "it", -1)
        + _staff("other-leaves", "T+200m", "it", -1)
        + _staff("newcomer", "T+300m", "it", 1)
    )
    scenario = office_with(injects, staff=2)
    sim, snap = run(
        scenario, 1, decisions({"at": 10, "action": "reimage", "target": {"node": "pcs-480"}, "by": "it"})
    )
    first, resumed = [e for e in sim.events if e.kind == ev.TASK_START]
    assert (first.t, first.data["people"]) == (10.0, 2)
    fewer, requeued = [e for e in sim.events if e.kind == ev.TASK_REPLANNED]
    assert (fewer.t, fewer.data["reason"], fewer.data["people"]) == (100.0, "staff_left", 1)
    assert fewer.data["remaining"] == 7140.0
    assert (requeued.t, requeued.data["people"], requeued.data.get("requeued")) == (200.0, 0, True)
    assert (resumed.t, resumed.data["takes"], resumed.data.get("resumed")) == (300.0, 7040.0, True)
    (cleaned,) = [e for e in sim.events if e.kind == ev.CLEANED]
    assert cleaned.t == 7340.0
    # the node stayed out of service all along, and the busy time counts the people who worked
    assert snap.utilisation["it"] == pytest.approx(
        (2 * 90 + 100 + 7040) / (2 * 100 + 100 + 0 + (sim.end - 300))
    )
