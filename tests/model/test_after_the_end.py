"""Acting after the end: a decision the drill would never reach is refused, with the reason.

Before, a decision at T+12h on an 8-hour drill, one past ``--until``, and ``--until 8h`` on a
one-hour drill were dropped without a word: the run looked as if the decision changed nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drill.cli import main
from drill.diagnostics import DrillError
from drill.engine import Simulation
from drill.engine.commands import Command
from drill.session import Session

from .paired import FIXTURES, bundled, decisions

SMALL = FIXTURES / "model"


def _decisions_file(tmp_path: Path, at: str) -> Path:
    path = tmp_path / "late.yaml"
    path.write_text(f"- {{at: {at}, action: isolate, target: {{site: hoan-kiem}}}}\n", encoding="utf-8")
    return path


def _one_hour_drill(tmp_path: Path) -> Path:
    shutil.copy(SMALL / "small.yaml", tmp_path / "small.yaml")
    text = (SMALL / "small-worm.yaml").read_text(encoding="utf-8").replace("duration: 12h", "duration: 1h")
    path = tmp_path / "one-hour.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("at", ["T+12h", "T+8h"])
def test_the_engine_refuses_a_decision_at_or_after_the_end_before_running(at):
    sim = Simulation(bundled("ransomware-hoan-kiem"), seed=1)
    late = decisions({"action": "isolate", "target": {"site": "hoan-kiem"}, "at": at})
    with pytest.raises(DrillError) as caught:
        sim.run(late)
    assert "isolate" in caught.value.message and "T+08:00" in caught.value.message
    assert sim.events == []  # nothing ran: the refusal is about the input, not the drill


def test_a_decision_before_the_end_is_applied():
    sim = Simulation(bundled("ransomware-hoan-kiem"), seed=1)
    sim.run(decisions({"action": "isolate", "target": {"site": "hoan-kiem"}, "at": "T+7h59m"}))
    assert [e.t for e in sim.events if e.kind == "command"] == [479.0]


def test_drill_run_refuses_a_decision_after_the_end(tmp_path, capsys):
    assert main(["run", "--decisions", str(_decisions_file(tmp_path, "T+12h"))]) == 1
    err = capsys.readouterr().err
    assert "T+12:00" in err and "after the drill's end (T+08:00" in err


def test_drill_run_says_why_in_vietnamese(tmp_path, capsys):
    assert main(["--lang", "vi", "run", "--decisions", str(_decisions_file(tmp_path, "T+12h"))]) == 1
    assert "sau lúc kết thúc diễn tập" in capsys.readouterr().err


def test_drill_run_does_not_reach_a_decision_past_until_and_says_so(tmp_path, capsys):
    """``--until`` stops the run before the drill's end: a later decision is simply not reached
    (exit 0, and a line says which), while the earlier ones are applied."""
    import json

    from drill.log import read_log

    script = tmp_path / "two.yaml"
    script.write_text(
        "- {at: T+30m, action: isolate, target: {node: hoan-kiem-ws}}\n"
        "- {at: T+2h, action: isolate, target: {site: hoan-kiem}}\n",
        encoding="utf-8",
    )
    log = tmp_path / "cut.jsonl"
    assert main(["run", "--until", "1h", "--decisions", str(script), "--log", str(log)]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "1 decision comes at or after T+01:00, where --until stops the run: it was not reached",
        "  not reached: T+02:00 isolate all of Hoan Kiem District",
    ]
    events = read_log(log).events
    assert [(e.t, e.data["command"]["target"]) for e in events if e.kind == "command"] == [
        (30.0, {"node": ["hoan-kiem-ws"]})
    ]
    assert (events[-1].t, events[-1].kind) == (60.0, "drill_end")
    assert main(["run", "--until", "1h", "--decisions", str(script), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(x["t"], x["command"]["target"]) for x in out["not_reached"]] == [
        (120.0, {"site": ["hoan-kiem"]})
    ]
    # in Vietnamese too
    assert main(["--lang", "vi", "run", "--until", "1h", "--decisions", str(script)]) == 0
    assert "1 quyết định rơi vào hoặc sau T+01:00, lúc --until dừng lần chạy" in capsys.readouterr().err
    # a decision after the drill's own end stays a mistake, with --until as without
    late = _decisions_file(tmp_path, "T+12h")
    assert main(["run", "--until", "1h", "--decisions", str(late)]) == 1
    assert "after the drill's end (T+08:00" in capsys.readouterr().err


def test_drill_run_refuses_until_beyond_a_one_hour_drill(tmp_path, capsys):
    assert main(["run", str(_one_hour_drill(tmp_path)), "--until", "8h"]) == 1
    err = capsys.readouterr().err
    assert "--until 8h is after the drill's end (T+01:00" in err
    assert main(["run", str(_one_hour_drill(tmp_path)), "--until", "1h"]) == 0  # up to the end is fine


def test_drill_batch_refuses_a_decision_after_the_end(tmp_path, capsys):
    late = _decisions_file(tmp_path, "T+12h")
    assert main(["batch", "--runs", "2", "--workers", "1", "--decisions", str(late)]) == 1
    assert "after the drill's end" in capsys.readouterr().err


def test_a_live_drill_refuses_a_command_after_its_end(tmp_path):
    log = tmp_path / "live.jsonl"
    session = Session(bundled("ransomware-hoan-kiem"), seed=1, log_path=log)
    session.advance_to(10_000)
    assert session.finished
    count = len(session.sim.events)
    with pytest.raises(DrillError) as caught:
        session.apply(Command(action="isolate", target={"site": "hoan-kiem"}))
    session.close()
    assert "the drill ended at T+08:00" in caught.value.message
    assert len(session.sim.events) == count  # nothing after drill_end
    assert session.sim.events[-1].kind == "drill_end"


def test_a_note_after_the_end_is_kept_and_the_log_still_reads_as_ended(tmp_path):
    from drill.log import read_log
    from drill.replay import Replay
    from drill.session import first_difference, resimulate

    log = tmp_path / "live.jsonl"
    session = Session(bundled("ransomware-hoan-kiem"), seed=1, log_path=log)
    session.advance_to(10_000)
    end = len(session.sim.events) - 1
    note = session.apply(Command(action="note", text="the SOC called late", source="facilitator"))
    session.close()
    assert session.sim.events[end].kind == "drill_end" and session.sim.events[end].t == 480.0
    assert [(e.kind, e.t) for e in session.sim.events[end + 1 :]] == [("command", 480.0), ("note", 480.0)]
    assert note.data["command"]["text"] == "the SOC called late"
    data = read_log(log)
    assert data.events[-1].data["text"] == "the SOC called late"
    assert data.ended  # its end is recorded, the note after it
    assert Replay.open(log).finished
    again = resimulate(bundled("ransomware-hoan-kiem"), 1, data.events)  # the log still verifies
    assert first_difference(data.events, again.events) is None and again.finished
    resumed, warnings = Session.resume(log)  # opens as it ended: no decision, a note still
    resumed.close()
    assert resumed.finished and any("has ended" in w for w in warnings)
    with pytest.raises(DrillError):
        resumed.apply(Command(action="isolate", target={"site": "hoan-kiem"}))


def test_a_note_after_a_drill_ended_before_its_time_is_rebuilt_after_that_end():
    from drill.session import first_difference, resimulate

    sim = Simulation(bundled("ransomware-hoan-kiem"), seed=1)
    sim.run_until(60)
    sim.finish()  # ended at T+1h of 8h
    sim.apply(Command(action="note", text="stopped for the fire drill", source="facilitator"))
    assert [e.kind for e in sim.events[-3:]] == ["drill_end", "command", "note"]
    again = resimulate(bundled("ransomware-hoan-kiem"), 1, sim.events)
    assert first_difference(sim.events, again.events) is None and len(again.events) == len(sim.events)
    assert again.finished and again.now == 60.0
