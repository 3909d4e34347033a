"""Running a batch: replications of one or two arms on common seeds, in any executor, in order.

Work goes out in small chunks, a few per worker at a time, so Ctrl-C stops quickly: nothing new
is sent, what is queued is cancelled, and the runs that finished are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..diagnostics import DrillError
from ..i18n import t
from ..model.load import Scenario
from .figures import metric_names
from .job import Job, run_chunk, run_seed
from .overrides import Override

Progress = Callable[[int, int], None]  # (runs finished, runs in all)


class StopBatch(Exception):
    """An executor's future ends with this when the batch cannot go on (a cluster with no worker
    left): the batch stops as on Ctrl-C, keeping the runs that finished, and says why."""


@dataclass
class Arm:
    """One side of a batch: a checked scenario, the overrides applied to it, and its job."""

    label: str
    scenario: Scenario  # as checked with its overrides
    overrides: list[Override]
    job: Job

    @property
    def metrics(self) -> list[str]:
        return metric_names(self.scenario)


@dataclass
class BatchResult:
    arms: list[Arm]
    runs: int  # asked for
    seed: int
    workers: int
    backend: str
    # per arm, the finished runs ordered by index
    results: list[list[dict[str, Any]]] = field(default_factory=list)
    interrupted: bool = False
    stopped: str | None = None  # why it stopped early, when not by Ctrl-C
    elapsed: float = 0.0

    def completed(self, arm: int) -> int:
        return len(self.results[arm])

    def common_indexes(self) -> list[int]:
        """Run indexes finished in every arm (all of them unless interrupted)."""
        sets = [{r["index"] for r in res} for res in self.results]
        return sorted(set.intersection(*sets)) if sets else []


LOOK_EVERY = 0.2  # seconds between looks at a stop request while the pool works


class StopSignal(Protocol):
    def is_set(self) -> bool: ...
    def exception(self) -> BaseException: ...


def chunk_size(runs: int, workers: int) -> int:
    # about eight chunks per worker for balance, and small enough (a fraction of a second) that
    # Ctrl-C never waits long for the chunks already running; per-chunk overhead stays ~1%
    return max(1, min(16, runs // max(1, workers * 8)))


def run_batch(
    arms: list[Arm],
    runs: int,
    seed: int,
    pool: Executor,
    workers: int,
    backend: str = "local",
    progress: Progress | None = None,
    signals: StopSignal | None = None,
) -> BatchResult:
    """Run ``runs`` replications of every arm; run i of each arm uses the same seed. ``signals``: a
    request to stop that arrived while the pool worked (see backends.StopRequest), looked at
    between chunks."""
    seeds = [(i, run_seed(seed, i)) for i in range(runs)]
    size = chunk_size(runs, workers)
    # both arms of one block of seeds go out together, so a stopped comparison still pairs up
    work = [(a, seeds[s : s + size]) for s in range(0, runs, size) for a in range(len(arms))]
    result = BatchResult(arms, runs, seed, workers, backend, [[] for _ in arms])
    total = runs * len(arms)
    done = 0
    in_flight: set[Future[Any]] = set()
    limit = max(2, workers * 2)
    start = time.perf_counter()
    next_work = 0
    try:
        while next_work < len(work) or in_flight:
            while next_work < len(work) and len(in_flight) < limit:
                arm, chunk = work[next_work]
                in_flight.add(pool.submit(run_chunk, arms[arm].job, arm, chunk))
                next_work += 1
            finished, in_flight = wait(
                in_flight, timeout=LOOK_EVERY if signals is not None else None, return_when=FIRST_COMPLETED
            )
            stop = None
            for future in finished:
                if isinstance(future.exception(), StopBatch):
                    stop = future.exception()  # after keeping the others that finished with it
                    continue
                arm, rows = _result(future)
                result.results[arm].extend(rows)
                done += len(rows)
            if progress:
                progress(done, total)
            if stop is not None:
                raise stop
            if signals is not None and signals.is_set():
                raise signals.exception()
    except (KeyboardInterrupt, StopBatch) as exc:
        result.interrupted = True
        if isinstance(exc, StopBatch):
            result.stopped = str(exc)
        for future in in_flight:
            future.cancel()
        # chunks already running finish in a moment; keep them
        for future in in_flight:
            if not future.cancelled():
                try:
                    arm, rows = future.result()
                except Exception:  # a chunk lost to the interrupt is simply not counted
                    continue
                result.results[arm].extend(rows)
    result.elapsed = time.perf_counter() - start
    for rows in result.results:
        rows.sort(key=lambda r: r["index"])
    return result


def _result(future: Future[Any]) -> tuple[int, list[dict[str, Any]]]:
    try:
        return future.result()  # type: ignore[no-any-return]
    except ImportError as exc:
        if (exc.name or "").split(".")[0] == "drill":
            # a cluster's worker without drill installed cannot unpack the job
            raise DrillError(t("batch.worker_no_drill", reason=str(exc))) from exc
        raise
