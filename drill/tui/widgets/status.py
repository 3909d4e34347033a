"""The status line: what the next key acts on — the selected body or node for the players'
decisions, the selected inject and expected action for the MSEL's keys."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...i18n import pick, t
from .base import DrillWidgetMixin

DECISION_KEYS = "i u c b r R P o"


class StatusLine(DrillWidgetMixin, Static):
    COMPONENT_CLASSES = {"status--keys", "status--target"}

    def refresh_view(self, force: bool = False) -> None:
        app = self.dapp
        sel = app.selection
        city = app.scenario.city
        keys = self.component_style("status--keys")
        target = self.component_style("status--target")
        out = Text(no_wrap=True, overflow="ellipsis")
        site = pick(city.sites[sel.site].name.model_dump()) if sel.site in city.sites else ""
        if sel.node and sel.node in city.nodes:
            out.append(DECISION_KEYS, keys)
            out.append(" " + t("tui.status_on") + " ")
            out.append(sel.node, target)
            if site:
                out.append(" " + t("tui.status_in", site=site))
        elif site:
            out.append(DECISION_KEYS, keys)
            out.append(" " + t("tui.status_on") + " ")
            out.append(t("tui.status_whole", site=site), target)
        view = app.vm.msel.get(sel.inject) if sel.inject else None
        if view is not None and not view.done and view.trigger not in ("free", "deadlines"):
            out.append("  ·  ")
            out.append("d x" + (" w" if view.status == "upcoming" else ""), keys)
            out.append(" " + t("tui.status_on") + " ")
            out.append(view.id, target)
        if view is not None and sel.expectation is not None and sel.expectation < len(view.expects):
            exp = view.expects[sel.expectation]
            if exp.status in ("open", "overdue"):
                out.append("  ·  ")
                out.append("k", keys)
                out.append(" " + t("tui.status_mark", inject=view.id, number=sel.expectation + 1))
        self.update(out, layout=False)
