"""Replay: the state and figures at any moment equal the simulation's own; marks, cursor, verify, branch."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_replay_helpers import record, run_to, sink

import drill.replay as replay_module
from drill.cli import main
from drill.engine import events as ev
from drill.log import encode, read_log
from drill.metrics import fold
from drill.model.durations import format_offset, parse_offset
from drill.replay import Cursor, Replay, node_fields


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("replay"), seed=4)


def _moments(replay: Replay, count: int, seed: int) -> list[float]:
    """Random moments, every event time (the edge cases: events due exactly then), and the end."""
    rng = random.Random(seed)
    times = sorted({e.t for e in replay.events})
    return sorted({*(rng.uniform(0, replay.end) for _ in range(count)), *times, 0.0, replay.end})


@pytest.mark.parametrize("seed", [1, 3, 4])
def test_replay_to_any_time_equals_running_the_simulation_to_it(tmp_path: Path, seed: int) -> None:
    log = record(tmp_path, seed=seed)
    replay = Replay.open(log)
    scenario, decisions = sink(tmp_path)
    moments = _moments(replay, 12, seed)
    assert len(moments) > 40
    for when in moments:
        sim = run_to(scenario, seed, decisions, when)
        view = replay.seek(when)
        assert view.index == len(sim.events), f"T={when}: {view.index} events replayed, {len(sim.events)} run"
        for nid, state in sim.nodes.items():
            assert node_fields(view.world.nodes[nid]) == node_fields(state), f"T={when} node {nid}"
        down = sorted(sid for sid, up in sim.services.up.items() if not up)
        assert sorted(view.world.services_down) == down, f"T={when}"
        assert sorted(view.world.links_cut) == sorted(sim.network.cut), f"T={when}"


def test_the_replayed_drill_reaches_every_kind_of_state(recorded: Path) -> None:
    """The equality above means something only if the drill goes through the interesting states."""
    replay = Replay.open(recorded)
    seen: set[str] = set()
    for when in _moments(replay, 0, 0):
        for state in replay.state_at(when).values():
            seen.add(state.label)
            seen.add(state.status)  # a cleaned machine may stay isolated: its label says isolated
            seen.update(name for name in ("working", "backup_lost", "detected") if getattr(state, name))
    assert {"foothold", "encrypted", "exfiltrating", "overloaded", "isolated", "offline", "cleaned"} <= seen
    assert {"working", "backup_lost", "detected"} <= seen


def test_metrics_at_any_time_equal_a_fold_of_the_events_before_it(
    recorded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay_module, "CHECKPOINT_EVERY", 7)  # many checkpoints: copies are exercised
    replay = Replay.open(recorded)
    assert len(replay._checkpoints) > 20
    for when in _moments(replay, 20, 2):
        expected = fold(replay.scenario, replay.events[: replay.index_at(when)], when)
        assert replay.metrics_at(when).as_dict() == expected.as_dict(), f"T={when}"
    # seeking backwards after forwards gives the same answer (checkpoints are not altered by seeks)
    late, early = replay.metrics_at(replay.end * 0.9), replay.metrics_at(replay.end * 0.2)
    assert replay.metrics_at(replay.end * 0.9).as_dict() == late.as_dict()
    assert replay.metrics_at(replay.end * 0.2).as_dict() == early.as_dict()


def test_marks_are_injects_detections_decisions_and_notes(recorded: Path) -> None:
    replay = Replay.open(recorded)
    marks = replay.marks()
    kinds = {m.kind for m in marks}
    assert kinds == {"inject", "detection", "decision", "note"}
    assert [m.t for m in marks] == sorted(m.t for m in marks)
    decisions = [m for m in marks if m.kind == "decision"]
    # the players' decisions, not the facilitator's moves (inject, mark) nor a refused one
    assert len(decisions) == 12
    assert any("Hoan Kiem District" in m.label and "isolate" in m.label for m in decisions)
    notes = [m.label for m in marks if m.kind == "note"]
    assert notes == ["The room debates isolating the district", "Hidden note for the evaluators"]
    assert any(m.label == "Slow computers" for m in marks if m.kind == "inject")
    vi = [m.label for m in replay.marks("vi") if m.kind == "note"]
    assert vi[0] == "Cả phòng tranh luận việc cô lập quận"


def test_cursor_steps_and_jumps_both_ways(recorded: Path) -> None:
    replay = Replay.open(recorded)
    cursor = Cursor(replay)
    assert cursor.view().index == 0
    cursor.step(5)
    assert (cursor.index, cursor.now) == (5, replay.events[4].t)
    cursor.step(-2)
    assert (cursor.index, cursor.now) == (3, replay.events[2].t)
    view = cursor.jump(True, ("note",))
    assert view is not None and replay.events[view.index - 1].kind == ev.NOTE
    first_note = view.index
    view = cursor.jump(True, ("note",))
    assert view is not None and view.index > first_note
    assert cursor.jump(True, ("note",)) is None  # no third note: the cursor stays
    view = cursor.jump(False, ("note",))
    assert view is not None and view.index == first_note
    view = cursor.jump(False, ("inject",))
    assert view is not None and replay.events[view.index - 1].kind == ev.INJECT
    cursor.seek(replay.end + 100)
    assert cursor.at_end and cursor.view().index == len(replay.events)
    cursor.seek(-5)
    assert (cursor.index, cursor.now) == (1, 0.0)  # the drill's start, as the live drill shows it
    before = cursor.play(90).snapshot
    assert cursor.now == 90 and before.now == 90


def test_verify_says_identical_on_an_untouched_log(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verdict = Replay.open(recorded).verify()
    assert verdict.identical and verdict.checked == len(read_log(recorded).events) and verdict.commands == 18
    assert main(["--lang", "en", "replay", str(recorded), "--verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("identical:") and "18 recorded commands" in out


def _tamper(log: Path, out: Path, seq: int, change: dict) -> None:
    lines = log.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[seq + 1])
    assert event["seq"] == seq
    event.update(change)
    lines[seq + 1] = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_verify_names_the_first_tampered_event(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = read_log(recorded).events
    target = next(e for e in events if e.kind == ev.COMPROMISE and e.t > 60)
    tampered = tmp_path / "tampered.jsonl"
    _tamper(recorded, tampered, target.seq, {"target": "hoan-kiem-dc"})
    verdict = Replay.open(tampered).verify()
    assert not verdict.identical and verdict.seq == target.seq
    assert verdict.expected is not None and verdict.expected.target == "hoan-kiem-dc"
    assert verdict.found is not None and encode(verdict.found) == encode(target)
    assert main(["--lang", "en", "replay", str(tampered), "--verify"]) == 1
    out = capsys.readouterr().out
    assert f"differ at event {target.seq} (line {target.seq + 2} of the log" in out
    assert '"target":"hoan-kiem-dc"' in out and f'"target":"{target.target}"' in out


def test_verify_of_a_tampered_decision_finds_where_its_effect_shows(recorded: Path, tmp_path: Path) -> None:
    """A recorded decision changed after the drill: the re-run obeys it, so the streams part where
    its consequence differs."""
    events = read_log(recorded).events
    command = next(e for e in events if e.kind == ev.COMMAND and e.target == "isolate")
    record_ = dict(command.data["command"], target={"node": ["hoan-kiem-onestop"]})
    tampered = tmp_path / "tampered.jsonl"
    _tamper(recorded, tampered, command.seq, {"data": {"command": record_}})
    verdict = Replay.open(tampered).verify()
    assert not verdict.identical
    assert verdict.seq == command.seq + 1  # the isolation event that follows names another node


def test_verify_of_a_cut_log_and_of_a_drill_run_with_until(tmp_path: Path) -> None:
    log = record(tmp_path, seed=4)
    lines = log.read_text(encoding="utf-8").splitlines()
    events = read_log(log).events
    # cut between two events of one moment, after the first: the re-run must stop at the same place
    middle = next(
        e
        for e in events[1:-1]
        if e.t > 200 and e.kind != ev.COMMAND and events[e.seq - 1].t < e.t == events[e.seq + 1].t
    )
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[: middle.seq + 2]) + "\n", encoding="utf-8")
    assert Replay.open(cut).verify().identical
    short = tmp_path / "short.jsonl"
    scenario = tmp_path / "sink.yaml"
    assert (
        main(["--lang", "en", "run", str(scenario), "--seed", "4", "--until", "3h", "--log", str(short)]) == 0
    )
    assert Replay.open(short).verify().identical


def test_verify_warns_when_the_scenario_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = record(tmp_path, seed=4)
    scenario = tmp_path / "sink.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8") + "# edited after the drill\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--lang", "en", "replay", str(log), "--verify"]) == 0
    captured = capsys.readouterr()
    assert "scenario" in captured.err and "has changed" in captured.err
    assert captured.out.startswith("identical")


def test_a_scenario_recorded_by_relative_path_is_found_beside_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drills"
    folder.mkdir()
    monkeypatch.chdir(folder)
    log = record(Path("."), seed=4)  # typed as "sink.yaml": the header keeps where that was
    assert read_log(log).header["scenario_ref"] == str(folder.resolve() / "sink.yaml")
    # the folder moves (another machine, a USB stick): the scenario is still found beside the log
    moved = tmp_path / "moved"
    folder.rename(moved)
    monkeypatch.chdir(tmp_path)
    assert Replay.open(moved / "drill.jsonl").scenario.id == "replay-sink"


def test_branch_keeps_the_original_prefix_and_names_its_origin(recorded: Path, tmp_path: Path) -> None:
    replay = Replay.open(recorded)
    at = 150.0
    branch = tmp_path / "branch.jsonl"
    session = replay.branch(at, branch)
    try:
        assert session.now == at
        session.apply(replay_command("isolate", "hoan-kiem"))  # what if the district were isolated now?
        session.advance(60)
    finally:
        session.close()
    new = read_log(branch)
    assert new.header["branched_from"] == {"log": str(recorded), "at": at}
    assert new.header["seed"] == replay.seed and new.header["scenario"] == "replay-sink"
    before = [e for e in replay.events if e.t < at]
    assert [encode(e) for e in new.events[: len(before)]] == [encode(e) for e in before]
    assert new.events[len(before)].kind == ev.COMMAND  # the new decision comes right after
    assert [encode(e) for e in new.events] != [encode(e) for e in replay.events[: len(new.events)]]
    assert Replay.open(branch).verify().identical  # the branch is itself a sound log
    from drill.report import build_report

    assert (
        build_report(Replay.open(branch), "en").branched_from
        == f"This drill branched from {recorded} at T+02:30."
    )


def replay_command(action: str, site: str):  # type: ignore[no-untyped-def]
    from drill.engine.commands import Command

    return Command(action=action, target={"site": [site]}, by="hoan-kiem-it")


def test_branch_from_the_command_line(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "what-if.jsonl"
    assert main(["--lang", "en", "replay", str(recorded), "--branch-at", "T+2h", "--log", str(new)]) == 0
    out = capsys.readouterr().out
    assert "T+02:00" in out and str(new) in out and "drill play --resume" in out
    header = read_log(new).header
    assert header["branched_from"]["at"] == 120.0
    default = recorded.with_name("drill.branch-T+01h30.jsonl")
    assert main(["--lang", "en", "replay", str(recorded), "--branch-at", "T+1h30m"]) == 0
    assert default.is_file()
    default.unlink()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--branch-at", "T+11h"], "cannot branch at T+11:00"),
        (["--branch-at", "soon"], "'soon' is not a drill time"),
        (["--log", "x.jsonl"], "use it with --branch-at"),
    ],
)
def test_bad_branch_requests_are_explained(
    recorded: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--lang", "en", "replay", str(recorded), *args]) == 1
    assert message in capsys.readouterr().err


def test_branch_refuses_to_overwrite_its_origin(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "en", "replay", str(recorded), "--branch-at", "T+1h", "--log", str(recorded)]) == 1
    assert "cannot write over the log" in capsys.readouterr().err
    assert Replay.open(recorded).verify().identical


def test_replay_without_a_terminal_prints_the_timeline(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "en", "replay", str(recorded)]) == 0
    captured = capsys.readouterr()
    assert "Everything at once" in captured.out
    assert "T+00:30  inject       Slow computers" in captured.out
    assert "note         The room debates isolating the district" in captured.out
    assert "needs a terminal" in captured.err


def test_replay_at_prints_the_figures_of_that_moment(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "vi", "replay", str(recorded), "--at", "T+3h"]) == 0
    out = capsys.readouterr().out
    count = sum(1 for e in read_log(recorded).events if e.t < 180)
    assert out.startswith(f"Tại T+03:00 (11:00 ngày 04/03/2015): {count} trên ")
    assert "Thời gian ứng phó" in out


def test_with_a_terminal_the_interactive_screens_are_called(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wiring to the TUI, without starting it: the screen gets the log and the language, and a
    branch opens the live drill on the branched session."""
    import drill.commands.replay as command

    calls: list[tuple[str, object]] = []

    class App:
        return_code = 0

        def __init__(self, session: object) -> None:
            self.session = session

        def run(self) -> None:
            calls.append(("live", self.session))

    functions = {
        "run_replay": lambda log, lang: calls.append(("replay", (log, lang))) or 0,
        "make_app": lambda session: App(session),
    }
    monkeypatch.setattr(command, "_terminal", lambda: True)
    monkeypatch.setattr(command, "_tui", functions.get)
    assert main(["--lang", "vi", "replay", str(recorded)]) == 0
    assert calls == [("replay", (str(recorded), "vi"))]
    new = tmp_path / "b.jsonl"
    assert main(["--lang", "en", "replay", str(recorded), "--branch-at", "T+1h", "--log", str(new)]) == 0
    kind, session = calls[-1]
    assert kind == "live" and session.now == 60.0 and session.log_path == new
    monkeypatch.setattr(command, "_tui", lambda name: None)  # no TUI in this installation
    assert main(["--lang", "en", "replay", str(recorded)]) == 0


