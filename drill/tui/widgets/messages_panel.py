"""The players' screen: the messages delivered to them so far (hidden injects stay off)."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...i18n import pick, t
from ...model.durations import format_offset
from .base import DrillWidgetMixin


class InjectMessages(DrillWidgetMixin, VerticalScroll):
    COMPONENT_CLASSES = {"messages--title", "messages--meta"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: tuple[object, ...] = ()

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="messages-text")

    def on_mount(self) -> None:
        self.border_title = t("tui.panel_messages")
        self.refresh_view(force=True)

    def relabel(self) -> None:
        self.border_title = t("tui.panel_messages")
        self.refresh_view(force=True)

    def refresh_view(self, force: bool = False) -> None:
        vm = self.dapp.vm
        key = (id(vm), vm.msel_version)
        if key == self._shown and not force:
            return
        self._shown = key
        delivered = [
            v
            for v in vm.injects("delivered")
            if not v.hidden and v.trigger != "deadlines" and v.delivered_at is not None
        ]
        out = Text()
        if not delivered:
            out.append(t("tui.messages_none"), self.component_style("messages--meta"))
        for view in reversed(delivered):  # newest first: the room reads the top
            sender = pick(view.sender) if view.sender else ""
            to = ", ".join(
                pick(self.dapp.scenario.spec.teams[x].name.model_dump())
                if x in self.dapp.scenario.spec.teams
                else x
                for x in view.to
            )
            meta = format_offset(view.delivered_at or 0.0)
            if view.channel:
                meta += " · " + t(f"tui.channel_{view.channel}")
            if sender:
                meta += " · " + t("tui.messages_from", sender=sender)
            if to:
                meta += " → " + to
            out.append(meta + "\n", self.component_style("messages--meta"))
            title = pick(view.title) if view.title else ""
            if title:
                out.append(title + "\n", self.component_style("messages--title"))
            out.append(pick(view.text) + "\n\n")
        self.query_one("#messages-text", Static).update(out)
