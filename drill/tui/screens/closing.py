"""The end of a drill as an event: the objectives met, not met or undecided, the expected
actions, the key figures, and the commands for the report and the replay. The same screen, with
the figures so far, during the drill (``s``)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from ...i18n import t
from ...metrics import Snapshot
from ...model.durations import format_duration, format_offset
from ...model.load import Scenario
from ...narration import clock_text, expect_detail, name_of
from ...summary import format_number
from ...viewmodel import ViewModel
from ..objectives import GLYPH, objective_lines
from ..widgets.metrics import time_figure
from .dialogs import Dialog

STATE_STYLE = {"met": "bold green", "not_met": "bold red", "undecided": "bold yellow"}
EXPECT_STYLE = {"met": "green", "late": "yellow", "missed": "bold red", "open": "", "overdue": "yellow"}


def closing_text(scenario: Scenario, vm: ViewModel, now: float, log: str | None) -> Group:
    snap = vm.metrics.snapshot(now)
    parts: list[object] = []

    def heading(key: str) -> None:
        parts.append(Text(t(key), style="bold underline"))

    heading("tui.closing_objectives")
    lines = objective_lines(scenario, snap)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column()
    for line in lines:
        grid.add_row(
            Text(f"{GLYPH[line.state]} {t('tui.objective_' + line.state)}", style=STATE_STYLE[line.state]),
            Text(line.label),
            Text(f"{line.value} ({line.bound})", style="dim"),
        )
    parts.append(grid if lines else Text(t("tui.closing_no_objectives"), style="dim"))
    parts.append(Text(""))

    heading("tui.closing_expectations")
    ex = snap.expectations
    parts.append(
        Text(
            t(
                "tui.expectations",
                met=ex.get("met", 0),
                late=ex.get("late", 0),
                missed=ex.get("missed", 0),
                open=ex.get("open", 0) + ex.get("overdue", 0),
            )
        )
    )
    for view in vm.injects("delivered"):
        for exp in view.expects:
            if exp.status in ("late", "missed", "open", "overdue"):
                action = t("tui.act_" + exp.action.replace("-", "_"))
                who = f" · {name_of(scenario, 'team', exp.by)}" if exp.by else ""
                label = view.id if view.trigger != "deadlines" else t("tui.msel_deadlines")
                detail = expect_detail(exp.spec, scenario)
                parts.append(
                    Text(
                        f"  {t('tui.exp_' + exp.status)}: {action} {detail}{who} ({label})",
                        style=EXPECT_STYLE.get(exp.status, ""),
                    )
                )
    parts.append(Text(""))

    heading("tui.closing_figures")
    parts.append(_figures(snap))
    return Group(*parts)


def closing_next(log: str | None) -> str:
    """The commands for the debrief (shown below the figures, never scrolled away)."""
    if not log:
        return ""
    return t("tui.closing_report", file=log) + "\n" + t("tui.closing_replay", file=log)


def _figures(snap: Snapshot) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()

    # the times as the Figures panel shows them, from the same rule
    grid.add_row(t("tui.m_detect"), time_figure(snap, "detect"))
    grid.add_row(t("tui.m_contain"), time_figure(snap, "contain"))
    grid.add_row(t("tui.m_recover"), time_figure(snap, "recover"))
    grid.add_row(
        t("tui.m_hosts"),
        t(
            "tui.m_hosts_value",
            now=format_number(snap.hosts_now),
            ever=format_number(snap.hosts_ever),
            nodes=format_number(snap.nodes_ever),
        ),
    )
    grid.add_row(t("tui.closing_bodies"), format_number(len(snap.bodies_affected)))
    down = sorted(snap.downtime_by_service.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    grid.add_row(
        t("tui.closing_downtime"),
        ", ".join(f"{sid} {format_duration(minutes)}" for sid, minutes in down if minutes > 0) or "—",
    )
    grid.add_row(t("tui.closing_citizens"), format_number(snap.citizen_impact))
    grid.add_row(t("tui.m_exfil"), f"{format_number(snap.data_exfiltrated_gb, 1)} GB")
    return grid


class ClosingScreen(Dialog[str | None]):
    """Answers "look" (back to the drill's screens) or "quit"."""

    BINDINGS = [
        Binding("escape,enter,s", "answer('look')", show=False),
        Binding("q", "answer('quit')", show=False),
    ]

    def __init__(self, title: str, content: Group, next_steps: str = "") -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.content = content
        self.next_steps = next_steps

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box closing-box"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="closing-scroll"):
                yield Static(self.content, id="closing-text")
            if self.next_steps:
                yield Label(self.next_steps, id="closing-next", classes="dialog-next")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    t("tui.closing_look"), id="look", variant="primary", action="screen.answer('look')"
                )
                yield Button(t("tui.closing_quit"), id="quit", action="screen.answer('quit')")

    def on_mount(self) -> None:
        self.query_one("#closing-scroll", VerticalScroll).focus()

    def action_answer(self, what: str) -> None:
        self.dismiss(what)


def closing_title(scenario: Scenario, now: float, ended: bool) -> str:
    key = "tui.closing_title_ended" if ended else "tui.closing_title_so_far"
    return t(key, clock=clock_text(scenario, now), offset=format_offset(now))
