"""Bridge sites: the time from a console's decision to the server's answer that it was applied,
with the city SOC and 30 districts at their consoles, all on loopback.

    python benchmarks/bridge_bench.py            # two drill hours at ×720, a decision every 0.25 s each
    python benchmarks/bridge_bench.py --quick    # a quarter hour
    python benchmarks/bridge_bench.py --console  # with the facilitator's live console on a terminal

The server is ``drill serve --headless`` in its own process (``--console``: ``drill serve`` with
its live console drawing on a pty, the server in the console's event loop); the 31 consoles share
one process.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a source checkout

from tests.bridge.city_session import check_log, leaks, p95, play, serve  # noqa: E402
from tests.bridge.helpers import city_drill  # noqa: E402

TARGET_P95 = 0.200  # seconds, submit → applied, on loopback


def measure(quick: bool, console: bool = False) -> dict[str, Any]:
    hours, speed, every = (0.25, 900, 0.5) if quick else (2.0, 720, 0.25)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scenario = city_drill(folder, hours=hours + 0.5)
        served = serve(
            [str(scenario), "--seed", "3", "--speed", str(speed)], folder / "city.jsonl", console=console
        )
        try:
            consoles = asyncio.run(play(served, minutes=hours * 60, every=every))
        finally:
            served.stop()
        counts = check_log(served.log, consoles)
        leaked = sum(len(leaks(c)) for c in consoles)
    latencies = [x for c in consoles for x in c.latencies]
    return {
        "consoles": len(consoles),
        "hours": hours,
        "console": console,
        "decisions": len(latencies),
        "applied": counts["applied"],
        "leaks": leaked,
        "p50": statistics.median(latencies),
        "p95": p95(latencies),
        "max": max(latencies),
    }


def run(quick: bool = False, console: bool = False) -> list[dict[str, Any]]:
    r = measure(quick, console)
    where = ", the facilitator's live console attached" if console else ""
    return [
        {
            "figure": f"bridge sites: submit → applied, {r['consoles']} consoles on loopback{where}",
            "value": f"{r['p95'] * 1000:.0f} ms p95",
            "target": f"p95 < {TARGET_P95 * 1000:.0f} ms",
            "ok": r["p95"] < TARGET_P95 and r["leaks"] == 0,
            "note": (
                f"median {r['p50'] * 1000:.0f} ms, max {r['max'] * 1000:.0f} ms over "
                f"{r['decisions']} decisions ({r['applied']} applied) in {r['hours']:g} drill hours; "
                f"{r['leaks']} leaks; each in the log once"
            ),
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--console", action="store_true", help="the facilitator's live console attached")
    args = parser.parse_args()
    for row in run(args.quick, args.console):
        print(f"{row['figure']}: {row['value']} (target {row['target']}: {'met' if row['ok'] else 'MISSED'})")
        print(f"  {row['note']}")


if __name__ == "__main__":
    main()
