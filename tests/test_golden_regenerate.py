"""Regenerating the golden logs says what changed and refuses to write without a reason."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from golden_cases import golden_lines
from golden_diff import compare

GOLDEN = Path(__file__).resolve().parent / "golden"
CASE = "engine-worm-seed-3-decisions"


def _regenerate():
    spec = importlib.util.spec_from_file_location("regenerate", GOLDEN / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _line(t, seq, kind, target, **data):
    return json.dumps({"t": t, "seq": seq, "kind": kind, "actor": "x", "target": target, "data": data})


HEADER = json.dumps({"format": "drill-log", "seed": 1, "scenario_sha256": "aa"})
OLD = [
    HEADER,
    _line(0.0, 0, "drill_start", "s"),
    _line(10.0, 1, "compromise", "ws", hosts=1),
    _line(20.0, 2, "compromise", "srv", hosts=1),
    _line(30.0, 3, "service_down", "app", reason="node:srv"),
    _line(60.0, 4, "drill_end", "s"),
]


def test_an_event_added_removed_or_changed_is_reported_by_kind_and_node():
    new = [
        HEADER.replace('"aa"', '"bb"'),
        _line(0.0, 0, "drill_start", "s"),
        _line(10.0, 1, "compromise", "ws", hosts=1),
        _line(12.0, 2, "detection", "ws", how="sensor"),  # added
        # the compromise of srv is gone
        _line(35.0, 3, "service_down", "app", reason="node:db"),  # changed: t and reason
        _line(60.0, 4, "drill_end", "s"),  # renumbered only: not a change
    ]
    changes = compare("case", OLD, new)
    assert [(e["kind"], e["target"]) for e in changes.added] == [("detection", "ws")]
    assert [(e["kind"], e["target"]) for e in changes.removed] == [("compromise", "srv")]
    assert [(a["kind"], a["target"], fields) for a, _b, fields in changes.changed] == [
        ("service_down", "app", ["t", "data.reason"])
    ]
    assert changes.header == ["scenario_sha256"]
    assert changes.first_difference == 1
    text = "\n".join(changes.lines())
    assert "1 added, 1 removed, 1 changed" in text
    assert "detection" in text and "srv ×1" in text and "t, data.reason" in text


def test_a_log_that_only_renumbers_is_a_change_of_nothing_but_its_lines():
    same = compare("case", OLD, list(OLD))
    assert same.unchanged and same.lines() == ["case: unchanged (6 lines)"]


def _current() -> str:
    """The case's log as the engine writes it now — not the committed golden, which may be stale
    until it is regenerated: these tests are about regenerate.py, not about the engine."""
    return "".join(line + "\n" for line in golden_lines(CASE))


def test_without_a_reason_it_prints_the_summary_and_writes_nothing(tmp_path, capsys):
    current = _current()
    doctored = current.splitlines()
    del doctored[5]
    (tmp_path / f"{CASE}.jsonl").write_text("\n".join(doctored) + "\n", encoding="utf-8")
    before = (tmp_path / f"{CASE}.jsonl").read_bytes()
    regenerate = _regenerate()
    assert regenerate.main([CASE], folder=tmp_path) == 1
    out = capsys.readouterr()
    assert "1 added" in out.out and "--reason" in out.err
    assert (tmp_path / f"{CASE}.jsonl").read_bytes() == before

    assert regenerate.main(["--reason", "a test", CASE], folder=tmp_path) == 0
    assert (tmp_path / f"{CASE}.jsonl").read_text(encoding="utf-8") == current
    assert "Golden logs: a test" in capsys.readouterr().out


def test_an_unchanged_log_needs_no_reason(tmp_path):
    (tmp_path / f"{CASE}.jsonl").write_text(_current(), encoding="utf-8")
    before = (tmp_path / f"{CASE}.jsonl").read_bytes()
    assert _regenerate().main([CASE], folder=tmp_path) == 0
    assert (tmp_path / f"{CASE}.jsonl").read_bytes() == before
