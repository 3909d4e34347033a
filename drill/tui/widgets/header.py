"""The header: scenario title, drill clock and date, running or paused, speed, language."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ...i18n import get_language, pick, t
from ...model.durations import format_offset
from ...narration import clock_text
from ...pacing import speed_text
from .base import DrillWidgetMixin, click

WALL_CLOCK_EVERY = 10.0  # seconds between redraws of the header's wall clock


class HeaderBar(DrillWidgetMixin, Static):
    COMPONENT_CLASSES = {
        "header--title",
        "header--clock",
        "header--running",
        "header--paused",
        "header--ended",
        "header--mode",
        "header--control",
    }

    def __init__(self, public: bool = False, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._public = public

    def on_mount(self) -> None:
        self.refresh_view()
        # the wall clock in the corner moves while the drill is paused too
        self.set_interval(WALL_CLOCK_EVERY, self.refresh_view)

    def on_resize(self) -> None:
        self.refresh_view()  # narrow and wide lay the header out differently

    def refresh_view(self, force: bool = False) -> None:
        app = self.dapp
        state = app.clock_state()
        scenario = app.scenario
        narrow = self.size.width and self.size.width < 120
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, justify="right")
        title = Text(pick(scenario.spec.title.model_dump()), style=self.component_style("header--title"))
        mode = self.component_style("header--mode")
        origin = app.branched_from()
        if origin is not None:
            label = t(
                "tui.branch_mode",
                file=Path(str(origin.get("log", ""))).name,
                at=format_offset(float(origin.get("at", 0.0) or 0.0)),  # type: ignore[arg-type]
            )
            title = Text.assemble((f" {label} ", mode), " ", title)
        if self.public:
            title = Text.assemble((f" {t('tui.players_view')} ", mode), " ", title)
        elif state.mode == "replay":
            title = Text.assemble((f" {t('tui.replay_mode')} ", mode), " ", title)
        elif state.mode == "follow":
            title = Text.assemble((f" {t('tui.follow_mode')} ", mode), " ", title)
        clock = Text(clock_text(scenario, state.now), style=self.component_style("header--clock"))
        controls = not self.public and state.mode != "follow"
        if state.finished:
            status = Text(t("tui.ended"), style=self.component_style("header--ended"))
        else:
            word = t("tui.running") if state.running else t("tui.paused")
            glyph = "▶" if state.running else "||"
            cls = "header--running" if state.running else "header--paused"
            style = self.component_style(cls)
            status = Text.assemble(
                (f"{glyph} {word}", style + click("app.play_pause") if controls else style)
            )
            if not controls:
                status.append(f" {speed_text(state.speed).split(' · ')[0]}")
        if not self.public and state.mode != "follow":
            control = self.component_style("header--control")
            speed = speed_text(state.speed).split(" · ")[0] if narrow else speed_text(state.speed)
            status.append(" ")
            status.append("−", control + click("app.slower"))
            status.append(f" {speed} ")
            status.append("+", control + click("app.faster"))
            if not narrow and state.mode == "live":
                status.append(" ")
                status.append(t("tui.ctl_step"), control + click("app.step"))
                status.append(" ")
                status.append(t("tui.ctl_next_inject"), control + click("app.next_inject"))
            if state.lagging:
                status.append(" " + t("tui.lagging"), self.component_style("header--ended"))
        right = Text(f" {get_language().upper()} {app.wallclock().strftime('%H:%M')}")
        grid.add_row(title, clock, status, right)
        self.update(grid, layout=False)
