"""Following a drill's log as it is written, for the players' screen on a second terminal."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..diagnostics import DrillError
from ..engine.events import Event
from ..i18n import t
from ..log import MAX_LINE_BYTES, BadLine, LineReader, bad_line_message


class LogTail:
    """Reads the lines added to a log since the last read; starts again if the file is replaced
    (``--resume`` rewrites it before appending). Each line is checked as every reader checks a log."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._reader = LineReader(str(self.path))
        self._offset = 0
        self._buffer = b""
        self._inode: int | None = None

    @property
    def header(self) -> dict[str, Any] | None:
        return self._reader.header

    def read(self) -> tuple[list[Event], bool]:
        """New events, and whether the log was replaced (so everything read before is void)."""
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            raise DrillError(
                t("io.cannot_read", file=str(self.path), reason=exc.strerror or str(exc))
            ) from exc
        reset = False
        if self._inode is not None and (stat.st_ino != self._inode or stat.st_size < self._offset):
            reset = True
            self._reader, self._offset, self._buffer = LineReader(str(self.path)), 0, b""
        self._inode = stat.st_ino
        if stat.st_size == self._offset:
            return [], reset
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        self._offset += len(data)
        lines = (self._buffer + data).split(b"\n")
        self._buffer = lines.pop()  # an unfinished last line waits for the rest
        if len(self._buffer) > MAX_LINE_BYTES:
            raise DrillError(bad_line_message(str(self.path), self._reader.line + 1, BadLine("", "too_long")))
        out: list[Event] = []
        for line in lines:
            if line.strip():
                event = self._reader.read(line)
                if event is not None:
                    out.append(event)
        return out, reset


CLOCK_SUFFIX = ".clock"  # beside the log: the live drill's clock, for the players' screen


class ClockFile:
    """The live drill's clock, beside its log: where the clock stands, whether it runs and how
    fast, and when that was written (wall time). The log holds only events, so a screen that
    follows it would otherwise show the time of the last event, not the drill's clock.
    Not part of the log: nothing replays or verifies from it."""

    def __init__(self, log_path: str | Path, wall: Callable[[], float] = time.time) -> None:
        self.path = Path(str(log_path) + CLOCK_SUFFIX)
        self.wall = wall

    def write(self, now: float, running: bool, speed: float) -> None:
        record = {"now": now, "running": running, "speed": speed, "wall": self.wall()}
        part = self.path.with_name(self.path.name + ".part")
        try:
            part.write_text(json.dumps(record), encoding="utf-8")
            os.replace(part, self.path)  # whole or not at all: a reader never sees half of it
        except OSError:
            pass  # the players' screen falls back to the time of the last event

    def read(self) -> tuple[float, bool, float] | None:
        """(the drill's clock now, running, speed), estimated from the last record; None when
        there is none."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            now, running, speed = float(record["now"]), bool(record["running"]), float(record["speed"])
            wall = float(record["wall"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if running:
            now += max(0.0, self.wall() - wall) * speed / 60.0
        return now, running, speed

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
