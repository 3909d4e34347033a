"""A drill in progress: the simulation, its log and its figures, advanced in slices of drill time.

The live drill (TUI), ``--resume``, ``replay --branch-at`` and ``replay --verify`` all use this,
so a drill is rebuilt from its log in exactly one way: the seed plus the recorded commands.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .diagnostics import DrillError
from .engine import events as ev
from .engine.commands import Command
from .engine.events import Event
from .engine.simulation import Simulation
from .i18n import get_language, t
from .log import (
    LogData,
    LogWriter,
    check_names,
    conduct_stamp,
    encode,
    header_for,
    header_line,
    read_log,
)
from .metrics import Metrics
from .model.load import Scenario, load_scenario
from .outputs import atomic_writer, check_output, same_file


def recorded_commands(events: list[Event]) -> list[tuple[float, int, Command]]:
    """Every command in a log (applied or refused), with its time and sequence number."""
    out = []
    for e in events:
        if e.kind in (ev.COMMAND, ev.COMMAND_REFUSED):
            out.append((e.t, e.seq, Command.model_validate(e.data["command"])))
    return out


def scenario_of(log: LogData) -> tuple[Scenario, list[str]]:
    """The scenario a log was recorded from, and warnings when its content has changed since."""
    ref = log.header.get("scenario_ref") or log.header.get("scenario")
    scenario = load_scenario(ref)
    warnings = []
    if scenario.sha256 != log.header.get("scenario_sha256"):
        warnings.append(t("session.scenario_changed", ref=ref))
    if scenario.topology_sha256 != log.header.get("topology_sha256"):
        warnings.append(t("session.topology_changed", name=scenario.city.id))
    return scenario, warnings


def resimulate(
    scenario: Scenario,
    seed: int,
    events: list[Event],
    until: float | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> Simulation:
    """A new simulation with the log's commands re-applied at their times, run to ``until``
    (default: the time of the last logged event)."""
    sim = Simulation(scenario, seed=seed)
    if events and events[0].kind == ev.DRILL_START and "duration" in events[0].data:
        # a drill run with --until stops early: ``stop`` (older logs wrote the stop as ``duration``)
        data = events[0].data
        sim.planned = float(data["duration"])
        sim.end = float(data.get("stop", data["duration"]))
    if on_event:
        sim.subscribe(on_event)
    end = events[-1].t if until is None and events else (until or 0.0)
    ended = ev.end_of(events)
    sim.start()
    for at, seq, command in recorded_commands(events):
        if at > end:
            break
        sim.run_until(at)
        if ended is not None and seq > ended.seq:
            _catch_up(sim, at, ended.seq)
            sim.finish()  # the drill ended before this (before its time, when stopped early)
        else:
            _catch_up(sim, at, seq)
        if sim.finished and command.action != "note":
            break  # after the end, only the facilitator's notes for the debrief
        sim.apply(command)
    sim.run_until(end)
    if until is None and events:
        _catch_up(sim, end, len(events))
        if ended is not None:
            sim.finish()  # the facilitator ended the drill before its time
    return sim


def _catch_up(sim: Simulation, at: float, count: int) -> None:
    """``run_until(at)`` stops before the events due at ``at``; the live drill may have run some of
    them (stepping event by event, or before it stopped): run those too, up to ``count`` events."""
    while len(sim.events) < count and not sim.finished and sim.env.peek() <= at:
        sim.env.step()


class Session:
    """One live drill. Advance it with ``advance``; every change goes through ``apply``."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        log_path: str | Path | None = None,
        scenario_ref: str | None = None,
        header_extra: dict[str, Any] | None = None,
        sim: Simulation | None = None,
        append: bool = False,
        header: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.sim = sim or Simulation(scenario, seed=seed)
        self.metrics = Metrics(scenario)
        self.listeners: list[Callable[[Event], None]] = []
        if sim is not None:
            self.metrics.feed_all(sim.events)
        self.sim.subscribe(self._on_event)
        self.writer: LogWriter | None = None
        self.log_path = Path(log_path) if log_path else None
        if header is None:
            header = header_for(self.sim, scenario_ref or scenario.id, get_language(), **(header_extra or {}))
        self.header = header
        if log_path:
            self.writer = LogWriter(log_path, header, append=append)
            if not append:
                for event in self.sim.events:
                    self.writer(event)
            self.writer.flush()
        self.sim.start()
        self._flush()

    def _on_event(self, event: Event) -> None:
        self.metrics.feed(event)
        if self.writer:
            self.writer(event)
        for listener in self.listeners:
            listener(event)

    def _flush(self) -> None:
        if self.writer:
            self.writer.flush()

    @property
    def now(self) -> float:
        return self.sim.now

    @property
    def finished(self) -> bool:
        return self.sim.finished

    def advance(self, minutes: float) -> None:
        """Run ``minutes`` of drill time, then write what happened to the log."""
        self.sim.run_until(self.sim.now + minutes)
        self._flush()

    def advance_to(self, when: float) -> None:
        self.sim.run_until(when)
        self._flush()

    def step(self) -> bool:
        more = self.sim.step()
        self._flush()
        return more

    def apply(self, command: Command) -> Event:
        event = self.sim.apply(command)
        self._flush()
        return event

    def close(self, ended: datetime | None = None) -> None:
        """Finish the log; a drill played live (its header has ``conducted``) also records the wall
        clock at which it ``ended``, in the header, where it changes no event."""
        if self.writer:
            self.writer.close()
        conducted = self.header.get("conducted")
        if ended is None or not isinstance(conducted, dict) or self.log_path is None or self.log_error:
            return
        self.header = {**self.header, "conducted": {**conducted, "ended": conduct_stamp(ended)}}
        with contextlib.suppress(DrillError):  # the log is whole without it; the report leaves it blank
            _rewrite(self.log_path, self.header, self.sim.events)

    # ------------------------------------------------------------ when the log cannot be written
    @property
    def log_error(self) -> str | None:
        """Why the log can no longer be written (a full disk, a removed file …); None while it is.
        The drill goes on: every event is still here, in ``sim.events``, until saved elsewhere."""
        return self.writer.error if self.writer else None

    def sync(self) -> None:
        """Force the log to the disk and check it is still there (the live drill calls this about
        once a second)."""
        if self.writer:
            self.writer.sync()

    def save_log(self, path: str | Path, force: bool = False) -> Path:
        """Write the whole drill so far to ``path`` and carry on writing there."""
        inputs = [self.scenario.file] + ([self.log_path] if self.log_path and not self.log_error else [])
        # back into the log that failed (space was freed): what is saved holds all it held
        force = force or bool(self.log_error and self.log_path and same_file(path, self.log_path))
        target = check_output(path, inputs=inputs, force=force)
        with atomic_writer(target) as out:
            out.write(header_line(self.header) + "\n")
            for event in self.sim.events:
                out.write(encode(event) + "\n")
        if self.writer:
            self.writer.close()
        self.writer = LogWriter(target, self.header, append=True)
        self.log_path = target
        return target

    def rescue_log(self) -> Path | None:
        """When the log failed and was not saved elsewhere: save the drill in a new file in the
        first folder that takes it (the log's own, the temporary folder, the home folder)."""
        if not self.log_error:
            return None
        name = self.log_path.name if self.log_path else "drill.jsonl"
        folders = [
            self.log_path.parent if self.log_path else Path.cwd(),
            Path(tempfile.gettempdir()),
            Path.home(),
        ]
        stem = name[: -len(".jsonl")] if name.endswith(".jsonl") else name
        for folder in folders:
            for n in range(1, 100):
                candidate = folder / f"{stem}.rescued-{n}.jsonl"
                if candidate.exists():
                    continue
                try:
                    saved = self.save_log(candidate)
                except DrillError:
                    break  # this folder takes nothing: the next one
                self.close()
                return saved
        return None

    # ------------------------------------------------------------ rebuilding
    @classmethod
    def resume(cls, log_path: str | Path) -> tuple[Session, list[str]]:
        """Rebuild a drill from its log and carry on writing to the same log."""
        log = read_log(log_path)
        scenario, warnings = scenario_of(log)
        check_names(log.events, scenario, str(log_path))
        warnings = [*log.warnings, *warnings]
        if log.ended:  # nothing more can be entered: say so, and what is left to do with it
            warnings.append(t("session.resume_ended", file=str(log_path)))
        seed = int(log.header["seed"])
        sim = resimulate(scenario, seed, log.events)
        mismatch = first_difference(log.events, sim.events)
        if mismatch is not None:
            raise DrillError(_why_not_resumed(log, scenario, str(log_path), mismatch))
        # write back what the re-run rebuilt (a superset of the log): a cut-off last line goes, and
        # events of the last moment that the crash kept from the file come back
        _rewrite(Path(log_path), log.header, sim.events)
        session = cls(
            scenario,
            sim=sim,
            log_path=log_path,
            scenario_ref=log.header.get("scenario_ref"),
            append=True,
            header=log.header,
        )
        return session, warnings


