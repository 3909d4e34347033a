"""Following a drill's log as it is written, for the players' screen on a second terminal."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..diagnostics import DrillError
from ..engine.events import Event
from ..i18n import t
from ..log import FORMAT, decode


class LogTail:
    """Reads the lines added to a log since the last read; starts again if the file is replaced
    (``--resume`` rewrites it before appending)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.header: dict[str, Any] | None = None
        self._offset = 0
        self._buffer = b""
        self._inode: int | None = None

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
            self.header, self._offset, self._buffer = None, 0, b""
        self._inode = stat.st_ino
        if stat.st_size == self._offset:
            return [], reset
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        self._offset += len(data)
        lines = (self._buffer + data).split(b"\n")
        self._buffer = lines.pop()  # an unfinished last line waits for the rest
        out: list[Event] = []
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise DrillError(t("log.not_a_log", file=str(self.path))) from exc
            if self.header is None:
                if not isinstance(record, dict) or record.get("format") != FORMAT:
                    raise DrillError(t("log.not_a_log", file=str(self.path)))
                self.header = record
                continue
            out.append(decode(record))
        return out, reset
