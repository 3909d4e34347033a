"""``drill msel export SCENARIO -o msel.xlsx`` and ``drill msel import msel.xlsx --into FILE``:
the scenario's injects as a spreadsheet for trainers, and back."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("msel", help=t("msel.help"), description=t("msel.description"))
    verbs = p.add_subparsers(dest="verb", metavar="export|import", required=True)
    out = verbs.add_parser("export", help=t("msel.export_help"), description=t("msel.export_help"))
    out.add_argument("scenario", metavar="SCENARIO", help=t("msel.scenario_arg"))
    out.add_argument("-o", "--output", metavar="FILE", required=True, help=t("msel.output_help"))
    out.add_argument(
        "--csv-dialect", choices=("standard", "excel-vi"), default="standard", help=t("msel.dialect_help")
    )
    out.set_defaults(handler=run_export)
    back = verbs.add_parser("import", help=t("msel.import_help"), description=t("msel.import_help"))
    back.add_argument("sheet", metavar="SHEET", help=t("msel.sheet_arg"))
    back.add_argument("--into", metavar="SCENARIO_FILE", required=True, help=t("msel.into_help"))
    back.set_defaults(handler=run_import)


def run_export(args: argparse.Namespace) -> int:
    from ..msel_sheet import export_csv, export_xlsx

    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise DrillError(t("msel.want_suffix", file=str(out)))
    if Path(args.scenario).exists() and _same(out, Path(args.scenario)):
        raise DrillError(t("report.would_overwrite_input", file=str(out)))
    data: bytes = (
        export_xlsx(args.scenario)
        if suffix == ".xlsx"
        else export_csv(args.scenario, args.csv_dialect).encode("utf-8")
    )
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise DrillError(t("msel.cannot_write", file=str(out), reason=exc.strerror or str(exc))) from exc
    print(t("msel.exported", file=str(out)))
    return 0


def run_import(args: argparse.Namespace) -> int:
    from ..msel_sheet import import_into

    sheet, into = Path(args.sheet), Path(args.into)
    if not sheet.is_file():
        raise DrillError(t("msel.no_file", file=str(sheet)))
    if not into.is_file():
        raise DrillError(t("msel.no_scenario_file", file=str(into)))
    if _same(sheet, into):
        raise DrillError(t("report.would_overwrite_input", file=str(into)))
    text, count = import_into(sheet, into)
    try:
        into.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise DrillError(t("msel.cannot_write", file=str(into), reason=exc.strerror or str(exc))) from exc
    print(t("msel.imported", count=count, file=str(into)))
    return 0


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
