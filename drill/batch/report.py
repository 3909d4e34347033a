"""A batch's results as statistics, and those as a table (vi/en), JSON or CSV."""

from __future__ import annotations

import csv
from typing import Any

from ..diagnostics import DrillError
from ..i18n import t
from ..outputs import atomic_writer
from ..summary import format_value, objective_label
from .figures import (
    bounds,
    can_be_missing,
    format_bound,
    format_figure,
    format_points,
    format_share,
    kind_of,
    metric_label,
)
from .runner import Arm, BatchResult
from .stats import Difference, Proportion, Spread, paired, spread, wilson


def _values(rows: list[dict[str, Any]], metric: str) -> list[float | None]:
    return [r["figures"].get(metric) for r in rows]


def arm_summary(arm: Arm, rows: list[dict[str, Any]]) -> dict[str, Any]:
    metrics = {m: spread(_values(rows, m), *bounds(m)) for m in arm.metrics}
    objectives = []
    for i, obj in enumerate(arm.scenario.spec.objectives):
        met = sum(1 for r in rows if r["met"][i])
        objectives.append(
            {"index": i, "metric": obj.metric, "label": _objective_name(arm, i), "p": wilson(met, len(rows))}
        )
    return {
        "label": arm.label,
        "scenario": arm.scenario.id,
        "overrides": [o.text for o in arm.overrides],
        "completed": len(rows),
        "metrics": metrics,
        "objectives": objectives,
        "refused_runs": sum(1 for r in rows if r["refused"]),
    }


def _comparable_objectives(a: Arm, b: Arm) -> bool:
    oa, ob = a.scenario.spec.objectives, b.scenario.spec.objectives
    return len(oa) == len(ob) and all(
        (x.metric, x.service, x.site) == (y.metric, y.service, y.site) for x, y in zip(oa, ob, strict=True)
    )


def comparison(result: BatchResult) -> dict[str, Any]:
    """Arm B against arm A, run by run on the same seeds (common random numbers)."""
    a, b = result.arms
    common = set(result.common_indexes())
    rows_a = [r for r in result.results[0] if r["index"] in common]
    rows_b = [r for r in result.results[1] if r["index"] in common]
    metrics: dict[str, dict[str, Any]] = {}
    for m in a.metrics:
        if m not in b.metrics:
            continue
        va, vb = _values(rows_a, m), _values(rows_b, m)
        reached_a = [0.0 if v is None else 1.0 for v in va]
        reached_b = [0.0 if v is None else 1.0 for v in vb]
        metrics[m] = {
            "a": spread(va, *bounds(m)),
            "b": spread(vb, *bounds(m)),
            # over the seeds where both have a value: the means and their difference add up
            "difference": paired(va, vb),
            # and how much more often B has one at all (contained, recovered …), paired by seed
            "reached": paired(reached_a, reached_b),
        }
    objectives = []
    if _comparable_objectives(a, b):
        for i, obj in enumerate(a.scenario.spec.objectives):
            ma = [1.0 if r["met"][i] else 0.0 for r in rows_a]
            mb = [1.0 if r["met"][i] else 0.0 for r in rows_b]
            objectives.append(
                {
                    "index": i,
                    "metric": obj.metric,
                    "a": wilson(int(sum(ma)), len(ma)),
                    "b": wilson(int(sum(mb)), len(mb)),
                    "difference": paired(ma, mb),
                }
            )
    return {"pairs": len(common), "metrics": metrics, "objectives": objectives}


def summarise(result: BatchResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "runs": result.runs,
        "seed": result.seed,
        "workers": result.workers,
        "backend": result.backend,
        "elapsed_s": round(result.elapsed, 3),
        "interrupted": result.interrupted,
        "arms": [arm_summary(arm, rows) for arm, rows in zip(result.arms, result.results, strict=True)],
        "comparison": comparison(result) if len(result.arms) == 2 else None,
    }
    return out


def jsonable(value: Any) -> Any:
    """Statistics records turned into plain JSON values."""
    if isinstance(value, (Spread, Difference, Proportion)):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------- text


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _ci(metric: str, low: float | None, high: float | None, signed: bool = False) -> str:
    if low is None or high is None:
        return "—"
    return f"{format_figure(metric, low, signed)} … {format_figure(metric, high, signed)}"


