"""Batch throughput: runs per second with 1 and 2 workers, the parallel efficiency, and the time
1,000 runs of the default scenario take.

    python benchmarks/batch_bench.py [--runs 400] [--scenario ID] [--profile]

Throughput is measured on a warm pool (workers started, scenario parsed), and the start-up cost
is reported apart, so the efficiency shows how well the runs themselves spread over cores.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drill.batch import executor, load_arm, run_batch  # noqa: E402
from drill.batch.job import prepare, run_one, run_seed  # noqa: E402


def _cpu_of(pids: list[int]) -> float:
    """CPU seconds used so far by these processes (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def timed(arms, runs: int, workers: int, seed: int) -> tuple[float, float, float, object]:
    """(start-up s, batch wall s on the warm pool, CPU s the batch used in all processes, result)."""
    start = time.perf_counter()
    with executor("local", workers) as (pool, slots):
        run_batch(arms, slots * 4, seed + 1, pool, slots)  # start the workers, parse the scenario
        pids = [os.getpid(), *getattr(pool, "_processes", {})]  # a benchmark may peek at the pool
        cpu0, warm = _cpu_of(pids), time.perf_counter()
        result = run_batch(arms, runs, seed, pool, slots)
        done, cpu = time.perf_counter(), _cpu_of(pids) - cpu0
    return warm - start, done - warm, cpu, result


def profile(arm, runs: int) -> None:
    prepared = prepare(arm.job)
    prof = cProfile.Profile()
    prof.enable()
    for i in range(runs):
        run_one(prepared, i, run_seed(0, i))
    prof.disable()
    print(f"\nprofile of {runs} runs in one process, top functions by own time:")
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="also profile single-process runs")
    args = parser.parse_args()
    arm = load_arm(args.scenario, [])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"scenario {arm.scenario.id}, {args.runs} runs, {cores} cores, load {os.getloadavg()[0]:.2f}")
    startup1, t1, cpu1, r1 = timed([arm], args.runs, 1, args.seed)
    rate1 = args.runs / t1
    print(f"1 worker : {rate1:7.1f} runs/s  ({t1:.2f} s wall, {cpu1:.2f} s CPU, start-up {startup1:.2f} s)")
    startup2, t2, cpu2, r2 = timed([arm], args.runs, 2, args.seed)
    rate2 = args.runs / t2
    print(f"2 workers: {rate2:7.1f} runs/s  ({t2:.2f} s wall, {cpu2:.2f} s CPU, start-up {startup2:.2f} s)")
    assert r1.results == r2.results, "1 and 2 workers disagree"  # type: ignore[attr-defined]
    print(f"parallel efficiency with 2 workers: {rate2 / (2 * rate1):.0%} of linear (wall clock)")
    if cpu1 and cpu2:
        # CPU per run, alone against spread over processes: the cost of going parallel, which
        # other load on the machine does not blur
        print(f"work efficiency with 2 workers: {cpu1 / cpu2:.0%} (CPU per run, 1 worker / 2 workers)")
    print(f"1,000 runs projected: {1000 / rate1:.1f} s on 1 worker, {startup2 + 1000 / rate2:.1f} s on 2")
    start = time.perf_counter()
    with executor("local", 2) as (pool, slots):
        run_batch([arm], 1000, args.seed, pool, slots)
    print(f"1,000 runs measured on 2 workers, start-up included: {time.perf_counter() - start:.1f} s")
    if args.profile:
        profile(arm, min(args.runs, 200))


if __name__ == "__main__":
    main()
