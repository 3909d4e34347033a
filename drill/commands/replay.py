"""``drill replay LOG``: open a recorded drill read-only, verify it, or branch a new drill from it."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from ..diagnostics import DrillError
from ..i18n import LANGUAGES, get_language, pick, t
from ..model.durations import DurationError, format_duration, format_offset, parse_offset
from ..outputs import add_force, check_output, same_file
from ..replay import Replay, Verdict, verify_log, when
from ..summary import summary_lines


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help=t("replay.help"), description=t("replay.description"))
    p.add_argument("log", metavar="LOG", help=t("replay.log_arg"))
    p.add_argument("--verify", action="store_true", help=t("replay.verify_help"))
    p.add_argument("--branch-at", metavar="T", help=t("replay.branch_help"))
    p.add_argument("--log", dest="new_log", metavar="NEWLOG", help=t("replay.new_log_help"))
    p.add_argument("--at", metavar="T", help=t("replay.at_help"))
    add_force(p)
    # also accepted after the command (``drill replay LOG --lang vi``)
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang_help"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.new_log and not args.branch_at:
        raise DrillError(t("replay.log_needs_branch"))
    if args.verify and not args.branch_at:
        # no seeking after a verification: the log is not folded for it
        verdict, seed = verify_log(args.log)
        for warning in verdict.warnings:
            print(t("replay.warning", message=warning), file=sys.stderr)
        return report_verdict(verdict, seed)
    replay = Replay.open(args.log)
    for warning in replay.warnings:
        print(t("replay.warning", message=warning), file=sys.stderr)
    if args.verify:
        code = report_verdict(replay.verify(), replay.seed)
        if code:
            return code
    if args.branch_at:
        return branch(replay, args.branch_at, args.new_log, args.force)
    if args.at:
        return at(replay, args.at)
    return interactive(replay, args.log)


def _offset(value: str) -> float:
    try:
        return parse_offset(value)
    except DurationError as exc:
        raise DrillError(t("replay.bad_time", value=value, reason=str(exc))) from exc


# ---------------------------------------------------------------------------------------------- verify
def report_verdict(verdict: Verdict, seed: int) -> int:
    if verdict.identical:
        print(t("replay.identical", count=verdict.checked, commands=verdict.commands, seed=seed))
        return 0
    assert verdict.seq is not None and verdict.expected is not None
    print(
        t(
            "replay.differs",
            seq=verdict.seq,
            line=verdict.seq + 2,
            at=format_offset(verdict.expected.t),
            commands=verdict.commands,
        )
    )
    print("  " + t("replay.expected", event=_event(verdict.expected)))
    if verdict.found is None:
        print("  " + t("replay.found_nothing"))
    else:
        print("  " + t("replay.found", event=_event(verdict.found)))
    return 1


def _event(e: Any) -> str:
    return json.dumps(e.as_dict(), ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------- branch
def branch(replay: Replay, value: str, new_log: str | None, force: bool = False) -> int:
    moment = _offset(value)
    path = Path(new_log) if new_log else default_branch_path(Path(replay.log.path), moment)
    if same_file(path, replay.log.path):
        raise DrillError(t("replay.branch_same_log", file=str(path)))
    check_output(path, inputs=[replay.log.path, replay.scenario.file], force=force)
    session = replay.branch(moment, path)
    try:
        print(
            t(
                "replay.branched",
                file=str(path),
                at=when(replay.start, moment),
                origin=replay.log.path,
                count=len(session.sim.events),
            )
        )
        make_app = _tui("make_app") if _terminal() else None
        if make_app is None:
            print(t("replay.branch_resume", file=str(path)))
            return 0
        app = make_app(session=session)
        app.run()
        return int(getattr(app, "return_code", 0) or 0)
    finally:
        session.close()


def default_branch_path(log: Path, moment: float) -> Path:
    """``drill.jsonl`` branched at T+2h → ``drill.branch-T+02h00.jsonl`` beside it."""
    hours, minutes = divmod(int(moment), 60)
    stem = log.name[: -len(log.suffix)] if log.suffix else log.name
    return log.with_name(f"{stem}.branch-T+{hours:02d}h{minutes:02d}{log.suffix or '.jsonl'}")


# ---------------------------------------------------------------------------------------------- text
def at(replay: Replay, value: str) -> int:
    moment = _offset(value)
    if moment > replay.end + 1e-9:
        raise DrillError(past_the_log(replay, value))
    view = replay.seek(moment)
    print(t("replay.at_title", at=when(replay.start, moment), count=view.index, total=len(replay.events)))
    fired: dict[str, float] = {}
    for e in replay.events[: view.index]:
        if e.kind == "inject":
            fired.setdefault(e.target, e.t)
    print("\n".join(summary_lines(replay.scenario, view.snapshot, replay.seed, fired)))
    return 0


def past_the_log(replay: Replay, value: str) -> str:
    """Why a moment after the log's last event shows nothing: the drill's end, a run stopped
    early (``--until``), or a drill not over when its log was last written."""
    end = format_offset(replay.end)
    if not replay.finished:
        return t("replay.at_after_log", value=value, end=end)
    if replay.end < replay.duration - 1e-9:
        played, planned = format_duration(replay.end), format_duration(replay.duration)
        return t("replay.at_after_stop", value=value, end=end, played=played, planned=planned)
    return t("replay.at_after_end", value=value, end=end)


def timeline(replay: Replay) -> list[str]:
    spec = replay.scenario.spec
    lines = [
        t("replay.title", title=pick(spec.title.model_dump()), id=spec.scenario),
        t(
            "replay.span",
            start=when(replay.start, 0.0),
            length=format_duration(replay.end),
            count=len(replay.events),
        ),
        "",
    ]
    for mark in replay.marks():
        lines.append(f"  {format_offset(mark.t)}  {t('replay.mark.' + mark.kind):<12} {mark.label}")
    return lines


def interactive(replay: Replay, log: str) -> int:
    run_replay = _tui("run_replay") if _terminal() else None
    if run_replay is not None:
        return int(run_replay(log, get_language()) or 0)
    print("\n".join(timeline(replay)))
    print("", file=sys.stderr)
    reason = "replay.no_terminal" if not _terminal() else "replay.no_tui"
    print(t(reason), file=sys.stderr)
    return 0


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _tui(name: str) -> Any:
    """A function of the interactive interface, or None when it is not there (yet)."""
    try:
        module = importlib.import_module("drill.tui.app")
    except ImportError:
        return None
    return getattr(module, name, None)
