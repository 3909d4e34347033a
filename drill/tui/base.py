"""What the live drill, the replay and the players' projector view share: the scenario, the
view-model, what is selected, the feed's filter, the language, and the actions on the view."""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from platformdirs import user_downloads_path
from rich.console import Console
from textual import events
from textual.app import App, ScreenStackError, UnknownModeError
from textual.command import CommandPalette

from ..i18n import LANGUAGES, get_language, pick, set_language, t
from ..model.load import Scenario
from ..narration import name_of
from ..pacing import Pacer, speed_text
from ..viewmodel import CATEGORIES, SEVERITIES, ViewModel
from .messages import BodySelected, ClockTick, DrillChanged, MselSelected, NodeSelected
from .palette import DrillCommands, DrillPalette
from .screens.closing import ClosingScreen, closing_next, closing_text, closing_title
from .screens.dialogs import Dialog, FeedFilter, FilterScreen
from .screens.findings import FindingsScreen
from .screens.help import HelpScreen
from .screens.views import DrillScreen, PlayersScreen, ViewScreen
from .widgets.pages import PAGES

TICK = 0.1  # seconds between slices of drill time


@dataclass
class Selection:
    """What the facilitator's next decision applies to (the view's state, not the drill's)."""

    site: str | None = None
    node: str | None = None
    inject: str | None = None
    expectation: int | None = None


@dataclass(frozen=True)
class ClockState:
    now: float
    running: bool
    speed: float
    finished: bool
    lagging: bool
    mode: str


