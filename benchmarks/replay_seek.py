"""How fast a replay seeks in a long drill log (the target: well under half a second anywhere).

Builds a worm that sweeps the whole Hanoi network in waves, with fast automatic clean-up so it can
come back, until the log holds at least ``--events`` events; then opens the log as ``drill replay``
does and seeks to random moments, steps and jumps.

    python benchmarks/replay_seek.py                  # ≥ 100,000 events, 200 random seeks
    python benchmarks/replay_seek.py --events 250000 --seeks 500

Exit status 1 when the slowest seek misses the target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from drill.engine import Event, Simulation
from drill.log import LogWriter, header_for
from drill.model.load import load_scenario
from drill.replay import Cursor, Replay

TARGET_SECONDS = 0.5
WAVE_DAYS = 3
EVENTS_PER_WAVE = 28_000  # about, on the bundled Hanoi topology

HEAD = """\
scenario: bench-worm
title: {en: A worm sweeps the city in waves, vi: Sâu mạng quét khắp thành phố theo từng đợt}
description: {en: Replay benchmark, vi: Đo tốc độ phát lại}
unit: hoan-kiem
audience: [city-soc, unit-it]
topology: hanoi
start: 2015-03-04T08:00:00+07:00
duration: DURATION
seed: 1
teams:
  city-soc: {name: City SOC, staff: 6, watches: {zone: [datacentre, dmz, wan, management]}}
  unit-it: {name: Units' IT staff, staff: 10, watches: {group: [districts, departments]}}
detection:
  - {targets: {match: "*"}, coverage: 1.0, delay: {exponential: 1h}}
playbooks:
  sweep:
    steps:
      - {do: triage, takes: 5m}
      - {do: reimage, takes: {uniform: [20m, 40m]}}
attacker:
  campaigns:
"""

WAVE = """\
    - id: wave{k}
      stages:
        - {{id: phish{k}, technique: T1566.001, at: T+{day}d, targets: {{node: hoan-kiem-ws}}, success: 1.0}}
        - {{id: spread{k}, technique: T1021.002, after: phish{k}, over: [lan, wan], via: [smb], success: 0.8,
           delay: {{exponential: 10m}}, attempts: 100000}}
        - {{id: trust{k}, technique: T1078.002, after: phish{k}, over: [trust, lan], success: 0.5,
           delay: {{exponential: 30m}}, attempts: 100000}}
"""


def worm_scenario(folder: Path, events: int) -> Path:
    waves = max(1, -(-events // EVENTS_PER_WAVE))
    text = HEAD.replace("DURATION", f"{waves * WAVE_DAYS}d")
    text += "".join(WAVE.format(k=k, day=k * WAVE_DAYS) for k in range(waves))
    path = folder / "worm.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def record(scenario_path: Path, log: Path) -> int:
    scenario = load_scenario(scenario_path)
    sim = Simulation(scenario, keep_events=False)  # the log holds them; memory stays flat
    writer = LogWriter(log, header_for(sim, str(scenario_path), "en"))
    count = [0]

    def write(event: Event) -> None:
        writer(event)
        count[0] += 1

    sim.subscribe(write)
    try:
        sim.run()
    finally:
        writer.close()
    return count[0]


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def summary(name: str, seconds: list[float]) -> str:
    return (
        f"{name:<22} min {min(seconds) * 1000:8.1f} ms   median {statistics.median(seconds) * 1000:8.1f} ms"
        f"   max {max(seconds) * 1000:8.1f} ms   ({len(seconds)} runs)"
    )


def measure(events: int, seeks: int, log: Path | None = None, echo: bool = True) -> dict[str, Any]:
    """Record a worm log of at least ``events`` events, open it, and time seeks, steps and jumps."""
    say = print if echo else (lambda *_a, **_k: None)
    with tempfile.TemporaryDirectory(prefix="drill-bench-") as tmp:
        log = log or Path(tmp) / "worm.jsonl"
        scenario = worm_scenario(log.parent, events)  # beside the log, which names it
        record_seconds, count = timed(record, scenario, log)
        say(f"recorded {count:,} events in {record_seconds:.1f} s ({log.stat().st_size / 1e6:.1f} MB)")
        if count < events:
            print(f"warning: fewer events than asked ({count:,} < {events:,})", file=sys.stderr)

        open_seconds, replay = timed(Replay.open, log)
        say(f"opened the replay in {open_seconds:.2f} s (read, fold, {len(replay._checkpoints)} checkpoints)")

        rng = random.Random(2015)
        moments = [rng.uniform(0, replay.end) for _ in range(seeks)]
        times = {"seek": [timed(replay.seek, when)[0] for when in moments], "step": [], "jump": []}
        cursor = Cursor(replay)
        for when in moments[:50]:
            cursor.seek(when)
            times["step"].append(timed(cursor.step, rng.choice((-1, 1)))[0])
            times["jump"].append(timed(cursor.jump, rng.random() < 0.5)[0])
        times["ends"] = [timed(replay.seek, when)[0] for when in (0.0, replay.end, replay.end - 1.0)]
    return {"events": count, "record": record_seconds, "open": open_seconds, "times": times}


def run(quick: bool = False) -> list[dict[str, Any]]:
    """The rows for ``benchmarks/run.py``."""
    result = measure(20_000 if quick else 100_000, 50 if quick else 200, echo=False)
    seek = result["times"]["seek"]
    worst = max(max(v) for v in result["times"].values())
    return [
        {
            "figure": f"replay seek in a {result['events']:,}-event log (max)",
            "value": worst * 1000,
            "unit": "ms",
            "target": f"< {TARGET_SECONDS * 1000:.0f} ms",
            "ok": worst < TARGET_SECONDS,
            "note": f"median {statistics.median(seek) * 1000:.1f} ms over {len(seek)} random moments",
        },
        {
            "figure": "replay open (read + fold + checkpoints)",
            "value": result["open"],
            "unit": "s",
            "note": f"{result['events']:,} events",
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="at least this many events in the log")
    parser.add_argument("--seeks", type=int, default=200, help="random seeks to time")
    parser.add_argument("--log", type=Path, help="keep the generated log (and worm.yaml beside it) here")
    args = parser.parse_args(argv)
    result = measure(args.events, args.seeks, args.log)
    times = result["times"]
    print(summary("seek (random moment)", times["seek"]))
    print(summary("step one event", times["step"]))
    print(summary("jump to next/prev mark", times["jump"]))
    print(summary("seek start/end", times["ends"]))
    worst = max(max(v) for v in times.values())
    verdict = "OK" if worst < TARGET_SECONDS else "TOO SLOW"
    print(f"slowest: {worst * 1000:.1f} ms against the {TARGET_SECONDS * 1000:.0f} ms target: {verdict}")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
