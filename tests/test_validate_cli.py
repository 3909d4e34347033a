"""``drill validate PATH...``: text and JSON output, exit codes, folders, Vietnamese."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from drill.cli import main
from drill.data import bundled_scenarios, bundled_topologies

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "fixtures" / "mini"
CORPUS = TESTS / "corpus"
LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?:(?P<path>[^\s:]+): )?(?P<message>.+)$")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_files_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(MINI), str(bundled_scenarios()["ransomware-hoan-kiem"]), str(bundled_topologies()["hanoi"])]
    code, out, err = run(capsys, *files)
    assert code == 0, out + err
    assert "mini-ransomware.yaml: valid (scenario)" in out
    assert "hanoi.yaml: valid (topology)" in out
    assert "4 file(s) checked, all valid" in out


def test_every_problem_is_printed_as_file_line_col_path_message(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "scenarios" / "hanoi-unknown-names.yaml"
    code, out, err = run(capsys, str(path))
    assert code == 1 and not err
    lines = out.splitlines()
    problems = [LINE.match(line) for line in lines[:-1]]
    assert all(problems), lines
    assert [(m["line"], m["path"]) for m in problems if m] == [
        ("11", "unit"),
        ("17", "teams.city-soc.watches.zone[0]"),
        ("22", "attacker.campaigns[0].stages[0].targets.node"),
        ("23", "attacker.campaigns[0].stages[1].targets.group"),
        ("26", "injects[1].when.service_down.service"),
    ]
    assert all(m["file"] == str(path) for m in problems if m)
    assert "did you mean hoan-kiem-ws" in out
    assert lines[-1] == "1 file(s) checked: 5 problem(s) in 1 file(s)"


def test_a_folder_reports_every_file_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / "topologies"
    files = sorted(folder.glob("*.yaml"))
    code, out, _ = run(capsys, str(folder))
    assert code == 1
    for path in files:
        assert f"{path}:" in out, path.name
    summary = out.splitlines()[-1]
    problems = sum(1 for line in out.splitlines() if LINE.match(line))
    assert summary == f"{len(files)} file(s) checked: {problems} problem(s) in {len(files)} file(s)"


def test_valid_and_invalid_together_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(MINI), str(CORPUS / "scenarios" / "misspelt-key.yaml"))
    assert code == 1
    assert "mini-topology.yaml: valid (topology)" in out
    assert "unknown key 'staf'; did you mean staff?" in out
    assert out.splitlines()[-1] == "3 file(s) checked: 2 problem(s) in 1 file(s)"


def test_a_missing_path_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, str(tmp_path / "nope.yaml"))
    assert code == 1 and "nope.yaml: no such file or folder" in out
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 1 and "no scenario or topology files here" in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    bad = CORPUS / "scenarios" / "unknown-team.yaml"
    code, out, err = run(capsys, "--format", "json", str(MINI / "mini-topology.yaml"), str(bad))
    assert code == 1 and not err
    report = json.loads(out)
    assert report["valid"] is False
    assert report["missing"] == []
    good, wrong = report["files"]
    assert good == {
        "file": str(MINI / "mini-topology.yaml"),
        "kind": "topology",
        "valid": True,
        "diagnostics": [],
        "warnings": [],
    }
    assert wrong["file"] == str(bad) and wrong["kind"] == "scenario" and wrong["valid"] is False
    assert len(wrong["diagnostics"]) == 4
    for diag in wrong["diagnostics"]:
        assert set(diag) == {"file", "line", "col", "path", "message", "code"}
        assert diag["file"] == str(bad)
        assert isinstance(diag["line"], int) and diag["line"] >= 1
        assert isinstance(diag["col"], int) and diag["col"] >= 1
        assert isinstance(diag["path"], str) and isinstance(diag["message"], str) and diag["message"]
        assert diag["code"] == "reference"
    first = wrong["diagnostics"][0]
    assert (first["line"], first["col"], first["path"]) == (10, 12, "audience[0]")
    assert first["message"] == "unknown team 'socc'; did you mean soc?"


def test_json_output_when_all_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", str(MINI))
    assert code == 0
    report = json.loads(out)
    assert report["valid"] is True
    assert [f["kind"] for f in report["files"]] == ["scenario", "topology"]


def test_json_output_for_unreadable_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "--format", "json", str(CORPUS / "scenarios" / "syntax-error.yaml"), str(tmp_path / "x")
    )
    assert code == 1
    report = json.loads(out)
    assert report["missing"] and "no such file" in report["missing"][0]
    (diag,) = report["files"][0]["diagnostics"]
    assert (diag["line"], diag["col"], diag["path"], diag["code"]) == (8, 9, "", "syntax")


def test_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "vi", "validate", str(CORPUS / "scenarios" / "misspelt-key.yaml")])
    out, _ = capsys.readouterr()
    assert code == 1
    assert "khoá không hợp lệ 'staf'; có phải ý bạn là staff?" in out
    assert "đã kiểm tra 1 tệp: 2 lỗi trong 1 tệp" in out
    code = main(["--lang", "vi", "validate", str(MINI)])
    out, _ = capsys.readouterr()
    assert code == 0 and "hợp lệ (kịch bản)" in out and "tất cả hợp lệ" in out


@pytest.mark.parametrize(
    "name,text",
    [
        ("scenarios/bad-distribution.yaml", "không phải phân phối thời gian"),
        ("scenarios/python-tag.yaml", "không cho phép thẻ !!python/object/apply:os.system"),
        ("scenarios/topology-traversal.yaml", "ra ngoài thư mục của kịch bản"),
        ("topologies/billion-laughs.yaml", "bom alias"),
        ("topologies/service-cycle.yaml", "phụ thuộc vòng tròn"),
    ],
)
def test_vietnamese_json(capsys: pytest.CaptureFixture[str], name: str, text: str) -> None:
    code = main(["--lang", "vi", "validate", "--format", "json", str(CORPUS / name)])
    out, _ = capsys.readouterr()
    assert code == 1
    assert text in out  # not escaped: JSON for tools and people alike
    messages = [d["message"] for f in json.loads(out)["files"] for d in f["diagnostics"]]
    assert any(text in m for m in messages)


def test_the_whole_corpus_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "json", str(CORPUS))
    assert code == 1 and not err
    files = json.loads(out)["files"]
    helpers = [f for f in files if f["valid"]]
    assert [Path(f["file"]).name for f in helpers] == ["mini-topology.yaml"]
    assert len(files) - len(helpers) >= 30


def test_a_scenario_copied_elsewhere_still_finds_its_topology(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for path in MINI.iterdir():
        shutil.copy(path, tmp_path / path.name)
    code, out, _ = run(capsys, str(tmp_path / "mini-ransomware.yaml"))
    assert code == 0, out


def test_a_path_too_long_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "a" * 5000)
    assert code == 1 and "cannot read" in out and not err


def test_a_bug_while_checking_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import drill.model.check as check

    def broken(path: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "_check", broken)
    code, out, err = run(capsys, str(MINI / "mini-topology.yaml"))
    assert code == 1 and not err
    assert "this is a bug in drill" in out and "RuntimeError: boom" in out
