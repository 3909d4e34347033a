"""Following a drill's log as it is written, for the players' screen on a second terminal."""

from __future__ import annotations

import os
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
