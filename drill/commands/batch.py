"""``drill batch``: many runs of a scenario (Monte Carlo), their spread, and comparisons."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..diagnostics import DrillError
from ..i18n import t
from ..outputs import add_force, check_output, same_file
from .run import check_seed

if TYPE_CHECKING:
    from ..batch.runner import Arm, Progress

# the batch machinery (engine, pools, Dask) loads only when a batch runs, not for every command
BACKENDS = ("local", "dask")

MAX_RUNS = 1_000_000


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help=t("batch.help"), description=t("batch.description"))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=t("cli.scenario_arg"))
    p.add_argument("--runs", type=int, default=100, metavar="N", help=t("batch.runs_help"))
    p.add_argument("--seed", type=int, metavar="S", help=t("batch.seed_help"))
    p.add_argument("--workers", type=int, metavar="W", help=t("batch.workers_help"))
    p.add_argument("--backend", choices=BACKENDS, default="local", help=t("batch.backend_help"))
    p.add_argument("--scheduler", metavar="ADDRESS", help=t("batch.scheduler_help"))
    p.add_argument("--worker-timeout", type=float, metavar="SECONDS", help=t("batch.worker_timeout_help"))
    p.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", dest="sets", help=t("batch.set_help")
    )
    p.add_argument("--decisions", metavar="FILE", help=t("cli.decisions_help"))
    p.add_argument("--vs", metavar="SCENARIO2", help=t("batch.vs_help"))
    p.add_argument("--vs-decisions", metavar="FILE2", help=t("batch.vs_decisions_help"))
    p.add_argument(
        "--vs-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="vs_sets",
        help=t("batch.vs_set_help"),
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help=t("cli.json_help"))
    out.add_argument("--csv", metavar="FILE", help=t("batch.csv_help"))
    p.add_argument(
        "--csv-dialect",
        choices=("standard", "excel-vi"),
        default="standard",
        help=t("batch.csv_dialect_help"),
    )
    p.add_argument("--plot", metavar="FILE", help=t("batch.plot_help"))
    add_force(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..batch.backends import WORKER_TIMEOUT, default_workers, executor, stop_on_signals
    from ..batch.plan import load_arm
    from ..batch.plot import check_plot_path, draw
    from ..batch.report import jsonable, summarise, text_lines, write_csv
    from ..batch.runner import run_batch

    if not 1 <= args.runs <= MAX_RUNS:
        raise DrillError(t("batch.bad_runs", runs=args.runs, limit=MAX_RUNS))
    check_seed(args.seed)
    if args.workers is not None and args.workers < 1:
        raise DrillError(t("batch.bad_workers", workers=args.workers))
    if args.worker_timeout is not None and args.backend != "dask":
        raise DrillError(t("batch.worker_timeout_needs_dask"))
    if args.worker_timeout is not None and not 0 < args.worker_timeout < float("inf"):
        raise DrillError(t("batch.bad_worker_timeout", value=f"{args.worker_timeout:g}"))
    worker_timeout = WORKER_TIMEOUT if args.worker_timeout is None else args.worker_timeout
    if args.plot:
        check_plot_path(args.plot)
    # two decision sets (e.g. two investigation strategies) on the same scenario and seeds
    named = args.vs_decisions is not None
    arms = [load_arm(args.scenario, args.sets, args.decisions, named)]
    if args.vs or args.vs_sets or named:
        # the --set values hold for both arms; --vs-set and --vs-decisions only for the second
        second = args.vs_decisions if named else args.decisions
        arms.append(load_arm(args.vs or args.scenario, args.sets + args.vs_sets, second, named))
    # before the runs, not after them: a refusal must not throw an hour of work away
    inputs = [arm.scenario.file for arm in arms] + [args.decisions, args.vs_decisions]
    outputs = [name for name in (args.csv, args.plot) if name]
    if len(outputs) == 2 and same_file(*outputs):
        raise DrillError(t("outputs.twice", file=args.plot))
    for name in outputs:
        check_output(name, inputs=inputs, force=args.force, what="batch.cannot_write")
    seed = arms[0].scenario.spec.seed if args.seed is None else args.seed
    workers = args.workers or default_workers()
    quiet = args.json
    total = args.runs * len(arms)
    # in this process alone, a stop acts at once; with a pool, at the runner's next look
    deferred = args.backend != "local" or workers > 1
    with (
        stop_on_signals(defer=deferred) as stopped_by,
        executor(args.backend, workers, args.scheduler, worker_timeout) as (pool, slots),
        _progress(quiet, arms, total) as progress,
    ):
        result = run_batch(arms, args.runs, seed, pool, slots, args.backend, progress, stopped_by)
        # a cluster reports the workers that really ran runs (some may have left, or none come)
        result.workers = getattr(pool, "workers_used", result.workers)
    summary = summarise(result)
    if args.csv:
        write_csv(result, args.csv, args.csv_dialect)
    if args.plot:
        draw(result, args.plot)
    if args.json:
        print(json.dumps(jsonable(summary), ensure_ascii=False, indent=2))
    else:
        print("\n".join(text_lines(result, summary)))
        for name in (args.csv, args.plot):
            if name:
                print(t("batch.written", file=name))
    if result.stopped:
        done = sum(result.completed(a) for a in range(len(arms)))
        print(t("batch.stopped", reason=result.stopped, done=done, total=total), file=sys.stderr)
        return 1
    if result.interrupted:
        print(t("cli.interrupted"), file=sys.stderr)
        return 128 + stopped_by.received[0] if stopped_by.is_set() else 130
    return 0


@contextmanager
def _progress(quiet: bool, arms: list[Arm], total: int) -> Iterator[Progress | None]:
    """A progress bar with an ETA on stderr, when stderr is a terminal and JSON was not asked for."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn(t("batch.eta")),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(t("batch.progress", label=arms[0].label), total=total)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update
