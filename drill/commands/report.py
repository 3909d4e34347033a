"""``drill report LOG``: the after-action report of a recorded drill, as HTML or Markdown."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import LANGUAGES, get_language, t
from ..outputs import add_force, atomic_writer, check_output, write_text
from ..replay import Replay

W = "report.cannot_write"


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help=t("report.help"), description=t("report.description"))
    p.add_argument("log", metavar="LOG", help=t("report.log_arg"))
    p.add_argument("-o", "--output", metavar="FILE", help=t("report.output_help"))
    p.add_argument("--format", choices=FORMATS, help=t("report.format_help"))
    p.add_argument(
        "--audience",
        choices=("controllers", "players"),
        default="controllers",
        help=t("report.audience_help"),
    )
    p.add_argument("--exercise", metavar="FILE", help=t("report.exercise_help"))
    p.add_argument("--conducted", metavar="DATE", help=t("report.conducted_help"))
    p.add_argument("--classification", metavar="TEXT", help=t("report.classification_help"))
    add_force(p)
    # also accepted after the command (``drill report LOG --lang vi``)
    p.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang_help"))
    p.set_defaults(handler=run)


FORMATS = ("html", "md", "docx", "pdf")
LABELS = {"html": "HTML", "md": "Markdown", "docx": "Word", "pdf": "PDF"}


def run(args: argparse.Namespace) -> int:
    fmt = args.format or _format_of(args.output)
    from ..report.exercise import load_exercise, with_options

    exercise = with_options(load_exercise(args.exercise), args.conducted, args.classification)
    replay = Replay.open(args.log)
    for warning in replay.warnings:
        print(t("replay.warning", message=warning), file=sys.stderr)
    out = None
    if args.output != "-":
        out = Path(args.output) if args.output else default_output(Path(args.log), fmt)
        check_output(out, inputs=[args.log, replay.scenario.file], force=args.force, what=W)
    from ..report import build_report, render  # matplotlib and jinja2 load only for a report

    lang = get_language()
    report = build_report(replay, lang, exercise, args.audience)
    data: str | bytes
    if fmt == "docx":
        from ..report.word import render_docx

        data = render_docx(report)
    elif fmt == "pdf":
        from ..report.pdf import render_pdf

        data = render_pdf(render(report, "html"))
    else:
        data = render(report, fmt)
    if out is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return 0
    if args.exercise:
        check_output(out, inputs=[args.log, replay.scenario.file, args.exercise], force=args.force, what=W)
    if isinstance(data, bytes):
        with atomic_writer(out, binary=True, what=W) as stream:
            stream.write(data)
    else:
        write_text(out, data, what=W)
    print(t("report.written", file=str(out), format=LABELS[fmt], lang=lang))
    return 0


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def default_output(log: Path, fmt: str) -> Path:
    """``drill.jsonl`` → ``drill.report.html`` beside it."""
    stem = log.name[: -len(log.suffix)] if log.suffix else log.name
    return log.with_name(f"{stem}.report.{fmt}")


def _format_of(output: str | None) -> str:
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    if suffix in (".md", ".markdown"):
        return "md"
    if suffix in (".docx", ".pdf"):
        return suffix[1:]
    return "html"
