"""``drill run``: a whole drill headless, with scripted decisions, and its figures."""

from __future__ import annotations

import argparse
import json
import sys

from ..diagnostics import DrillError, capped
from ..discovery import discover
from ..engine import Simulation
from ..engine.commands import check_before_end, load_decisions
from ..i18n import get_language, pick, t
from ..log import LogWriter, header_for
from ..logcheck import MAX_SEED
from ..metrics import Metrics
from ..model.durations import DurationError, format_duration, format_offset, parse_offset
from ..model.load import load_scenario
from ..narration import command_text
from ..outputs import add_force, check_output
from ..summary import discovery_lines, summary_lines


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help=t("cli.run_help"), description=t("cli.run_help"))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=t("cli.scenario_arg"))
    p.add_argument("--seed", type=int, help=t("cli.seed_help"))
    p.add_argument("--until", metavar="DURATION", help=t("cli.until_help"))
    p.add_argument("--log", metavar="FILE", help=t("cli.log_help"))
    p.add_argument("--decisions", metavar="FILE", help=t("cli.decisions_help"))
    p.add_argument("--json", action="store_true", help=t("cli.json_help"))
    add_force(p)
    p.set_defaults(handler=run)


def check_seed(seed: int | None) -> None:
    """A seed given on the command line: what a scenario's ``seed:`` may be."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise DrillError(t("cli.bad_seed", seed=_short(seed), max=MAX_SEED))


def _short(value: int) -> str:
    text = str(value) if abs(value) < 10**40 else f"{str(value)[:12]}… ({len(str(abs(value)))} digits)"
    return text


def run(args: argparse.Namespace) -> int:
    check_seed(args.seed)
    scenario = load_scenario(args.scenario)
    if args.log:
        check_output(args.log, inputs=[scenario.file, args.decisions], force=args.force)
    decisions = load_decisions(args.decisions) if args.decisions else []
    sim = Simulation(scenario, seed=args.seed)
    if args.until:
        try:
            until = parse_offset(args.until)
        except DurationError as exc:
            raise DrillError(t("cli.bad_until", value=args.until, reason=str(exc))) from exc
        if until > sim.end:
            raise DrillError(
                t(
                    "cli.until_after_end",
                    value=args.until,
                    end=format_offset(sim.end),
                    duration=format_duration(sim.end),
                )
            )
        sim.end = until
    check_before_end(decisions, float(scenario.spec.duration))  # never reached in any run: a mistake
    # decisions --until stops the run before are simply not reached (said after the figures)
    not_reached = [c for c in decisions if c.at >= sim.end]
    decisions = [c for c in decisions if c.at < sim.end]
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    writer = None
    if args.log:
        header = header_for(sim, args.scenario or scenario.id, get_language())
        writer = LogWriter(args.log, header, atomic=True)
        sim.subscribe(writer)
    try:
        sim.run(decisions)
    finally:
        if writer:
            writer.close()
    if writer and writer.error:
        raise DrillError(t("log.cannot_write", file=args.log, reason=writer.error))
    snap = metrics.snapshot(sim.now)
    refused = [e for e in sim.events if e.kind == "command_refused"]
    if args.json:
        out = {
            "scenario": scenario.id,
            "seed": sim.seed,
            "events": len(sim.events),
            "metrics": snap.as_dict(),
            "injects_fired": sorted({e.target for e in sim.events if e.kind == "inject"}),
            "refused": [
                {"t": e.t, "command": e.data["command"], "reason": e.data["reason"]} for e in refused
            ],
            "not_reached": [{"t": float(c.at), "command": c.record()} for c in not_reached],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        fired: dict[str, float] = {}
        for e in sim.events:
            if e.kind == "inject":
                fired.setdefault(e.target, e.t)
        investigated = any(e.kind == "investigated" for e in sim.events)
        found = discover(scenario, sim.events)
        lines = summary_lines(scenario, snap, sim.seed, fired) + discovery_lines(
            scenario, found, investigated
        )
        print("\n".join(lines))
        if args.log:
            print(t("cli.log_written", file=args.log, count=len(sim.events)))
    # reasons are stored in every language: each reader shows its own
    lines = [
        t("cli.refused", at=f"{e.t:.0f}", action=e.target, reason=pick(e.data["reason"])) for e in refused
    ]
    for line in capped(lines, [e.target for e in refused]):
        print(line, file=sys.stderr)
    if not_reached:
        key = "cli.not_reached_one" if len(not_reached) == 1 else "cli.not_reached"
        print(t(key, count=len(not_reached), end=format_offset(sim.end)), file=sys.stderr)
        lines = [
            "  "
            + t(
                "cli.not_reached_item",
                at=format_offset(c.at),
                command=command_text(c.record(), scenario=scenario),
            )
            for c in not_reached
        ]
        for line in capped(lines, [c.action for c in not_reached]):
            print(line, file=sys.stderr)
    return 1 if refused else 0
