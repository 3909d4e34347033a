"""``drill play``: the live drill in the terminal (what a bare ``drill`` opens)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import get_language, t


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help=t("tui.play_help"), description=t("tui.play_description"))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=t("cli.scenario_arg"))
    p.add_argument("--seed", type=int, help=t("cli.seed_help"))
    p.add_argument("--log", metavar="FILE", help=t("tui.arg_log"))
    p.add_argument("--resume", metavar="LOG", help=t("tui.arg_resume"))
    p.add_argument("--speed", type=float, default=60.0, metavar="X", help=t("tui.arg_speed"))
    p.add_argument("--players", action="store_true", help=t("tui.arg_players"))
    p.add_argument("--run", action="store_true", help=t("tui.arg_run"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # no terminal (CI, a pipe): say what to use instead, before loading anything
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(t("tui.no_terminal"), file=sys.stderr)
        return 1
    if not 1 <= args.speed <= 3600:
        raise DrillError(t("tui.bad_speed", speed=args.speed))
    if args.seed is not None and args.seed < 0:
        raise DrillError(t("cli.bad_seed", seed=args.seed))
    # the Textual app is imported only when there is a screen to show it on
    from ..tui.app import default_log_name, make_app, make_follow_app

    lang = get_language()
    if args.players and args.log:
        # started before the drill, the players' screen waits for its log (in a folder that is)
        if not Path(args.log).is_file() and not Path(args.log).resolve().parent.is_dir():
            raise DrillError(t("tui.no_follow_log", file=args.log))
        return int(make_follow_app(args.log, lang=lang).run() or 0)
    if args.resume:
        if args.scenario or args.seed is not None or args.log:
            raise DrillError(t("tui.resume_conflict"))
        app = make_app(
            resume=args.resume, speed=args.speed, running=args.run, players=args.players, lang=lang
        )
    else:
        from ..model.load import load_scenario

        scenario = load_scenario(args.scenario)
        seed = scenario.spec.seed if args.seed is None else args.seed
        log = args.log or default_log_name(scenario.id, seed, datetime.now())
        if Path(log).exists():
            raise DrillError(t("tui.log_exists", file=log))
        app = make_app(
            scenario,
            seed=seed,
            log_path=log,
            scenario_ref=args.scenario or scenario.id,
            speed=args.speed,
            running=args.run,
            players=args.players,
            lang=lang,
        )
    result = app.run()
    session = app.session
    if session.log_path is not None:
        key = "tui.log_saved_ended" if session.finished else "tui.log_saved"  # no --resume when over
        print(t(key, file=str(session.log_path), count=len(session.sim.events)))
    return int(result or 0)
