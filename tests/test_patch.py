"""The vulnerability model: a patch is team work that takes time, and a patched node resists the
stages that exploit a flaw (a landing or a spread), not the others, and keeps an attacker already
on it. Replay, the live view, the feed and the report all show it."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

import pytest

from drill.cli import main
from drill.engine import Simulation
from drill.engine import events as ev
from drill.engine.commands import Command, TimedCommand
from drill.generate import generate_topology, worm_scenario, write_scenario, write_topology
from drill.i18n import set_language
from drill.metrics import Metrics
from drill.model.load import Scenario, load_scenario, parse_scenario
from drill.model.scenario import Stage
from drill.replay import Replay, WorldFold, node_fields
from drill.report import build_report
from drill.viewmodel import Timeline, ViewModel, describe

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"

# An exploit lands on the data centre's application server at T+2h; a worm spreads from District 1
# over the LANs and the WAN from T+3h. The team answers alerts only when told (auto: false), so
# that what it does is what the test decides.
SCENARIO = """\
scenario: patch-test
title: {en: Patch test, vi: Thử vá lỗi}
description: {en: For the vulnerability model., vi: Dùng cho mô hình lỗ hổng.}
unit: d1
audience: [soc]
topology: topology.yaml
start: 2015-03-04T08:00:00+07:00
duration: 12h
seed: 1
teams:
  soc: {name: SOC, staff: 2, watches: {group: [districts, datacentre]}, playbook: manual}
  cert: {name: CERT, staff: 4, on_call: {arrives_after: 1h}}
attacker:
  campaigns:
    - id: web
      stages:
        - {id: exploit, technique: T1190, at: T+2h, targets: {node: dc-app}, success: 1}
    - id: worm
      stages:
        - {id: land, technique: T1566.001, at: T+0m, targets: {node: d1-ws}, success: 1}
        - {id: spread, technique: T1210, after: {stage: land, wait: 3h}, over: [lan, wan], via: [smb],
           success: 0.5, delay: {exponential: 10m}, attempts: 400}
playbooks:
  manual:
    auto: false
    steps:
      - {do: triage, takes: 20m}
      - {do: reimage, takes: 2h}