def _why_not_resumed(log: LogData, scenario: Scenario, file: str, seq: int) -> str:
    """A re-run that differs: say whether the scenario, the topology or drill changed since the
    log was written, or (none of them did) the log itself was altered."""
    if scenario.sha256 != log.header.get("scenario_sha256"):
        key = "session.cannot_resume_scenario"
    elif scenario.topology_sha256 != log.header.get("topology_sha256"):
        key = "session.cannot_resume_topology"
    elif log.header.get("drill") not in (None, __version__):
        key = "session.cannot_resume_version"
    else:
        key = "session.cannot_resume_altered"
    return t(key, file=file, seq=seq, line=seq + 2, version=log.header.get("drill"), current=__version__)


def first_difference(expected: list[Event], found: list[Event]) -> int | None:
    """The sequence number where two event streams first differ (None: ``expected`` is a prefix)."""
    for a, b in zip(expected, found, strict=False):
        if encode(a) != encode(b) and not _same_refusal(a, b):
            return a.seq
    if len(found) < len(expected):
        return len(found)
    return None


def _same_refusal(logged: Event, rerun: Event) -> bool:
    """A refusal logged before reasons were kept in every language has one string, in the
    language the console showed: the same refusal as the re-run's ``{en, vi}`` that holds it."""
    if logged.kind != ev.COMMAND_REFUSED or rerun.kind != ev.COMMAND_REFUSED:
        return False
    old, new = logged.data.get("reason"), rerun.data.get("reason")
    if not isinstance(old, str) or not isinstance(new, dict) or old not in new.values():
        return False
    return encode(logged._replace(data={**logged.data, "reason": new})) == encode(rerun)


def _rewrite(path: Path, header: dict[str, Any], events: list[Event]) -> None:
    """Replace a log with ``events``, atomically, keeping its permissions."""
    with atomic_writer(path) as out:
        out.write(header_line(header) + "\n")
        for event in events:
            out.write(encode(event) + "\n")
