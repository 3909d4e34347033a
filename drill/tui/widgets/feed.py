"""The event feed: one line per event, newest at the bottom, appended as the drill runs (never
rebuilt unless the filter, the language or the replay's position changes)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from ...engine.events import Event
from ...i18n import pick, t
from ...knowledge import players_see
from ...model.durations import format_offset
from ...narration import SEVERITY_RANK, category, describe, severity
from .base import SEVERITY_COMPONENTS, DrillWidgetMixin, click

REBUILD_LINES = 400  # lines written back when the feed is rebuilt
MAX_BATCH = 60  # lines appended at one redraw at most: a flood scrolls past unread anyway
MAX_LINES = 2000
SEVERITY_GLYPH = {"info": " ", "notice": "•", "warning": "▲", "critical": "✖"}


class FeedLog(DrillWidgetMixin, RichLog):
    COMPONENT_CLASSES = SEVERITY_COMPONENTS

    def on_resize(self, event: events.Resize) -> None:
        # lines are laid out when written: write them again at the new width
        if event.size.width != getattr(self, "_laid_width", None):
            self._laid_width = event.size.width
            parent = self.parent
            if isinstance(parent, EventFeed):
                parent.refresh_view(force=True)


class EventFeed(DrillWidgetMixin, Vertical):
    def __init__(self, public: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._public = public
        self._vm_id = 0
        self._count = 0  # how many of the view-model's events the log has looked at
        self._filter: object = None

    def compose(self) -> ComposeResult:
        yield Static("", id="feed-filter")
        yield FeedLog(max_lines=MAX_LINES, min_width=20, wrap=False, auto_scroll=True, id="feed-log")

    def on_mount(self) -> None:
        self.border_title = t("tui.panel_feed_public" if self.public else "tui.panel_feed")
        self.refresh_view(force=True)

    def relabel(self) -> None:
        self.border_title = t("tui.panel_feed_public" if self.public else "tui.panel_feed")
        self.refresh_view(force=True)

    def passes(self, e: Event) -> bool:
        if self.public:
            return players_see(e)
        f = self.dapp.feed_filter
        if f.category and category(e) != f.category:
            return False
        if f.site and self.dapp.vm.site_of(e) != f.site:
            return False
        return SEVERITY_RANK[severity(e)] >= SEVERITY_RANK.get(f.severity, 0)

    def line(self, e: Event, log: FeedLog) -> Text:
        sev = severity(e)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(format_offset(e.t) + " ", log.component_style("sev--time"))
        text.append(SEVERITY_GLYPH[sev] + " ", log.component_style(f"sev--{sev}"))
        text.append(describe(e, self.dapp.scenario, public=self.public), log.component_style(f"sev--{sev}"))
        return text

    def refresh_view(self, force: bool = False) -> None:
        vm = self.dapp.vm
        log = self.query_one(FeedLog)
        flt = None if self.public else self.dapp.feed_filter
        events = vm.events
        width = log.scrollable_content_region.width
        if width <= 1:
            self._vm_id = 0  # not laid out yet (a hidden page): write everything once it is
            return
        rebuild = force or id(vm) != self._vm_id or flt != self._filter or len(events) < self._count
        if rebuild:
            self._vm_id, self._filter = id(vm), flt
            self._update_filter_line()
            log.clear()
            # the newest lines that pass, oldest first
            picked: list[Event] = []
            for e in reversed(events):
                if self.passes(e):
                    picked.append(e)
                    if len(picked) >= REBUILD_LINES:
                        break
            picked.reverse()
            self._count = len(events)
            self._write(log, picked, width, skipped=0)
            return
        new = [e for e in events[self._count :] if self.passes(e)]
        self._count = len(events)
        skipped = max(0, len(new) - MAX_BATCH)
        self._write(log, new[skipped:], width, skipped)

    def _write(self, log: FeedLog, picked: list[Event], width: int, skipped: int) -> None:
        """Many lines in one write: the log lays out one block instead of a line at a time."""
        if not picked:
            return
        block = Text(no_wrap=True, overflow="ellipsis")
        if skipped:
            block.append(t("tui.feed_skipped", count=skipped) + "\n", log.component_style("sev--time"))
        for i, e in enumerate(picked):
            if i:
                block.append("\n")
            block.append_text(self.line(e, log))
        log.write(block, width=width, scroll_end=False)
        log.scroll_end(animate=False)

    def _update_filter_line(self) -> None:
        label = self.query_one("#feed-filter", Static)
        if self.public:
            label.display = False
            return
        f = self.dapp.feed_filter
        parts = [
            t(f"tui.cat_{f.category}") if f.category else t("tui.filter_all"),
            pick(self.dapp.scenario.city.sites[f.site].name.model_dump())
            if f.site in self.dapp.scenario.city.sites
            else t("tui.filter_all_bodies"),
            "≥ " + t(f"tui.sev_{f.severity}"),
        ]
        text = Text(t("tui.filter_line") + " " + " · ".join(parts) + " ", style="dim")
        text.append(t("tui.filter_change"), click("app.filter"))
        label.update(text, layout=False)
