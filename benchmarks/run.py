"""The benchmark suite: one table of the simulator's numbers at city scale.

    python benchmarks/run.py            # the full suite (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # a smoke run at small sizes (under a minute), as CI does
    python benchmarks/run.py --json results.json

Every ratio is measured in the same run (and process) as its reference. The suite reports: it exits
0 even when a target is missed, and 1 only when a benchmark fails to run.

Other benchmark modules beside this file are run when present (``batch_bench.py``,
``replay_seek.py``, ``tui_bench.py``, ``bridge_bench.py``); each offers
``run(quick: bool) -> list[dict]``, a dict per figure with ``figure``, ``value``, and optionally
``unit``, ``target``, ``ok`` and ``note``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import inspect
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # run from a source checkout

import load_bench  # noqa: E402
import simpy  # noqa: E402

from drill.data import DEFAULT_SCENARIO  # noqa: E402
from drill.engine import Simulation  # noqa: E402
from drill.generate import generate_topology, node_count, worm_scenario, write_scenario, write_topology  # noqa: E402
from drill.model.load import load_scenario  # noqa: E402

EXTERNAL = (
    ("batch_bench", "batch runs"),
    ("replay_seek", "replay seek"),
    ("tui_bench", "live drill"),
    ("bridge_bench", "bridge sites"),
)
# small sizes for the scripts that have only a command line, in a quick run
SCRIPT_QUICK = {
    "replay_seek": ["--events", "20000", "--seeks", "50"],
    "batch_bench": ["--runs", "40"],
}
# a 100,000-node worm: Hanoi's ~580 communes and districts of 171 machines each
WORM_FULL = (load_bench.FULL_SITES, load_bench.FULL_HOSTS, 150.0)  # sites, hosts per site, wall budget (s)
WORM_QUICK = (40, 40, 20.0)


@dataclass
class Row:
    figure: str
    value: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


class Failed(Exception):
    """A benchmark that could not run (the suite exits 1)."""


# ---------------------------------------------------------------- formatting


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def rate(value: float, unit: str = "/s") -> str:
    if value >= 1e6:
        return f"{value / 1e6:.2f} M{unit}"
    if value >= 1e4:
        return f"{value / 1e3:.0f} k{unit}"
    return f"{value:,.0f} {unit.lstrip()}" if unit != "/s" else f"{value:,.0f}/s"


def count(value: float) -> str:
    return f"{value:,.0f}"


# ---------------------------------------------------------------- loading


def bench_loading(quick: bool, folder: Path) -> list[Row]:
    rows = []
    result = load_bench.bundled(repeat=1 if quick else 3)
    rows.append(
        Row(
            f"load + validate bundled data ({result['files']} files)",
            seconds(result["cpu"]),
            "< 1 s",
            result["cpu"] < 1 and result["problems"] == 0,
            f"{result['problems']} problems" if result["problems"] else f"wall {seconds(result['seconds'])}",
        )
    )
    sites, hosts = (
        (load_bench.QUICK_SITES, load_bench.QUICK_HOSTS)
        if quick
        else (load_bench.FULL_SITES, load_bench.FULL_HOSTS)
    )
    gen = load_bench.generated(sites, hosts, folder)
    for form, label in (("yaml", "compact YAML"), ("json", "JSON inventory")):
        cpu = gen[f"{form}_cpu"]
        rows.append(
            Row(
                f"load {gen['nodes']:,}-node topology, {label}",
                seconds(cpu),
                "" if quick else "≤ 3 s",
                None if quick else cpu <= 3.0,
                f"{gen[f'{form}_bytes'] / 1e6:.1f} MB; wall {seconds(gen[f'{form}_seconds'])}",
            )
        )
    return rows


# ---------------------------------------------------------------- the default scenario


DEFAULT_HOURS = 72


def bench_default(quick: bool) -> list[Row]:
    """The default scenario over 72 drill hours: its own seed (best of a few runs), and 20 other
    seeds (each once), since one seed can be contained early and make little work."""
    scenario = load_scenario(DEFAULT_SCENARIO)

    def once(seed: int | None) -> tuple[float, float, int]:
        sim = Simulation(scenario, seed=seed)
        sim.end = DEFAULT_HOURS * 60.0  # the engine issue's yardstick: 72 drill hours
        start, start_cpu = time.perf_counter(), time.process_time()
        sim.run()
        return time.process_time() - start_cpu, time.perf_counter() - start, len(sim.events)

    own = [once(None) for _ in range(2 if quick else 5)]
    cpu, wall, events = min(c for c, _, _ in own), min(w for _, w, _ in own), own[-1][2]
    name = f"default scenario run ({DEFAULT_SCENARIO}, {DEFAULT_HOURS} h)"
    rows = [
        Row(
            name, seconds(cpu), "< 0.3 s", cpu < 0.3, f"its own seed; {events:,} events; wall {seconds(wall)}"
        )
    ]
    many = [once(seed) for seed in range(1, 6 if quick else 21)]
    cpus = [c for c, _, _ in many]
    mean = sum(cpus) / len(cpus)
    note = f"{len(many)} seeds: worst {seconds(max(cpus))}, {max(e for _, _, e in many):,} events at most"
    rows.append(Row(f"  same, mean over {len(many)} seeds", seconds(mean), "< 0.3 s", mean < 0.3, note))
    return rows


# ---------------------------------------------------------------- the city down to its communes


LAYER = """\
topology: bench-layer
extends: hanoi
name: {en: Hanoi with changes, vi: Hà Nội có thay đổi}
sites:
  - {id: ba-vi, staff: 250}
