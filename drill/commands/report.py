"""``drill report LOG``: the after-action report of a recorded drill, as HTML or Markdown."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import LANGUAGES, get_language, t
from ..outputs import add_force, check_output, write_text
from ..replay import Replay

W = "report.cannot_write"


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help=t("report.help"), description=t("report.description"))
    p.add_argument("log", metavar="LOG", help=t("report.log_arg"))
    p.add_argument("-o", "--output", metavar="FILE", help=t("report.output_help"))
    p.add_argument("--format", choices=("html", "md"), help=t("report.format_help"))
    add_force(p)
    # also accepted after the command (``drill report LOG --lang vi``)
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang_help"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    fmt = args.format or _format_of(args.output)
    replay = Replay.open(args.log)
    for warning in replay.warnings:
        print(t("replay.warning", message=warning), file=sys.stderr)
    out = None
    if args.output != "-":
        out = Path(args.output) if args.output else default_output(Path(args.log), fmt)
        check_output(out, inputs=[args.log, replay.scenario.file], force=args.force, what=W)
    from ..report import build_report, render  # matplotlib and jinja2 load only for a report

    lang = get_language()
    text = render(build_report(replay, lang), fmt)
    if out is None:
        sys.stdout.write(text)
        return 0
    write_text(out, text, what=W)
    print(t("report.written", file=str(out), format=fmt.upper() if fmt == "html" else "Markdown", lang=lang))
    return 0


def default_output(log: Path, fmt: str) -> Path:
    """``drill.jsonl`` → ``drill.report.html`` beside it."""
    stem = log.name[: -len(log.suffix)] if log.suffix else log.name
    return log.with_name(f"{stem}.report.{fmt}")


def _format_of(output: str | None) -> str:
    if output and output != "-" and Path(output).suffix.lower() in (".md", ".markdown"):
        return "md"
    return "html"