"""


def _scenario(**replace: str) -> Scenario:
    text = SCENARIO
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    scenario, problems = parse_scenario(text, "patch-test.yaml", ENGINE)
    assert scenario is not None, [p.format() for p in problems]
    return scenario


def _patch(at: float, by: str = "soc", **target: object) -> TimedCommand:
    return TimedCommand(at=at, action="patch", target=target, by=by)


def _run(scenario: Scenario, commands=(), seed: int = 1) -> Simulation:
    sim = Simulation(scenario, seed=seed)
    sim.run(list(commands))
    return sim


def _events(sim: Simulation, kind: str, target: str | None = None) -> list[ev.Event]:
    return [e for e in sim.events if e.kind == kind and (target is None or e.target == target)]


# ---------------------------------------------------------------- what a patch closes


@pytest.mark.parametrize(
    ("technique", "patchable", "closed"),
    [
        ("T1190", None, True),
        ("T1210", None, True),
        ("T1068", None, True),
        ("T1203", None, True),
        ("T1211", None, True),
        ("T1212", None, True),
        ("T1190.001", None, True),  # a sub-technique of an exploit is one too
        ("T1566.001", None, False),
        ("T1021.002", None, False),  # remote services with stolen credentials: no flaw to patch
        ("T1119", None, False),  # T11xx numbers that merely start like an exploit's
        ("T1190", False, False),  # a zero-day
        ("T1021.002", True, True),  # a trainer's own exploit over SMB
    ],
)
def test_which_stages_a_patch_closes(technique, patchable, closed):
    stage = Stage(id="s", technique=technique, at=0.0, patchable=patchable)
    assert stage.closed_by_patch is closed


def test_a_patched_node_resists_an_exploit_landing():
    scenario = _scenario()
    unpatched = _run(scenario)
    assert _events(unpatched, ev.COMPROMISE, "dc-app"), "the exploit lands when nothing is patched"
    patched = _run(scenario, [_patch(0, node="dc-app")])
    assert [e.t for e in _events(patched, ev.PATCHED, "dc-app")] == [45.0]
    assert not _events(patched, ev.COMPROMISE, "dc-app")
    assert patched.nodes["dc-app"].status == "clean" and patched.nodes["dc-app"].patched


def test_a_patch_too_late_does_not_undo_the_landing():
    sim = _run(_scenario(), [_patch(150, node="dc-app")])  # the exploit landed at T+2h
    assert _events(sim, ev.COMPROMISE, "dc-app")[0].t == 120.0
    (patched,) = _events(sim, ev.PATCHED, "dc-app")
    assert patched.data["compromised"] is True
    assert sim.nodes["dc-app"].status == "compromised"


def test_a_stage_written_unpatchable_gets_through_a_patch():
    scenario = _scenario(**{"success: 1}\n    - id: worm": "success: 1, patchable: false}\n    - id: worm"})
    sim = _run(scenario, [_patch(0, node="dc-app")])
    assert sim.nodes["dc-app"].patched
    assert _events(sim, ev.COMPROMISE, "dc-app")


def test_a_patched_node_resists_a_spreading_exploit():
    scenario = _scenario(**{"wait: 3h}": "wait: 6h}"})
    guarded = ("d2-ws", "d2-srv", "dc-app", "dc-db")
    patches = [_patch(0, node=list(guarded))]
    reached_without = reached_with = 0
    for seed in range(1, 11):
        without = _run(scenario, seed=seed)
        reached_without += sum(bool(_events(without, ev.COMPROMISE, n)) for n in guarded)
        with_patch = _run(scenario, patches, seed=seed)
        assert all(with_patch.nodes[n].patched for n in guarded)
        # two people, four nodes; a patch is 40m + 5m per machine of person-time. d2-ws (100
        # machines, 540 person-minutes) and d2-srv start at T+0; d2-srv is in at 45, then dc-app
        # (45-90, before the exploit lands at T+2h) and dc-db (90-135); from 135 both people are on
        # d2-ws, whose 405 minutes left take 202.5: all in at T+337.5, before the worm moves at T+6h
        assert max(e.t for e in _events(with_patch, ev.PATCHED)) == 337.5
        for node in guarded:
            hits = [e for e in _events(with_patch, ev.COMPROMISE, node) if e.data["stage"] == "spread"]
            assert hits == [], (seed, node)
        reached_with += sum(bool(_events(with_patch, ev.COMPROMISE, n)) for n in guarded)
    assert reached_without > 10  # the worm does reach them when nothing is patched
    assert reached_with == 0  # neither the worm nor the exploit's landing on dc-app


def test_an_unpatchable_worm_spreads_through_patches():
    scenario = _scenario(**{"attempts: 400}": "attempts: 400, patchable: false}"})
    patches = [_patch(0, node=["d2-ws", "d2-srv"])]
    reached = sum(
        bool(_events(_run(scenario, patches, seed=seed), ev.COMPROMISE, "d2-srv")) for seed in range(1, 11)
    )
    assert reached >= 5


def test_a_patch_keeps_the_attacker_on_a_compromised_node_and_its_group():
    # d1-ws stands for 100 machines; the worm takes more of them over the LAN once it spreads. The
    # playbook pushes a patch to a whole group in 45m (a `takes` is for the node, whatever its size)
    scenario = _scenario(
        **{
            "wait: 3h}": "wait: 10m}",
            "- {do: reimage, takes: 2h}": "- {do: reimage, takes: 2h}\n      - {do: patch, takes: 45m}",
        }
    )
    sim = _run(scenario, [_patch(0, node="d1-ws")], seed=3)
    (patched,) = _events(sim, ev.PATCHED, "d1-ws")
    assert patched.t == 45.0 and patched.data["compromised"] is True
    state = sim.nodes["d1-ws"]
    assert state.status == "compromised" and state.infected >= 1  # not cleaned
    # the group's other machines are patched too: none is taken after the patch is in
    later = [e for e in _events(sim, ev.COMPROMISE, "d1-ws") if e.t > patched.t]
    assert later == []
    unpatched = _run(scenario, seed=3)
    assert unpatched.nodes["d1-ws"].infected > state.infected


# ---------------------------------------------------------------- team work


def test_a_patch_takes_time_and_a_team_member():
    scenario = _scenario()
    sim = Simulation(scenario, seed=1)
    sim.run_until(30)
    sim.apply(Command(action="patch", target={"node": ["dc-app", "dc-db", "d2-srv"]}, by="soc"))
    sim.run_until(40)
    # two people, three nodes: two patches under way, one waiting
    assert sim.defenders.busy["soc"] == 2
    assert not any(s.patched for s in sim.nodes.values())
    starts = [e for e in _events(sim, ev.TASK_START) if e.data["step"] == "patch"]
    assert [(e.t, e.data["takes"]) for e in starts] == [(30.0, 45.0), (30.0, 45.0)]
    sim.run_until(200)
    done = {e.target: e.t for e in _events(sim, ev.PATCHED)}
    assert sorted(done.values()) == [75.0, 75.0, 120.0]
    assert all(e.actor == "soc" for e in _events(sim, ev.PATCHED))


def test_a_playbook_patch_step_sets_its_own_time_and_the_node_team_works_it():
    scenario = _scenario(
        **{"- {do: reimage, takes: 2h}": "- {do: reimage, takes: 2h}\n      - {do: patch, takes: 20m}"}
    )
    sim = _run(scenario, [TimedCommand(at=10, action="patch", target={"node": "dc-app"})])  # no `by`
    (patched,) = _events(sim, ev.PATCHED, "dc-app")
    assert (patched.t, patched.actor) == (30.0, "soc")


def test_patching_twice_or_an_already_patched_node_costs_nothing_more():
    sim = _run(_scenario(), [_patch(0, node="dc-db"), _patch(60, node="dc-db")])
    assert len(_events(sim, ev.PATCHED, "dc-db")) == 1
    patch_tasks = [e for e in _events(sim, ev.TASK_START, "dc-db") if e.data["step"] == "patch"]
    assert len(patch_tasks) == 1


def test_a_reimage_keeps_the_node_patched():
    scenario = _scenario()
    sim = _run(
        scenario,
        [
            _patch(150, node="dc-app"),
            TimedCommand(at=200, action="reimage", target={"node": "dc-app"}, by="soc"),
        ],
    )
    assert _events(sim, ev.CLEANED, "dc-app")
    assert sim.nodes["dc-app"].status == "cleaned" and sim.nodes["dc-app"].patched


def test_a_patch_of_an_unknown_node_is_refused_with_the_nearest_names():
    sim = Simulation(_scenario(), seed=1)
    sim.run_until(5)
    refused = sim.apply(Command(action="patch", target={"node": "dc-ap"}, by="soc"))
    assert refused.kind == ev.COMMAND_REFUSED
    assert "dc-ap" in refused.data["reason"]["en"] and "dc-app" in refused.data["suggestions"]
    refused = sim.apply(Command(action="patch", target={"node": "dc-app"}, by="socc"))
    assert refused.kind == ev.COMMAND_REFUSED and "soc" in refused.data["suggestions"]
    sim.run_until(200)
    assert not _events(sim, ev.PATCHED)


# ---------------------------------------------------------------- scenario validation


def test_a_bad_patchable_value_is_explained_with_its_line_and_key():
    text = SCENARIO.replace("attempts: 400}", "attempts: 400, patchable: sometimes}")
    scenario, problems = parse_scenario(text, "patch-test.yaml", ENGINE)
    assert scenario is None
    (problem,) = problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "sometimes" in row)
    assert problem.line == line
    assert problem.format().startswith(f"patch-test.yaml:{line}:")
    assert "attacker.campaigns[1].stages[1].patchable" in problem.format()
    assert "true or false" in problem.format() and "sometimes" in problem.format()


def test_a_playbook_may_have_a_patch_step_and_a_misspelt_one_gets_a_suggestion():
    text = SCENARIO.replace("{do: triage, takes: 20m}", "{do: pach, takes: 20m}")
    scenario, problems = parse_scenario(text, "patch-test.yaml", ENGINE)
    assert scenario is None
    assert "playbooks.manual.steps[0].do" in problems[0].format()
    assert "did you mean patch" in problems[0].format()


# ---------------------------------------------------------------- replay, live view, feed and report


def test_the_patched_event_replays_at_its_time():
    scenario = _scenario()
    sim = _run(scenario, [_patch(0, node="dc-app")])
    fold = WorldFold(scenario)
    for e in sim.events:
        fold.feed(e)
    assert {n: node_fields(s) for n, s in fold.world.nodes.items()} == {
        n: node_fields(s) for n, s in sim.nodes.items()
    }
    timeline = Timeline(scenario, sim.events, every=7)
    assert not timeline.at(45.0).nodes["dc-app"].patched  # the events due before T+45m
    assert timeline.at(45.01).nodes["dc-app"].patched
    assert not ViewModel.at(scenario, sim.events, 44.9).nodes["dc-app"].patched
    assert ViewModel.at(scenario, sim.events, 46).nodes["dc-app"].patched


def test_the_feed_says_who_patched_what_in_both_languages():
    scenario = _scenario()
    sim = _run(scenario, [_patch(0, node="dc-app"), _patch(150, node="d1-ws")])
    clean, held = _events(sim, ev.PATCHED)
    assert describe(clean, scenario, "en") == "dc-app patched by SOC"
    assert describe(clean, scenario, "vi") == "dc-app được SOC vá lỗi"
    assert "attacker already on it stays" in describe(held, scenario, "en")
    start = next(e for e in _events(sim, ev.TASK_START) if e.data["step"] == "patch")
    assert describe(start, scenario, "en") == "SOC: patch dc-app (about 45m)"


def test_a_recorded_drill_shows_the_patch_in_the_replay_and_the_report(tmp_path: Path):
    shutil.copy(ENGINE / "topology.yaml", tmp_path / "topology.yaml")
    (tmp_path / "patch-test.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "decisions.yaml").write_text(
        "- {at: T+10m, action: patch, target: {node: dc-app}, by: soc}\n", encoding="utf-8"
    )
    log = tmp_path / "drill.jsonl"
    assert (
        main(
            [
                "run",
                str(tmp_path / "patch-test.yaml"),
                "--decisions",
                str(tmp_path / "decisions.yaml"),
                "--log",
                str(log),
            ]
        )
        == 0
    )
    replay = Replay.open(log)
    assert replay.verify().identical
    assert not replay.state_at(55.0)["dc-app"].patched
    assert replay.state_at(56.0)["dc-app"].patched
    for lang, text in (("en", "dc-app patched"), ("vi", "dc-app đã được vá lỗi")):
        rows = build_report(replay, lang).timeline
        assert any(r.what == text and r.kind == "response" for r in rows), lang
    set_language("en")


# ---------------------------------------------------------------- it matters: a worm over T1210


@pytest.fixture(scope="module")
def generated_worm(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    folder = tmp_path_factory.mktemp("worm")
    data = generate_topology(20, 8, seed=1)
    write_topology(data, folder / "city.yaml")
    write_scenario(worm_scenario(data, "city.yaml", duration="8h"), folder / "worm.yaml")
    return load_scenario(str(folder / "worm.yaml"))


def test_patching_the_file_servers_early_leaves_fewer_machines_compromised(generated_worm: Scenario):
    # the generated worm spreads by exploiting SMB (T1210); the local IT staff patch every file
    # server at once, on a bulletin, before they know where the worm is
    scenario = generated_worm
    patch = [TimedCommand(at=0, action="patch", target={"kind": "file-server"}, by="local-it")]

    def run(seed: int, commands: list) -> tuple[int, Simulation]:
        sim = Simulation(scenario, seed=seed)
        metrics = Metrics(scenario)
        sim.subscribe(metrics.feed)
        sim.run(commands)
        return metrics.snapshot(sim.now).hosts_ever, sim

    never, early = [], []
    for seed in range(1, 21):
        never.append(run(seed, [])[0])
        hosts, sim = run(seed, patch)
        early.append(hosts)
        # a node patched is never taken by the worm afterwards
        patched_at = {e.target: e.t for e in _events(sim, ev.PATCHED)}
        assert patched_at
        for e in _events(sim, ev.COMPROMISE):
            assert not (e.target in patched_at and e.t > patched_at[e.target]), (seed, e)
    assert statistics.mean(early) < 0.95 * statistics.mean(never)
    assert sum(a < b for a, b in zip(early, never, strict=True)) >= 15


def test_an_inject_can_wait_for_a_node_to_be_patched():
    scenario = _scenario(
        **{
            "playbooks:": """injects:
  - id: patched-note
    when: {node: {targets: {node: dc-app}, state: patched}}
    to: [soc]
    channel: phone
    title: {en: Patched, vi: Đã vá}
    text: {en: The vendor confirms the fix., vi: Hãng xác nhận bản vá.}
playbooks:"""
        }
    )
    never = _run(scenario)
    assert not [e for e in _events(never, ev.INJECT) if e.target == "patched-note"]
    sim = _run(scenario, [_patch(30.0, node="dc-app")])
    patched = _events(sim, ev.PATCHED, "dc-app")
    delivered = [e for e in _events(sim, ev.INJECT) if e.target == "patched-note"]
    assert len(patched) == 1 and len(delivered) == 1
    assert delivered[0].t == patched[0].t == 30.0 + 45.0
