"""The defenders' work: hands-on effort grows with the machines worked on and is shared by the
people on it, a lead time holds no one, and work whose premise changes while it runs re-plans.

The office fixture (tests/fixtures/work) has no links and no sensors and its durations are fixed,
so every expected time below is worked out by hand from the rules in scenarios/README.md:
hands-on time = max((base + per_host × machines) / people, shortest), people = the fewest of the
step's crew, the team's free people and the machines; then the lead time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drill.cli import main
from drill.engine import Simulation
from drill.engine import events as ev
from drill.i18n import set_language
from drill.model.load import Scenario, parse_scenario
from drill.replay import Replay, WorldFold, node_fields
from drill.report import build_report
from drill.viewmodel import describe
from tests.model.paired import FIXTURES, decisions, run, scenario_from

OFFICE = FIXTURES / "work" / "work.yaml"
REIMAGE = """      - do: reimage
        effort: {base: 2h, per_host: 15m}
        crew: 4
        shortest: 1h
"""
RESTORE = """      - do: restore
        effort: {base: 30m, per_host: 10m}
        lead: from-backup
        crew: 2
"""
# the playbook as it was written before effort, crew and lead time: one person, per node
LEGACY = {
    REIMAGE: "      - {do: reimage, takes: 2h}\n",
    RESTORE: "      - {do: restore, takes: from-backup}\n",
}
LAND_PCS = (
    '        - {id: land, technique: T1566.001, at: T+0m, targets: {match: "pcs-*"}, success: 1, hosts: all}'
    "\n"
)
LOCK_SRV = "        - {id: foothold, technique: T1078, at: T+0m, targets: {node: srv}, success: 1}\n"


def office(**replace: str) -> Scenario:
    return scenario_from(OFFICE, **replace)


def encrypting(node: str, wait: str) -> dict[str, str]:
    """The PC campaign (or the server's foothold) also encrypts ``node`` after ``wait``, quietly
    (no user calls in an alert)."""
    line = LOCK_SRV if node == "srv" else LAND_PCS
    after = "foothold" if node == "srv" else "land"
    return {
        line: line
        + f"        - {{id: lock, technique: T1486, after: {{stage: {after}, wait: {wait}}}, effect: encrypt,"
        f" targets: {{node: {node}}}, loud: false}}\n"
    }


def events(sim: Simulation, kind: str, target: str | None = None) -> list[ev.Event]:
    return [e for e in sim.events if e.kind == kind and (target is None or e.target == target)]


def reimage_time(machines: int, staff: int, crew: int, shortest: float = 60.0) -> float:
    """The documented formula, for the fixture's reimage (2h once, 15m per machine)."""
    people = min(crew, staff, machines)
    return max((120.0 + 15.0 * machines) / people, shortest)


# ---------------------------------------------------------------- effort, people, machines


@pytest.mark.parametrize(
    ("node", "machines", "staff", "crew", "shortest"),
    [
        ("pcs-1", 1, 3, 4, "1h"),  # one machine: one person, whatever the team
        ("pcs-2", 2, 3, 4, "1h"),  # two machines: two people at most
        ("pcs-2", 2, 3, 4, "2h"),  # ... and never under the step's shortest
        ("pcs-20", 20, 3, 4, "1h"),  # the whole team of three
        ("pcs-20", 20, 8, 4, "1h"),  # eight people, but a crew of four
        ("pcs-480", 480, 1, 4, "1h"),
        ("pcs-480", 480, 3, 4, "1h"),
        ("pcs-480", 480, 5, 4, "1h"),
        ("pcs-480", 480, 5, 8, "1h"),
    ],
)
def test_a_reimage_takes_the_documented_time(node, machines, staff, crew, shortest):
    scenario = office(
        **{
            "it: {name: IT, staff: 3": f"it: {{name: IT, staff: {staff}",
            REIMAGE: REIMAGE.replace("crew: 4", f"crew: {crew}").replace(
                "shortest: 1h", f"shortest: {shortest}"
            ),
        }
    )
    sim, _ = run(
        scenario, 1, decisions({"at": 10, "action": "reimage", "target": {"node": node}, "by": "it"})
    )
    (start,) = events(sim, ev.TASK_START, node)
    people = min(crew, staff, machines)
    assert (start.data["machines"], start.data["people"]) == (machines, people)
    if people > 1:
        assert f"IT: reimage {node}, {people} people (about " in describe(start, scenario, "en")
        assert f"IT: cài đặt lại {node}, {people} người (khoảng " in describe(start, scenario, "vi")
    (cleaned,) = events(sim, ev.CLEANED, node)
    minutes = 120.0 if shortest == "2h" else 60.0
    assert cleaned.t == pytest.approx(10.0 + reimage_time(machines, staff, crew, minutes))


def test_work_grows_with_the_machines_and_shrinks_with_the_people():
    def reimage(node: str, staff: int) -> float:
        scenario = office(**{"it: {name: IT, staff: 3": f"it: {{name: IT, staff: {staff}"})
        sim, _ = run(
            scenario, 1, decisions({"at": 1, "action": "reimage", "target": {"node": node}, "by": "it"})
        )
        return events(sim, ev.CLEANED, node)[0].t

    by_size = [reimage(node, 1) for node in ("pcs-1", "pcs-2", "pcs-20", "pcs-480")]
    assert by_size == sorted(by_size) and by_size[0] < by_size[-1]
    # a group is imaged from one golden image: the base is paid once, so a machine costs less in
    # a big group (135 minutes alone, 15.25 each among 480)
    assert by_size[0] == 1.0 + 135.0 and (by_size[-1] - 1.0) / 480 == pytest.approx(15.25)
    by_staff = [reimage("pcs-480", staff) for staff in (1, 2, 3, 4, 6)]
    assert by_staff[:4] == sorted(by_staff[:4], reverse=True) and len(set(by_staff[:4])) == 4
    assert by_staff[4] == by_staff[3]  # a crew of four: the fifth and sixth people have other work


def test_a_step_written_with_takes_keeps_its_time_for_the_whole_node():
    scenario = office(**LEGACY)
    commands = decisions(
        {"at": 1, "action": "reimage", "target": {"node": "pcs-2"}, "by": "it"},
        {"at": 1, "action": "reimage", "target": {"node": "pcs-480"}, "by": "it"},
    )
    sim, _ = run(scenario, 1, commands)
    assert [e.t for e in events(sim, ev.CLEANED)] == [121.0, 121.0]
    assert all(e.data["people"] == 1 for e in events(sim, ev.TASK_START))


def test_a_patch_grows_with_the_group_and_is_shared():
    # no patch step in the playbook: the default (40m once, 5m per machine, a crew of two)
    sim, _ = run(
        office(), 1, decisions({"at": 0, "action": "patch", "target": {"node": "pcs-480"}, "by": "it"})
    )
    (patched,) = events(sim, ev.PATCHED, "pcs-480")
    assert patched.t == (40.0 + 5.0 * 480) / 2


# ---------------------------------------------------------------- lead time


def test_a_lead_time_keeps_the_node_down_but_holds_no_one():
    scenario = office(**{"it: {name: IT, staff: 3": "it: {name: IT, staff: 1", **encrypting("pcs-20", "1h")})
    commands = decisions(
        {"at": "T+2h", "action": "restore", "target": {"node": "pcs-20"}, "by": "it"},
        {"at": "T+3h", "action": "patch", "target": {"node": "pcs-1"}, "by": "it"},
    )
    sim, _ = run(scenario, 1, commands, until=1000)
    # hands-on: 30m + 10m for each of the 20 encrypted machines, one person: T+2h to T+5h50m
    (waiting,) = events(sim, ev.TASK_WAITING, "pcs-20")
    assert (waiting.t, waiting.data["lead"], waiting.data["source"]) == (350.0, 1440.0, "rebuild")
    # the person is free as soon as the hands-on work is done: the patch waits only for that
    (patched,) = events(sim, ev.PATCHED, "pcs-1")
    assert patched.t == 350.0 + 45.0
    assert sim.nodes["pcs-20"].working and not sim.nodes["pcs-20"].available
    assert sim.defenders.busy["it"] == 0
    sim.run_until(2000)
    (restored,) = events(sim, ev.RESTORED, "pcs-20")
    assert restored.t == 350.0 + 1440.0 and restored.data["from_backup"] is False
    assert not sim.nodes["pcs-20"].working


def test_the_feed_says_a_node_waits_for_its_rebuild_in_both_languages():
    scenario = office(**{"it: {name: IT, staff: 3": "it: {name: IT, staff: 1", **encrypting("pcs-20", "1h")})
    sim, _ = run(scenario, 1, decisions({"at": "T+2h", "action": "restore", "target": {"node": "pcs-20"}}))
    (waiting,) = events(sim, ev.TASK_WAITING, "pcs-20")
    assert describe(waiting, scenario, "en") == (
        "IT: hands-on work to restore pcs-20 done; it waits 1d for the rebuild (no one held)"
    )
    assert "chờ 1 ngày để dựng lại" in describe(waiting, scenario, "vi")


# ---------------------------------------------------------------- premises that change


@pytest.mark.parametrize(("playbook", "restored_at"), [("effort", 170.0), ("legacy", 160.0)])
def test_a_restore_of_a_machine_the_attacker_holds_is_a_whole_restore_from_its_backup(playbook, restored_at):
    """A restore of the file server, ordered at T+10m while the attacker only has a foothold
    (nothing encrypted yet), brings the whole machine back from its backup: never a half hour of
    checks that would clean it cheaper than a reimage. With an effort per machine: 30m + 10m of
    hands-on work then the 2h copy; the old way (takes: from-backup): 30m then the copy. The
    encryption at T+30m, under way, changes nothing of that plan."""
    replace = encrypting("srv", "30m") | (LEGACY if playbook == "legacy" else {})
    sim, _ = run(
        office(**replace),
        1,
        decisions({"at": 10, "action": "restore", "target": {"node": "srv"}, "by": "it"}),
    )
    (start,) = events(sim, ev.TASK_START, "srv")
    assert (start.t, start.data["takes"]) == (10.0, restored_at - 10.0)
    assert events(sim, ev.TASK_REPLANNED, "srv") == []
    (restored,) = events(sim, ev.RESTORED, "srv")
    assert restored.t == pytest.approx(restored_at) and restored.data["from_backup"] is True
    assert sim.nodes["srv"].status == "restored"  # and the attacker is gone with the old system


def test_a_restore_takes_no_less_when_the_attacker_still_holds_the_machine():
    """Paired: the same restore of the file server, once held by the attacker, once clean but
    isolated (nothing to bring back: checks only). The held one waits for its backup."""
    held = office()
    clean = office(**{LOCK_SRV: LOCK_SRV.replace("T+0m", "T+10h")})
    order = {"at": 10, "action": "restore", "target": {"node": "srv"}, "by": "it"}
    isolate = {"at": 5, "action": "isolate", "target": {"node": "srv"}, "by": "it"}
    took = {}
    for name, scenario in (("held", held), ("clean", clean)):
        sim, _ = run(scenario, 1, decisions(isolate, order))
        (start,) = events(sim, ev.TASK_START, "srv")
        took[name] = start.data["takes"]
    assert took == {"held": 30.0 + 10.0 + 120.0, "clean": 30.0}


def test_a_backup_lost_during_the_wait_means_the_rebuild_from_then():
    """The server, encrypted at T+30m, is restored from T+1h: 40m of hands-on work, then the 2h
    copy from its backup. The backup is lost at T+2h, during the copy: the rebuild (1d) starts then."""
    lost = (
        "injects:\n  - {id: lost, at: T+2h, text: gone, hidden: true, effect: {backups_lost: {node: srv}}}\n"
    )
    scenario = office(**encrypting("srv", "30m"), **{"playbooks:\n": lost + "playbooks:\n"})
    sim, _ = run(
        scenario, 1, decisions({"at": "T+1h", "action": "restore", "target": {"node": "srv"}, "by": "it"})
    )
    (waiting,) = events(sim, ev.TASK_WAITING, "srv")
    assert (waiting.t, waiting.data["source"]) == (100.0, "backup")
    (replanned,) = events(sim, ev.TASK_REPLANNED, "srv")
    assert (replanned.t, replanned.data["reason"]) == (120.0, "backup_lost")
    assert (replanned.data["was"], replanned.data["remaining"]) == (100.0, 1440.0)
    (restored,) = events(sim, ev.RESTORED, "srv")
    assert restored.t == 120.0 + 1440.0 and restored.data["from_backup"] is False
    line = describe(replanned, scenario, "en")
    assert line == (
        "IT: restore srv re-planned, its backup is lost, so it needs the rebuild: about 1d left (was 1h 40m)"
    )


def test_machines_taken_during_a_reimage_add_their_work_and_room_for_helpers():
    """pcs-20 has one infected machine: its reimage (2h + 15m) is one person's. At T+20m the red
    team takes a second machine: 15 more minutes of work, and room for a second person."""
    scenario = office(**{"success: 1, hosts: all}": "success: 1}"})
    commands = decisions(
        {"at": 10, "action": "reimage", "target": {"node": "pcs-20"}, "by": "it"},
        {"at": 20, "action": "compromise", "target": {"node": "pcs-20"}, "source": "red-team"},
    )
    sim, _ = run(scenario, 1, commands)
    more, joined = events(sim, ev.TASK_REPLANNED, "pcs-20")
    assert (more.t, more.data["reason"], more.data["people"]) == (20.0, "more_hosts", 1)
    assert (joined.t, joined.data["reason"], joined.data["people"]) == (20.0, "joined", 2)
    # at T+20m: 125 of 135 minutes left, plus 15, shared by two: done at T+1h30m
    (cleaned,) = events(sim, ev.CLEANED, "pcs-20")
    assert cleaned.t == pytest.approx(20.0 + 140.0 / 2)
    # the team's load as the consoles show it: busy, staff, waiting — two of three on it at T+1h
    sim, _ = run(scenario, 1, commands, until=60)
    assert sim.defenders.utilisation()["it"] == (2, 3, 0)


# ---------------------------------------------------------------- writing the keys


# (text in the fixture, its replacement, the key the message names, words in the message, the
# line the message points at: the first line holding this text)
BAD_STEPS = [
    ("per_host: 15m}\n", "per_host: 15m}\n        takes: 1h\n", "steps[2]", "not both", "- do: reimage"),
    ("effort: {base: 2h, per_host: 15m}", "effort: {}", "steps[2].effort", "effort needs base", "effort: {}"),
    (
        "{base: 2h, per_host: 15m}",
        "{base: 2h, perhost: 15m}",
        "steps[2].effort.perhost",
        "per_host",
        "perhost",
    ),
    ("crew: 4", "crew: 0", "steps[2].crew", "0", "crew: 0"),
    ("shortest: 1h", "shortest: soon", "steps[2].shortest", "soon", "shortest: soon"),
    ("lead: from-backup", "lead: from-backups", "steps[3].lead", "from-backup", "lead: from-backups"),
    (
        "effort: {base: 30m, per_host: 10m}\n",
        "takes: from-backup\n",
        "steps[3]",
        "lead or takes: from-backup, not both",
        "- do: restore",
    ),
    ("    auto: true\n", "    auto: true\n    order: [restore, resore]\n", "order[1]", "restore", "order:"),
    ("    auto: true\n", "    auto: true\n    order: [restore, restore]\n", "order", "twice", "order:"),
    ("{do: isolate, takes: 10m}", "{do: isolate}", "steps[1]", "takes, effort or lead", "{do: isolate}"),
]


@pytest.mark.parametrize(("old", "new", "key", "words", "at"), BAD_STEPS)
def test_a_bad_step_key_is_explained_with_its_file_line_and_key(old, new, key, words, at):
    text = OFFICE.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    scenario, problems = parse_scenario(text, "work.yaml", OFFICE.parent)
    assert scenario is None
    (problem,) = problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if at in row)
    assert problem.line == line
    shown = problem.format()
    assert shown.startswith(f"work.yaml:{line}:")
    assert f"playbooks.by-hand.{key}:" in shown, shown
    assert words in shown, shown


