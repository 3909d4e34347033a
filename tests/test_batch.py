"""`drill batch`: seeds, overrides, statistics, determinism across workers, comparisons, the CLI."""

from __future__ import annotations

import csv
import json
import math
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drill.batch import executor, load_arm, run_batch, run_seed, summarise
from drill.batch import runner as runner_module
from drill.batch.backends import InlineExecutor, StopRequest
from drill.batch.job import prepare, run_one, worker_pid
from drill.batch.overrides import split_key
from drill.batch.runner import chunk_size
from drill.batch.stats import paired, percentile, spread, t95, wilson
from drill.cli import main
from drill.diagnostics import DrillError
from drill.engine import Simulation
from drill.metrics import fold

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"

# Four nodes land at T+0 and are seen 5 minutes later; one team works a triage (10–30 min) and
# an isolation (10 min) per node. With five people all four are handled at once:
# contain = 5 + max of four triages + 10 ≈ 41 min. With one person the work queues:
# contain = 5 + the sum of four triages + 4 × 10 ≈ 125 min. The model implies ≈ 84 min less.
QUEUE_SCENARIO = """\
scenario: queue-test
title: {en: Four alerts at once, vi: Bốn cảnh báo cùng lúc}
description: {en: queueing for the batch tests, vi: hàng đợi cho kiểm thử loạt chạy}
unit: hk
audience: [soc]
topology: mini-topology.yaml
start: 2015-03-04T08:00:00+07:00
duration: 12h
seed: 1
teams:
  soc: {name: SOC, staff: 2, watches: {site: [hk, sdc, core]}}
attacker:
  campaigns:
    - id: rw
      stages:
        - {id: land, technique: T1566.001, at: T+0m, targets: {node: [hk-gw, hk-ws, wan-core, sdc-app]}}
detection:
  - {targets: {node: [hk-gw, hk-ws, wan-core, sdc-app]}, coverage: 1.0, delay: 5m}
playbooks:
  contain:
    steps:
      - {do: triage, takes: {uniform: [10m, 30m]}}
      - {do: isolate, takes: 10m}
objectives:
  - {metric: time_to_contain, under: 1h}
"""


@pytest.fixture
def queue_scenario(tmp_path: Path) -> str:
    shutil.copy(MINI / "mini-topology.yaml", tmp_path / "mini-topology.yaml")
    path = tmp_path / "queue.yaml"
    path.write_text(QUEUE_SCENARIO, encoding="utf-8")
    return str(path)


def _batch(arms, runs, seed, backend="local", workers=1):
    with executor(backend, workers) as (pool, slots):
        return run_batch(arms, runs, seed, pool, slots, backend)


# ---------------------------------------------------------------- seeds and statistics


def test_run_seeds_depend_only_on_the_batch_seed_and_index():
    seeds = [run_seed(7, i) for i in range(1000)]
    assert seeds == [run_seed(7, i) for i in range(1000)]
    assert len(set(seeds)) == 1000
    assert all(0 <= s < 2**63 for s in seeds)
    assert run_seed(8, 0) != run_seed(7, 0)


def test_t_quantiles_match_published_tables():
    for df, value in [(1, 12.706), (10, 2.228), (30, 2.042), (40, 2.021), (60, 2.000), (120, 1.980)]:
        assert t95(df) == pytest.approx(value, abs=0.001)
    assert t95(100_000) == pytest.approx(1.960, abs=0.001)


def test_percentiles_interpolate_like_numpy():
    data = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert percentile(data, 0.5) == 3.0
    assert percentile(data, 0.1) == pytest.approx(1.4)
    assert percentile(data, 0.9) == pytest.approx(7.6)
    assert percentile([5.0], 0.9) == 5.0


def test_spread_skips_missing_values_and_reports_their_share():
    s = spread([10.0, None, 20.0, 30.0, None])
    assert (s.runs, s.count, s.share) == (5, 3, 0.6)
    assert s.mean == 20.0 and s.p50 == 20.0
    half = 4.303 * 10.0 / math.sqrt(3)
    assert (s.ci_low, s.ci_high) == (pytest.approx(20 - half, abs=1e-3), pytest.approx(20 + half, abs=1e-3))
    cut = spread([0.0, 0.0, 0.0, 9.0], lower=0.0)
    assert cut.ci_low == 0.0 and cut.ci_high > 2.25
    assert spread([None, None]).mean is None


