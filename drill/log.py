"""The drill log: JSON Lines, a header then every event, written as the drill runs.

A reader tolerates a cut-off last line (a crash mid-write) and names the line of any other damage.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from . import __version__
from .data import bundled_scenarios
from .diagnostics import DrillError
from .engine.events import Event, end_of
from .i18n import t
from .logcheck import HEADER_FIELDS, MAX_NUMBER, Names, event_problem, name_problem, problem
from .outputs import AtomicFile

FORMAT = "drill-log"
FORMAT_VERSION = 1
# a log is read whole: refuse what no drill writes before it can fill the memory
MAX_LOG_BYTES = 2 * 1024**3
MAX_LINE_BYTES = 4 * 1024**2


def header_for(sim: Any, scenario_ref: str, lang: str, **extra: Any) -> dict[str, Any]:
    """The first line of a log: what is needed to check and re-run the drill."""
    scenario = sim.scenario
    if Path(scenario_ref).is_file() and scenario_ref not in bundled_scenarios():
        # a scenario file named relative to where the drill ran: keep it findable from elsewhere
        scenario_ref = str(Path(scenario_ref).resolve())
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "drill": __version__,
        "scenario": scenario.id,
        "scenario_ref": scenario_ref,
        "scenario_sha256": scenario.sha256,
        "topology": scenario.city.id,
        "topology_sha256": scenario.topology_sha256,
        "seed": sim.seed,
        "lang": lang,
        "start": scenario.spec.start.isoformat(),
        "duration": sim.planned,
    }
    if sim.end < sim.planned:
        header["stop"] = sim.end  # stopped early (``--until``): where the run ends
    header.update(extra)
    return header


def conduct_stamp(moment: datetime) -> str:
    """A wall-clock moment as a log's ``conducted`` keeps it: local time with its offset, to the
    second. Only the header holds it: the events stay the same for the same inputs."""
    return moment.astimezone().isoformat(timespec="seconds")


def encode(event: Event) -> str:
    return json.dumps(
        event.as_dict(), ensure_ascii=False, sort_keys=False, separators=(",", ":"), allow_nan=False
    )


def header_line(header: dict[str, Any]) -> str:
    return json.dumps(header, ensure_ascii=False, separators=(",", ":"))


def decode(data: dict[str, Any]) -> Event:
    """An event from a record already checked by ``drill.logcheck``."""
    return Event(
        float(data["t"]),
        int(data["seq"]),
        str(data["kind"]),
        str(data["actor"]),
        str(data["target"]),
        dict(data["data"]),
    )


class BadLine(ValueError):
    """A line of a log that is not a valid event: which key is wrong, and how."""

    def __init__(self, key: str = "", expected: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.expected = expected


class _NonFinite:
    """Where a line holds NaN or Infinity (the writer never writes them)."""


def _no_constant(name: str) -> Any:
    raise BadLine("", "finite")


def _finite(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):  # 1e999: a number too large for a float
        raise BadLine("", "finite")
    return value


def parse_record(line: bytes) -> Any:
    """One JSON line of a log (NaN, Infinity and numbers too long to read are refused)."""
    if len(line) > MAX_LINE_BYTES:
        raise BadLine("", "too_long")
    try:
        return json.loads(line.decode("utf-8"), parse_constant=_no_constant, parse_float=_finite)
    except BadLine as exc:
        # the rare bad line: read it again to name the key that holds the value
        try:
            marked = json.loads(
                line.decode("utf-8"),
                parse_constant=lambda _name: _NonFinite(),
                parse_float=lambda text: _NonFinite() if math.isinf(float(text)) else float(text),
            )
            key = _path_of_non_finite(marked)
        except (ValueError, RecursionError):
            key = ""
        raise BadLine(key, "finite") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise BadLine() from exc


def _path_of_non_finite(value: Any, path: str = "") -> str:
    if isinstance(value, _NonFinite):
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _path_of_non_finite(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return ""


def decode_line(line: bytes) -> Event:
    """One event line, read and checked; raise ``BadLine`` naming what is wrong."""
    record = parse_record(line)
    found = event_problem(record)
    if found is not None:
        raise BadLine(*found)
    return decode(record)


def bad_line_message(name: str, number: int, exc: BadLine) -> str:
    if not exc.expected:
        return t("log.corrupt", file=name, line=number)
    return t(
        "log.bad_value",
        file=name,
        line=number,
        key=exc.key or "—",
        problem=t(f"log.expected_{exc.expected}", limit=f"{MAX_NUMBER:.0e}", size=MAX_LINE_BYTES),
    )


class LogWriter:
    """Appends events to a log file; ``flush`` after each slice of simulated time.

    A failure to write (a full disk, a removed file, a read-only medium) does not stop the drill:
    the writer stops, keeps the reason in ``error``, and the caller (which holds every event)
    says so and may save them elsewhere. With ``atomic`` the log is written to a temporary file
    beside ``path`` and takes its name on ``close`` (a headless run replaces nothing half-way)."""

    def __init__(
        self, path: Path | str, header: dict[str, Any], append: bool = False, atomic: bool = False
    ) -> None:
        self.path = Path(path)
        self.header = header
        self.error: str | None = None
        self.pending = 0
        self._atomic: AtomicFile | None = None
        try:
            if atomic:
                self._atomic = AtomicFile(self.path)
                self.file: IO[str] = self._atomic.stream
            else:
                self.file = open(self.path, "a" if append else "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            if not append:
                self.file.write(header_line(header) + "\n")
            self._identity = os.fstat(self.file.fileno())
        except OSError as exc:
            raise DrillError(t("log.cannot_write", file=str(path), reason=exc.strerror or str(exc))) from exc

    def __call__(self, event: Event) -> None:
        if self.error is not None:
            return
        try:
            self.file.write(encode(event) + "\n")
        except OSError as exc:
            self._failed(exc)
            return
        self.pending += 1

    def flush(self) -> None:
        if self.pending and self.error is None:
            try:
                self.file.flush()
            except OSError as exc:
                self._failed(exc)
                return
            self.pending = 0

    def sync(self) -> None:
        """Force what was written to the disk, and check the file is still there under its name
        (a log deleted or replaced while the drill runs would lose everything written to it)."""
        self.flush()
        if self.error is not None or self._atomic is not None:
            return
        try:
            os.fsync(self.file.fileno())
            now = os.stat(self.path)
        except FileNotFoundError:
            self.error = t("log.removed")
        except OSError as exc:
            self._failed(exc)
            return
        else:
            if (now.st_dev, now.st_ino) != (self._identity.st_dev, self._identity.st_ino):
                self.error = t("log.replaced")
        if self.error is not None:
            self._close_quietly()

    def _failed(self, exc: OSError) -> None:
        self.error = exc.strerror or str(exc)
        self._close_quietly()

    def _close_quietly(self) -> None:
        if self._atomic is not None:
            self._atomic.abort()
            self._atomic = None
        with contextlib.suppress(OSError):
            self.file.close()

    def close(self) -> None:
        """Finish the log (an atomic one takes its name now); ``error`` says if that failed."""
        if self.error is None and not self.file.closed:
            try:
                if self._atomic is not None:
                    self._atomic.commit()
                    self._atomic = None
                else:
                    self.file.flush()
                    self.file.close()
            except OSError as exc:
                self._failed(exc)
        elif not self.file.closed:
            self._close_quietly()


@dataclass
class LogData:
    header: dict[str, Any]
    events: list[Event]
    warnings: list[str] = field(default_factory=list)
    path: str = ""

    @property
    def ended(self) -> bool:
        """Whether the drill was over when its log was last written (its end is recorded; notes
        typed after it may follow)."""
        return end_of(self.events) is not None


def read_log(path: Path | str) -> LogData:
    """Read a whole log; raise DrillError for anything that is not a readable drill log.

    Only a regular file is read (not a pipe or a device, which could block or never end), of at
    most ``MAX_LOG_BYTES``."""
    path = Path(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DrillError(t("io.not_regular", file=str(path)))
        if info.st_size > MAX_LOG_BYTES:
            raise DrillError(t("log.too_large", file=str(path), size=info.st_size, limit=MAX_LOG_BYTES))
        with open(path, "rb") as stream:
            raw = stream.read(MAX_LOG_BYTES + 1)
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc
    if len(raw) > MAX_LOG_BYTES:  # it grew since stat()
        raise DrillError(t("log.too_large", file=str(path), size=len(raw), limit=MAX_LOG_BYTES))
    return parse_log(raw, str(path))


def parse_header(line: bytes, name: str) -> dict[str, Any]:
    try:
        header = parse_record(line)
    except BadLine as exc:
        raise DrillError(t("log.not_a_log", file=name)) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DrillError(t("log.not_a_log", file=name))
    version = header.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version > FORMAT_VERSION:
        raise DrillError(t("log.newer", file=name, version=version, supported=FORMAT_VERSION))
    found = problem(header, HEADER_FIELDS)
    if found is not None:
        raise DrillError(t("replay.header_missing", file=name, key=found[0]))
    return header


def parse_log(raw: bytes, name: str) -> LogData:
    lines = raw.split(b"\n")
    cut_off = bool(lines) and lines[-1] != b""  # the last line had no newline: written mid-crash
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise DrillError(t("log.empty", file=name))
    reader = LineReader(name)
    reader.read(lines[0])
    events: list[Event] = []
    warnings: list[str] = []
    last = len(lines)
    for number, line in enumerate(lines[1:], start=2):
        try:
            event = reader.read(line)
        except DrillError:
            if number == last and cut_off:
                warnings.append(t("log.cut_off", file=name, line=number))
                break
            raise
        assert event is not None
        events.append(event)
    assert reader.header is not None
    return LogData(reader.header, events, warnings, name)


class LineReader:
    """Reads a log one line at a time, checking each as it comes: the header, then every event
    well formed, in sequence and in time order (a whole log, or one being written)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.header: dict[str, Any] | None = None
        self.line = 0  # lines read
        self.count = 0  # events read
        self._before = 0.0
        self._duration: float | None = None

    def read(self, line: bytes) -> Event | None:
        """The event on ``line`` (None for the header); DrillError naming the line if it is bad."""
        self.line += 1
        if self.header is None:
            self.header = parse_header(line, self.name)
            self._duration = self.header.get("duration")
            return None
        try:
            event = decode_line(line)
        except BadLine as exc:
            raise DrillError(bad_line_message(self.name, self.line, exc)) from exc
        if event.seq != self.count:
            raise DrillError(t("log.out_of_order", file=self.name, line=self.line))
        if event.t < self._before or (self._duration is not None and event.t > self._duration + 1e-6):
            raise DrillError(t("log.bad_time", file=self.name, line=self.line, t=f"{event.t:g}"))
        self._before = event.t
        self.count += 1
        return event


def check_names(events: Iterable[Event], scenario: Any, name: str) -> None:
    """Refuse a log whose events name nodes, sites, services, teams, stages or injects that its
    scenario does not have (a log of another drill, or one altered by hand)."""
    names = Names(scenario)
    for e in events:
        key = name_problem(e.kind, e.actor, e.target, e.data, names)
        if key is not None:
            value = e.target if key == "target" else e.actor if key == "actor" else e.data.get(key[5:])
            raise DrillError(t("log.unknown_name", file=name, line=e.seq + 2, key=key, value=value))


def write_log(path: Path | str, header: dict[str, Any], events: Iterable[Event]) -> None:
    writer = LogWriter(path, header)
    try:
        for event in events:
            writer(event)
    finally:
        writer.close()
    if writer.error is not None:
        raise DrillError(t("log.cannot_write", file=str(path), reason=writer.error))
