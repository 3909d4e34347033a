"""A live drill whose log cannot be written (a full disk, a removed file) keeps going, says so and
lets the facilitator save every event elsewhere; a drill killed at any moment resumes exactly."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from drill.cli import main
from drill.engine.commands import load_decisions
from drill.log import read_log
from drill.model.load import load_scenario
from drill.session import Session, first_difference, resimulate

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "scenarios" / "decisions" / "ransomware-hoan-kiem.yaml"


class FullDisk:
    """A log file on a disk that fills up after ``room`` more characters."""

    def __init__(self, real: Any, room: int) -> None:
        self.real, self.room = real, room

    def write(self, text: str) -> int:
        self.room -= len(text)
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return int(self.real.write(text))

    def flush(self) -> None:
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def drill_with_decisions(session: Session) -> None:
    """The default drill to its end, the sample decisions entered at their times."""
    for decision in load_decisions(DECISIONS):
        session.advance_to(decision.at)
        session.apply(decision)
    session.advance_to(session.sim.end)


def test_a_full_disk_stops_the_log_not_the_drill_and_nothing_is_lost(tmp_path: Path) -> None:
    scenario = load_scenario(None)
    session = Session(scenario, seed=7, log_path=tmp_path / "drill.jsonl")
    assert session.writer is not None
    session.advance(60)
    session.writer.file = FullDisk(session.writer.file, room=3000)
    drill_with_decisions(session)  # no exception: the drill goes on to its end
    assert session.finished
    assert session.log_error == os.strerror(errno.ENOSPC)
    on_disk = read_log(tmp_path / "drill.jsonl").events
    assert len(on_disk) < len(session.sim.events)  # the log stopped …
    saved = session.save_log(tmp_path / "elsewhere.jsonl")  # … and every event is saved elsewhere
    session.close()
    log = read_log(saved)
    assert [e.seq for e in log.events] == list(range(len(session.sim.events)))
    again = resimulate(scenario, 7, log.events)
    assert first_difference(log.events, again.events) is None  # and verifies


def test_a_log_removed_during_the_drill_is_noticed_and_saved_elsewhere(tmp_path: Path) -> None:
    session = Session(load_scenario(None), seed=7, log_path=tmp_path / "drill.jsonl")
    session.advance(60)
    os.unlink(tmp_path / "drill.jsonl")  # someone tidies the folder
    session.advance(60)
    session.sync()
    assert session.log_error and "removed" in session.log_error
    session.advance(60)
    saved = session.save_log(tmp_path / "saved.jsonl")
    session.advance(60)  # and it carries on writing there
    session.close()
    assert read_log(saved).events == session.sim.events


def test_quitting_with_a_failed_log_saves_the_drill_in_a_rescue_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from drill.commands.play import finish

    session = Session(load_scenario(None), seed=7, log_path=tmp_path / "drill.jsonl")
    assert session.writer is not None
    session.writer.file = FullDisk(session.writer.file, room=0)
    session.advance(120)
    assert finish(session, 0) == 1
    err = capsys.readouterr().err
    rescued = tmp_path / "drill.rescued-1.jsonl"
    assert (
        f"THE LOG COULD NOT BE WRITTEN (No space left on device); the drill was saved instead in {rescued}"
        in err
    )
    assert read_log(rescued).events == session.sim.events


RLIMIT_SCRIPT = """
import json, resource, sys
from drill.model.load import load_scenario
from drill.session import Session
session = Session(load_scenario(None), seed=7, log_path=sys.argv[1])
session.advance(30)
size = session.writer.file.tell()
resource.setrlimit(resource.RLIMIT_FSIZE, (size + 2000, resource.RLIM_INFINITY))  # the disk fills
session.advance_to(session.sim.end)
failed = session.log_error
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
saved = session.save_log(sys.argv[2])
session.close()
print(json.dumps({"error": failed, "events": len(session.sim.events), "finished": session.finished}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE")
def test_a_file_size_limit_in_a_real_process(tmp_path: Path) -> None:
    log, saved = tmp_path / "drill.jsonl", tmp_path / "saved.jsonl"
    result = subprocess.run(
        [sys.executable, "-c", RLIMIT_SCRIPT, str(log), str(saved)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["error"] == "File too large" and outcome["finished"]
    assert len(read_log(log).events) < outcome["events"] == len(read_log(saved).events)
    assert main(["replay", str(saved), "--verify"]) == 0


# ---------------------------------------------------------------------------------------------- the TUI
def test_the_live_drill_warns_and_offers_to_save_the_log_elsewhere(tmp_path: Path) -> None:
    from textual.widgets import Input

    from drill.tui.app import make_app
    from drill.tui.screens.dialogs import AskScreen

    async def body() -> None:
        app = make_app(seed=7, log_path=tmp_path / "drill.jsonl")
        async with app.run_test(size=(160, 50)) as pilot:
            app.session.advance(30)
            assert app.session.writer is not None
            app.session.writer.file = FullDisk(app.session.writer.file, room=0)
            app.session.advance(30)
            app._synced = 0.0  # the next tick syncs the log
            app._tick()
            await pilot.pause()
            notices = [n.message for n in app._notifications]
            assert any("THE LOG CANNOT BE WRITTEN (No space left on device)" in m for m in notices)
            assert isinstance(app.screen, AskScreen)  # where to save it?
            entry = app.screen.query_one(Input)
            entry.value = str(tmp_path / "saved.jsonl")
            await pilot.press("enter")
            await pilot.pause()
            assert app.session.log_path == tmp_path / "saved.jsonl" and not app.session.log_error
            app.session.advance(30)
            app.session.sync()
            assert read_log(tmp_path / "saved.jsonl").events == app.session.sim.events

    asyncio.run(body())


# ---------------------------------------------------------------------------------------------- SIGKILL
KILLED_SCRIPT = """
import sys, time
from drill.engine.commands import load_decisions
from drill.model.load import load_scenario
from drill.session import Session
session = Session(load_scenario(None), seed=int(sys.argv[2]), log_path=sys.argv[1])
decisions = load_decisions(sys.argv[3])
print("started", flush=True)
while not session.finished:  # the live drill's loop: slices of drill time, decisions as they come
    while decisions and decisions[0].at <= session.now:
        session.apply(decisions.pop(0))
    session.advance(0.5)
    session.sync()
    time.sleep(0.002)
"""


def kill_at_random_moments(folder: Path, moments: int, seed: int) -> None:
    rng = random.Random(seed)
    mid_drill = 0
    for n in range(moments):
        log = folder / f"killed-{n}.jsonl"
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_SCRIPT, str(log), str(seed + n), str(DECISIONS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)  # the laptop dies, mid-write perhaps
        proc.wait(timeout=30)
        mid_drill += not read_log(log).ended
        session, _warnings = Session.resume(log)  # what `drill play --resume` does
        rebuilt = len(session.sim.events)
        session.advance_to(min(session.now + 30, session.sim.end))  # and the drill carries on
        session.close()
        after = read_log(log)
        assert len(after.events) >= rebuilt
        assert main(["replay", str(log), "--verify"]) == 0, f"moment {n}"
    assert mid_drill >= moments // 2  # most kills came before the drill's end


def test_a_drill_killed_at_random_moments_resumes_and_verifies(tmp_path: Path) -> None:
    kill_at_random_moments(tmp_path, moments=20, seed=1)


@pytest.mark.slow(quick="test_a_drill_killed_at_random_moments_resumes_and_verifies")
def test_a_drill_killed_at_many_random_moments_resumes_and_verifies(tmp_path: Path) -> None:
    kill_at_random_moments(tmp_path, moments=100, seed=1000)


def test_quitting_an_ended_drill_points_to_the_debrief(tmp_path: Path) -> None:
    from drill.tui.app import make_app
    from drill.tui.screens.dialogs import ConfirmScreen

    async def body() -> None:
        app = make_app(seed=7, log_path=tmp_path / "drill.jsonl")
        async with app.run_test(size=(160, 50)) as pilot:
            app.session.advance_to(60)
            await app.action_quit()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen) and "drill play --resume" in app.screen.detail
            app.screen.dismiss(False)
            await pilot.pause()
            app.session.advance_to(app.session.sim.end)
            await pilot.pause()
            if not isinstance(app.screen, ConfirmScreen) and app.screen is not app.screen_stack[0]:
                await pilot.press("escape")  # the drill's closing screen: look around first
                await pilot.pause()
            await app.action_quit()
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert "drill report" in app.screen.detail
            assert "--resume" not in app.screen.detail

    asyncio.run(body())