def test_wilson_interval():
    p = wilson(8, 10)
    assert (p.low, p.high) == (pytest.approx(0.490, abs=1e-3), pytest.approx(0.943, abs=1e-3))
    assert wilson(0, 50).low == 0.0 and 0.05 < wilson(0, 50).high < 0.08
    assert wilson(0, 0).p is None


def test_paired_differences():
    same = paired([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert same.mean == 0.0 and not same.significant
    shifted = paired([1.0, 2.0, 3.0, None], [3.0, 4.5, 4.8, 7.0])
    assert shifted.pairs == 3 and shifted.significant and shifted.mean == pytest.approx(2.1)
    noisy = paired([1.0, 5.0, 2.0, 8.0], [2.0, 3.0, 4.0, 6.0])
    assert not noisy.significant


# ---------------------------------------------------------------- overrides


def test_key_paths_split_into_keys_and_indexes():
    assert split_key("attacker.campaigns[0].stages[1].success") == [
        "attacker",
        "campaigns",
        0,
        "stages",
        1,
        "success",
    ]
    assert split_key("teams.city-soc.staff") == ["teams", "city-soc", "staff"]


def test_overrides_change_the_scenario():
    arm = load_arm(None, ["teams.city-soc.staff=5", "duration=6h"])
    assert arm.scenario.spec.teams["city-soc"].staff == 5
    assert arm.scenario.spec.duration == 360.0
    assert load_arm(None, []).scenario.spec.teams["city-soc"].staff != 5


def test_list_items_by_index_or_by_id_and_the_defenders_alias():
    by_index = load_arm(None, ["attacker.campaigns[0].stages[1].success=0.2"])
    by_id = load_arm(None, ["attacker.campaigns.ransomware.stages.lan-spread.success=0.2"])
    dotted = load_arm(None, ["attacker.campaigns.0.stages.1.success=0.2"])
    for arm in (by_index, by_id, dotted):
        assert arm.scenario.spec.attacker.campaigns[0].stages[1].success == 0.2
    alias = load_arm(None, ["defenders.teams.hoan-kiem-it.staff=4"])
    assert alias.scenario.spec.teams["hoan-kiem-it"].staff == 4


def test_an_override_may_set_a_key_not_written_and_a_whole_mapping():
    arm = load_arm(
        None, ["attacker.campaigns.ransomware.stages.phish.attempts=3", "playbooks.ransomware.auto=false"]
    )
    stage = arm.scenario.spec.attacker.campaigns[0].stages[0]
    assert stage.attempts == 3 and arm.scenario.spec.playbooks["ransomware"].auto is False
    arm = load_arm(None, ["attacker.campaigns.ransomware.stages.lan-spread.delay={uniform: [5m, 10m]}"])
    assert arm.scenario.spec.attacker.campaigns[0].stages[1].delay.uniform == (5.0, 10.0)


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("teams.city-sco.staff=5", ["--set teams.city-sco.staff=5", "no 'city-sco' in teams", "city-soc"]),
        ("teams.city-soc.staf=5", ["--set teams.city-soc.staf=5", "unknown key 'staf'", "staff"]),
        ("teams.city-soc.staff=many", ["--set teams.city-soc.staff=many", "expected a whole number"]),
        ("teams.city-soc.staff=-1", ["too small"]),
        ("attacker.campaigns.ransomware.stages.lan-spred.success=0.2", ["no item with id", "lan-spread"]),
        ("attacker.campaigns[3].id=x", ["has 1 item(s)", "no index 3"]),
        ("duration.hours=3", ["duration is a single value"]),
        ("teams.city-soc.staff", ["write KEY=VALUE"]),
        ("teams.city-soc.staff=[1", ["not valid YAML"]),
        ("tems.city-soc.staff=5", ["no 'tems' in the scenario", "teams"]),
        ("teams.city-soc.playbook=nothing", ["--set teams.city-soc.playbook=nothing", "unknown playbook"]),
    ],
)
def test_bad_overrides_get_a_clear_message(setting, expected):
    with pytest.raises(DrillError) as info:
        load_arm(None, [setting])
    for part in expected:
        assert part in info.value.message


