"""Damaged or foreign logs: a clear message and exit 1 (a cut-off last line: a warning, and it works);
never a traceback — for replay, verify and report alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_replay_helpers import record

from drill.cli import main
from drill.log import read_log


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("badlogs"), seed=4)


def _lines(log: Path) -> list[bytes]:
    return log.read_bytes().split(b"\n")[:-1]


def _write(path: Path, lines: list[bytes], newline: bool = True) -> Path:
    path.write_bytes(b"\n".join(lines) + (b"\n" if newline else b""))
    return path


COMMANDS = [["replay"], ["replay", "--verify"], ["report", "-o", "-", "--format", "md"]]


def _run(capsys: pytest.CaptureFixture[str], command: list[str], log: Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--lang", "en", command[0], str(log), *command[1:]])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_cut_off_last_line_replays_up_to_it_with_a_warning(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    lines = _lines(good)
    cut = _write(tmp_path / "cut.jsonl", [*lines[:-1], lines[-1][: len(lines[-1]) // 2]], newline=False)
    code, out, err = _run(capsys, command, cut)
    assert code == 0
    assert f"line {len(lines)} was cut off" in err
    if command == ["replay", "--verify"]:
        assert out.startswith(f"identical: the {len(lines) - 2} events")
    if command[0] == "report":
        assert "# After-action report" in out and "stops at" in out  # the drill's end is missing


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_corrupted_line_is_named_by_its_number(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    lines = _lines(good)
    lines[40] = lines[40][:25] + b"#garbage" + lines[40][33:]
    code, _out, err = _run(capsys, command, _write(tmp_path / "bad.jsonl", lines))
    assert code == 1
    damaged = "line 41 is damaged (not a valid event); the log cannot be trusted past it"
    assert err.strip() == f"{tmp_path / 'bad.jsonl'}: {damaged}"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_line_is_named(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    lines = _lines(good)
    del lines[30]
    code, _out, err = _run(capsys, command, _write(tmp_path / "gap.jsonl", lines))
    assert code == 1 and "line 31 is out of order" in err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_log_from_a_newer_drill(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    lines = _lines(good)
    header = json.loads(lines[0])
    header["version"] = 7
    lines[0] = json.dumps(header).encode()
    code, _out, err = _run(capsys, command, _write(tmp_path / "new.jsonl", lines))
    assert code == 1 and "written by a newer drill (log format 7" in err and "upgrade drill" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"scenario: ransomware-hoan-kiem\ntitle: not a log\n", "is not a drill log"),
        (b'{"format": "something-else", "version": 1}\n{"t": 0}\n', "is not a drill log"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a drill log"),
        (b"", "is empty: not a drill log"),
        (b"\n", "is not a drill log"),
    ],
    ids=["yaml", "other-json", "binary", "empty", "blank-line"],
)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_not_a_drill_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], content: bytes, message: str
) -> None:
    path = tmp_path / "other.jsonl"
    path.write_bytes(content)
    code, _out, err = _run(capsys, command, path)
    assert code == 1 and message in err


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, _out, err = _run(capsys, command, tmp_path / "nowhere.jsonl")
    assert code == 1 and err.startswith(f"cannot read {tmp_path / 'nowhere.jsonl'}:")


def test_a_header_without_events_or_seed(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _lines(good)
    code, _out, err = _run(capsys, ["replay"], _write(tmp_path / "header.jsonl", lines[:1]))
    assert code == 1 and "holds a header but no events" in err
    header = json.loads(lines[0])
    del header["seed"]
    code, _out, err = _run(
        capsys, ["report"], _write(tmp_path / "seedless.jsonl", [json.dumps(header).encode(), *lines[1:]])
    )
    assert code == 1 and "has no valid 'seed'" in err


def test_a_log_whose_scenario_is_gone(good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _lines(good)
    header = json.loads(lines[0])
    header["scenario_ref"] = str(tmp_path / "deleted.yaml")
    header["scenario"] = "deleted-scenario"
    code, _out, err = _run(
        capsys, ["replay"], _write(tmp_path / "orphan.jsonl", [json.dumps(header).encode(), *lines[1:]])
    )
    assert code == 1 and "cannot find the scenario this drill was recorded from" in err


def test_the_real_command_prints_no_traceback(good: Path, tmp_path: Path) -> None:
    lines = _lines(good)
    lines[5] = b"{not json"
    bad = _write(tmp_path / "bad.jsonl", lines)
    result = subprocess.run(
        [sys.executable, "-m", "drill", "--lang", "vi", "replay", str(bad), "--verify"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "dòng 6" in result.stderr
    assert read_log(good).events  # the good log is untouched
