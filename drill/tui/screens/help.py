"""The help: every key of the screen by topic, the keys every panel shares, and what the glyphs
mean — scrolled with the arrow keys, Page Up/Down, Home and End."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from ...i18n import t
from .. import keys
from ..legend import FEED_LEGEND, MAP_LEGEND, PLAYERS_LEGEND
from ..widgets.timeline import LANES, MARK_GLYPH
from .dialogs import Dialog

# keys that belong to widgets or to Textual, shown with the rest (display, description key)
MOVING = (
    ("Tab / Shift+Tab", "tui.key_focus_next_previous"),
    ("↑ ↓ ← →", "tui.help_arrows"),
    ("Enter", "tui.help_enter"),
    ("ctrl+p", "tui.help_palette"),
)


def help_text(table: tuple[keys.Key, ...], public: bool = False) -> Group:
    """The keys by topic, then the legend."""
    parts: list[object] = []

    def section(title: str, rows: list[tuple[str, str]]) -> None:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="bold", min_width=14)
        grid.add_column()
        for key, what in rows:
            grid.add_row(key, what)
        parts.append(Text(title, style="bold underline"))
        parts.append(grid)
        parts.append(Text(""))

    for group, members in keys.grouped(table):
        section(
            t(f"tui.help_group_{group}"), [(keys.shown_key(k), t(keys.description_key(k))) for k in members]
        )
    section(t("tui.help_group_moving"), [(shown, t(key)) for shown, key in MOVING])
    legend = PLAYERS_LEGEND if public else MAP_LEGEND
    section(t("tui.help_group_map"), [(glyph, t("tui." + key)) for glyph, key in legend])
    section(t("tui.help_group_feed"), [(glyph, t("tui." + key)) for glyph, key in FEED_LEGEND])
    if any(k.group == "jump" for k in table):  # the replay: its timeline bar's marks
        marks = [(MARK_GLYPH[kind], t(f"tui.mark_{kind}")) for lane in LANES for kind in lane]
        section(t("tui.help_group_timeline"), marks)
    return Group(*parts)


class HelpScreen(Dialog[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", t("tui.help_close"), show=False),
    ]

    def __init__(self, table: tuple[keys.Key, ...], public: bool = False) -> None:
        super().__init__(classes="dialog")
        self.table = table
        self.public = public

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Label(t("tui.help_title"), classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(self.table, self.public), id="help-text")
            yield Label(t("tui.help_hint"), classes="dialog-detail")

    def on_mount(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
