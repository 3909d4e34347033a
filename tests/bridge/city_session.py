"""A city drill served by ``drill serve`` in its own process, and a console for every team: the
load behind the tests' proof and the benchmark's figure.

Each team's console submits decisions on its own site for the length of the drill; every answer
and every message received is kept, to check afterwards against the log and against the team.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from drill.bridge.client import SeatClient
from drill.log import read_log

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    tokens: dict[str, str]
    log: Path
    terminal: int | None = None  # the pty the facilitator's live console draws on, if it has one

    def stop(self) -> int:
        """Stop the server as Ctrl+C does (the live console: as its facilitator quits, q then y):
        the log is closed whole."""
        if self.process.poll() is None and self.terminal is not None:
            for key in (b"q", b"y"):
                os.write(self.terminal, key)
                time.sleep(0.5)
            with contextlib.suppress(subprocess.TimeoutExpired):
                return self.process.wait(15)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)


def serve(args: list[str], log: Path, port: int = 0, timeout: float = 60.0, console: bool = False) -> Served:
    """``drill serve … --headless`` in a process of its own; its printed links give the tokens.
    ``console``: with the facilitator's live console instead, drawing on a terminal of its own (a
    pty, drained as a terminal would read it)."""
    command = [sys.executable, "-m", "drill", "--lang", "en", "serve", *args, "--port", str(port)]
    if not console:
        command.append("--headless")
    if "--resume" not in args:
        command += ["--log", str(log)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    terminal = None
    if console:
        terminal, screen = pty.openpty()
        fcntl.ioctl(screen, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
        env |= {"TERM": "xterm-256color", "COLUMNS": "160", "LINES": "50"}
        process = subprocess.Popen(
            command,
            stdin=screen,
            stdout=screen,
            stderr=screen,
            env=env,
            cwd=log.parent,
            start_new_session=True,
        )
        os.close(screen)
        lines = _drained(terminal)
    else:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=log.parent
        )
        assert process.stdout is not None
        lines = iter(process.stdout.readline, "")
    url = ""
    tokens: dict[str, str] = {}
    seat = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = next(lines, "")
        if not line:
            raise RuntimeError(f"drill serve stopped: {process.stderr.read() if process.stderr else ''}")
        if m := re.search(r"served at (\S+)\.", line):
            url = m.group(1)
        elif m := re.match(r"  (\S+) — ", line):
            seat = m.group(1)
        elif m := re.search(r"--token (\S+)", line):
            tokens[seat] = m.group(1)
            if seat == "facilitator":
                return Served(process, url, tokens, log, terminal)
    process.kill()
    raise RuntimeError("drill serve printed no links in time")


def _drained(terminal: int) -> Iterator[str]:
    """The pty's lines as they come (the links), then, in a thread, everything the live console
    draws, read and dropped as a terminal reads it, so drawing never blocks on a full pty."""
    queue: Queue[str] = Queue()

    def read() -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:
                queue.put("")
                return
            if not chunk:
                queue.put("")
                return
            pending += chunk
            *whole, pending = pending.split(b"\n")
            for line in whole:
                queue.put(line.decode("utf-8", "replace").replace("\r", "") + "\n")
            pending = pending[-65536:]

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            line = queue.get(timeout=60)
        except Empty:
            return
        yield line
        if not line:
            return


@dataclass
class Console:
    seat: str
    client: SeatClient
    answers: list[dict[str, Any]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def decision(seat: str, n: int) -> dict[str, Any]:
    """A team's n-th decision: on its own district's machines, or the city SOC's word to the city."""
    if seat == "city-soc":
        return {"action": "notify", "text": f"city-soc situation report {n}"}
    site = seat.removesuffix("-it")
    return {"action": "isolate" if n % 2 == 0 else "reconnect", "target": f"{site}-ws"}


