"""The two screens that show a drill: the facilitator's (live or replay) and the players'."""

from __future__ import annotations

import time
from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.containers import Container
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from ...i18n import get_language
from .. import keys
from ..messages import ClockTick, DrillChanged
from ..widgets.detail import BodyDetail
from ..widgets.feed import EventFeed
from ..widgets.header import HeaderBar
from ..widgets.messages_panel import InjectMessages
from ..widgets.metrics import FiguresStrip, MetricsPanel
from ..widgets.msel import MselPanel
from ..widgets.network import NetworkMap
from ..widgets.pages import PAGES, PageTabs
from ..widgets.status import StatusLine
from ..widgets.timeline import TimelineBar

REFRESH_INTERVAL = 0.25  # seconds between redraws of the panels while the drill runs


class ViewScreen(Screen[None]):
    """Panels that render from the app's view-model, redrawn a few times a second at most."""

    KEYS: tuple[keys.Key, ...] = ()
    CONTEXT: dict[str, tuple[str, ...]] = {}
    PANELS = ("network", "detail", "feed", "metrics", "msel")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last_refresh = 0.0
        self._pending = False
        self.refresh_count = 0  # how many times the panels were redrawn (the benchmark reads it)

    def on_mount(self) -> None:
        self.panel = ""
        self.rebind()

    def rebind(self) -> None:
        """Bindings described in the current language (Textual's are fixed per class otherwise),
        the footer showing the focused panel's keys."""
        context = self.CONTEXT.get(self.panel, self.CONTEXT.get("", ()))
        self._bindings = BindingsMap(keys.bindings(self.KEYS, get_language(), context))
        self.refresh_bindings()

    def panel_of(self, widget: Widget | None) -> str:
        """The panel (network, detail, feed, metrics, msel) a widget is in, or ""."""
        node = widget
        while node is not None and node is not self:
            if node.id in self.PANELS:
                return str(node.id)
            node = node.parent  # type: ignore[assignment]
        return ""

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        panel = self.panel_of(event.widget)
        if panel != getattr(self, "panel", ""):
            self.panel = panel
            self.rebind()

    def panels(self) -> Iterable[object]:
        return ()

    def refresh_views(self, force: bool = False) -> None:
        self._last_refresh = time.perf_counter()
        self._pending = False
        self.refresh_count += 1
        for panel in self.panels():
            panel.refresh_view(force=force)  # type: ignore[attr-defined]

    def relabel(self) -> None:
        self.rebind()
        for panel in self.panels():
            if hasattr(panel, "relabel"):
                panel.relabel()
            else:
                panel.refresh_view(force=True)  # type: ignore[attr-defined]

    def on_clock_tick(self, message: ClockTick) -> None:
        self.query_one(HeaderBar).refresh_view()

    def on_drill_changed(self, message: DrillChanged) -> None:
        since = time.perf_counter() - self._last_refresh
        if since >= REFRESH_INTERVAL:
            self.refresh_views()
        elif not self._pending:
            self._pending = True
            self.set_timer(REFRESH_INTERVAL - since, self._deferred)

    def _deferred(self) -> None:
        if self._pending:
            self.refresh_views()


class DrillScreen(ViewScreen):
    """The facilitator's screen: network, body, feed, figures and MSEL (and the replay's timeline)."""

    def __init__(self, mode: str = "live") -> None:
        super().__init__(id="drill-screen")
        self.mode = mode
        self.KEYS = keys.REPLAY if mode == "replay" else keys.LIVE
        self.CONTEXT = keys.REPLAY_CONTEXT if mode == "replay" else keys.CONTEXT

    def compose(self) -> ComposeResult:
        live = self.mode == "live"
        yield HeaderBar(id="header")
        if self.mode == "replay":
            yield TimelineBar(id="timeline")
        yield FiguresStrip(id="strip")
        yield PageTabs(id="tabs")
        with Container(id="body"):
            yield NetworkMap(id="network")
            yield BodyDetail(id="detail", buttons=live)
            yield MetricsPanel(id="metrics")
            yield EventFeed(id="feed")
            yield MselPanel(id="msel", buttons=live)
        if live:
            yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:  # ViewScreen.on_mount runs too (Textual calls each class's own)
        self.show_page(self.app.page)  # type: ignore[attr-defined]

    def panels(self) -> Iterable[object]:
        ids = ["#header", "#strip", "#tabs", "#network", "#detail", "#metrics", "#feed", "#msel"]
        if self.mode == "replay":
            ids.insert(1, "#timeline")
        else:
            ids.append("#status")
        return [self.query_one(i) for i in ids]

    def show_page(self, page: str) -> None:
        for name in PAGES:
            self.set_class(name == page, f"-page-{name}")
        self.query_one(PageTabs).refresh_view()
        target = {
            "network": "#network",
            "body": "#detail-nodes",
            "feed": "#feed-log",
            "metrics": None,
            "msel": "#msel-list",
        }[page]
        if page == "network":
            self.query_one(NetworkMap).focus_site(self.app.selection.site)  # type: ignore[attr-defined]
        elif target:
            self.query_one(target).focus()
        # a panel just shown is laid out on the next refresh: draw it then
        self.call_after_refresh(self.refresh_views, True)


class PlayersScreen(ViewScreen):
    """What the players may see: the network as they know it, the messages sent to them, the
    public events. The attacker's moves, hidden injects and controllers' notes stay off."""

    def __init__(self, follow: bool = False) -> None:
        super().__init__(id="players-screen")
        self.KEYS = keys.FOLLOW if follow else keys.PLAYERS

    def compose(self) -> ComposeResult:
        yield HeaderBar(public=True, id="pheader")
        with Container(id="pbody"):
            yield NetworkMap(public=True, id="pnetwork")
            yield InjectMessages(id="messages")
            yield EventFeed(public=True, id="pfeed")
        yield Footer()

    def panels(self) -> Iterable[object]:
        return [self.query_one(i) for i in ("#pheader", "#pnetwork", "#messages", "#pfeed")]
