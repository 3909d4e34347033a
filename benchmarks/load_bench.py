"""How fast topologies and scenarios load: the bundled data, and generated city-scale topologies.

Run alone for a breakdown (parse, then validate and build the graph) of one generated size:

    python benchmarks/load_bench.py --sites 580 --hosts-per-site 171

``benchmarks/run.py`` calls ``bundled`` and ``generated`` for its table.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from drill.data import bundled_scenarios, bundled_topologies  # noqa: E402
from drill.generate import generate_topology, node_count, write_topology  # noqa: E402
from drill.model import load as scenario_loading  # noqa: E402
from drill.model.check import check_file  # noqa: E402
from drill.model.city import build_city, load_city  # noqa: E402
from drill.yamlio import load_file  # noqa: E402

# a 100,000-node city: 580 communes and districts, as Hanoi has, of 171 machines each
FULL_SITES, FULL_HOSTS = 580, 171
QUICK_SITES, QUICK_HOSTS = 60, 50


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float, Any]:
    """The best wall and CPU times of ``repeat`` calls, and the last result (each call after a
    collection, so earlier work does not count). CPU time is what a busy machine does not inflate."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return wall, cpu, result


def bundled(repeat: int = 3) -> dict[str, Any]:
    """Seconds to load and validate every bundled topology and scenario, cold (no cached city)."""
    files = [*bundled_topologies().values(), *bundled_scenarios().values()]

    def check_all() -> int:
        scenario_loading._CITY_CACHE.clear()
        problems = 0
        for path in files:
            problems += len(check_file(path).diagnostics)
        return problems

    wall, cpu, problems = timed(check_all, repeat)
    return {"seconds": wall, "cpu": cpu, "files": len(files), "problems": problems}


def generated(sites: int, hosts: int, folder: Path, seed: int = 1, repeat: int = 1) -> dict[str, Any]:
    """Generate a topology, write it in both forms, and time loading each into a city."""
    data = generate_topology(sites, hosts, seed)
    out: dict[str, Any] = {"nodes": node_count(sites, hosts), "sites": sites, "hosts_per_site": hosts}
    for form, name in (("yaml", "topology.yaml"), ("json", "topology.json")):
        path = folder / name
        out[f"{form}_bytes"] = write_topology(data, path)
        wall, cpu, city = timed(lambda p=path: load_city(p), repeat)
        if len(city.nodes) != out["nodes"]:
            raise AssertionError(f"{path}: {len(city.nodes)} nodes, expected {out['nodes']}")
        out[f"{form}_seconds"] = wall
        out[f"{form}_cpu"] = cpu
        out[f"{form}_path"] = path
        del city
    return out


def breakdown(path: Path) -> dict[str, float]:
    """CPU seconds to parse one file and to build its city, and wall and CPU of ``load_city``."""
    _wall, parse, document = timed(lambda: load_file(path))
    _wall, build, (city, problems) = timed(lambda: build_city(document))
    if city is None:
        raise AssertionError("\n".join(d.format() for d in problems))
    city = document = None  # let them go before the next load
    wall, cpu, _city = timed(lambda: load_city(path))
    return {"parse": parse, "build": build, "load_city": cpu, "wall": wall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time loading generated topologies")
    parser.add_argument("--sites", type=int, default=FULL_SITES)
    parser.add_argument("--hosts-per-site", type=int, default=FULL_HOSTS)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = bundled()
    print(f"bundled data: {result['files']} files checked in {result['seconds']:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        data = generate_topology(args.sites, args.hosts_per_site, args.seed)
        nodes = node_count(args.sites, args.hosts_per_site)
        print(f"generated: {args.sites} sites x {args.hosts_per_site} hosts = {nodes:,} nodes")
        print("CPU seconds (wall seconds of load_city in brackets)")
        print(f"{'form':<6} {'bytes':>12} {'parse':>8} {'build':>8} {'load_city':>16}")
        for form in ("yaml", "json"):
            path = Path(tmp) / f"topology.{form}"
            size = write_topology(data, path)
            parts = breakdown(path)
            total = f"{parts['load_city']:.2f} ({parts['wall']:.2f})"
            print(f"{form:<6} {size:>12,} {parts['parse']:>8.2f} {parts['build']:>8.2f} {total:>16}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