async def play(served: Served, minutes: float, every: float, seats: list[str] | None = None) -> list[Console]:
    """Join every team's console, each submitting a decision every ``every`` seconds until the
    drill's clock passes ``minutes``; return the consoles with all they received and were answered."""
    seats = seats or [s for s in served.tokens if s not in ("observer", "projector", "facilitator")]
    consoles = [
        Console(s, SeatClient(served.url, served.tokens[s], who=f"officer at {s}", keep_all=True))
        for s in seats
    ]
    tasks = [asyncio.create_task(c.client.run()) for c in consoles]
    await asyncio.wait_for(asyncio.gather(*(c.client.connected.wait() for c in consoles)), 60)
    # everyone is seated: the facilitator starts the clock (served paused, as drill serve starts)
    chair = SeatClient(served.url, served.tokens["facilitator"], who="facilitator")
    chair_task = asyncio.create_task(chair.run())
    await asyncio.wait_for(chair.connected.wait(), 30)
    await chair.send("run")

    async def drive(console: Console, offset: float) -> None:
        await asyncio.sleep(offset)
        n = 0
        while (console.client.state.clock.get("now") or 0) < minutes and not console.client.state.clock.get(
            "finished"
        ):
            sent = time.perf_counter()
            answer = await asyncio.wait_for(console.client.submit(decision(console.seat, n)), 30)
            console.latencies.append(time.perf_counter() - sent)
            console.answers.append(answer)
            n += 1
            await asyncio.sleep(every)

    await asyncio.gather(*(drive(c, every * i / len(consoles)) for i, c in enumerate(consoles)))
    for c in consoles:
        await c.client.close()
    await chair.close()
    await asyncio.gather(*tasks, chair_task)
    return consoles


def check_log(log: Path, consoles: list[Console]) -> dict[str, int]:
    """Every applied decision in the log exactly once, at the sequence number it was answered
    with, with its team and who entered it; every refusal there too. Returns counts."""
    events = {e.seq: e for e in read_log(log).events}
    applied = 0
    for console in consoles:
        seqs = [a["seq"] for a in console.answers if a["status"] == "applied"]
        assert len(seqs) == len(set(seqs)), console.seat
        for a in console.answers:
            assert a["status"] in ("applied", "refused"), a
            event = events[a["seq"]]
            assert event.kind == ("command" if a["status"] == "applied" else "command_refused"), (
                console.seat,
                a,
            )
            assert event.data["command"]["by"] == console.seat
            assert event.data["command"]["entered_by"] == f"officer at {console.seat}"
        logged = [
            e.seq
            for e in events.values()
            if e.kind == "command" and e.data["command"].get("by") == console.seat
        ]
        assert sorted(logged) == sorted(seqs), console.seat  # no more, no fewer: exactly once each
        applied += len(seqs)
    return {"applied": applied, "answers": sum(len(c.answers) for c in consoles)}


TEAM_WORK = {
    "alert",
    "detection",
    "task_start",
    "task_end",
    "task_waiting",
    "isolate",
    "reconnect",
    "restored",
    "patched",
}
NEVER = {"compromise", "stage_start", "effect", "effect_end", "cleaned", "backup_lost", "expectation", "note"}


def leaks(console: Console) -> list[str]:
    """What reached a team that was not for it: another team's inject, decision or work, or the
    ground truth no team has (independently of the server's rule: from the requirement)."""
    team = console.seat
    found = []
    for message in console.client.state.received:
        if message.get("type") == "welcome":
            items = message.get("events", [])
        elif message.get("type") == "event":
            items = [message]
        else:
            continue
        for item in items:
            e = item["event"]
            kind, data = e["kind"], e["data"]
            if kind in NEVER or "compromised" in data:
                found.append(f"{team} saw ground truth: {e}")
            elif kind == "inject" and data.get("to") and team not in data["to"]:
                found.append(f"{team} saw another team's inject: {e}")
            elif kind in ("command", "command_refused") and data["command"].get("by") != team:
                found.append(f"{team} saw another team's decision: {e}")
            elif kind in TEAM_WORK and e["actor"] != team:
                found.append(f"{team} saw another team's work: {e}")
            elif "secret for" in str(data.get("text", "")) and f"secret for {team}" not in str(data["text"]):
                found.append(f"{team} saw another team's secret: {e}")
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")
