"""The replay's timeline bar: injects, detections, decisions and notes over the drill's length,
with the playhead; click anywhere to go there."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget

from ...model.durations import format_offset
from ..messages import SeekRequested
from .base import DrillWidgetMixin

MARK_GLYPH = {"inject": "◆", "detection": "!", "decision": "●", "note": "✎"}
# when marks share a cell, the one shown first in this order wins
MARK_PRIORITY = ("inject", "decision", "detection", "note")


class TimelineBar(DrillWidgetMixin, Widget):
    COMPONENT_CLASSES = {
        "timeline--inject",
        "timeline--detection",
        "timeline--decision",
        "timeline--note",
        "timeline--played",
        "timeline--rest",
        "timeline--head",
        "timeline--label",
    }

    def _span(self) -> float:
        app = self.dapp
        timeline = app.timeline  # type: ignore[attr-defined]
        return max(float(app.scenario.spec.duration), timeline.end, 1.0)

    def render(self) -> Text:
        app = self.dapp
        timeline = app.timeline  # type: ignore[attr-defined]
        width = max(10, self.content_region.width)
        label_start, label_end = format_offset(0), format_offset(self._span())
        bar_width = max(4, width - len(label_start) - len(label_end) - 2)
        span = self._span()
        cells: list[str | None] = [None] * bar_width
        for mark in timeline.marks:
            x = min(bar_width - 1, int(mark.t / span * bar_width))
            current = cells[x]
            if current is None or MARK_PRIORITY.index(mark.kind) < MARK_PRIORITY.index(current):
                cells[x] = mark.kind
        head = min(bar_width - 1, int(app.now / span * bar_width))
        out = Text(no_wrap=True)
        out.append(" " * (len(label_start) + 1))
        for kind in cells:
            if kind is None:
                out.append(" ")
            else:
                out.append(MARK_GLYPH[kind], self.component_style(f"timeline--{kind}"))
        out.append("\n")
        out.append(label_start + " ", self.component_style("timeline--label"))
        out.append("━" * head, self.component_style("timeline--played"))
        out.append("╋", self.component_style("timeline--head"))
        out.append("─" * (bar_width - head - 1), self.component_style("timeline--rest"))
        out.append(" " + label_end, self.component_style("timeline--label"))
        return out

    def refresh_view(self, force: bool = False) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        width = max(10, self.content_region.width)
        label = len(format_offset(0)) + 1
        bar_width = max(4, width - label - len(format_offset(self._span())) - 1)
        inside = event.get_content_offset(self)  # the bar is drawn in the content, inside the padding
        if inside is None:
            return
        x = inside.x - label
        if 0 <= x < bar_width:
            self.post_message(SeekRequested((x + 0.5) / bar_width * self._span()))
