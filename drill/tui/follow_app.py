"""The players' screen on a second terminal (a projector): it follows the drill's log as the
facilitator's drill writes it, and shows only what the players may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t
from ..log import LogData, check_names
from ..session import scenario_of
from ..viewmodel import ViewModel
from .base import DrillBaseApp
from .follow import LogTail
from .keys import FOLLOW, description_key
from .palette import Entry
from .screens.views import PlayersScreen

POLL = 0.5  # seconds between looks at the log


class FollowApp(DrillBaseApp):
    mode = "follow"

    def __init__(
        self,
        log_path: str | Path,
        *,
        wallclock: Callable[[], datetime] | None = None,
        lang: str | None = None,
        poll: float = POLL,
    ) -> None:
        self.tail = LogTail(log_path)
        events, _ = self.tail.read()
        if self.tail.header is None:
            raise DrillError(t("log.empty", file=str(log_path)))
        scenario, self.warnings = scenario_of(LogData(self.tail.header, []))
        check_names(events, scenario, str(log_path))
        super().__init__(scenario, ViewModel(scenario).feed_all(events), lang=lang, wallclock=wallclock)
        self.poll_seconds = poll

    def get_default_screen(self) -> PlayersScreen:
        return PlayersScreen(follow=True)

    # a follower keeps no clock of its own: it shows what the drill it follows has written
    @property
    def running(self) -> bool:
        return False

    @property
    def speed(self) -> float:
        return 60.0

    def on_mount(self) -> None:
        self.set_interval(self.poll_seconds, self.poll)
        for warning in self.warnings:
            self.notify(warning, severity="warning", timeout=10)

    def poll(self) -> None:
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
        if events or reset:
            self.clock_moved()
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