def test_verify_and_branch_a_drill_played_step_by_step(tmp_path: Path) -> None:
    """A facilitator who steps event by event may decide between two events due at the same moment;
    the re-run must put the decision in the same place."""
    from drill.engine.commands import Command
    from drill.session import Session

    scenario, _decisions = sink(tmp_path)
    log = tmp_path / "stepped.jsonl"
    session = Session(scenario, seed=4, log_path=log, scenario_ref=str(tmp_path / "sink.yaml"))
    session.advance_to(29.0)
    session.step()  # the first of the events due at T+30m (an inject and an attack stage)
    assert session.now == 30.0
    count = len(session.sim.events)
    session.apply(Command(action="note", text="between two events", source="facilitator"))
    session.advance(90)
    session.close()
    events = read_log(log).events
    assert events[count].kind == ev.COMMAND and any(e.t == 30.0 for e in events[count + 1 :])
    replay = Replay.open(log)
    assert replay.verify().identical
    branch = replay.branch(100.0, tmp_path / "branch.jsonl")
    branch.close()
    assert [encode(e) for e in read_log(tmp_path / "branch.jsonl").events] == [
        encode(e) for e in events if e.t < 100.0
    ]


def test_replay_at_past_the_end_of_a_log_says_so_and_shows_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A moment after the log's last event is refused (exit 1), with why nothing is known there:
    the drill's end, a run stopped early, or a drill not over when its log was written."""
    from drill.engine.commands import Command
    from drill.model.load import load_scenario
    from drill.session import Session

    cut, whole, live = tmp_path / "cut.jsonl", tmp_path / "whole.jsonl", tmp_path / "live.jsonl"
    assert main(["--lang", "en", "run", "--seed", "3", "--until", "3h", "--log", str(cut)]) == 0
    assert main(["--lang", "en", "run", "--seed", "3", "--log", str(whole)]) == 0
    session = Session(load_scenario(None), seed=3, log_path=live)
    session.advance_to(100)  # the drill still going when its log was last written
    session.apply(Command(action="note", text="coffee break", source="facilitator"))
    session.close()
    capsys.readouterr()
    cases = [
        (
            cut,
            "T+5h",
            "past the end of this log (T+03:00): the run was stopped there (3h played of 8h planned)",
            "T+03:00",
        ),
        (whole, "T+9h", "after the drill's end (T+08:00)", "T+08:00"),
        (live, "2h", "past the end of this log (T+01:40): the drill had not ended", "T+01:40"),
    ]
    for log, moment, why, end in cases:
        assert main(["--lang", "en", "replay", str(log), "--at", moment]) == 1, log.name
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(f"--at {moment} is {why}"), err
        assert err.rstrip().endswith(f"pick a moment from T+00:00 to {end}"), err
    # up to the last event is fine: the figures of that moment
    for log, last in ((cut, "T+3h"), (whole, "T+8h"), (live, "T+1h40m")):
        assert main(["--lang", "en", "replay", str(log), "--at", last]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"At {format_offset(parse_offset(last))} "), out
    assert main(["--lang", "vi", "replay", str(cut), "--at", "T+5h"]) == 1
    assert "vượt quá cuối nhật ký này (T+03:00)" in capsys.readouterr().err
