"""The drill log: JSON Lines, a header then every event, written as the drill runs.

A reader tolerates a cut-off last line (a crash mid-write) and names the line of any other damage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import __version__
from .data import bundled_scenarios
from .diagnostics import DrillError
from .engine.events import Event
from .i18n import t

FORMAT = "drill-log"
FORMAT_VERSION = 1


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


def encode(event: Event) -> str:
    return json.dumps(
        event.as_dict(), ensure_ascii=False, sort_keys=False, separators=(",", ":"), allow_nan=False
    )


def decode(data: dict[str, Any]) -> Event:
    return Event(
        float(data["t"]),
        int(data["seq"]),
        str(data["kind"]),
        str(data["actor"]),
        str(data["target"]),
        dict(data["data"]),
    )


class LogWriter:
    """Appends events to a log file; ``flush`` after each slice of simulated time."""

    def __init__(self, path: Path | str, header: dict[str, Any], append: bool = False) -> None:
        self.path = Path(path)
        try:
            self.file: IO[str] = open(self.path, "a" if append else "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise DrillError(t("log.cannot_write", file=str(path), reason=exc.strerror or str(exc))) from exc
        if not append:
            self.file.write(json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.pending = 0

    def __call__(self, event: Event) -> None:
        self.file.write(encode(event) + "\n")
        self.pending += 1

    def flush(self) -> None:
        if self.pending:
            self.file.flush()
            self.pending = 0

    def close(self) -> None:
        if not self.file.closed:
            self.file.flush()
            self.file.close()


@dataclass
class LogData:
    header: dict[str, Any]
    events: list[Event]
    warnings: list[str] = field(default_factory=list)
    path: str = ""


def read_log(path: Path | str) -> LogData:
    """Read a whole log; raise DrillError for anything that is not a readable drill log."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc
    return parse_log(raw, str(path))


def parse_log(raw: bytes, name: str) -> LogData:
    lines = raw.split(b"\n")
    cut_off = bool(lines) and lines[-1] != b""  # the last line had no newline: written mid-crash
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise DrillError(t("log.empty", file=name))
    try:
        header = json.loads(lines[0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DrillError(t("log.not_a_log", file=name)) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DrillError(t("log.not_a_log", file=name))
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise DrillError(t("log.newer", file=name, version=version, supported=FORMAT_VERSION))
    events: list[Event] = []
    warnings: list[str] = []
    last = len(lines)
    for number, line in enumerate(lines[1:], start=2):
        try:
            events.append(decode(json.loads(line.decode("utf-8"))))
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            if number == last and cut_off:
                warnings.append(t("log.cut_off", file=name, line=number))
                break
            raise DrillError(t("log.corrupt", file=name, line=number)) from exc
        if events[-1].seq != len(events) - 1:
            raise DrillError(t("log.out_of_order", file=name, line=number))
    return LogData(header, events, warnings, name)


def write_log(path: Path | str, header: dict[str, Any], events: Iterable[Event]) -> None:
    writer = LogWriter(path, header)
    try:
        for event in events:
            writer(event)
    finally:
        writer.close()