# ---------------------------------------------------------------- the log, the replay and the report


def test_a_recorded_re_plan_replays_and_shows_in_the_report(tmp_path: Path):
    shutil.copy(OFFICE.parent / "topology.yaml", tmp_path / "topology.yaml")
    text = OFFICE.read_text(encoding="utf-8")
    for old, new in encrypting("srv", "30m").items():
        text = text.replace(old, new)
    lost = (
        "injects:\n  - {id: lost, at: T+2h, text: gone, hidden: true, effect: {backups_lost: {node: srv}}}\n"
    )
    text = text.replace("playbooks:\n", lost + "playbooks:\n", 1)
    (tmp_path / "work.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "decisions.yaml").write_text(
        "- {at: T+10m, action: restore, target: {node: srv}, by: it}\n", encoding="utf-8"
    )
    log = tmp_path / "drill.jsonl"
    decided = str(tmp_path / "decisions.yaml")
    assert main(["run", str(tmp_path / "work.yaml"), "--decisions", decided, "--log", str(log)]) == 0
    replay = Replay.open(log)
    assert replay.verify().identical
    # the server is out of service from the restore's start to its end: 40m of hands-on work from
    # T+10m, the copy from its backup from T+50m, lost at T+2h: the rebuild (1d) ends at T+26h
    assert not replay.state_at(5.0)["srv"].working
    assert replay.state_at(100.0)["srv"].working and replay.state_at(1559.0)["srv"].working
    assert not replay.state_at(1561.0)["srv"].working
    fold = WorldFold(replay.scenario)
    sim, _ = run(
        replay.scenario, 1, decisions({"at": 10, "action": "restore", "target": {"node": "srv"}, "by": "it"})
    )
    for e in sim.events:
        fold.feed(e)
    assert {n: node_fields(s) for n, s in fold.world.nodes.items()} == {
        n: node_fields(s) for n, s in sim.nodes.items()
    }
    for lang, words in (("en", "its backup is lost, so it needs the rebuild"), ("vi", "bản sao lưu đã mất")):
        rows = build_report(replay, lang).timeline
        assert any(words in r.what and r.kind == "response" and "srv" in r.what for r in rows), lang
    set_language("en")
