"""The live drill at top speed (an hour of drill per second), headless at 160×50: how many simulated
minutes per second it sustains, how many screen updates per second it draws, and how long a key
press waits while it runs — on the bundled Hanoi drill and on a 1,000-node city. Then how fast the
replay's view-model seeks in a 100,000-event log.

    python benchmarks/tui_bench.py            # about 40 s
    python benchmarks/tui_bench.py --quick    # a smoke run, about 15 s

``run(quick)`` gives the rows for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a source checkout

from textual import events  # noqa: E402

from drill.engine import Simulation  # noqa: E402
from drill.engine.events import Event  # noqa: E402
from drill.model.load import Scenario, load_scenario  # noqa: E402
from drill.pacing import TOP_SPEED  # noqa: E402
from drill.tui.app import make_app  # noqa: E402
from drill.viewmodel import Timeline  # noqa: E402

SIZE = (160, 50)
TARGET_MINUTES = TOP_SPEED / 60  # drill minutes per second at the top speed
TARGET_LATENCY = 0.1  # seconds a key may wait while the drill runs
TARGET_SEEK = 0.5


def city_of(nodes: int, folder: Path) -> Scenario:
    """A ransomware worm on a generated city of about ``nodes`` nodes."""
    from drill.generate import generate_topology, node_count, worm_scenario, write_scenario, write_topology

    sites, hosts = 48, 18
    while node_count(sites, hosts) < nodes:
        sites += 1
    data = generate_topology(sites, hosts, seed=7)
    write_topology(data, folder / "city.yaml")
    write_scenario(worm_scenario(data, "city.yaml", duration="3d", seed=7), folder / "worm.yaml")
    return load_scenario(folder / "worm.yaml")


async def _drive(scenario: Scenario, seconds: float, folder: Path) -> dict[str, Any]:
    app = make_app(
        scenario,
        log_path=folder / f"{scenario.id}.jsonl",
        speed=TOP_SPEED,
        running=True,
        wallclock=lambda: datetime(2025, 3, 4, 9, 30),
    )
    frames = [0]
    display = app._display

    def counted(screen: Any, renderable: Any) -> None:  # every frame Textual would write
        if renderable is not None:
            frames[0] += 1
        display(screen, renderable)

    app._display = counted  # type: ignore[method-assign]
    handled: list[float] = []
    faster = app.action_faster

    def record() -> None:
        handled.append(time.perf_counter())
        faster()

    app.action_faster = record  # type: ignore[method-assign]
    busy = [0.0]
    advance = app._advance

    def timed(minutes: float) -> None:  # the simulation's share of the wall clock
        start = time.perf_counter()
        advance(minutes)
        busy[0] += time.perf_counter() - start

    app._advance = timed  # type: ignore[method-assign]
    latencies: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        start, minutes0, refreshes0, frames0 = (
            time.perf_counter(),
            app.session.now,
            screen.refresh_count,
            frames[0],
        )
        busy[0] = 0.0
        while time.perf_counter() - start < seconds and not app.session.finished:
            await asyncio.sleep(0.1)
            # a key press, sent the way a terminal sends it, while the drill runs
            before = len(handled)
            sent = time.perf_counter()
            key = events.Key("plus", "+")
            key.set_sender(app)
            app._driver.send_message(key)  # type: ignore[union-attr]
            while len(handled) == before and time.perf_counter() - sent < 2.0:
                await asyncio.sleep(0.0005)
            if len(handled) > before:
                latencies.append(handled[-1] - sent)
        elapsed = time.perf_counter() - start
        result = {
            "nodes": len(scenario.city.nodes),
            "minutes_per_s": (app.session.now - minutes0) / elapsed,
            "sim_share": busy[0] / elapsed,
            "frames_per_s": (frames[0] - frames0) / elapsed,
            "refreshes_per_s": (screen.refresh_count - refreshes0) / elapsed,
            "latency_p50": statistics.median(latencies) if latencies else float("nan"),
            "latency_p95": sorted(latencies)[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
            "latency_max": max(latencies) if latencies else float("nan"),
            "events": len(app.session.sim.events),
            "presses": len(latencies),
            "seconds": elapsed,
        }
    return result


def seek_bench(scenario: Scenario, count: int) -> dict[str, float]:
    """The replay's view-model: build the timeline of a long log, then seek to random moments."""
    sim = Simulation(scenario, seed=2015)
    sim.run()
    events: list[Event] = []
    offset = 0.0
    while len(events) < count:
        for e in sim.events:
            events.append(Event(e.t + offset, len(events), e.kind, e.actor, e.target, e.data))
        offset += sim.end
    start = time.perf_counter()
    timeline = Timeline(scenario, events)
    built = time.perf_counter() - start
    seeks = []
    for i in range(40):
        at = timeline.end * ((i * 7919) % 1000) / 1000
        start = time.perf_counter()
        timeline.at(at)
        seeks.append(time.perf_counter() - start)
    return {
        "events": len(events),
        "build": built,
        "seek_max": max(seeks),
        "seek_p50": statistics.median(seeks),
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    seconds = 2.5 if quick else 6.0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = [("Hanoi default", load_scenario(None)), ("1,000-node city", city_of(1000, folder))]
        for label, scenario in cases:
            r = asyncio.run(_drive(scenario, seconds, folder))
            note = (
                f"{r['nodes']} nodes, {r['events']:,} events, {r['seconds']:.1f} s at ×{TOP_SPEED:g}; "
                f"the simulation used {r['sim_share']:.0%} of the wall clock"
            )
            rows += [
                {
                    "figure": f"live drill, {label}: simulated minutes/s",
                    "value": round(r["minutes_per_s"], 1),
                    "target": f"≥ {TARGET_MINUTES * 0.9:g}",
                    "ok": r["minutes_per_s"] >= TARGET_MINUTES * 0.9,
                    "note": note,
                },
                {
                    "figure": f"live drill, {label}: screen updates/s",
                    "value": round(r["frames_per_s"], 1),
                    "note": f"frames drawn; panels redrawn {r['refreshes_per_s']:.1f}/s",
                },
                {
                    "figure": f"live drill, {label}: key press latency",
                    "value": f"{r['latency_p50'] * 1000:.0f} ms median, {r['latency_p95'] * 1000:.0f} ms p95",
                    "target": f"p95 < {TARGET_LATENCY * 1000:.0f} ms",
                    "ok": r["latency_p95"] < TARGET_LATENCY,
                    "note": f"max {r['latency_max'] * 1000:.0f} ms over {r['presses']} presses",
                },
            ]
        s = seek_bench(cases[0][1], 20_000 if quick else 100_000)
        rows.append(
            {
                "figure": f"replay view-model: seek in {s['events']:,} events",
                "value": f"{s['seek_max'] * 1000:.0f} ms max",
                "target": f"< {TARGET_SEEK * 1000:.0f} ms",
                "ok": s["seek_max"] < TARGET_SEEK,
                "note": f"median {s['seek_p50'] * 1000:.0f} ms; timeline built in {s['build']:.1f} s",
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick)
    width = max(len(r["figure"]) for r in rows)
    for r in rows:
        ok = "" if "ok" not in r else ("  ok" if r["ok"] else "  MISSED")
        target = f"  (target {r['target']})" if r.get("target") else ""
        note = f"  — {r['note']}" if r.get("note") else ""
        print(f"{r['figure']:<{width}}  {r['value']}{target}{ok}{note}")
    return 0 if all(r.get("ok", True) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
