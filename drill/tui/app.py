"""One factory for the drill's apps, used by the CLI and by the tests."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t
from ..log import check_names, conduct_stamp, read_log
from ..model.load import Scenario, load_scenario
from ..session import Session, scenario_of
from .base import TICK, DrillBaseApp
from .follow_app import FollowApp
from .live import LiveApp
from .replay import ReplayApp

__all__ = [
    "DrillBaseApp",
    "FollowApp",
    "LiveApp",
    "ReplayApp",
    "default_log_name",
    "has_terminal",
    "make_app",
    "make_follow_app",
    "make_replay_app",
    "run_replay",
]


def default_log_name(scenario: str, seed: int, when: datetime) -> str:
    """``drill-<scenario>-<seed>-<YYYYmmdd-HHMMSS>.jsonl`` (the wall clock names the file only)."""
    return f"drill-{scenario}-{seed}-{when.strftime('%Y%m%d-%H%M%S')}.jsonl"


def make_app(
    scenario: str | Scenario | None = None,
    *,
    seed: int | None = None,
    log_path: str | Path | None = None,
    resume: str | Path | None = None,
    session: Session | None = None,
    scenario_ref: str | None = None,
    speed: float = 60.0,
    running: bool = False,
    players: bool = False,
    lang: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    wallclock: Callable[[], datetime] | None = None,
    tick: float = TICK,
) -> LiveApp:
    """The live drill: a new one (``scenario``, ``seed``, ``log_path``), one carried on from its log
    (``resume``), or a ready ``session`` (e.g. a branch from a replay)."""
    if session is None:
        if resume is not None:
            session, warnings = Session.resume(resume)
        else:
            chosen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
            ref = scenario_ref or (scenario if isinstance(scenario, str) else chosen.id)
            # the log keeps when the drill was really played (the report's conduct date and time)
            started = conduct_stamp((wallclock or datetime.now)())
            session = Session(
                chosen,
                seed=seed,
                log_path=log_path,
                scenario_ref=ref,
                header_extra={"conducted": {"started": started}},
            )
            warnings = []
    else:
        warnings = []
    return LiveApp(
        session,
        speed=speed,
        running=running,
        players=players,
        clock=clock,
        wallclock=wallclock,
        lang=lang,
        tick=tick,
        warnings=warnings,
    )


def make_replay_app(
    log_path: str | Path,
    *,
    lang: str | None = None,
    speed: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
    wallclock: Callable[[], datetime] | None = None,
) -> ReplayApp:
    log = read_log(log_path)
    scenario, warnings = scenario_of(log)
    check_names(log.events, scenario, str(log_path))
    return ReplayApp(
        log,
        scenario,
        warnings=[*log.warnings, *warnings],
        speed=speed,
        clock=clock,
        wallclock=wallclock,
        lang=lang,
    )


def make_follow_app(
    log_path: str | Path, *, lang: str | None = None, wallclock: Callable[[], datetime] | None = None
) -> FollowApp:
    return FollowApp(log_path, lang=lang, wallclock=wallclock)


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_replay(log_path: str, lang: str) -> int:
    """Open a recorded drill read-only in the drill's views (``drill replay LOG``)."""
    if not has_terminal():
        raise DrillError(t("tui.no_terminal_replay", file=log_path))
    app = make_replay_app(log_path, lang=lang)
    result = app.run()
    return int(result or 0)