def _pct(value: float | None) -> str:
    return format_share(value)


def _column(arm: Arm, metric: str) -> str:
    """A figure's column for people: its name and its unit."""
    unit = {"duration": t("batch.csv_minutes"), "gb": "GB", "share": "0–1"}.get(kind_of(metric), "")
    label = metric_label(arm.scenario, metric)
    return f"{label} ({unit})" if unit and f"({unit})" not in label else label


def _objective_name(arm: Arm, index: int) -> str:
    obj = arm.scenario.spec.objectives[index]
    rel = "<" if obj.under is not None else "≥"
    bound = obj.under if obj.under is not None else obj.at_least
    return f"{objective_label(arm.scenario, index)} ({rel} {format_value(obj.metric, bound)})"


def text_lines(result: BatchResult, summary: dict[str, Any]) -> list[str]:
    lines = [
        t(
            "batch.title",
            scenario=result.arms[0].label,
            runs=result.runs,
            seed=result.seed,
            workers=result.workers,
            backend=result.backend,
            seconds=f"{result.elapsed:.1f}",
        )
    ]
    if result.interrupted:
        done = min(a["completed"] for a in summary["arms"])
        lines.append(t("batch.partial", done=done, runs=result.runs))
    missing_note = False
    for k, (arm, arm_sum) in enumerate(zip(result.arms, summary["arms"], strict=True)):
        lines.append("")
        if len(result.arms) > 1:
            lines.append(t("batch.arm", name="AB"[k], label=arm.label, runs=arm_sum["completed"]))
        header = [
            t("batch.col_metric"),
            t("batch.col_with_value"),
            t("batch.col_mean"),
            "p10",
            "p50",
            "p90",
            t("batch.col_ci"),
        ]
        rows = []
        for m, s in arm_sum["metrics"].items():
            label = metric_label(arm.scenario, m)
            if can_be_missing(m):
                label += " *"
                missing_note = True
            rows.append(
                [
                    label,
                    _pct(s.share) if s.runs else "—",
                    format_figure(m, s.mean),
                    format_figure(m, s.p10),
                    format_figure(m, s.p50),
                    format_figure(m, s.p90),
                    _ci(m, s.ci_low, s.ci_high),
                ]
            )
        lines += _table(header, rows)
        if arm_sum["objectives"]:
            lines.append("")
            orows = [
                [_objective_name(arm, o["index"]), _pct(o["p"].p), _pct_ci(o["p"])]
                for o in arm_sum["objectives"]
            ]
            lines += _table([t("batch.col_objective"), t("batch.col_p_met"), t("batch.col_ci")], orows)
        if arm_sum["refused_runs"]:
            lines.append(t("batch.refused", count=arm_sum["refused_runs"]))
    if missing_note:
        lines += ["", t("batch.note_missing")]
    if summary["comparison"] is not None:
        lines += comparison_lines(result, summary["comparison"])
    return lines


def _pct_ci(p: Proportion) -> str:
    if p.low is None or p.high is None:
        return "—"
    return f"{_pct(p.low)} … {_pct(p.high)}"


def _yes(d: Difference) -> str:
    if d.ci_low is None:
        return "—"
    return t("batch.yes") if d.significant else t("batch.no")


