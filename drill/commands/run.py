"""``drill run``: a whole drill headless, with scripted decisions, and its figures."""

from __future__ import annotations

import argparse
import json
import sys

from ..diagnostics import DrillError
from ..engine import Simulation
from ..engine.commands import load_decisions
from ..i18n import get_language, pick, t
from ..log import LogWriter, header_for
from ..metrics import Metrics
from ..model.durations import DurationError, parse_offset
from ..model.load import load_scenario
from ..summary import summary_lines


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help=t("cli.run_help"), description=t("cli.run_help"))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=t("cli.scenario_arg"))
    p.add_argument("--seed", type=int, help=t("cli.seed_help"))
    p.add_argument("--until", metavar="DURATION", help=t("cli.until_help"))
    p.add_argument("--log", metavar="FILE", help=t("cli.log_help"))
    p.add_argument("--decisions", metavar="FILE", help=t("cli.decisions_help"))
    p.add_argument("--json", action="store_true", help=t("cli.json_help"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.seed is not None and args.seed < 0:
        raise DrillError(t("cli.bad_seed", seed=args.seed))
    scenario = load_scenario(args.scenario)
    decisions = load_decisions(args.decisions) if args.decisions else []
    sim = Simulation(scenario, seed=args.seed)
    if args.until:
        try:
            sim.end = min(sim.end, parse_offset(args.until))
        except DurationError as exc:
            raise DrillError(t("cli.bad_until", value=args.until, reason=str(exc))) from exc
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    writer = None
    if args.log:
        writer = LogWriter(args.log, header_for(sim, args.scenario or scenario.id, get_language()))
        sim.subscribe(writer)
    try:
        sim.run(decisions)
    finally:
        if writer:
            writer.close()
    snap = metrics.snapshot(sim.now)
    refused = [e for e in sim.events if e.kind == "command_refused"]
    if args.json:
        out = {
            "scenario": scenario.id,
            "seed": sim.seed,
            "events": len(sim.events),
            "metrics": snap.as_dict(),
            "refused": [
                {"t": e.t, "command": e.data["command"], "reason": e.data["reason"]} for e in refused
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        print("\n".join(summary_lines(scenario, snap, sim.seed)))
        if args.log:
            print(t("cli.log_written", file=args.log, count=len(sim.events)))
    for e in refused:
        reason = pick(e.data["reason"])  # stored in every language
        print(t("cli.refused", at=f"{e.t:.0f}", action=e.target, reason=reason), file=sys.stderr)
    return 1 if refused else 0
