"""The players' screen on a second terminal (a projector): it follows the drill's log as the
facilitator's drill writes it, and shows only what the players may see. Started before the
drill, it waits for the log; its clock is the drill's (from the clock file beside the log), not
the time of the last event."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Label

from ..diagnostics import DrillError
from ..i18n import t
from ..log import LogData, check_names
from ..pacing import Pacer
from ..session import scenario_of
from ..viewmodel import ViewModel
from .base import DrillBaseApp
from .follow import ClockFile, LogTail
from .keys import FOLLOW, bindings, description_key
from .palette import Entry
from .screens.views import PlayersScreen

POLL = 0.5  # seconds between looks at the log


class WaitingScreen(Screen[None]):
    """Before the drill has written its log: which file, and that the screen will follow it."""

    KEYS = FOLLOW  # what the help lists here

    def __init__(self, log_path: str) -> None:
        super().__init__(id="waiting-screen")
        self.log_path = log_path

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Label(t("tui.follow_waiting", file=self.log_path), id="waiting")
        yield Footer()

    def on_mount(self) -> None:
        from textual.binding import BindingsMap

        self._bindings = BindingsMap(bindings(self.KEYS))
        self.refresh_bindings()


class FollowApp(DrillBaseApp):
    mode = "follow"

    def __init__(
        self,
        log_path: str | Path,
        *,
        wallclock: Callable[[], datetime] | None = None,
        lang: str | None = None,
        poll: float = POLL,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.log_path = str(log_path)
        self.tail = LogTail(log_path)
        self.clock_file = ClockFile(log_path, wall)
        self.warnings: list[str] = []
        self.pacer = Pacer(60.0)  # the drill's pace as the clock file last said
        self._clock: float | None = None
        super().__init__(None, None, lang=lang, wallclock=wallclock)
        self._read_start()
        self.poll_seconds = poll

    def _read_start(self) -> None:
        """The drill so far, if its log has begun (a log that is not one is an error at once)."""
        try:
            events, _ = self.tail.read()
        except DrillError:
            if Path(self.log_path).exists():
                raise
            return  # not written yet: wait for it
        if self.tail.header is None:
            return
        scenario, self.warnings = scenario_of(LogData(self.tail.header, []))
        check_names(events, scenario, str(self.log_path))  # a name its scenario lacks: refused
        self.attach(scenario, ViewModel(scenario).feed_all(events))

    @property
    def ready(self) -> bool:
        return hasattr(self, "vm")

    def get_default_screen(self) -> Screen[None]:
        return PlayersScreen(follow=True) if self.ready else WaitingScreen(self.log_path)

    # a follower keeps no clock of its own: it shows the drill's
    @property
    def now(self) -> float:
        if self._clock is not None and self.ready:
            return max(self.vm.now, min(self._clock, float(self.scenario.spec.duration)))
        return self.vm.now

    @property
    def running(self) -> bool:
        return self.pacer.running and not self.finished

    @property
    def speed(self) -> float:
        return self.pacer.speed

    def branched_from(self) -> dict[str, object] | None:
        origin = (self.tail.header or {}).get("branched_from")
        return origin if isinstance(origin, dict) else None

    def on_mount(self) -> None:
        self.set_interval(self.poll_seconds, self.poll)
        for warning in self.warnings:
            self.notify(warning, severity="warning", timeout=10)

    def poll(self) -> None:
        if not self.ready:
            try:
                self._read_start()
            except DrillError as exc:
                self.notify(exc.message, severity="error", timeout=5)
                return
            if self.ready:
                self.push_screen(PlayersScreen(follow=True))  # over the waiting one, for good
            return
        try:
            events, reset = self.tail.read()
            check_names(events, self.scenario, str(self.tail.path))
        except DrillError as exc:
            self.notify(exc.message, severity="error", timeout=5)
            return
        if reset:
            self.vm = ViewModel(self.scenario)
        for e in events:
            self.vm.feed(e)
        clock = self.clock_file.read()
        if clock is not None:
            self._clock, running, self.pacer.speed = clock
            self.pacer.running = running
        self.clock_moved()
        if events or reset:
            self.drill_changed()

    def action_players(self) -> None:
        """The projector shows the players' screen only."""

    async def action_quit(self) -> None:
        self.exit(0)

    def palette_entries(self) -> list[Entry]:
        return [
            Entry(
                t(description_key(key)),
                t("tui.palette_key", key=key.display or key.keys),
                lambda a=key.action: self.call_next(self.run_action, a),
                general=True,
            )
            for key in FOLLOW
        ]
