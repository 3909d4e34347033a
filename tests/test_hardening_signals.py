"""A batch stopped by kill (SIGTERM) or a closed terminal (SIGHUP) stops as Ctrl-C does: it keeps
and says what finished, and leaves no process behind (pool workers, fork server, resource tracker)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="process groups read from /proc")


def _group(pgid: int) -> list[int]:
    """The processes still in process group ``pgid`` (zombies are gone already, as far as
    anyone can tell: they hold no resources and cannot run)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _start_batch() -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "drill", "batch", "--runs", "100000", "--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a job
        env={**os.environ, "DRILL_LANG": "en", "PYTHONPATH": str(ROOT)},
    )
    # wait until the pool is up: the drill process, the fork server, the tracker, two workers
    deadline = time.monotonic() + 60
    while len(_group(proc.pid)) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert len(_group(proc.pid)) >= 5, "the batch never started its pool"
    time.sleep(1.0)  # some runs finish
    return proc


@pytest.mark.parametrize(
    ("sig", "whole_group", "code"),
    [
        (signal.SIGTERM, False, 128 + signal.SIGTERM),  # `kill PID`
        (signal.SIGTERM, True, 128 + signal.SIGTERM),  # `kill -- -PGID`, a service manager
        (signal.SIGHUP, True, 128 + signal.SIGHUP),  # the terminal closes: its whole job
    ],
    ids=["term-parent", "term-group", "hup-group"],
)
def test_a_stopped_batch_keeps_its_results_and_leaves_nothing_behind(
    sig: signal.Signals, whole_group: bool, code: int
) -> None:
    proc = _start_batch()
    pgid = proc.pid
    try:
        if whole_group:
            os.killpg(pgid, sig)
        else:
            os.kill(proc.pid, sig)
        out, err = proc.communicate(timeout=30)  # leftovers would hold its pipes open
        deadline = time.monotonic() + 5
        while _group(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _group(pgid)
    finally:
        if _group(pgid):
            os.killpg(pgid, signal.SIGKILL)
    assert left == [], f"left behind: {left}"
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert "Stopped:" in out and "interrupted" in err  # what finished is kept and said
