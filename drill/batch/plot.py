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


# the objective metric that bounds a panel's figure (hosts_ever is the hosts_compromised figure)
TARGET_METRIC = {"hosts_ever": "hosts_compromised"}


def targets(scenario: object, metric: str) -> list[float]:
    """The scenario's bounds on a panel's figure, in the panel's unit (hours for times): the
    lines a curve should reach left of."""
    wanted = TARGET_METRIC.get(metric, metric)
    hours = kind_of(metric) == "duration"
    out = []
    for obj in scenario.spec.objectives:  # type: ignore[attr-defined]
        if obj.metric != wanted or obj.under is None or obj.service or obj.site:
            continue
        out.append(obj.under / 60.0 if hours else float(obj.under))
    return out


def draw(result: BatchResult, path: str) -> None:
    """Empirical CDFs over all runs: a run that never reached a time (never contained) never
    climbs the curve, so where a curve levels off is the share of runs that got there. A panel
    no run reached says so instead of drawing an empty axis; the objectives' bounds are dashed
    lines; one legend below the panels covers no curve."""
    from matplotlib.figure import Figure  # imported only when a plot is asked for

    fig = Figure(figsize=(11, 8), layout="constrained")
    axes = fig.subplots(2, 2)
    scenario = result.arms[0].scenario
    handles: dict[str, object] = {}
    for ax, metric in zip(axes.flat, PANELS, strict=True):
        hours = kind_of(metric) == "duration"
        reached = 0
        top = 0.0
        for k, (arm, rows) in enumerate(zip(result.arms, result.results, strict=True)):
            values = sorted(
                (v / 60.0 if hours else v) for r in rows if (v := r["figures"].get(metric)) is not None
            )
            n = len(rows)
            if not n or not values:
                continue
            reached += len(values)
            top = max(top, values[-1])
            xs = [0.0, *values]
            ys = [0.0, *((i + 1) / n for i in range(len(values)))]
            name = "AB"[k] + ": " + arm.label if len(result.arms) > 1 else arm.label
            (line,) = ax.step(xs, ys, where="post", label=name, color=("tab:blue", "tab:orange")[k])
            handles.setdefault(name, line)
        ax.set_title(metric_label(scenario, metric))
        ax.set_ylabel(t("batch.plot_share"))
        ax.set_ylim(0, 1.02)
        ax.grid(True, alpha=0.3)
        unit = t("batch.plot_hours") if hours else t("batch.plot_count")
        if not reached:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.text(
                0.5,
                0.5,
                t("batch.plot_none_reached"),
                ha="center",
                va="center",
                transform=ax.transAxes,
                wrap=True,
            )
            continue
        ax.set_xlabel(t("batch.plot_axis", unit=unit))
        bounds = targets(scenario, metric)
        for bound in bounds:
            label = t("batch.plot_target", bound=f"{bound:g}" + (" h" if hours else ""))
            line = ax.axvline(bound, color="tab:red", linestyle=(0, (4, 3)), linewidth=1.1, label=label)
            handles.setdefault(label, line)
        ax.set_xlim(0, max([top, *bounds]) * 1.05 or 1.0)
    if handles:
        fig.legend(
            list(handles.values()),
            list(handles),
            loc="outside lower center",
            ncols=min(len(handles), 4),
            fontsize="small",
            frameon=False,
        )
    fig.suptitle(t("batch.plot_title", runs=result.runs, seed=result.seed))
    try:
        with atomic_writer(path, binary=True, what="batch.cannot_write") as out:
            fig.savefig(out, format=Path(path).suffix.lower()[1:])
    except OSError as exc:
        raise DrillError(t("batch.cannot_write", file=path, reason=exc.strerror or str(exc))) from exc
