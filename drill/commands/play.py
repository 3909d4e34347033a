"""``drill play``: the live drill in the terminal (what a bare ``drill`` opens)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import DrillError
from .run import check_seed

if TYPE_CHECKING:
    from ..session import Session
from ..i18n import get_language, t
from ..outputs import add_force, check_output


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("play", help=t("tui.play_help"), description=t("tui.play_description"))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=t("cli.scenario_arg"))
    p.add_argument("--seed", type=int, help=t("cli.seed_help"))
    p.add_argument("--log", metavar="FILE", help=t("tui.arg_log"))
    p.add_argument("--resume", metavar="LOG", help=t("tui.arg_resume"))
    p.add_argument("--speed", type=float, default=60.0, metavar="X", help=t("tui.arg_speed"))
    p.add_argument("--players", action="store_true", help=t("tui.arg_players"))
    p.add_argument("--run", action="store_true", help=t("tui.arg_run"))
    add_force(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # no terminal (CI, a pipe): say what to use instead, before loading anything
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(t("tui.no_terminal"), file=sys.stderr)
        return 1
    if not 1 <= args.speed <= 3600:
        raise DrillError(t("tui.bad_speed", speed=args.speed))
    check_seed(args.seed)
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
        check_output(log, inputs=[scenario.file], force=args.force, exists=t("tui.log_exists", file=log))
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
    return finish(app.session, int(result or 0))


def finish(session: Session, code: int) -> int:
    """Say where the drill's log is, and what can be done with it now; a log that could not be
    written is saved elsewhere first (nothing of a drill is lost)."""
    count = len(session.sim.events)
    if session.log_error:
        reason = session.log_error
        saved = session.rescue_log()
        if saved is None:
            print(t("tui.log_unsaved", reason=reason, count=count), file=sys.stderr)
            return 1
        print(t("tui.log_lost", reason=reason, file=str(saved), count=count), file=sys.stderr)
        code = code or 1
    if session.log_path is not None:
        key = "tui.log_saved_ended" if session.finished else "tui.log_saved"
        print(t(key, file=str(session.log_path), count=count))
    return code
