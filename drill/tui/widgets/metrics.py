"""The figures so far — all from ``drill.metrics`` — with sparklines over drill time."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...i18n import t
from ...metrics import Snapshot
from ...model.durations import format_duration
from ...narration import number
from ...viewmodel import sample_series
from ..objectives import objective_counts
from .base import DrillWidgetMixin

SPARK_POINTS = 120
SPARKS = ("hosts", "down", "queue")


def time_figure(snap: Snapshot, which: str) -> str:
    """A time to detect, contain or recover, or why there is none yet."""
    value = getattr(snap, f"time_to_{which}")
    if value is not None:
        return format_duration(value)
    if snap.incident_start is None or (which == "recover" and not snap.harmed):
        return "—"  # nothing (yet) to detect, contain or recover
    if which == "detect":
        ended = snap.planned > 0 and snap.now >= snap.planned
        return t("tui.not_detected") if ended else t("tui.not_yet")
    # not contained: something of the attacker still active, or not yet known (containment
    # counts from the detection); not recovered: harm left (a service down, a body cut off …)
    return t("tui.not_contained") if which == "contain" else t("tui.not_recovered")


def expectations_text(snap: Snapshot) -> str:
    ex = snap.expectations
    return t(
        "tui.expectations",
        met=ex.get("met", 0),
        late=ex.get("late", 0),
        missed=ex.get("missed", 0),
        open=ex.get("open", 0) + ex.get("overdue", 0),
    )


def strip_text(snap: Snapshot) -> str:
    """All the key figures on one line (the narrow layout's strip)."""
    ex = snap.expectations
    contain = time_figure(snap, "contain")
    objectives = ""
    if snap.objectives:
        counts = objective_counts(snap)
        objectives = " · " + t("tui.strip_objectives", **counts)
    return t(
        "tui.strip",
        detect=time_figure(snap, "detect"),
        contain=t("tui.strip_open") if snap.time_to_contain is None and snap.nodes_now else contain,
        now=number(snap.hosts_now),
        ever=number(snap.hosts_ever),
        down=len(snap.services_down),
        queue=sum(snap.queue.values()),
        met=ex.get("met", 0),
        late=ex.get("late", 0),
        missed=ex.get("missed", 0),
        objectives=objectives,
    )


class FiguresStrip(DrillWidgetMixin, Static):
    def refresh_view(self, force: bool = False) -> None:
        self.update(strip_text(self.dapp.vm.metrics.snapshot(self.dapp.now)), layout=False)


BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int) -> str:
    """Values as a row of bars, each the largest of its share of the values."""
    if width <= 0 or not values:
        return ""
    buckets = [
        max(
            values[
                i * len(values) // width : max(i * len(values) // width + 1, (i + 1) * len(values) // width)
            ]
        )
        for i in range(width)
    ]
    top = max(buckets)
    if top <= 0:
        return BARS[0] * width
    return "".join(BARS[min(len(BARS) - 1, int(v / top * (len(BARS) - 1) + 0.5))] for v in buckets)


class MetricsPanel(DrillWidgetMixin, Vertical):
    COMPONENT_CLASSES = {
        "metrics--label",
        "metrics--value",
        "metrics--bad",
        "metrics--good",
        "metrics--spark",
    }

    def compose(self) -> ComposeResult:
        yield Static("", id="figures")

    def on_mount(self) -> None:
        self.relabel()

    def relabel(self) -> None:
        self.border_title = t("tui.panel_metrics")
        self.refresh_view(force=True)

    def refresh_view(self, force: bool = False) -> None:
        app = self.dapp
        vm = app.vm
        now = app.now
        snap = vm.metrics.snapshot(now)
        label = self.component_style("metrics--label")
        value = self.component_style("metrics--value")
        bad = self.component_style("metrics--bad")
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        grid.add_row(Text(t("tui.m_detect"), label), Text(time_figure(snap, "detect"), value))
        contain = time_figure(snap, "contain")
        grid.add_row(Text(t("tui.m_contain"), label), Text(contain, bad if snap.nodes_now else value))
        grid.add_row(
            Text(t("tui.m_recover"), label),
            Text(time_figure(snap, "recover"), bad if snap.services_down else value),
        )
        grid.add_row(
            Text(t("tui.m_hosts"), label),
            Text(
                t(
                    "tui.m_hosts_value",
                    now=number(snap.hosts_now),
                    ever=number(snap.hosts_ever),
                    nodes=number(snap.nodes_ever),
                ),
                value,
            ),
        )
        grid.add_row(
            Text(t("tui.m_services"), label),
            Text(
                t(
                    "tui.m_services_value",
                    down=len(snap.services_down),
                    impact=number(round(snap.citizen_impact)),
                ),
                bad if snap.services_down else value,
            ),
        )
        teams = ", ".join(
            f"{team} {snap.queue.get(team, 0)}/{snap.staff.get(team, 0)}" for team in app.scenario.spec.teams
        )
        grid.add_row(
            Text(t("tui.m_queue"), label),
            Text(t("tui.m_queue_value", queue=sum(snap.queue.values()), teams=teams), value),
        )
        grid.add_row(Text(t("tui.m_expectations"), label), Text(expectations_text(snap), value))
        if snap.objectives:
            counts = objective_counts(snap)
            grid.add_row(
                Text(t("tui.m_objectives"), label),
                Text(t("tui.m_objectives_value", **counts), bad if counts["not_met"] else value),
            )
        grid.add_row(
            Text(t("tui.m_exfil"), label),
            Text(
                f"{number(snap.data_exfiltrated_gb, decimals=1)} GB",
                bad if snap.data_exfiltrated_gb else value,
            ),
        )
        end = max(now, 1.0)
        series = vm.metrics.series
        total = float(len(app.scenario.city.services))
        data = {
            "hosts": sample_series(series.get("hosts", []), end, SPARK_POINTS),
            "down": [total - v for v in sample_series(series.get("services_up", []), end, SPARK_POINTS)]
            if series.get("services_up")
            else [0.0] * SPARK_POINTS,
            "queue": sample_series(series.get("queue", []), end, SPARK_POINTS),
        }
        figures = self.query_one("#figures", Static)
        labels = [
            t(k)
            for k in (
                "tui.m_detect",
                "tui.m_contain",
                "tui.m_recover",
                "tui.m_hosts",
                "tui.m_services",
                "tui.m_queue",
                "tui.m_expectations",
                "tui.m_objectives",
                "tui.m_exfil",
            )
        ]
        labels += [t(f"tui.spark_{name}") for name in SPARKS]
        width = max(4, figures.content_region.width - max(Text(x).cell_len for x in labels) - 1)
        spark = self.component_style("metrics--spark")
        for name in SPARKS:
            grid.add_row(Text(t(f"tui.spark_{name}"), label), Text(sparkline(data[name], width), spark))
        figures.update(grid, layout=False)  # a fixed height: no layout pass for the screen
