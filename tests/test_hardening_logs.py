"""Damaged logs never crash a reader: every reader (replay --at, --verify, --branch-at, report,
play --resume, play --players) refuses a log with a wrong value, a missing field, a repeated or
moved line or a number out of range, with exit 1 and a message naming the line (and the key),
never a traceback. Checked in a subprocess, where a traceback would show."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_replay_helpers import record

from drill.cli import main

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "hardening_driver.py"
INTERNAL = "bug in drill"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A drill with every kind of event (and recorded decisions)."""
    return record(tmp_path_factory.mktemp("hardening-logs"), seed=4)


def lines_of(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").split("\n")[:-1]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def first(lines: list[str], kind: str, key: str | None = None) -> int:
    """The index of the first event line of ``kind`` (whose data has ``key``)."""
    for i, line in enumerate(lines[1:], start=1):
        record = json.loads(line)
        if record["kind"] == kind and (key is None or key in record["data"]):
            return i
    raise AssertionError(f"no {kind} event with {key} in the log")


def with_value(line: str, key: str, value: str) -> str:
    """``line`` with the JSON text of ``data.key`` (or the top-level ``key``) replaced by ``value``
    as written (``NaN``, ``Infinity`` and huge numbers are not Python's to write)."""
    record = json.loads(line)
    marker = "__MARK__"
    if key in ("t", "seq", "kind", "actor", "target", "data"):
        record[key] = marker
    else:
        record["data"][key] = marker
    return json.dumps(record, separators=(",", ":")).replace(f'"{marker}"', value)


def readers(log: Path, scratch: Path, tag: str) -> list[list[str]]:
    """Every command that reads a log, each on its own copy (``--resume`` rewrites its log)."""
    out = []
    for name, tail in (
        ("at", ["replay", "{log}", "--at", "T+2h"]),
        ("verify", ["replay", "{log}", "--verify"]),
        ("branch", ["replay", "{log}", "--branch-at", "T+1h", "--log", str(scratch / f"{tag}.branch.jsonl")]),
        ("report", ["report", "{log}", "--format", "md", "-o", str(scratch / f"{tag}.md")]),
        ("resume", ["play", "--resume", "{log}"]),
        ("players", ["play", "--players", "--log", "{log}"]),
    ):
        copy = scratch / f"{tag}.{name}.jsonl"
        copy.write_bytes(log.read_bytes())
        out.append(["--lang", "en", *[str(copy) if a == "{log}" else a for a in tail]])
    return out


def drive(commands: list[list[str]], timeout: float = 600) -> list[dict[str, Any]]:
    """Run ``commands`` through the driver in one subprocess; fail on anything on its stderr."""
    result = subprocess.run(
        [sys.executable, str(DRIVER)],
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={
            **os.environ,
            "DRILL_LANG": "en",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
        },
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def assert_refused(results: list[dict[str, Any]], *pieces: str) -> None:
    for r in results:
        assert r["escaped"] is None, f"{r['args']}: escaped\n{r['escaped']}"
        assert r["code"] == 1, f"{r['args']}: exit {r['code']}\n{r['err']}"
        message = r["err"].strip()
        assert message and INTERNAL not in message and "Traceback" not in message, (r["args"], message)
        for piece in pieces:
            assert piece in message, f"{r['args']}: {piece!r} not in {message!r}"


# ---------------------------------------------------------------------------------------------- named
def test_a_nan_time_is_refused_by_every_reader_with_its_line_and_key(good: Path, tmp_path: Path) -> None:
    lines = lines_of(good)
    i = first(lines, "compromise")
    lines[i] = with_value(lines[i], "t", "NaN")
    bad = write(tmp_path / "nan.jsonl", lines)
    assert_refused(drive(readers(bad, tmp_path, "nan")), f"line {i + 1}:", " t ", "NaN or Infinity")


@pytest.mark.parametrize(
    ("value", "says"), [("Infinity", "NaN or Infinity"), ('"many"', "not a whole number")]
)
def test_a_bad_host_count_is_refused_by_every_reader(
    good: Path, tmp_path: Path, value: str, says: str
) -> None:
    lines = lines_of(good)
    i = first(lines, "compromise", "hosts")
    lines[i] = with_value(lines[i], "hosts", value)
    bad = write(tmp_path / "hosts.jsonl", lines)
    assert_refused(drive(readers(bad, tmp_path, "hosts")), f"line {i + 1}:", "data.hosts", says)


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [
        ("compromise", "target", '"hoan-k9em-ws"'),
        ("service_down", "target", '"no-such-service"'),
        ("task_start", "actor", '"no-such-team"'),
        ("isolate", "site", '"atlantis"'),
    ],
)
def test_a_name_its_scenario_does_not_have_is_refused(
    good: Path, tmp_path: Path, kind: str, key: str, value: str
) -> None:
    lines = lines_of(good)
    i = first(lines, kind)
    lines[i] = with_value(lines[i], key, value)
    bad = write(tmp_path / "names.jsonl", lines)
    where = key if key in ("target", "actor") else f"data.{key}"
    assert_refused(
        drive(readers(bad, tmp_path, "names")), f"line {i + 1}: {where} names {value.strip(chr(34))}"
    )


# ---------------------------------------------------------------------------------------------- fuzzing
# values of the wrong type or out of range for the fields every drill writes; each makes a log
# that no drill could have written (the oracle: by construction, not by asking drill)
WRONG = {
    "t": ['"10"', "-1", "1e300", "null", "true", "Infinity", "1e999"],
    "seq": ['"3"', "1.5", "-1", "null"],
    "kind": ["5", "null", "[]"],
    "actor": ["5", "{}", "false"],
    "target": ["7", "[]"],
    "data": ['"x"', "[]", "null", "3"],
}
DATA_WRONG = {
    ("compromise", "hosts"): ['"many"', "-1", "1.5", "1e300", "Infinity", "NaN", "true", "9" * 5000],
    ("compromise", "infected"): ['"3"', "-2", "null"],
    ("service_up", "down_for"): ['"long"', "-5", "Infinity", "[]"],
    ("task_start", "takes"): ['"x"', "-1", "NaN"],
    ("task_start", "queued"): ["-3", "2.5", '"2"'],
    ("expectation", "index"): ['"0"', "-1", "0.5"],
    ("expectation", "due"): ['"soon"', "-10", "Infinity"],
    ("expectation", "status"): ["1", "null"],
    ("inject", "to"): ['"city-soc"', "[1]", "{}"],
    ("inject", "text"): ["5", "[]", '{"en": 5}'],
    ("command", "command"): ['"isolate"', '{"action": "explode"}', '{"action": "isolate"}', "[]"],
    ("drill_start", "seed"): ['"4"', "-1", "1e3", str(2**64)],
    ("drill_start", "duration"): ['"8h"', "-1", "Infinity"],
    ("escalation", "arrives_in"): ['"1h"', "-60"],
    ("staff_change", "staff"): ["-1", '"2"'],
    ("effect", "effect"): ["1", "null"],
}
HEADER_WRONG = {"seed": ['"4"', "-1", "4.5", str(2**64), "NaN", "9" * 5000], "scenario": ["5", "null"]}
REQUIRED_DATA = [
    ("compromise", "hosts"),
    ("expectation", "status"),
    ("command", "command"),
    ("effect", "effect"),
]


def mutate(lines: list[str], rng: random.Random) -> tuple[str, list[str]]:
    """One damaged copy of a log's lines, and what was done."""
    out = list(lines)
    how = rng.choice(["type", "data", "drop", "drop-data", "duplicate", "reorder", "header", "cut", "extra"])
    events = range(1, len(out))
    if how == "type":
        i, key = rng.choice(events), rng.choice(list(WRONG))
        out[i] = with_value(out[i], key, rng.choice(WRONG[key]))
        return f"{how} line {i + 1} {key}", out
    if how == "data":
        (kind, key), values = rng.choice(list(DATA_WRONG.items()))
        i = first(out, kind, key)
        out[i] = with_value(out[i], key, rng.choice(values))
        return f"{how} line {i + 1} {kind}.{key}", out
    if how == "drop":
        i, key = rng.choice(events), rng.choice(list(WRONG))
        record = json.loads(out[i])
        del record[key]
        out[i] = json.dumps(record, separators=(",", ":"))
        return f"{how} line {i + 1} {key}", out
    if how == "drop-data":
        kind, key = rng.choice(REQUIRED_DATA)
        i = first(out, kind, key)
        record = json.loads(out[i])
        del record["data"][key]
        out[i] = json.dumps(record, separators=(",", ":"))
        return f"{how} line {i + 1} {kind}.{key}", out
    if how == "duplicate":
        i = rng.choice(events)
        out.insert(i, out[i])
        return f"{how} line {i + 1}", out
    if how == "reorder":
        i, j = sorted(rng.sample(list(events), 2))
        out[i], out[j] = out[j], out[i]
        return f"{how} lines {i + 1} and {j + 1}", out
    if how == "header":
        key = rng.choice(list(HEADER_WRONG))
        header = json.loads(out[0])
        header[key] = "__MARK__"
        out[0] = json.dumps(header).replace('"__MARK__"', rng.choice(HEADER_WRONG[key]))
        return f"{how} {key}", out
    if how == "extra":  # a field no reader knows, holding what JSON from drill never holds
        i = rng.choice(events)
        out[i] = with_value(out[i], "zz", rng.choice(["NaN", "-Infinity", "1e999", "[1e400]"]))
        return f"{how} line {i + 1}", out
    i = rng.choice(range(1, len(out) - 1))  # a line cut short in the middle of the log
    out[i] = out[i][: rng.randrange(1, len(out[i]) - 1)]
    return f"{how} line {i + 1}", out


def fuzz(good: Path, folder: Path, seed: int, count: int) -> None:
    rng = random.Random(seed)
    lines = lines_of(good)
    commands: list[list[str]] = []
    what: dict[str, str] = {}
    for n in range(count):
        done, damaged = mutate(lines, rng)
        log = write(folder / f"m{n}.jsonl", damaged)
        for args in readers(log, folder, f"m{n}"):
            commands.append(args)
            what[json.dumps(args)] = done
    for r in drive(commands, timeout=60 * 60):
        try:
            assert_refused([r])
            assert "line " in r["err"] or "header" in r["err"], r["err"]  # where the damage is
        except AssertionError as exc:
            raise AssertionError(f"{what[json.dumps(r['args'])]}: {exc}") from None


def test_damaged_logs_are_refused_by_every_reader_never_with_a_traceback(good: Path, tmp_path: Path) -> None:
    fuzz(good, tmp_path, seed=14, count=8)  # 8 damaged logs × 6 readers, one subprocess


@pytest.mark.slow(quick="test_damaged_logs_are_refused_by_every_reader_never_with_a_traceback")
def test_many_damaged_logs_are_refused_by_every_reader(good: Path, tmp_path: Path) -> None:
    for seed in range(10):
        folder = tmp_path / f"seed-{seed}"
        folder.mkdir()
        fuzz(good, folder, seed=100 + seed, count=20)


def random_bytes(good: Path, tmp_path: Path, seed: int, count: int) -> None:
    """Blind damage may leave a log that is still valid (a digit changed in a time): then the
    readers may accept it; what they may never do is crash."""
    rng = random.Random(seed)
    raw = good.read_bytes()
    commands = []
    for n in range(count):
        damaged = bytearray(raw)
        for _ in range(rng.choice([1, 3, 20])):
            damaged[rng.randrange(len(damaged))] = rng.choice(b'0123456789.-e"{}[],:x\n\x00\xff')
        log = tmp_path / f"b{n}.jsonl"
        log.write_bytes(bytes(damaged))
        commands += readers(log, tmp_path, f"b{n}")
    for r in drive(commands, timeout=60 * 60):
        assert r["escaped"] is None, f"{r['args']}: escaped\n{r['escaped']}"
        assert r["code"] in (0, 1) and INTERNAL not in r["err"] and "Traceback" not in r["err"], r
        assert r["code"] == 0 or (r["out"] + r["err"]).strip(), r  # a verdict, or a refusal


def test_logs_with_a_few_random_bytes_changed_never_crash_a_reader(good: Path, tmp_path: Path) -> None:
    random_bytes(good, tmp_path, seed=7, count=6)  # 6 damaged logs × 6 readers, one subprocess


@pytest.mark.slow(quick="test_logs_with_a_few_random_bytes_changed_never_crash_a_reader")
def test_logs_with_random_bytes_changed_never_crash_a_reader(good: Path, tmp_path: Path) -> None:
    random_bytes(good, tmp_path, seed=7, count=60)


# ---------------------------------------------------------------------------------------------- limits
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    "command",
    [
        ["replay", "{p}", "--verify"],
        ["report", "{p}", "-o", "-"],
        ["run", "--decisions", "{p}"],
        ["validate", "{p}"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_pipe_is_refused_at_once_not_waited_on(tmp_path: Path, command: list[str]) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    args = [str(pipe) if a == "{p}" else a for a in command]
    result = subprocess.run(
        [sys.executable, "-m", "drill", "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=60,  # waiting for a writer would hang here for ever
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{pipe} is not a regular file" in result.stdout + result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="/dev/zero")
@pytest.mark.parametrize(
    "command", [["replay", "/dev/zero", "--at", "T+1h"], ["run", "--decisions", "/dev/zero"]]
)
def test_an_endless_device_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main(command) == 1
    assert "/dev/zero is not a regular file" in capsys.readouterr().err


def test_a_line_longer_than_any_event_is_refused_without_reading_it_whole(good: Path, tmp_path: Path) -> None:
    from drill.log import MAX_LINE_BYTES

    lines = lines_of(good)
    lines[3] = with_value(lines[3], "actor", '"' + "x" * (MAX_LINE_BYTES + 1) + '"')
    bad = write(tmp_path / "long.jsonl", lines)
    assert_refused(drive([["--lang", "en", "replay", str(bad), "--at", "T+1h"]]), "line 4:", "longer than")


def test_a_log_larger_than_the_limit_is_refused_from_its_size(
    good: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import drill.log

    monkeypatch.setattr(drill.log, "MAX_LOG_BYTES", good.stat().st_size - 1)
    assert main(["replay", str(good), "--at", "T+1h"]) == 1
    err = capsys.readouterr().err
    assert f"more than the {good.stat().st_size - 1} bytes a drill log may have" in err


# ---------------------------------------------------------------------------------------------- tampering
def test_resuming_an_altered_log_says_the_log_was_altered(good: Path, tmp_path: Path) -> None:
    from drill.diagnostics import DrillError
    from drill.session import Session

    lines = lines_of(good)
    i = first(lines, "compromise", "hosts")
    record = json.loads(lines[i])
    record["actor"] = record["actor"] + "-x"  # well formed, but not what the drill did
    lines[i] = json.dumps(record, separators=(",", ":"), ensure_ascii=False)
    altered = write(tmp_path / "altered.jsonl", lines)
    with pytest.raises(DrillError) as caught:
        Session.resume(altered)
    assert f"line {i + 1}" in caught.value.message and "the log was altered" in caught.value.message
    assert (
        "scenario" not in caught.value.message.split("line")[0] or "are those the log" in caught.value.message
    )


def test_resuming_after_the_scenario_changed_says_so(good: Path, tmp_path: Path) -> None:
    from drill.diagnostics import DrillError
    from drill.session import Session

    folder = tmp_path / "moved"
    folder.mkdir()
    log = record(folder, seed=4)
    scenario = folder / "sink.yaml"
    # a stage that never succeeds now: the re-run differs from the log
    scenario.write_text(scenario.read_text().replace("success: 0.5", "success: 0.0"), encoding="utf-8")
    with pytest.raises(DrillError) as caught:
        Session.resume(log)
    assert "the scenario has changed since this drill was recorded" in caught.value.message


def test_a_resumed_log_keeps_its_permissions(good: Path, tmp_path: Path) -> None:
    from drill.session import Session

    lines = lines_of(good)
    log = write(tmp_path / "open.jsonl", lines[: len(lines) // 2])  # a drill stopped half-way
    os.chmod(log, 0o644)
    session, _warnings = Session.resume(log)
    session.close()
    assert stat.S_IMODE(log.stat().st_mode) == 0o644


def test_every_event_a_drill_writes_fits_the_checked_shape(good: Path) -> None:
    from drill.log import read_log
    from drill.logcheck import EVENT_FIELDS

    kinds = {e.kind for e in read_log(good).events}
    assert len(kinds & set(EVENT_FIELDS)) >= 25  # the sink drill has nearly every kind; all read back
