"""The replay: a recorded drill, read-only, in the live drill's views, with a timeline bar.
Play at any speed, seek to any time, step event by event both ways, jump between injects,
detections, decisions and notes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime

from ..i18n import t
from ..log import LogData
from ..model.durations import DurationError, format_duration, format_offset, parse_offset
from ..model.load import Scenario
from ..pacing import Pacer
from ..timeline import Timeline
from ..viewmodel import ViewModel
from .base import TICK, DrillBaseApp
from .keys import REPLAY, description_key
from .messages import SeekRequested
from .palette import Entry
from .screens.dialogs import AskScreen
from .screens.views import DrillScreen, PlayersScreen

_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")


def parse_moment(text: str, scenario: Scenario) -> float:
    """Minutes after T+0 in what a facilitator types to go somewhere: ``T+02:30``, ``T+2h30m``,
    ``T+3h``, ``90m``, or a bare ``HH:MM`` — the time of day the header shows (``11:30`` in a drill
    that starts at 08:00 is T+03:30) when it is not before the drill's start, else a drill time
    (``02:30`` is T+02:30)."""
    value = text.strip()
    after_t = value[2:].strip() if value.upper().startswith("T+") else None
    hhmm = _CLOCK.match(after_t if after_t is not None else value)
    if hhmm:
        minutes = int(hhmm.group(1)) * 60 + int(hhmm.group(2))
        if after_t is not None:
            return float(minutes)
        start = scenario.spec.start
        since_start = minutes - (start.hour * 60 + start.minute)
        return float(since_start if since_start >= 0 and minutes < 24 * 60 else minutes)
    return parse_offset(value)


def moment_problem(text: str, scenario: Scenario) -> str:
    """Why ``text`` is not a moment of the drill ("" when it is one)."""
    try:
        parse_moment(text, scenario)
    except DurationError:
        return t("tui.bad_moment", text=text)
    return ""


class ReplayApp(DrillBaseApp):
    mode = "replay"

    def __init__(
        self,
        log: LogData,
        scenario: Scenario,
        *,
        warnings: list[str] | None = None,
        speed: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], datetime] | None = None,
        lang: str | None = None,
        tick: float = TICK,
    ) -> None:
        self.log_data = log
        self.timeline = Timeline(scenario, log.events)
        super().__init__(scenario, self.timeline.at_index(0), lang=lang, wallclock=wallclock)
        self.playhead = 0.0
        self.pacer = Pacer(speed, clock)
        self.tick_seconds = tick
        self.warnings = list(warnings or [])
        self.seek_to(0.0)

    def get_default_screen(self) -> DrillScreen:
        return DrillScreen("replay")

    def on_mount(self) -> None:
        self.set_interval(self.tick_seconds, self._tick)
        self.call_after_refresh(self.freeze_heap)
        for warning in self.warnings:
            self.notify(warning, severity="warning", timeout=10)

    # ------------------------------------------------------------ the playhead
    @property
    def now(self) -> float:
        return self.playhead

    @property
    def finished(self) -> bool:
        return self.playhead >= self.timeline.end and not self.pacer.running and self.vm.finished

    @property
    def count(self) -> int:
        return len(self.vm.events)

    def seek_to(self, minutes: float) -> None:
        """Show the drill at ``minutes``: forwards by folding the events in between, backwards
        from the nearest checkpoint."""
        # nothing after the log's last event is known: no figures are made up past it
        minutes = max(0.0, min(minutes, self.timeline.end))
        # at the log's end, all of it (the events of its last moment too)
        target = len(self.timeline) if minutes >= self.timeline.end else self.timeline.index_at(minutes)
        if target >= self.count and minutes >= self.playhead:
            for e in self.timeline.events[self.count : target]:
                self.vm.feed(e)
        else:
            self._rebuilt(self.timeline.at_index(target))
        self.playhead = minutes
        self.vm.now = max(self.vm.now, minutes)

    def show_count(self, count: int) -> None:
        """Show the drill right after its first ``count`` events."""
        count = max(0, min(count, len(self.timeline)))
        if count >= self.count:
            for e in self.timeline.events[self.count : count]:
                self.vm.feed(e)
        else:
            self._rebuilt(self.timeline.at_index(count))
        self.playhead = self.timeline.events[count - 1].t if count else 0.0

    def go_to(self, minutes: float) -> None:
        """Seek as asked (a time typed, a click on the timeline); past the log's end, to its end,
        and say why the replay goes no further."""
        end = self.timeline.end
        if minutes > end + 1e-9:
            planned = float(self.log_data.header.get("duration") or self.scenario.spec.duration)
            if not self.timeline.final.finished:
                why = t("tui.past_the_log", end=format_offset(end))
            elif end < planned - 1e-9:
                why = t(
                    "tui.past_the_stop",
                    end=format_offset(end),
                    played=format_duration(end),
                    planned=format_duration(planned),
                )
            else:
                why = t("tui.past_the_end", end=format_offset(end))
            self.notify(why, severity="warning", timeout=6)
        self.seek_to(minutes)

    def _rebuilt(self, vm: ViewModel) -> None:
        """The view at an earlier moment, seen through the same team's lens as before."""
        lens = self.vm.lens
        self.vm = vm
        if vm.lens != lens:
            vm.set_lens(lens)

    def _moved(self) -> None:
        self.clock_moved()
        self.refresh_now()

    def _tick(self) -> None:
        minutes = self.pacer.due()
        if minutes <= 0:
            return
        before = self.count
        self.seek_to(self.playhead + minutes)
        if self.playhead >= self.timeline.end:
            self.pacer.pause()
        self.clock_moved()
        if self.count != before:
            self.drill_changed()
        elif self.screen.query("#timeline"):
            self.screen.query_one("#timeline").refresh()

    # ------------------------------------------------------------ actions
    def action_play_pause(self) -> None:
        if not self.pacer.running and self.playhead >= self.timeline.end:
            self.seek_to(0.0)
        self.pacer.toggle()
        self._moved()

    def action_step_forward(self) -> None:
        """One event forwards."""
        self.pacer.pause()
        self.show_count(self.count + 1)
        self._moved()

    def action_step_back(self) -> None:
        """One event backwards."""
        self.pacer.pause()
        self.show_count(self.count - 1)
        self._moved()

    def action_jump(self, kind: str, forward: bool = True) -> None:
        """To the next (or previous) inject, detection, decision or note."""
        self.pacer.pause()
        mark = self.timeline.next_mark(self.count, kind, forward)
        if mark is None:
            self.notify(t("tui.no_more", what=t(f"tui.mark_{kind}")), timeout=3)
            return
        self.show_count(mark.index + 1)
        self._moved()

    def action_seek(self, when: str = "") -> None:
        """Go to a drill time: T+1h30m, T+01:30, 01:30, 90m, or the time of day in the header."""

        def go(text: str | None) -> None:
            if not text:
                return
            try:
                minutes = parse_moment(text, self.scenario)
            except DurationError as exc:
                self.notify(t("tui.bad_entry", reason=str(exc)), severity="error")
                return
            self.pacer.pause()
            self.go_to(minutes)
            self._moved()

        if when:
            go(when)
            return
        release = self.hold_clock()

        def answered(text: str | None) -> None:
            go(text)
            release()

        self.push_screen(
            AskScreen(
                t("tui.ask_seek"),
                value=format_offset(self.playhead),
                hint=t("tui.ask_seek_hint"),
                check=lambda text: moment_problem(text, self.scenario),
            ),
            answered,
        )

    def action_seek_start(self) -> None:
        self.pacer.pause()
        self.seek_to(0.0)
        self._moved()

    def action_seek_end(self) -> None:
        self.pacer.pause()
        self.show_count(len(self.timeline))
        self._moved()

    def on_seek_requested(self, message: SeekRequested) -> None:
        self.pacer.pause()
        self.go_to(message.minutes)
        self._moved()

    async def action_quit(self) -> None:
        self.exit(0)

    def log_file(self) -> str | None:
        return str(self.log_data.path) if self.log_data.path else None

    def palette_entries(self) -> list[Entry]:
        view_only = isinstance(self.screen, PlayersScreen)
        out = []
        for key in REPLAY:
            if view_only and key.id.split("(")[0] not in ("players", "language", "quit", "help"):
                continue
            out.append(
                Entry(
                    t(description_key(key)),
                    t("tui.palette_key", key=key.display or key.keys),
                    lambda a=key.action: self.call_next(self.run_action, a),
                    general=True,
                )
            )
        return out
