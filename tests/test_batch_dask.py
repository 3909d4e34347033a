"""`drill batch --backend dask`: the same runs on a real Dask LocalCluster give the same results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drill.batch import executor, load_arm, run_batch
from drill.cli import main

pytest.importorskip("distributed")

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


def test_dask_in_this_process_equals_the_local_result(capsys):
    """The slow tests' comparison on a scheduler and one worker thread in this process, two runs:
    the command on its address gives the local figures."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        args = ["batch", "--runs", "2", "--seed", "2", "--json", "--backend", "dask"]
        assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
        remote = json.loads(capsys.readouterr().out)
    assert main(["batch", "--runs", "2", "--seed", "2", "--json", "--workers", "1"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert remote["backend"] == "dask" and remote["workers"] == 1
    assert remote["arms"] == local["arms"]


@pytest.mark.slow(quick="test_dask_in_this_process_equals_the_local_result")
def test_dask_local_cluster_equals_the_local_result(tmp_path):
    # a scenario whose topology is a file beside it: its text travels with the job
    shutil.copy(MINI / "mini-topology.yaml", tmp_path / "mini-topology.yaml")
    shutil.copy(MINI / "mini-ransomware.yaml", tmp_path / "mini.yaml")
    arms = [load_arm(None, []), load_arm(str(tmp_path / "mini.yaml"), ["teams.soc.staff=4"])]
    with executor("local", 1) as (pool, slots):
        local = run_batch(arms, 16, 9, pool, slots)
    with executor("dask", 2) as (pool, slots):
        assert slots == 2
        remote = run_batch(arms, 16, 9, pool, slots, "dask")
    assert not remote.interrupted
    assert remote.results == local.results
    assert [r["index"] for r in remote.results[1]] == list(range(16))


@pytest.mark.slow(quick="test_dask_in_this_process_equals_the_local_result")
def test_the_command_on_a_scheduler_address(capsys):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        args = ["batch", "--runs", "6", "--seed", "2", "--json", "--backend", "dask"]
        assert main([*args, "--scheduler", cluster.scheduler_address]) == 0
        remote = json.loads(capsys.readouterr().out)
    assert main(["batch", "--runs", "6", "--seed", "2", "--json", "--workers", "1"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert remote["backend"] == "dask" and remote["workers"] == 1
    assert remote["arms"] == local["arms"]