def test_bad_override_on_the_command_line_exits_1(capsys):
    assert main(["batch", "--runs", "2", "--set", "teams.city-soc.staff=abc"]) == 1
    err = capsys.readouterr().err
    assert "--set teams.city-soc.staff=abc: expected a whole number" in err


# ---------------------------------------------------------------- running


def test_a_batch_run_equals_a_drill_run_with_that_seed():
    arm = load_arm(None, [])
    result = _batch([arm], 3, 11)
    for row in result.results[0]:
        sim = Simulation(arm.scenario, seed=row["seed"])
        snap = fold(arm.scenario, sim.run(), sim.now)
        assert row["figures"]["time_to_contain"] == snap.time_to_contain
        assert row["figures"]["hosts_ever"] == snap.hosts_ever
        assert row["figures"]["citizen_impact"] == snap.citizen_impact
        assert row["met"] == [o.met for o in snap.objectives]


def test_results_are_identical_for_one_and_two_workers(queue_scenario):
    arms = [load_arm(None, []), load_arm(queue_scenario, [])]
    one = _batch(arms, 24, 5, workers=1)
    two = _batch(arms, 24, 5, workers=2)
    assert [r["index"] for r in two.results[0]] == list(range(24))
    assert one.results == two.results
    assert summarise(one)["arms"] == summarise(two)["arms"]
    # and the runs differ from one another: the seeds do vary
    assert len({r["figures"]["hosts_ever"] for r in one.results[0]}) > 1


def test_a_worker_parses_a_job_once():
    arm = load_arm(None, [])
    assert prepare(arm.job) is prepare(arm.job)
    row = run_one(prepare(arm.job), 0, 123)
    assert row["seed"] == 123 and set(row["figures"]) == set(arm.metrics)


def test_staff_one_against_five_finds_the_difference_the_model_implies(queue_scenario):
    a = load_arm(queue_scenario, ["teams.soc.staff=1"])
    b = load_arm(queue_scenario, ["teams.soc.staff=1", "teams.soc.staff=5"])
    result = _batch([a, b], 40, 2015)
    comp = summarise(result)["comparison"]
    ttc = comp["metrics"]["time_to_contain"]
    assert ttc["a"].mean == pytest.approx(125, abs=5)
    assert ttc["b"].mean == pytest.approx(41, abs=3)
    diff = ttc["difference"]
    assert diff.significant and diff.pairs == 40
    assert diff.ci_low < -84 + 8 and diff.ci_high > -84 - 8
    assert diff.ci_high < -70
    assert not comp["metrics"]["time_to_detect"]["difference"].significant
    objective = comp["objectives"][0]
    assert objective["a"].p == 0.0 and objective["b"].p == 1.0


