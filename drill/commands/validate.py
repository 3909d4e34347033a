"""``drill validate PATH...``: every problem in scenarios and topologies, located and explained."""

from __future__ import annotations

import argparse
import json

from ..diagnostics import problems_text
from ..i18n import t
from ..model.check import check_file, expand_paths


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help=t("cli.validate_help"), description=t("cli.validate_help"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=t("cli.validate_paths"))
    p.add_argument("--format", choices=("text", "json"), default="text", help=t("cli.format_help"))
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    skipped: list[str] = []
    files, missing = expand_paths(args.paths, skipped)
    results = [check_file(path) for path in files]
    errors = sum(len(r.diagnostics) for r in results) + len(missing)
    if args.format == "json":
        out = {
            "valid": errors == 0,
            "missing": missing,
            "skipped": skipped,
            "files": [
                {
                    "file": r.file,
                    "kind": r.kind,
                    "valid": r.valid,
                    "diagnostics": [d.as_dict() for d in r.diagnostics],
                    "warnings": [d.as_dict() for d in r.warnings],
                }
                for r in results
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0 if errors == 0 else 1
    for message in [*missing, *skipped]:
        print(message)
    for r in results:
        if r.valid:
            print(t("validate.ok", file=r.file, what=t(f"validate.what_{r.kind}")))
            for w in r.warnings:
                print(
                    t(
                        "feasibility.warning",
                        where=f"{w.file}:{w.line}:{w.col}",
                        path=w.path,
                        message=w.message,
                    )
                )
        elif r.diagnostics:
            print(problems_text(r.diagnostics))  # the JSON form lists every one
    bad = sum(1 for r in results if not r.valid) + len(missing)
    if errors:
        print(t("validate.summary_bad", count=len(results), errors=errors, bad=bad))
        return 1
    print(t("validate.summary_ok", count=len(results)))
    return 0