def comparison_lines(result: BatchResult, comp: dict[str, Any]) -> list[str]:
    a = result.arms[0]
    lines = ["", t("batch.comparison", pairs=comp["pairs"])]
    header = [
        t("batch.col_metric"),
        t("batch.col_a_mean"),
        t("batch.col_b_mean"),
        t("batch.col_diff"),
        t("batch.col_ci"),
        t("batch.col_pairs"),
        t("batch.col_significant"),
        t("batch.col_reached"),
        t("batch.col_reached_diff"),
    ]
    rows = []
    for m, c in comp["metrics"].items():
        d: Difference = c["difference"]
        reached: Difference = c["reached"]
        label = metric_label(a.scenario, m) + (" *" if can_be_missing(m) else "")
        rows.append(
            [
                label,
                format_figure(m, d.mean_a),
                format_figure(m, d.mean_b),
                format_figure(m, d.mean, signed=True),
                _bounds(m, d),
                f"{d.pairs}",
                _yes(d),
                f"{_pct(c['a'].share)} → {_pct(c['b'].share)}" if can_be_missing(m) else "",
                _reached(reached) if can_be_missing(m) else "",
            ]
        )
    lines += _table(header, rows)
    if comp["objectives"]:
        lines.append("")
        orows = []
        for o in comp["objectives"]:
            d = o["difference"]
            orows.append(
                [
                    _objective_name(a, o["index"]),
                    _pct(o["a"].p),
                    _pct(o["b"].p),
                    _signed_pct(d.mean),
                    "—"
                    if d.ci_low is None
                    else f"{_signed_pct(d.ci_low, True)} … {_signed_pct(d.ci_high, True)}",
                    _yes(d),
                ]
            )
        lines += _table(
            [
                t("batch.col_objective"),
                t("batch.col_a_p"),
                t("batch.col_b_p"),
                t("batch.col_diff"),
                t("batch.col_ci"),
                t("batch.col_significant"),
            ],
            orows,
        )
    lines += ["", t("batch.note_paired")]
    return lines


def _bounds(metric: str, d: Difference) -> str:
    if d.ci_low is None or d.ci_high is None:
        return "—"
    return f"{format_bound(metric, d.ci_low)} … {format_bound(metric, d.ci_high)}"


def _reached(d: Difference) -> str:
    """How much more often B reaches a value, in percentage points, and whether that is clear."""
    if d.mean is None:
        return "—"
    text = format_points(d.mean)
    if d.significant:
        text += " " + t("batch.significant_mark")
    return text


def _signed_pct(value: float | None, precise: bool = False) -> str:
    """A difference of two chances: in percentage points, not per cent."""
    return format_points(value, precise)


# ---------------------------------------------------------------- CSV


def seed_cell(seed: int) -> str:
    """A seed as a spreadsheet keeps it: ``="6447385398986112003"``, a formula giving the digits as
    text. A bare 19-digit number is rounded to 15 significant digits by every spreadsheet (to
    6447385398986109952), and the run could no longer be re-run from it."""
    return f'="{seed}"'


def write_csv(result: BatchResult, path: str, dialect: str = "standard") -> None:
    """One row per run (and arm): its seed, every figure, and each objective met (1) or not (0).
    ``excel-vi``: for Excel set to Vietnamese — semicolons, decimal commas, a byte-order mark,
    the figures' names with their units and the objectives by name."""
    metrics: list[str] = []
    for arm in result.arms:
        metrics += [m for m in arm.metrics if m not in metrics]
    n_obj = max(len(arm.scenario.spec.objectives) for arm in result.arms)
    human = dialect == "excel-vi"
    if human:
        first = result.arms[0]
        header = [
            "arm",
            "scenario",
            "run",
            "seed",
            *(_column(first, m) for m in metrics),
            *(
                t("batch.csv_objective", name=_objective_name(first, i))
                if i < len(first.scenario.spec.objectives)
                else f"objective_{i}"
                for i in range(n_obj)
            ),
            "refused",
        ]
    else:
        header = [
            "arm",
            "scenario",
            "run",
            "seed",
            *metrics,
            *(f"objective_{i}" for i in range(n_obj)),
            "refused",
        ]

    def number(value: float) -> str:
        return repr(value).replace(".", ",") if human else repr(value)

    try:
        with atomic_writer(path, what="batch.cannot_write") as fh:  # csv ends its lines itself
            if human:
                fh.write("\ufeff")  # a byte-order mark: Excel reads the file as UTF-8
            writer = csv.writer(fh, delimiter=";" if human else ",")
            writer.writerow(header)
            for k, (arm, rows) in enumerate(zip(result.arms, result.results, strict=True)):
                for r in rows:
                    figures = r["figures"]
                    met = [int(x) for x in r["met"]] + [""] * (n_obj - len(r["met"]))
                    writer.writerow(
                        [
                            "AB"[k],
                            arm.scenario.id,
                            r["index"],
                            seed_cell(r["seed"]),
                            *("" if figures.get(m) is None else number(figures[m]) for m in metrics),
                            *met,
                            r["refused"],
                        ]
                    )
    except OSError as exc:
        raise DrillError(t("batch.cannot_write", file=path, reason=exc.strerror or str(exc))) from exc