def test_a_scenario_against_itself_shows_no_difference(capsys):
    assert (
        main(
            [
                "batch",
                "--runs",
                "30",
                "--seed",
                "3",
                "--workers",
                "1",
                "--vs",
                "ransomware-hoan-kiem",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    comp = out["comparison"]
    assert comp["pairs"] == 30
    for name, c in comp["metrics"].items():
        assert not c["difference"]["significant"], name
        assert c["difference"]["mean"] in (0.0, None), name
    assert all(not o["difference"]["significant"] for o in comp["objectives"])


# ---------------------------------------------------------------- the command


def test_text_output_in_english_and_vietnamese(capsys):
    assert main(["batch", "--runs", "12", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "Batch of ransomware-hoan-kiem: 12 runs" in out
    assert "time to contain *" in out and "p90" in out and "95% CI" in out and "chance met" in out
    assert (
        main(
            ["--lang", "vi", "batch", "--runs", "12", "--workers", "1", "--vs-set", "teams.city-soc.staff=5"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Loạt chạy ransomware-hoan-kiem" in out and "thời gian ngăn chặn" in out
    assert "So sánh B − A" in out and "có ý nghĩa" in out


def test_json_csv_and_plot(tmp_path, capsys, queue_scenario):
    table, picture = tmp_path / "runs.csv", tmp_path / "cdf.png"
    args = [
        "batch",
        queue_scenario,
        "--runs",
        "10",
        "--seed",
        "4",
        "--workers",
        "1",
        "--set",
        "teams.soc.staff=1",
    ]
    assert main([*args, "--vs-set", "teams.soc.staff=5", "--csv", str(table), "--plot", str(picture)]) == 0
    assert f"written: {table}" in capsys.readouterr().out
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert len(rows) == 20 and {r["arm"] for r in rows} == {"A", "B"}
    assert [int(r["run"]) for r in rows if r["arm"] == "A"] == list(range(10))
    assert rows[0]["seed"] == f'="{run_seed(4, 0)}"' and float(rows[0]["time_to_contain"]) > 60
    assert picture.read_bytes()[:4] == b"\x89PNG"
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["seed"] == 4 and out["comparison"] is None
    ttc = out["arms"][0]["metrics"]["time_to_contain"]
    assert ttc["count"] == 10 and ttc["p10"] <= ttc["p50"] <= ttc["p90"]
    assert out["arms"][0]["objectives"][0]["p"]["p"] == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs must be between 1"),
        (["--workers", "0"], "--workers must be 1 or more"),
        (["--plot", "x.gif"], "must end in one of .png, .svg, .pdf"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler goes with --backend dask"),
        (["--vs", "no-such-scenario"], "no-such-scenario"),
    ],
)
def test_bad_arguments_exit_1(capsys, args, message):
    assert main(["batch", "--runs", "2", *args] if "--runs" not in args else ["batch", *args]) == 1
    assert message in capsys.readouterr().err


def test_missing_distributed_names_the_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert main(["batch", "--runs", "2", "--backend", "dask"]) == 1
    assert "pip install drill[cluster]" in capsys.readouterr().err


def test_ctrl_c_keeps_what_finished_and_exits_130(monkeypatch, capsys):
    calls = []
    real = runner_module.run_chunk

    def interrupted_later(job, arm, runs):
        calls.append(arm)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(job, arm, runs)

    monkeypatch.setattr(runner_module, "run_chunk", interrupted_later)
    assert main(["batch", "--runs", "40", "--workers", "1", "--vs-set", "teams.city-soc.staff=5"]) == 130
    captured = capsys.readouterr()
    assert "Stopped:" in captured.out and "interrupted" in captured.err
    assert "Comparison" in captured.out


def test_an_interrupted_batch_pairs_what_both_arms_finished():
    arms = [load_arm(None, []), load_arm(None, ["teams.city-soc.staff=5"])]

    class StopAfter(InlineExecutor):
        count = 0

        def submit(self, fn, /, *args, **kwargs):
            self.count += 1
            if self.count == 4:
                raise KeyboardInterrupt
            return super().submit(fn, *args, **kwargs)

    result = run_batch(arms, 40, 1, StopAfter(), 1)
    assert result.interrupted
    finished = [[r["index"] for r in rows] for rows in result.results]
    assert finished[0] and finished[0] == sorted(finished[0])
    assert result.common_indexes() == finished[1]
    assert summarise(result)["comparison"]["pairs"] == len(finished[1])


def test_a_deferred_stop_is_acted_on_at_the_runners_next_look():
    """With a pool, a Ctrl-C only notes the request (an exception raised inside the pool's own
    machinery could be lost there); the runner stops at its next look and keeps what finished."""
    from concurrent.futures import ThreadPoolExecutor

    arms = [load_arm(None, [])]
    request = StopRequest(defer=True)
    calls: list[int] = []
    real = runner_module.run_chunk

    def noted_after_two(job, arm, runs):  # noqa: ANN001, ANN202
        calls.append(arm)
        if len(calls) == 2:
            request(signal.SIGINT, None)  # what the handler gets: it must not raise here
        return real(job, arm, runs)

    with ThreadPoolExecutor(1) as pool:
        runner_module.run_chunk, saved = noted_after_two, runner_module.run_chunk
        try:
            result = run_batch(arms, 64, 1, pool, 1, signals=request)
        finally:
            runner_module.run_chunk = saved
    assert result.interrupted and request.received == [signal.SIGINT]
    done = result.completed(0)
    assert 2 * chunk_size(64, 1) <= done < 64  # what finished is kept, the rest was never sent


def test_every_worker_is_up_before_the_pool_is_used():
    """Ctrl-C while a worker was still being born left it to die with a traceback: the pool
    starts all its workers, and hears from each, before any work is sent."""
    with executor("local", 2) as (pool, slots):
        pids = {p.pid for p in pool._processes.values()}  # noqa: SLF001 — nothing public says it
        assert slots == 2 and len(pids) == 2
        assert {pool.submit(worker_pid).result() for _ in range(8)} <= pids


@pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT")
@pytest.mark.parametrize("moment", [0.4, 0.8, 1.2])
def test_ctrl_c_as_the_pool_starts_never_ends_in_a_traceback(moment):
    proc = _batch_in_its_own_group(50_000)
    try:
        time.sleep(moment)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        out, err = proc.communicate(timeout=60)
    finally:
        _kill_group_if_left(proc)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err, err[-2000:]


def _batch_in_its_own_group(runs: int) -> subprocess.Popen[str]:
    """``drill batch`` on two workers, in a process group of its own as a terminal's job is."""
    return subprocess.Popen(
        [sys.executable, "-m", "drill", "batch", "--runs", str(runs), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "DRILL_LANG": "en"},
    )


def _kill_group_if_left(proc: subprocess.Popen[str]) -> None:
    """A batch that did not stop is not left running with its pool after the test."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.mark.skipif(os.name != "posix", reason="process groups, SIGINT and a terminal")
def test_sigint_stops_a_process_pool_as_it_starts():
    """The slow test's Ctrl-C, as soon as the pool's first runs are done: the progress bar (on a
    terminal) says when, instead of three seconds of runs."""
    total = 50_000
    terminal, stderr = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "drill", "batch", "--runs", str(total), "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        start_new_session=True,
        env={**os.environ, "DRILL_LANG": "en", "COLUMNS": "120"},
    )
    os.close(stderr)
    err = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        int(done) > 0 for done in re.findall(rb"(\d+)/%d" % total, err)
    ):
        if select.select([terminal], [], [], 0.5)[0]:
            err += os.read(terminal, 65536)
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        out, _ = proc.communicate(timeout=60)
    finally:
        _kill_group_if_left(proc)
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the batch has closed the terminal's other end
            break
        if not chunk:
            break
        err += chunk
    os.close(terminal)
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, text[-3000:]
    assert "Stopped:" in out and "Traceback" not in text


@pytest.mark.slow(quick="test_sigint_stops_a_process_pool_as_it_starts")
@pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT")
def test_sigint_stops_a_process_pool_cleanly():
    proc = _batch_in_its_own_group(100_000)
    try:
        time.sleep(3.0)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        out, err = proc.communicate(timeout=60)
    finally:
        _kill_group_if_left(proc)
    assert proc.returncode == 130, err
    assert "Stopped:" in out and "Traceback" not in err


def test_decisions_apply_to_every_run(capsys):
    decisions = str(ROOT / "scenarios" / "decisions" / "ransomware-hoan-kiem.yaml")
    args = ["batch", "--runs", "8", "--seed", "1", "--workers", "1", "--json"]
    assert main([*args, "--decisions", decisions]) == 0
    with_plan = json.loads(capsys.readouterr().out)["arms"][0]
    assert main(args) == 0
    without = json.loads(capsys.readouterr().out)["arms"][0]
    assert with_plan["metrics"]["expectations_met"]["mean"] > without["metrics"]["expectations_met"]["mean"]
    assert with_plan["refused_runs"] == 0
