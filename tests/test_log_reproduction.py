"""A log is only resumed or branched from when re-running it gives the same events; a scenario or
topology changed since the drill was recorded is said, not hidden."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drill.cli import main
from drill.diagnostics import DrillError
from drill.log import read_log
from drill.replay import Replay
from drill.session import Session, scenario_of

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"


@pytest.fixture
def drill_log(tmp_path: Path) -> Path:
    """The engine worm with its decisions, recorded by ``drill run`` from a copy of its files."""
    for name in ("worm.yaml", "topology.yaml", "worm-decisions.yaml"):
        shutil.copy(ENGINE / name, tmp_path / name)
    log = tmp_path / "drill.jsonl"
    args = ["run", str(tmp_path / "worm.yaml"), "--seed", "3", "--log", str(log)]
    # one decision names a node that does not exist: refused (exit 1), and logged with the rest
    assert main([*args, "--decisions", str(tmp_path / "worm-decisions.yaml")]) == 1
    assert any(e.kind == "command_refused" for e in read_log(log).events)
    return log


# what a different engine would write differently, per kind of event: a value the log reader
# accepts (its time must stay in order and its names in the scenario, or the reader refuses the
# line before the re-run is compared)
TAMPER = {"compromise": ("technique", "T1078"), "reconnect": ("compromised", True)}


def _tamper(log: Path, kind: str) -> int:
    """Change the first event of ``kind`` the way a different engine would; its sequence number."""
    key, value = TAMPER[kind]
    lines = log.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines[1:], start=1):
        event = json.loads(line)
        if event["kind"] == kind:
            assert event["data"][key] != value
            event["data"][key] = value
            lines[i] = json.dumps(event, separators=(",", ":"))
            log.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return int(event["seq"])
    raise AssertionError(f"no {kind} event")


def _unfinished(log: Path, keep: int) -> None:
    """Cut the log to its header and first ``keep`` events: a drill that crashed."""
    lines = log.read_text(encoding="utf-8").splitlines()
    log.write_text("\n".join(lines[: keep + 1]) + "\n", encoding="utf-8")


def test_an_untouched_log_resumes(drill_log: Path) -> None:
    _unfinished(drill_log, 15)
    session, warnings = Session.resume(drill_log)
    assert warnings == []
    assert len(session.sim.events) >= 15
    session.close()


def test_resume_refuses_a_log_that_does_not_reproduce_and_leaves_it_alone(drill_log: Path) -> None:
    _unfinished(drill_log, 15)
    seq = _tamper(drill_log, "compromise")
    before = drill_log.read_bytes()
    with pytest.raises(DrillError) as refused:
        Session.resume(drill_log)
    # the scenario and topology are those it was written with: the log itself was altered, and
    # the message names the event and its line (the header is line 1, event 0 line 2)
    assert f"line {seq + 2} (event {seq}) differs from the re-run" in refused.value.message
    assert "altered" in refused.value.message
    assert "cannot be resumed" in refused.value.message
    assert drill_log.read_bytes() == before  # not rewritten


def test_resuming_in_the_terminal_interface_is_refused_the_same_way(drill_log: Path) -> None:
    from drill.tui.app import make_app

    _unfinished(drill_log, 15)
    _tamper(drill_log, "compromise")
    with pytest.raises(DrillError, match="cannot be resumed"):
        make_app(resume=drill_log)


def test_branch_refuses_a_log_that_does_not_reproduce(
    drill_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seq = _tamper(drill_log, "compromise")
    new = drill_log.with_name("branch.jsonl")
    with pytest.raises(DrillError, match=f"different event at number {seq}"):
        Replay.open(drill_log).branch(300.0, new)
    assert not new.exists()
    capsys.readouterr()
    assert main(["replay", str(drill_log), "--branch-at", "T+5h", "--log", str(new)]) == 1
    assert "cannot branch" in capsys.readouterr().err
    assert not new.exists()


def test_branch_before_the_tampered_event_is_allowed(drill_log: Path) -> None:
    # only what comes before the moment is re-run: a change after it does not matter
    events = read_log(drill_log).events
    last_isolation = max(e.t for e in events if e.kind == "reconnect")
    _tamper(drill_log, "reconnect")
    session = Replay.open(drill_log).branch(last_isolation - 1, drill_log.with_name("branch.jsonl"))
    session.close()
    assert read_log(drill_log.with_name("branch.jsonl")).header["branched_from"]


def test_a_topology_changed_since_the_drill_is_said(
    drill_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scenario_of(read_log(drill_log))[1] == []
    topology = drill_log.with_name("topology.yaml")
    topology.write_text(
        topology.read_text(encoding="utf-8").replace("coverage: 0.3", "coverage: 0.35"), encoding="utf-8"
    )
    warnings = scenario_of(read_log(drill_log))[1]
    assert warnings == [
        "the topology 'engine-test' has changed since this drill was recorded; the replay may differ"
    ]
    capsys.readouterr()
    main(["replay", str(drill_log), "--verify"])
    assert "the topology 'engine-test' has changed" in capsys.readouterr().err
    _unfinished(drill_log, 5)
    session, resumed_warnings = Session.resume(drill_log)
    session.close()
    assert any("topology 'engine-test' has changed" in w for w in resumed_warnings)
