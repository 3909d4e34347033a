"""``drill schema [scenario|topology|decisions]``: the JSON Schema of a file format."""

from __future__ import annotations

import argparse
import sys

from ..i18n import t
from ..outputs import add_force, check_output, write_text
from ..schemas import KINDS, schema_text


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help=t("schema.help"), description=t("schema.help"))
    p.add_argument("kind", nargs="?", choices=KINDS, default="scenario", help=t("schema.kind_help"))
    p.add_argument("-o", "--output", metavar="FILE", help=t("schema.output_help"))
    add_force(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    text = schema_text(args.kind)
    if not args.output:
        sys.stdout.write(text)
        return 0
    what = "schema.cannot_write"
    write_text(check_output(args.output, force=args.force, what=what), text, what=what)
    print(t("schema.written", file=args.output))
    return 0