class DrillBaseApp(App[int]):
    CSS_PATH = "drill.tcss"
    TITLE = "drill"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]
    COMMANDS = App.COMMANDS | {DrillCommands}
    mode = "live"
    pacer: Pacer  # the drill clock's pace, set by each kind of app

    scenario: Scenario
    vm: ViewModel
    selection: Selection

    def __init__(
        self,
        scenario: Scenario | None,
        vm: ViewModel | None,
        *,
        lang: str | None = None,
        wallclock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        if lang:
            set_language(lang)
        if scenario is not None and vm is not None:
            self.attach(scenario, vm)
        self.wallclock = wallclock or datetime.now
        self.feed_filter = FeedFilter()
        self.page = "network"
        self.lang_epoch = 0
        self._holds = 0  # dialogs open that stop the clock
        self._run_after_holds = False
        self.errors: list[str] = []  # bugs caught instead of ending the drill (tests read it)
        self.freeze_heap()  # the city and the scenario, before the widgets are made

    def attach(self, scenario: Scenario, vm: ViewModel) -> None:
        """The drill to show (the players' screen on a second terminal learns it from the log
        once the drill has started writing it)."""
        self.scenario = scenario
        self.vm = vm
        unit = scenario.spec.unit
        self.selection = Selection(
            site=unit if unit in scenario.city.sites else next(iter(scenario.city.sites))
        )

    # ------------------------------------------------------------ the clock (each mode has its own)
    @property
    def now(self) -> float:
        return self.vm.now

    @property
    def running(self) -> bool:
        return self.pacer.running

    @property
    def speed(self) -> float:
        return self.pacer.speed

    @property
    def finished(self) -> bool:
        return self.vm.finished

    @property
    def lagging(self) -> bool:
        return False

    def can_run(self) -> bool:
        """Whether the clock may start again after a dialog (a finished drill stays stopped)."""
        return not self.finished

    def hold_clock(self) -> Callable[[], None]:
        """Stop the clock while the facilitator types or picks, so a decision lands at the moment
        they started entering it. Holds nest (the palette opens a picker); the returned function
        lets go of this one, once, and the clock runs again when the last is let go of, if it
        was running before the first."""
        if self._holds == 0:
            self._run_after_holds = self.pacer.running
            self.pacer.pause()
            self.clock_moved()
        self._holds += 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._holds -= 1
            if self._holds == 0 and self._run_after_holds and self.can_run() and not self.pacer.running:
                self.pacer.start()
                self.clock_moved()

        return release

    def clock_state(self) -> ClockState:
        return ClockState(self.now, self.running, self.speed, self.finished, self.lagging, self.mode)

    # ------------------------------------------------------------ memory
    def freeze_heap(self) -> None:
        """Move what exists now (the city, the scenario, the events so far, the widgets) out of the
        garbage collector's sight: a full collection over a big city takes a third of a second,
        long enough to stall a key press; these objects live as long as the drill anyway."""
        gc.freeze()
        self._frozen_at = len(self.vm.events) if hasattr(self, "vm") else 0

    def on_unmount(self) -> None:
        gc.unfreeze()  # the drill is over: what it held may go (another app may follow)

    def refreeze_if_grown(self) -> None:
        if hasattr(self, "vm") and len(self.vm.events) > 2 * max(1000, getattr(self, "_frozen_at", 0)):
            gc.freeze()
            self._frozen_at = len(self.vm.events)

    # ------------------------------------------------------------ redrawing
    def view_screens(self) -> list[ViewScreen]:
        return [s for s in self.screen_stack if isinstance(s, ViewScreen)]

    def _view(self) -> ViewScreen | None:
        """The drill's view on top, if it is; None while a dialog is, or once the app is closing
        (a timer can still fire after its last screen has gone)."""
        try:
            top = self.screen
        except (ScreenStackError, UnknownModeError):
            return None
        return top if isinstance(top, ViewScreen) else None

    def drill_changed(self) -> None:
        """New events: the current screen redraws soon (notices coalesce)."""
        if view := self._view():
            view.post_message(DrillChanged())

    def clock_moved(self) -> None:
        if view := self._view():
            view.post_message(ClockTick())

    def refresh_now(self) -> None:
        """Redraw at once (after the facilitator did something)."""
        screen = self.screen
        if isinstance(screen, ViewScreen):
            screen.refresh_views()

    def export_text(self) -> str:
        """The screen as plain text (tests read it; the README shows it)."""
        width, height = self.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system=None,
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        console.print(self.screen._compositor.render_update(full=True, screen_stack=self._background_screens))
        return console.export_text()

    # ------------------------------------------------------------ never a traceback in front of a room
    def _handle_exception(self, error: Exception) -> None:
        """A bug in a handler must not end a drill: stop the clock, say so, keep the log. Before
        the screen is up there is nothing to keep, and Textual's own handling (exit with the
        traceback) stands."""
        if not self.is_running or not self.screen_stack or not getattr(self, "_mounted_once", False):
            super()._handle_exception(error)
            return
        self.errors.append(repr(error))
        self.pacer.pause()
        self.log.error(repr(error))
        with contextlib.suppress(Exception):  # the notice is a courtesy; the drill goes on without
            self.notify(t("tui.internal_error", error=repr(error)), severity="error", timeout=15)

    def on_ready(self) -> None:
        self._mounted_once = True

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and event.is_forwarded
            and isinstance(self.screen, Dialog)
            and self.screen.catch_stray_key(event)
        ):
            return
        await super().on_event(event)

    def action_command_palette(self) -> None:
        """The command palette stops the clock while it is open, like the pickers."""
        if CommandPalette.is_open(self):
            return
        release = self.hold_clock()
        # let go after the chosen command has run (the palette queues it after closing): a
        # command that opens a picker holds the clock on in the meantime
        self.push_screen(
            DrillPalette(id="--command-palette"), lambda _: self.call_later(self.call_later, release)
        )

    # ------------------------------------------------------------ selection (messages from widgets)
    def on_body_selected(self, message: BodySelected) -> None:
        if message.site != self.selection.site:
            self.selection.site = message.site
            self.selection.node = None
            self.refresh_now()
        if message.open_detail and isinstance(self.screen, DrillScreen) and self.screen.has_class("-narrow"):
            self.action_page("body")

    def on_node_selected(self, message: NodeSelected) -> None:
        if message.node != self.selection.node:
            self.selection.node = message.node
            screen = self.screen
            if isinstance(screen, DrillScreen):
                screen.query_one("#detail").refresh_view()  # type: ignore[attr-defined]
                for status in screen.query("#status"):
                    status.refresh_view()  # type: ignore[attr-defined]

    def on_msel_selected(self, message: MselSelected) -> None:
        self.selection.inject = message.inject
        self.selection.expectation = message.expectation
        for status in self.screen.query("#status"):
            status.refresh_view()  # type: ignore[attr-defined]

    # ------------------------------------------------------------ actions on the view
    def action_faster(self) -> None:
        self.pacer.faster()
        self.clock_moved()
        self.notify(t("tui.speed_now", speed=speed_text(self.pacer.speed)), timeout=2)

    def action_slower(self) -> None:
        self.pacer.slower()
        self.clock_moved()
        self.notify(t("tui.speed_now", speed=speed_text(self.pacer.speed)), timeout=2)

    def action_language(self) -> None:
        """Switch between Vietnamese and English, at any time."""
        current = get_language()
        set_language(LANGUAGES[(LANGUAGES.index(current) + 1) % len(LANGUAGES)])
        self.lang_epoch += 1
        for screen in self.view_screens():
            screen.relabel()
        self.notify(t("tui.language_now"), timeout=2)

    def action_page(self, page: str) -> None:
        """Show one panel (narrow terminals) or move to it (wide ones)."""
        if page not in PAGES:
            return
        self.page = page
        if isinstance(self.screen, DrillScreen):
            self.screen.show_page(page)

    def action_players(self) -> None:
        """Show or leave the players' screen."""
        if isinstance(self.screen, PlayersScreen):
            if len(self.screen_stack) > 1:
                self.pop_screen()
                self.call_after_refresh(self.refresh_now)
        else:
            self.push_screen(PlayersScreen())

    def action_findings(self) -> None:
        """What the teams know: the lens team's, or every team's, with their artefacts."""
        book = self.vm.teams
        teams = [book[self.vm.lens]] if self.vm.lens else list(book.teams.values())
        self.push_screen(FindingsScreen(self.scenario, teams))

    def action_lens(self) -> None:
        """The facilitator's map: the truth, then each team's knowledge in turn."""
        order = ["", *self.vm.teams.teams]
        self.vm.set_lens(order[(order.index(self.vm.lens) + 1) % len(order)])
        lens = self.vm.lens
        said = t("tui.lens_team", team=name_of(self.scenario, "team", lens)) if lens else t("tui.lens_truth")
        self.notify(said, timeout=3)
        for screen in self.view_screens():
            screen.relabel()
        self.refresh_now()

    def action_filter(self) -> None:
        """Filter the event feed by kind of event, body and severity."""
        if not isinstance(self.screen, DrillScreen):
            return
        categories = [(c, t(f"tui.cat_{c}")) for c in CATEGORIES if c != "drill"]
        sites = [(s, pick(site.name.model_dump())) for s, site in self.scenario.city.sites.items()]
        severities = [(s, t(f"tui.sev_{s}")) for s in SEVERITIES]

        def done(result: FeedFilter | None) -> None:
            if result is not None:
                self.feed_filter = result
                self.refresh_now()

        self.push_screen(FilterScreen(self.feed_filter, categories, sites, severities), done)

    def branched_from(self) -> dict[str, object] | None:
        """Where a branched drill came from (its log's header says): the log and the moment."""
        return None

    def log_file(self) -> str | None:
        """The drill's log, for the commands the closing screen names (None: no log)."""
        return None

    def action_summary(self) -> None:
        """The objectives, expected actions and key figures so far (at the end: the closing)."""
        if isinstance(self.screen, ViewScreen):
            self.show_closing()

    def show_closing(self) -> None:
        ended = self.finished
        screen = ClosingScreen(
            closing_title(self.scenario, self.now, ended),
            closing_text(self.scenario, self.vm, self.now, self.log_file()),
            closing_next(self.log_file()),
        )

        def answered(what: str | None) -> None:
            if what == "quit":
                if self.finished:
                    self.exit(0)  # nothing more to enter, the log is complete
                else:
                    self.call_later(self.run_action, "app.quit")

        self.push_screen(screen, answered)

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: into Downloads when there is one, else the current folder
        (Textual's own choice fails where Downloads does not exist, as on a fresh server)."""
        if path is None:
            downloads = user_downloads_path()
            path = str(downloads if downloads.is_dir() else Path.cwd())
        try:
            return super().deliver_screenshot(filename, path, time_format)
        except OSError as exc:
            self.notify(t("tui.cannot_save", folder=path, reason=exc.strerror or str(exc)), severity="error")
            return None

    def action_help(self) -> None:
        """Show the keys by topic and what the glyphs mean."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.action_close()
        elif isinstance(screen, ViewScreen) or hasattr(screen, "KEYS"):
            table = screen.KEYS  # type: ignore[attr-defined]
            self.push_screen(HelpScreen(table, public=not isinstance(screen, DrillScreen)))
