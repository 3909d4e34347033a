"""``drill schema [scenario|topology|decisions]``: the JSON Schema of a file format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t
from ..schemas import KINDS, schema_text


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help=t("schema.help"), description=t("schema.help"))
    p.add_argument("kind", nargs="?", choices=KINDS, default="scenario", help=t("schema.kind_help"))
    p.add_argument("-o", "--output", metavar="FILE", help=t("schema.output_help"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    text = schema_text(args.kind)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DrillError(t("schema.cannot_write", file=args.output, reason=exc.strerror or str(exc))) from exc
    print(t("schema.written", file=args.output))
    return 0
