"""The replay's timeline bar: injects and detections on one lane, decisions and notes on
another (so no kind hides another), the playhead on the bar below, and what each mark means at
the right; click anywhere on the bar to go there."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widget import Widget

from ...i18n import t
from ...model.durations import format_offset
from ..messages import SeekRequested
from .base import DrillWidgetMixin

MARK_GLYPH = {"inject": "◆", "detection": "!", "decision": "●", "note": "✎"}
# two lanes: the MSEL and what the defenders saw; what the facilitator entered (decisions and
# notes). Two kinds that fall in one cell sit side by side, so no kind hides another.
LANES = (("inject", "detection"), ("decision", "note"))
LEGEND_MIN_BAR = 30  # cells the bar keeps before the legend gives way


def lane_cells(marks: list[tuple[int, str]], width: int) -> list[str | None]:
    """Marks (cell, kind) on a lane of ``width`` cells: one glyph a cell; a kind that finds its
    cell taken by another moves to the nearest free cell beside it, so each kind stays in sight."""
    cells: list[str | None] = [None] * width
    for x, kind in marks:
        for at in (x, x + 1, x - 1, x + 2, x - 2):
            if 0 <= at < width and cells[at] in (None, kind):
                cells[at] = kind
                break
    return cells


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

    def _legends(self) -> list[Text]:
        out = []
        for lane in LANES:
            text = Text(no_wrap=True)
            for i, kind in enumerate(lane):
                if i:
                    text.append("  ")
                text.append(MARK_GLYPH[kind], self.component_style(f"timeline--{kind}"))
                text.append(" " + t(f"tui.mark_{kind}"), self.component_style("timeline--label"))
            out.append(text)
        return out

    def _geometry(self) -> tuple[int, int, int]:
        """(left margin, bar width, legend width): the legend only when the bar keeps room."""
        width = max(10, self.content_region.width)
        left = len(format_offset(0)) + 1
        right = len(format_offset(self._span())) + 1
        legend = max(Text(x.plain).cell_len for x in self._legends()) + 2
        bar = width - left - right
        if bar - legend >= LEGEND_MIN_BAR:
            return left, bar - legend, legend
        return left, max(4, bar), 0

    def render(self) -> Text:
        app = self.dapp
        timeline = app.timeline  # type: ignore[attr-defined]
        left, bar_width, legend_width = self._geometry()
        span = self._span()
        legends = self._legends()
        out = Text(no_wrap=True)
        for row, lane in enumerate(LANES):
            cells = lane_cells(
                [
                    (min(bar_width - 1, int(m.t / span * bar_width)), m.kind)
                    for m in timeline.marks
                    if m.kind in lane
                ],
                bar_width,
            )
            out.append(" " * left)
            for kind in cells:
                if kind is None:
                    out.append(" ")
                else:
                    out.append(MARK_GLYPH[kind], self.component_style(f"timeline--{kind}"))
            if legend_width:
                out.append(" " * (len(format_offset(span)) + 1 + legend_width - cell_len(legends[row].plain)))
                out.append_text(legends[row])
            out.append("\n")
        head = min(bar_width - 1, int(app.now / span * bar_width))
        out.append(format_offset(0) + " ", self.component_style("timeline--label"))
        out.append("━" * head, self.component_style("timeline--played"))
        out.append("╋", self.component_style("timeline--head"))
        out.append("─" * (bar_width - head - 1), self.component_style("timeline--rest"))
        out.append(" " + format_offset(span), self.component_style("timeline--label"))
        return out

    def refresh_view(self, force: bool = False) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        left, bar_width, _ = self._geometry()
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x = offset.x - left
        if 0 <= x < bar_width:
            self.post_message(SeekRequested((x + 0.5) / bar_width * self._span()))
