"""The narrow layout's page line (one panel at a time) and the figures strip above it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...i18n import t
from .base import DrillWidgetMixin, click

PAGES = ("network", "body", "feed", "metrics", "msel")


class PageTabs(DrillWidgetMixin, Static):
    COMPONENT_CLASSES = {"pages--active", "pages--other"}

    def refresh_view(self, force: bool = False) -> None:
        current = self.dapp.page
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, page in enumerate(PAGES, start=1):
            style = self.component_style("pages--active" if page == current else "pages--other")
            out.append(f" {i} {t(f'tui.page_{page}')} ", style + click(f"app.page('{page}')"))
            out.append(" ")
        self.update(out, layout=False)
