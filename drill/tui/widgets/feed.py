"""The event feed: one line per event, newest at the bottom, appended as the drill runs (never
rebuilt unless the filter, the language or the replay's position changes)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.widgets import RichLog, Static

from ...engine.events import Event
from ...i18n import pick, t
from ...knowledge import players_see
from ...model.durations import format_offset
from ...narration import SEVERITY_RANK, FeedLine, category, feed_text, first_words, fold_feed, severity
from .base import SEVERITY_COMPONENTS, DrillWidgetMixin, click

REBUILD_LINES = 400  # lines written back when the feed is rebuilt
MAX_BATCH = 60  # lines appended at one redraw at most: a flood scrolls past unread anyway
MAX_LINES = 2000
SEVERITY_GLYPH = {"info": " ", "notice": "•", "warning": "▲", "critical": "✖"}


class FeedLog(DrillWidgetMixin, RichLog):
    COMPONENT_CLASSES = SEVERITY_COMPONENTS

    def drop_last(self) -> None:
        """Take back the last line (a line that folds in what came after it is written again)."""
        if not self.lines:
            return
        self.lines.pop()
        self._line_cache.clear()
        self.virtual_size = Size(self._widest_line_width, len(self.lines))
        self.refresh()

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
        self._tail: FeedLine | None = None  # the last line written (it may fold in more)

    def compose(self) -> ComposeResult:
        yield Static("", id="feed-filter")
        yield Static("", id="feed-pin")
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

    def line(self, line: FeedLine, log: FeedLog) -> Text:
        sev = severity(line.event)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(format_offset(line.event.t) + " ", log.component_style("sev--time"))
        text.append(SEVERITY_GLYPH[sev] + " ", log.component_style(f"sev--{sev}"))
        words = feed_text(line, self.dapp.scenario, public=self.public)
        text.append(words, log.component_style(f"sev--{sev}"))
        return text

    def refresh_view(self, force: bool = False) -> None:
        vm = self.dapp.vm
        log = self.query_one(FeedLog)
        flt = None if self.public else self.dapp.feed_filter
        events = vm.events
        width = log.scrollable_content_region.width
        self._update_pin(force)
        if width <= 1:
            self._vm_id = 0  # not laid out yet (a hidden page): write everything once it is
            return
        rebuild = force or id(vm) != self._vm_id or flt != self._filter or len(events) < self._count
        if rebuild:
            self._vm_id, self._filter = id(vm), flt
            self._update_filter_line()
            log.clear()
            # the newest events that pass, oldest first
            picked: list[tuple[int, Event]] = []
            for i in range(len(events) - 1, -1, -1):
                if self.passes(events[i]):
                    picked.append((i, events[i]))
                    if len(picked) >= REBUILD_LINES:
                        break
            picked.reverse()
            self._count = len(events)
            self._tail = None
            self._write(log, fold_feed(picked), width, skipped=0)
            return
        if len(events) == self._count:
            return
        # fold again from the last line written: what came since may belong to it
        start = self._tail.first if self._tail is not None else self._count
        new = [(i, events[i]) for i in range(start, len(events)) if self.passes(events[i])]
        self._count = len(events)
        lines = fold_feed(new)
        if self._tail is not None and lines and lines[0].first == self._tail.first:
            if lines[0] == self._tail:
                lines = lines[1:]
            else:
                log.drop_last()
        skipped = max(0, len(lines) - MAX_BATCH)
        self._write(log, lines[skipped:], width, skipped)

    def _write(self, log: FeedLog, lines: list[FeedLine], width: int, skipped: int) -> None:
        """Many lines in one write: the log lays out one block instead of a line at a time."""
        if not lines:
            return
        block = Text(no_wrap=True, overflow="ellipsis")
        if skipped:
            block.append(t("tui.feed_skipped", count=skipped) + "\n", log.component_style("sev--time"))
        for i, line in enumerate(lines):
            if i:
                block.append("\n")
            block.append_text(self.line(line, log))
        log.write(block, width=width, scroll_end=False)
        log.scroll_end(animate=False)
        self._tail = lines[-1] if not skipped else None

    def _update_pin(self, force: bool) -> None:
        """The latest inject stays in sight above the flow of events."""
        vm = self.dapp.vm
        key = (id(vm), vm.msel_version, self.dapp.lang_epoch)
        if key == getattr(self, "_pinned", None) and not force:
            return
        self._pinned = key
        pin = self.query_one("#feed-pin", Static)
        delivered = [
            v
            for v in vm.injects("delivered")
            if v.trigger != "deadlines" and v.delivered_at is not None and not (self.public and v.hidden)
        ]
        if not delivered:
            pin.display = False
            return
        view = max(delivered, key=lambda v: v.delivered_at or 0.0)
        title = pick(view.title) if view.title else first_words(pick(view.text))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(t("tui.feed_pin") + " ", "bold")
        text.append(format_offset(view.delivered_at or 0.0) + " ", log_style := "dim")
        text.append(f"{view.id}: " if view.trigger != "free" else "", log_style)
        text.append(title)
        pin.update(text, layout=False)
        pin.display = True

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
