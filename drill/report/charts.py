"""The report's charts, drawn from the metric series with matplotlib and embedded as inline SVG."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

# text stays text in the SVG (the browser's fonts have the Vietnamese letters; it prints sharp)
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "drill-report",  # the same ids on every run: reports compare byte for byte
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#222222",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
}


BUCKETS = 600  # slices of the time axis; about the chart's width in pixels


@dataclass
class Line:
    """A vertical marker on a chart (a detection, a decision …)."""

    t: float
    label: str


def step_chart(
    points: Sequence[tuple[float, float]],
    end: float,
    title: str,
    ylabel: str,
    xlabel: str,
    colour: str,
    markers: Sequence[Line] = (),
    ymax: float | None = None,
    chart_id: str = "chart",
    fmt: str = "svg",
) -> str | bytes:
    """A step chart of a metric series (minutes → value) as an ``<svg>`` element, or as PNG bytes
    (``fmt="png"``, for a Word document)."""
    import matplotlib

    matplotlib.use("Agg", force=False)  # no display, ever
    from matplotlib import ticker
    from matplotlib.figure import Figure

    xs, ys = _steps(points, end)
    hours = end / 60.0
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(9.0, 2.5), dpi=100)
        ax = fig.add_subplot()
        ax.step([x / 60.0 for x in xs], ys, where="post", color=colour, linewidth=1.6)
        ax.fill_between([x / 60.0 for x in xs], ys, step="post", color=colour, alpha=0.15, linewidth=0)
        top = ymax if ymax is not None else max([*ys, 1.0]) * 1.12
        ax.set_ylim(0, top)
        ax.set_xlim(0, max(hours, 1 / 60))
        for mark in markers:
            ax.axvline(mark.t / 60.0, color="#888888", linestyle=(0, (3, 3)), linewidth=0.8)
            ax.annotate(
                mark.label,
                (mark.t / 60.0, top),
                xytext=(3, -10),
                textcoords="offset points",
                fontsize=7.5,
                color="#444444",
            )
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold", color="#111111")
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        if hours > 72:  # a drill of days: a tick a day or every few days
            ax.xaxis.set_major_locator(ticker.MultipleLocator(24 * max(1, round(hours / 24 / 8))))
            ax.xaxis.set_major_formatter(ticker.FuncFormatter(_days))
        else:
            ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=10, steps=[1, 2, 3, 4, 6, 10]))
            ax.xaxis.set_major_formatter(ticker.FuncFormatter(_hours))
        ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True, nbins=5))
        fig.subplots_adjust(left=0.085, right=0.96, top=0.87, bottom=0.2)  # one frame: charts line up
        if fmt == "png":
            raw = io.BytesIO()
            fig.savefig(raw, format="png", dpi=200, metadata={"Software": None})
            return raw.getvalue()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return _inline(out.getvalue(), chart_id, title)


def held(points: Sequence[tuple[float, float]], end: float) -> list[tuple[float, float]]:
    """The values that held for a while, as the chart draws them: of several changes at one
    moment only the last one counts (a task queued and taken at once never waited)."""
    xs, ys = _steps(points, end)
    return list(zip(xs, ys, strict=True))


def _steps(points: Sequence[tuple[float, float]], end: float) -> tuple[list[float], list[float]]:
    """The series as step points from T+0 to ``end`` (a value holds until the next one)."""
    xs: list[float] = []
    ys: list[float] = []
    for t, value in points:
        if t > end:
            break
        if xs and t == xs[-1]:
            ys[-1] = value  # several changes at one moment: the last one holds
            continue
        xs.append(t)
        ys.append(value)
    if not xs or xs[0] > 0:
        xs.insert(0, 0.0)
        ys.insert(0, ys[0] if ys else 0.0)
    xs.append(max(end, xs[-1]))
    ys.append(ys[-1])
    return _thin(xs, ys, BUCKETS)


def _thin(xs: list[float], ys: list[float], buckets: int) -> tuple[list[float], list[float]]:
    """At most four points per slice of the time axis (the first, the lowest, the highest, the
    last): a chart of 100,000 changes draws the same picture from a few thousand points."""
    if len(xs) <= 4 * buckets:
        return xs, ys
    span = (xs[-1] - xs[0]) or 1.0
    out_x: list[float] = []
    out_y: list[float] = []
    i, n = 0, len(xs)
    for b in range(1, buckets + 1):
        edge = xs[0] + span * b / buckets
        j = i
        while j < n and (xs[j] <= edge or b == buckets):
            j += 1
        if j == i:
            continue
        low = min(range(i, j), key=ys.__getitem__)
        high = max(range(i, j), key=ys.__getitem__)
        for k in sorted({i, low, high, j - 1}):
            out_x.append(xs[k])
            out_y.append(ys[k])
        i = j
    return out_x, out_y


def _hours(value: float, _pos: object) -> str:
    total = int(round(value * 60))
    hours, minutes = divmod(total, 60)
    return f"T+{hours}h" if not minutes else f"T+{hours}h{minutes:02d}"


def _days(value: float, _pos: object) -> str:
    return f"T+{round(value / 24)}d"


def _inline(svg: str, chart_id: str, title: str) -> str:
    """The ``<svg>`` element alone, scalable, labelled for readers and tests."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    label = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace(
        "<svg", f'<svg id="{chart_id}" class="chart" role="img" aria-label="{label}"', 1
    ).strip()
