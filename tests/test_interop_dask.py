"""`drill batch --backend dask --scheduler …` when the workers are gone: it gives up after
--worker-timeout, says so, keeps the runs that finished, and reports the workers that really ran.

The quick test runs a real scheduler in this process with no worker at all; the slow one starts a
scheduler and two worker processes on the loopback, and kills the workers in the middle of a batch.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drill.cli import main

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.filterwarnings("ignore:Port .* is already in use")  # another cluster's web page
def test_a_cluster_without_workers_gives_up_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    from distributed import LocalCluster

    # a real scheduler (in this process), and no worker process
    with LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        started = time.monotonic()
        args = [
            "batch",
            "--runs",
            "4",
            "--json",
            "--backend",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
        ]
        assert main([*args, "--worker-timeout", "1"]) == 1
        waited = time.monotonic() - started
    out, err = capsys.readouterr()
    assert "no Dask worker in the cluster for 1 s: gave up after 0 of 4 runs" in err
    summary = json.loads(out)
    assert summary["workers"] == 0 and summary["interrupted"] is True
    assert 1 <= waited < 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--worker-timeout", "5"], "--worker-timeout goes with --backend dask"),
        (
            ["--backend", "dask", "--worker-timeout", "0"],
            "--worker-timeout must be a number of seconds above 0",
        ),
        (
            ["--backend", "dask", "--worker-timeout", "nan"],
            "--worker-timeout must be a number of seconds above 0",
        ),
    ],
)
def test_bad_worker_timeouts_are_refused(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["batch", "--runs", "2", *args]) == 1
    assert message in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(module: str, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.mark.slow(quick="test_a_cluster_without_workers_gives_up_with_a_message")
def test_killing_every_worker_mid_batch_keeps_what_finished(tmp_path: Path) -> None:
    from distributed import Client

    address = f"tcp://127.0.0.1:{_free_port()}"
    processes = [
        _start(
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            address.rsplit(":", 1)[1],
            "--no-dashboard",
        )
    ]
    try:
        workers = [
            _start("distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard")
            for _ in range(2)
        ]
        processes += workers
        with Client(address, timeout="60s") as watcher:
            watcher.wait_for_workers(2, timeout=120)
            table = tmp_path / "runs.csv"
            batch = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "drill",
                    "batch",
                    "grassroots-district-drill",
                    "--runs",
                    "5000",
                    "--backend",
                    "dask",
                    "--scheduler",
                    address,
                    "--worker-timeout",
                    "3",
                    "--csv",
                    str(table),
                ],
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            # both workers have run some chunks: then they are killed, without a word to anyone
            deadline = time.monotonic() + 120
            while True:
                done = watcher.run(lambda dask_worker: dask_worker.state.executed_count)
                if len(done) == 2 and min(done.values()) >= 3:
                    break
                assert time.monotonic() < deadline and batch.poll() is None, "the batch never got going"
                time.sleep(0.2)
            for worker in workers:
                os.kill(worker.pid, signal.SIGKILL)
            killed = time.monotonic()
            out, err = batch.communicate(timeout=120)
            waited = time.monotonic() - killed
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
    assert batch.returncode == 1, err
    rows = list(csv.DictReader(table.open(encoding="utf-8", newline="")))
    runs_done = len(rows)
    assert 0 < runs_done < 5000 and len({r["run"] for r in rows}) == runs_done
    assert f"no Dask worker in the cluster for 3 s: gave up after {runs_done} of 5000 runs" in err
    assert "2 worker(s) (dask)" in out  # both ran runs before they died
    assert f"Stopped: {runs_done} of 5000 runs finished" in out
    assert 3 <= waited < 60  # the time out, plus a little; not forever
