"""No writer loses a file: an output that is one of the command's inputs is refused always, an
existing file unless --force, and what is written replaces the old file whole or not at all,
keeping its permissions."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_replay_helpers import record, write_sink

from drill.cli import main
from drill.log import read_log

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("outputs"), seed=4)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--lang", "en", *args])
    return code, capsys.readouterr().err


# ---------------------------------------------------------------------------------------------- inputs
def test_run_never_writes_its_log_over_its_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, _ = write_sink(tmp_path)
    before = scenario.read_bytes()
    for force in ([], ["--force"]):
        code, err = run(capsys, "run", str(scenario), "--log", str(scenario), *force)
        assert code == 1 and f"{scenario} is an input of this command" in err
    assert scenario.read_bytes() == before


def test_run_never_writes_its_log_over_its_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, decisions = write_sink(tmp_path)
    before = decisions.read_bytes()
    link = tmp_path / "same-decisions.yaml"
    link.symlink_to(decisions)  # another name for the same file is the same file
    code, err = run(
        capsys, "run", str(scenario), "--decisions", str(decisions), "--log", str(link), "--force"
    )
    assert code == 1 and "an input of this command" in err
    assert decisions.read_bytes() == before


def test_run_keeps_a_recorded_drill_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    log = tmp_path / "kept.jsonl"
    log.write_bytes(recorded.read_bytes())
    os.chmod(log, 0o640)
    code, err = run(capsys, "run", "--seed", "3", "--log", str(log))
    assert code == 1 and f"{log} already exists" in err and "--force" in err
    assert log.read_bytes() == recorded.read_bytes()
    assert run(capsys, "run", "--seed", "3", "--log", str(log), "--force")[0] == 0
    assert read_log(log).header["seed"] == 3  # replaced …
    assert stat.S_IMODE(log.stat().st_mode) == 0o640  # … with its permissions kept
    assert [p.name for p in tmp_path.iterdir()] == ["kept.jsonl"]  # no temporary file left


def test_report_never_replaces_its_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    log = tmp_path / "a.jsonl"
    log.write_bytes(recorded.read_bytes())
    for force in ([], ["--force"]):
        code, err = run(capsys, "report", str(log), "--format", "md", "-o", str(log), *force)
        assert code == 1 and "an input of this command" in err
    assert log.read_bytes() == recorded.read_bytes()


def test_report_keeps_an_existing_report_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    log = tmp_path / "a.jsonl"
    log.write_bytes(recorded.read_bytes())
    edited = tmp_path / "a.report.html"
    edited.write_text("the improvement plan, filled in by hand", encoding="utf-8")
    code, err = run(capsys, "report", str(log))
    assert code == 1 and f"{edited} already exists" in err
    assert edited.read_text(encoding="utf-8") == "the improvement plan, filled in by hand"
    assert run(capsys, "report", str(log), "--force")[0] == 0
    assert "<html" in edited.read_text(encoding="utf-8")


def test_a_branch_never_overwrites_another_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recorded: Path
) -> None:
    log = tmp_path / "a.jsonl"
    other = tmp_path / "other.jsonl"
    log.write_bytes(recorded.read_bytes())
    other.write_bytes(recorded.read_bytes())
    code, err = run(capsys, "replay", str(log), "--branch-at", "T+1h", "--log", str(other))
    assert code == 1 and f"{other} already exists" in err
    assert other.read_bytes() == recorded.read_bytes()
    assert run(capsys, "replay", str(log), "--branch-at", "T+1h", "--log", str(other), "--force")[0] == 0
    assert read_log(other).header["branched_from"]["at"] == 60.0


@pytest.mark.parametrize(
    "command",
    [
        ["topology", "export", "hanoi", "-o", "{out}"],
        ["topology", "generate", "--sites", "2", "--hosts-per-site", "2", "-o", "{out}"],
        ["schema", "scenario", "-o", "{out}"],
        ["batch", "--runs", "2", "--workers", "1", "--csv", "{out}"],
        ["batch", "--runs", "2", "--workers", "1", "--plot", "{out}"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_writer_keeps_an_existing_file_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    suffix = {"--plot": ".png", "generate": ".yaml", "--csv": ".csv"}
    out = tmp_path / ("out" + next((s for k, s in suffix.items() if k in command), ".json"))
    out.write_text("someone's work", encoding="utf-8")
    args = [str(out) if a == "{out}" else a for a in command]
    code, err = run(capsys, *args)
    assert code == 1 and f"{out} already exists" in err
    assert out.read_text(encoding="utf-8") == "someone's work"
    assert run(capsys, *args, "--force")[0] == 0
    assert out.read_bytes() != b"someone's work"


def test_a_batch_refuses_its_outputs_before_it_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, decisions = write_sink(tmp_path)
    before = scenario.read_bytes()
    code, err = run(capsys, "batch", str(scenario), "--runs", "2", "--workers", "1", "--csv", str(scenario))
    assert code == 1 and "an input of this command" in err
    code, err = run(
        capsys,
        "batch",
        str(scenario),
        "--runs",
        "2",
        "--decisions",
        str(decisions),
        "--plot",
        str(decisions) + ".png",
    )
    assert code == 0 or "an input" not in err  # a new file beside an input is fine
    assert scenario.read_bytes() == before


def test_a_topology_export_never_replaces_its_topology(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    topology = tmp_path / "city.yaml"
    topology.write_bytes((ROOT / "topology" / "hanoi.yaml").read_bytes())
    before = topology.read_bytes()
    code, err = run(
        capsys, "topology", "export", str(topology), "--format", "json", "-o", str(topology), "--force"
    )
    assert code == 1 and "an input of this command" in err
    assert topology.read_bytes() == before


# ---------------------------------------------------------------------------------------------- atomic
def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    from drill.outputs import atomic_writer

    target = tmp_path / "report.html"
    target.write_text("the old report", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_writer(target) as out:
        out.write("half of the new one")
        raise RuntimeError("the renderer failed half-way")
    assert target.read_text(encoding="utf-8") == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_writing_through_a_link_replaces_what_it_points_at(tmp_path: Path) -> None:
    from drill.outputs import write_text

    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


@pytest.mark.skipif(not hasattr(os, "setrlimit") and sys.platform != "linux", reason="file size limits")
def test_a_full_disk_during_run_says_so_and_keeps_the_old_log(tmp_path: Path, recorded: Path) -> None:
    log = tmp_path / "x.jsonl"
    log.write_bytes(recorded.read_bytes())
    script = (
        "import resource, sys\n"
        "from drill.cli import main\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4000, resource.RLIM_INFINITY))\n"  # a full disk
        f"sys.exit(main(['--lang', 'en', 'run', '--seed', '5', '--log', {str(log)!r}, '--force']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"cannot write the log {log}: File too large" in result.stderr
    assert log.read_bytes() == recorded.read_bytes()  # the old log whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.jsonl"]
