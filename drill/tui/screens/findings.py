"""What the teams know: each team's machines held for compromised and suspected, techniques and
accounts identified, and its investigations with their artefacts (log lines, files and hashes,
addresses) — scrolled like the help. Built from the view model's team-knowledge fold."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from ...i18n import t
from ...model.load import Scenario
from ...team_knowledge import TeamKnowledge
from ...team_view import knowledge_lines
from .dialogs import Dialog

STYLE = {"heading": "bold underline", "strong": "bold", "weak": "dim", "artefact": "cyan", "plain": ""}


def findings_text(scenario: Scenario, teams: list[TeamKnowledge]) -> Group:
    parts: list[object] = []
    for k in teams:
        for style, line in knowledge_lines(scenario, k):
            parts.append(Text(line, style=STYLE.get(style, "")))
        parts.append(Text(""))
    if not any(k.incident is not None or k.investigations for k in teams):
        parts.append(Text(t("tui.know_nothing"), style="dim"))
    return Group(*parts)


class FindingsScreen(Dialog[None]):
    BINDINGS = [Binding("escape,K,q", "close", t("tui.help_close"), show=False)]

    def __init__(self, scenario: Scenario, teams: list[TeamKnowledge]) -> None:
        super().__init__(classes="dialog")
        self.scenario = scenario
        self.teams = teams

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Label(t("tui.findings_title"), classes="dialog-title")
            with VerticalScroll(id="findings-scroll"):
                yield Static(findings_text(self.scenario, self.teams), id="findings-text")
            yield Label(t("tui.findings_hint"), classes="dialog-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#findings-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
