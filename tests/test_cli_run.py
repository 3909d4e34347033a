"""`drill run` end to end: summaries, JSON, logs, decisions files and their mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drill.cli import main
from drill.log import read_log

ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"


def test_run_default_prints_a_summary(capsys):
    assert main(["run", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "ransomware-hoan-kiem" in out
    assert "time to detect" in out and "Objectives" in out


def test_run_in_vietnamese(capsys):
    assert main(["--lang", "vi", "run", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "thời gian phát hiện" in out and "Mục tiêu" in out


def test_run_json_and_log(tmp_path, capsys):
    log = tmp_path / "drill.jsonl"
    assert main(["run", str(ENGINE / "worm.yaml"), "--seed", "4", "--json", "--log", str(log)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "engine-worm" and out["seed"] == 4
    data = read_log(log)
    assert data.header["seed"] == 4 and data.header["scenario"] == "engine-worm"
    assert len(data.events) == out["events"]
    assert out["metrics"]["hosts_ever"] == sum(e.data["hosts"] for e in data.events if e.kind == "compromise")


def test_until_stops_early(capsys):
    assert main(["run", str(ENGINE / "worm.yaml"), "--until", "2h", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["metrics"]["now"] == 120


def test_decisions_change_the_outcome(capsys):
    decisions = ENGINE / "worm-decisions.yaml"
    assert main(["run", str(ENGINE / "worm.yaml"), "--seed", "3", "--json"]) == 0
    without = json.loads(capsys.readouterr().out)
    # the decisions file holds one deliberate mistake (an unknown node): refused, the run goes on, exit 1
    assert (
        main(["run", str(ENGINE / "worm.yaml"), "--seed", "3", "--json", "--decisions", str(decisions)]) == 1
    )
    captured = capsys.readouterr()
    with_decisions = json.loads(captured.out)
    assert "not-a-node" in captured.err
    assert with_decisions["metrics"]["expectations"]["met"] == 1
    assert with_decisions["refused"] and with_decisions["metrics"]["now"] == 720
    assert without["metrics"]["expectations"]["missed"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- {at: T+1h, action: isolat, target: {site: d1}}\n", "did you mean isolate"),
        ("- {at: soon, action: isolate, target: {site: d1}}\n", "not a duration"),
        ("- {at: T+1h, action: isolate}\n", "needs: target"),
        ("at: T+1h\n", "list of decisions"),
        ("- {at: T+1h, action: escalate, to: cert, colour: red}\n", "unknown key 'colour'"),
        ("- [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_decisions_files_get_a_clear_message(tmp_path, capsys, content, message):
    path = tmp_path / "decisions.yaml"
    path.write_text(content, encoding="utf-8")
    assert main(["run", str(ENGINE / "worm.yaml"), "--decisions", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert str(path) in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "ransomware-hoan-kiemm"], "did you mean ransomware-hoan-kiem"),
        (["run", "--decisions", "no-such-file.yaml"], "cannot read"),
        (["run", "--until", "soon"], "--until soon"),
        (["run", "--seed", "-4"], "zero or more"),
    ],
)
def test_bad_arguments_exit_1_with_a_message(capsys, args, message):
    assert main(args) == 1
    assert message in capsys.readouterr().err


def test_the_installed_command_runs_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: x\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "drill", "run", str(bad)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "missing" in result.stderr