nodes:
  - {id: ba-vi-tan-linh-desk, hosts: 3}
remove:
  sites: [ba-vi-ba-trai]
"""


def bench_communes(quick: bool, folder: Path) -> list[Row]:
    """Hanoi with its 584 wards, communes and townships: the topology alone, a trainer's topology
    that extends it, and the one-hour commune drill (every seed's run is short: the mean of many)."""
    from drill.model import load as scenario_loading
    from drill.model.city import load_city

    hanoi = load_bench.bundled_topologies()["hanoi"]
    wall, cpu, city = load_bench.timed(lambda: load_city(hanoi), 1 if quick else 3)
    rows = [
        Row(
            f"load hanoi.yaml ({len(city.sites)} bodies, {len(city.nodes):,} nodes)",
            seconds(cpu),
            "< 0.5 s",
            cpu < 0.5,
            f"wall {seconds(wall)}",
        )
    ]
    layer = folder / "layer.yaml"
    layer.write_text(LAYER, encoding="utf-8")
    wall, cpu, _city = load_bench.timed(lambda: load_city(layer), 1 if quick else 3)
    rows.append(
        Row("load a topology that extends hanoi", seconds(cpu), "< 1 s", cpu < 1, f"wall {seconds(wall)}")
    )
    scenario_loading._CITY_CACHE.clear()
    scenario = load_scenario("grassroots-commune-drill")
    cpus = []
    for seed in range(1, 6 if quick else 31):
        sim = Simulation(scenario, seed=seed)
        start = time.process_time()
        sim.run()
        cpus.append(time.process_time() - start)
    mean = sum(cpus) / len(cpus)
    note = f"{len(cpus)} seeds: worst {seconds(max(cpus))}"
    rows.append(
        Row("commune drill run (grassroots-commune-drill, 1 h)", seconds(mean), "< 0.3 s", mean < 0.3, note)
    )
    return rows


# ---------------------------------------------------------------- engine against bare simpy


def bare_simpy(profile: list[tuple[int, int]], seed: int = 1) -> tuple[float, float, float]:
    """Wall and CPU seconds for simpy alone to process the events of ``profile`` — a list of
    (events, events pending after them) per stretch of the drill — each timeout's callback
    scheduling the next: the least work per event a model can do, with as many events pending at
    once as the drill had all along its run (heap operations grow dearer with the pending count).
    Also the pending count per event, estimated as the drill's is, to show that they match."""
    env = simpy.Environment()
    draw = random.Random(seed).expovariate
    queue = env._queue
    skip = [0]

    def fire(_event: Any) -> None:
        if skip[0]:
            skip[0] -= 1  # the pattern's pending count falls here: this event has no successor
        else:
            env.timeout(draw(1.0)).callbacks.append(fire)

    env.timeout(draw(1.0)).callbacks.append(fire)
    step = env.step
    seen = 0.0
    before = 1
    # the collector off, as the engine has it while it runs a slice (Simulation.run_until): left
    # on, the baseline paid for whatever collections the process owed when it started — up to
    # half its time, so the ratio moved with what had been imported before, not with the engine
    collecting = gc.isenabled()
    gc.disable()
    start, start_cpu = time.perf_counter(), time.process_time()
    for events, pending in profile:
        # hold this stretch's mean pending count (the drill's moved linearly from the last one's):
        # more timeouts now, or fewer successors
        target = max(1, (before + pending) // 2)
        gap = target - len(queue)
        for _ in range(gap):
            env.timeout(draw(1.0)).callbacks.append(fire)
        skip[0] = min(-gap, len(queue) - 1) if gap < 0 else 0
        held = len(queue)
        for _ in range(events):
            step()
        seen += events * (held + len(queue)) / 2
        before = pending
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if collecting:
        gc.enable()
    return wall, cpu, seen / max(1, sum(n for n, _ in profile))


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


def worm_child(folder: str, budget: float, profile_file: str | None = None) -> dict[str, Any]:
    """In a fresh process: load the worm scenario and run it in slices (until its end or the
    wall-clock budget), counting simpy's events and how many were pending after each slice.

    Given the profile of an earlier run, first time bare simpy on it — before the drill, so that it
    has the fresh process's tidy memory, its best case — then the same drill run in the same
    process: the ratio of the two rates is the engine's overhead on its own event pattern."""
    bare: tuple[float, float, float] | None = None
    if profile_file:
        bare = bare_simpy([tuple(p) for p in json.loads(Path(profile_file).read_text())])
    start = time.perf_counter()
    scenario = load_scenario(str(Path(folder) / "worm.yaml"))
    loaded = time.perf_counter()
    sim = Simulation(scenario)
    env = sim.env
    first_id = next(env._eid)  # ids count scheduled events; taking one does not reorder any
    queued_before = len(env._queue)
    profile: list[tuple[int, int]] = []
    done = 0
    run_start, run_cpu = time.perf_counter(), time.process_time()
    sim.start()
    while not sim.finished and time.perf_counter() - run_start < budget:
        sim.run_until(sim.now + 5.0)
        processed = next(env._eid) - first_id - 1 + queued_before - len(env._queue)
        profile.append((processed - done, len(env._queue)))
        done = processed
    elapsed, cpu = time.perf_counter() - run_start, time.process_time() - run_cpu
    starts = [max(1, queued_before), *(p for _, p in profile[:-1])]
    held = sum(n * (a + p) / 2 for (n, p), a in zip(profile, starts, strict=True))
    result = {
        "nodes": len(scenario.city.nodes),
        "load_seconds": loaded - start,
        "init_seconds": run_start - loaded,
        "run_seconds": elapsed,
        "run_cpu": cpu,
        "finished": sim.finished,
        "sim_minutes": sim.now,
        "drill_events": len(sim.events),
        "simpy_events": done,
        "pending_per_event": held / max(1, done),
        "pending_max": max((p for _, p in profile), default=0),
        "pending_over_time": sum(p for _, p in profile) / max(1, len(profile)),
        "profile": profile,
        "peak_mb": _maxrss_mb(),
    }
    if bare is not None:
        result |= {"bare_seconds": bare[0], "bare_cpu": bare[1], "bare_pending_per_event": bare[2]}
    return result


def _worm_process(folder: Path, budget: float, profile: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worm-child", str(folder), str(budget)]
    if profile is not None:
        command.append(str(profile))
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=2 * budget + 600,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode != 0:
        raise Failed(f"the worm run failed:\n{proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_engine(quick: bool, folder: Path) -> list[Row]:
    sites, hosts, budget = WORM_QUICK if quick else WORM_FULL
    worm = folder / "worm"
    worm.mkdir(exist_ok=True)
    data = generate_topology(sites, hosts, seed=1)
    write_topology(data, worm / "topology.yaml")
    write_scenario(worm_scenario(data, "topology.yaml"), worm / "worm.yaml")
    # the first run finds the event pattern (and the peak memory of the drill alone); the second,
    # in a new process, times bare simpy on that pattern and then the same drill again
    first = _worm_process(worm, budget)
    profile = worm / "profile.json"
    profile.write_text(json.dumps(first["profile"]), encoding="utf-8")
    r = _worm_process(worm, budget, profile)
    if r["simpy_events"] != first["simpy_events"] and r["finished"] and first["finished"]:
        raise Failed("the worm made different events in two runs of the same seed")
    engine_rate = r["simpy_events"] / r["run_cpu"]
    bare_rate = r["simpy_events"] / r["bare_cpu"]
    ratio = engine_rate / bare_rate
    wall_ratio = r["bare_seconds"] / r["run_seconds"]
    nodes = node_count(sites, hosts)
    stopped = "" if r["finished"] else f"stopped at T+{r['sim_minutes']:.0f}m after {r['run_seconds']:.0f} s"
    full = not quick
    pending = (
        f"pending per event {r['pending_per_event']:,.0f} (bare {r['bare_pending_per_event']:,.0f}),"
        f" at most {r['pending_max']:,}, {r['pending_over_time']:,.0f} over drill time"
    )
    return [
        Row(
            f"worm on {nodes:,} nodes: simpy events",
            count(r["simpy_events"]),
            "> 1M" if full else "",
            r["simpy_events"] > 1_000_000 if full else None,
            f"{r['drill_events']:,} drill events",
        ),
        Row(
            "worm: load / run",
            f"{seconds(r['load_seconds'] + r['init_seconds'])} / {seconds(r['run_cpu'])}",
            "",
            None if r["finished"] else False,
            stopped or f"run wall {seconds(r['run_seconds'])}",
        ),
        Row("engine event rate", rate(engine_rate), "", None, "simpy events per CPU second in the drill"),
        Row("bare simpy event rate", rate(bare_rate), "", None, f"as many events and pending: {pending}"),
        Row("engine / bare simpy", f"{ratio:.2f}", "≥ 0.5", ratio >= 0.5, f"{wall_ratio:.2f} in wall time"),
        Row(
            "worm: peak memory",
            f"{first['peak_mb']:,.0f} MB",
            "< 1 GB" if full else "",
            first["peak_mb"] < 1024 if full else None,
            "max resident set of the drill's process",
        ),
    ]


# ---------------------------------------------------------------- the other modules


def _accepts(fn: Any, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _format_value(value: Any, unit: str) -> str:
    if isinstance(value, float):
        text = f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit else text


def _rows_from(result: Any, label: str) -> list[Row]:
    if isinstance(result, dict) and not ({"figure", "name", "label"} & set(result)):
        result = [{"figure": k, "value": v} for k, v in result.items()]
    elif isinstance(result, (dict, Row)):
        result = [result]
    rows = []
    for item in result or []:
        if isinstance(item, Row):
            rows.append(item)
            continue
        if isinstance(item, (tuple, list)):
            item = dict(zip(("figure", "value", "target", "ok", "note"), item, strict=False))
        figure = item.get("figure") or item.get("name") or item.get("label") or label
        ok = item.get("ok", item.get("passed"))
        rows.append(
            Row(
                str(figure),
                _format_value(item.get("value", ""), str(item.get("unit", ""))),
                str(item.get("target", "") or ""),
                None if ok is None else bool(ok),
                str(item.get("note", "") or ""),
            )
        )
    return rows


def bench_external(name: str, label: str, quick: bool) -> list[Row]:
    if not (HERE / f"{name}.py").is_file():
        return [Row(label, "skipped", note=f"benchmarks/{name}.py not found")]
    module = importlib.import_module(name)
    for attr in ("run", "benchmark", "rows", "measure"):
        fn = getattr(module, attr, None)
        if callable(fn):
            result = fn(quick=quick) if _accepts(fn, "quick") else fn()
            return _rows_from(result, label)
    # a script with only a command line: run it, and show what it prints
    script = HERE / f"{name}.py"
    extra: list[str] = []
    if quick:
        extra = (
            ["--quick"] if '"--quick"' in script.read_text(encoding="utf-8") else SCRIPT_QUICK.get(name, [])
        )
    proc = subprocess.run([sys.executable, str(script), *extra], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 and ("Traceback" in proc.stderr or not proc.stdout.strip()):
        raise Failed(f"{name}.py failed:\n{proc.stderr.strip()[-2000:]}")
    lines = [" ".join(line.split()) for line in proc.stdout.splitlines() if line.strip()]
    rows = [Row(label if i == 0 else "", "", note=line) for i, line in enumerate(lines)]
    if proc.returncode != 0:  # these scripts exit 1 when they miss their target
        rows.append(Row(label, "target missed", ok=False, note=f"{name}.py exited {proc.returncode}"))
    return rows or [Row(label, "done", note=f"{name}.py printed nothing")]


# ---------------------------------------------------------------- the table


def table(rows: list[Row]) -> str:
    head = ("figure", "value", "target", "ok?", "note")
    cells = [
        (r.figure, r.value, r.target, "—" if r.ok is None else ("yes" if r.ok else "NO"), r.note)
        for r in rows
    ]
    widths = [max(len(head[i]), *(len(c[i]) for c in cells)) for i in range(4)]
    lines = []
    for row in (head, tuple("-" * w for w in widths) + ("-" * 4,), *cells):
        lines.append(
            "  ".join(
                [
                    row[0].ljust(widths[0]),
                    row[1].rjust(widths[1]),
                    row[2].ljust(widths[2]),
                    row[3].ljust(widths[3]),
                ]
                + [row[4]]
            ).rstrip()
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the drill benchmark suite: one table of figures")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of every benchmark")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--only", metavar="NAME", action="append", help="run only these parts (repeatable)")
    parser.add_argument("--worm-child", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worm_child:
        folder, budget, *profile = args.worm_child
        print(json.dumps(worm_child(folder, float(budget), profile[0] if profile else None)))
        return 0
    started = time.perf_counter()
    rows: list[Row] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="drill-bench-") as tmp:
        folder = Path(tmp)
        parts: list[tuple[str, Any]] = [
            ("loading", lambda: bench_loading(args.quick, folder)),
            ("default", lambda: bench_default(args.quick)),
            ("communes", lambda: bench_communes(args.quick, folder)),
            ("engine", lambda: bench_engine(args.quick, folder)),
        ]
        parts += [
            (name, lambda n=name, lb=label: bench_external(n, lb, args.quick)) for name, label in EXTERNAL
        ]
        for name, part in parts:
            if args.only and name not in args.only:
                continue
            print(f"… {name}", file=sys.stderr, flush=True)
            try:
                rows.extend(part())
            except Exception as exc:  # a report goes on; the exit status says something broke
                failed = True
                detail = str(exc) if isinstance(exc, Failed) else traceback.format_exc()
                print(detail, file=sys.stderr)
                rows.append(
                    Row(name, "error", note=str(exc).strip().splitlines()[-1][:100] if str(exc) else "")
                )
    mode = "quick" if args.quick else "full"
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(
        f"drill benchmarks ({mode}, {os.cpu_count()} CPUs{load}, {time.perf_counter() - started:.0f} s;"
        " times in CPU seconds of the measuring process, wall times in the notes)"
    )
    print(table(rows))
    if args.json:
        Path(args.json).write_text(
            json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
