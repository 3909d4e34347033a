"""Both arms' distributions as cumulative curves (matplotlib, no GUI backend)."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t
from ..outputs import atomic_writer
from .figures import kind_of, metric_label
from .runner import BatchResult

PLOT_SUFFIXES = (".png", ".svg", ".pdf")
PANELS = ("time_to_detect", "time_to_contain", "time_to_recover", "hosts_ever")


def check_plot_path(path: str) -> None:
    if Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise DrillError(t("batch.plot_suffix", file=path, suffixes=", ".join(PLOT_SUFFIXES)))


def draw(result: BatchResult, path: str) -> None:
    """Empirical CDFs over all runs: a run that never reached a time (never contained) never
    climbs the curve, so where a curve levels off is the share of runs that got there."""
    from matplotlib.figure import Figure  # imported only when a plot is asked for

    fig = Figure(figsize=(11, 7.5), layout="constrained")
    axes = fig.subplots(2, 2)
    scenario = result.arms[0].scenario
    for ax, metric in zip(axes.flat, PANELS, strict=True):
        hours = kind_of(metric) == "duration"
        for k, (arm, rows) in enumerate(zip(result.arms, result.results, strict=True)):
            values = sorted(
                (v / 60.0 if hours else v) for r in rows if (v := r["figures"].get(metric)) is not None
            )
            n = len(rows)
            if not n:
                continue
            xs = [0.0, *values] if values else [0.0]
            ys = [0.0, *((i + 1) / n for i in range(len(values)))]
            name = "AB"[k] + ": " + arm.label if len(result.arms) > 1 else arm.label
            ax.step(xs, ys, where="post", label=name, color=("tab:blue", "tab:orange")[k])
        ax.set_title(metric_label(scenario, metric))
        ax.set_xlabel(t("batch.plot_hours") if hours else t("batch.plot_count"))
        ax.set_ylabel(t("batch.plot_share"))
        ax.set_ylim(0, 1.02)
        ax.grid(True, alpha=0.3)
    axes.flat[0].legend(loc="lower right", fontsize="small")
    fig.suptitle(t("batch.plot_title", runs=result.runs, seed=result.seed))
    try:
        with atomic_writer(path, binary=True, what="batch.cannot_write") as out:
            fig.savefig(out, format=Path(path).suffix.lower()[1:])
    except OSError as exc:
        raise DrillError(t("batch.cannot_write", file=path, reason=exc.strerror or str(exc))) from exc
