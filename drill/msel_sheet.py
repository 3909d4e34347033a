"""The MSEL (the scenario's injects) as a spreadsheet, out and back in.

``export``: one row per inject on the sheet ``MSEL`` — id, time or condition, from, to, channel,
title and text in Vietnamese and English, hidden, reveals, contingency, effect — and one row per
expected action on the sheet ``Expected actions``, with frozen headers, column widths and lists
to pick channels, teams and actions from. Structured cells (a condition, an effect, a target)
hold one line of YAML flow style, as the scenario file writes them: ``{site: hoan-kiem}``.
A CSV holds the MSEL sheet only; its ``expects`` column holds the expected actions as YAML.

``import``: the rows back into a scenario file — every inject replaced by the sheet's, the rest
of the file and its comments kept (an inject the sheet leaves unchanged keeps its own comments
and layout). Every problem is reported at its cell (``msel.xlsx:MSEL!H12: …``) with the same
checks and suggestions as ``drill validate``; nothing is written while there is one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, DrillError
from .i18n import t
from .model.load import check_scenario_document, load_scenario
from .model.scenario import ACTIONS, Inject
from .yamlio import MAX_YAML_BYTES, Document, flow_yaml, load_yaml, read_text

MSEL = "MSEL"
EXPECTED = "Expected actions"
CHANNELS = ("phone", "email", "in-person", "chat", "news", "ticket", "letter", "radio", "system")
# (column, key in the YAML, width); a key "x.vi" / "x.en" is one language of a text
COLUMNS = (
    ("id", "id", 22),
    ("at", "at", 10),
    ("when", "when", 36),
    ("contingency", "contingency", 12),
    ("from (vi)", "from.vi", 24),
    ("from (en)", "from.en", 24),
    ("to", "to", 22),
    ("channel", "channel", 11),
    ("title (vi)", "title.vi", 28),
    ("title (en)", "title.en", 28),
    ("text (vi)", "text.vi", 60),
    ("text (en)", "text.en", 60),
    ("hidden", "hidden", 9),
    ("reveals", "reveals", 9),
    ("effect", "effect", 30),
    ("expects", "expects", 50),
)
EXPECT_COLUMNS = (
    ("inject", "inject", 22),
    ("action", "action", 18),
    ("target", "target", 30),
    ("service", "service", 20),
    ("to", "to", 24),
    ("within", "within", 9),
    ("by", "by", 18),
    ("text (vi)", "text.vi", 40),
    ("text (en)", "text.en", 40),
    ("counts_automatic", "counts_automatic", 16),
    ("capability", "capability", 16),
)
FLAGS = ("contingency", "hidden", "reveals", "counts_automatic")
STRUCTURED = ("when", "effect", "target", "expects")
TEXTS = ("from", "title", "text")
# where a sheet's cells are in a Document's (line, col): far past any scenario file's lines
SHEET_LINE = {MSEL: 10_000_000, EXPECTED: 20_000_000}
DIALECTS = ("standard", "excel-vi")


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:
        raise DrillError(t("report.needs_paperwork", what="openpyxl")) from exc
    return openpyxl


# ---------------------------------------------------------------------------------------------- out
def scenario_injects(name_or_path: str) -> tuple[list[dict[str, Any]], Any]:
    """The raw injects of a valid scenario (as its file writes them) and the scenario."""
    scenario = load_scenario(name_or_path)
    doc = load_yaml(scenario.text, scenario.file)
    injects = doc.data.get("injects") or []
    return [dict(i) for i in injects], scenario


def inject_row(inject: dict[str, Any], summary: bool) -> list[Any]:
    """One inject as the cells of its row (``summary``: the expects column in words, for xlsx)."""
    row: list[Any] = []
    for _label, key, _w in COLUMNS:
        name, _, lang = key.partition(".")
        value = inject.get(name)
        if lang:
            row.append(_text(value, lang))
        elif name == "expects":
            expects = list(value or [])
            row.append(_summary(expects) if summary else (flow_yaml(expects) if expects else ""))
        elif name in FLAGS:
            row.append(bool(value))
        elif name == "to":
            row.append(", ".join([value] if isinstance(value, str) else list(value or [])))
        elif name in STRUCTURED:
            row.append(flow_yaml(value) if value is not None else "")
        else:
            row.append("" if value is None else value)
    return row


def expect_rows(inject: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for exp in inject.get("expects") or []:
        row: list[Any] = []
        for _label, key, _w in EXPECT_COLUMNS:
            name, _, lang = key.partition(".")
            if name == "inject":
                row.append(inject.get("id", ""))
            elif lang:
                row.append(_text(exp.get(name), lang))
            elif name == "counts_automatic":
                value = exp.get(name)
                row.append("" if value is None else bool(value))
            elif name == "target":
                row.append(flow_yaml(exp[name]) if exp.get(name) is not None else "")
            else:
                row.append("" if exp.get(name) is None else exp[name])
        rows.append(row)
    return rows


def _text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get(lang, ""))
    return str(value)


def _summary(expects: list[dict[str, Any]]) -> str:
    parts = []
    for e in expects:
        what = " ".join(
            str(x)
            for x in (
                e.get("action"),
                flow_yaml(e["target"]) if e.get("target") else "",
                e.get("service") or "",
                f"→ {e['to']}" if e.get("to") else "",
            )
            if x
        )
        parts.append(f"{what} ≤ {e.get('within')}" + (f" ({e['by']})" if e.get("by") else ""))
    return "; ".join(parts)


def export_xlsx(name_or_path: str) -> bytes:
    openpyxl = _openpyxl()
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    injects, scenario = scenario_injects(name_or_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = MSEL
    expected = book.create_sheet(EXPECTED)
    lists = book.create_sheet("Lists")  # the choices the validation lists point at
    teams = list(scenario.spec.teams)
    for col, values in enumerate((CHANNELS, teams, ACTIONS), start=1):
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE4EE")
    for ws, columns in ((sheet, COLUMNS), (expected, EXPECT_COLUMNS)):
        for i, (label, key, width) in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=i, value=label)
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(t(f"msel.col.{key.replace('.', '_')}"), "drill")
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "B2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for inject in injects:
        sheet.append(inject_row(inject, summary=True))
        for row in expect_rows(inject):
            expected.append(row)
    for ws in (sheet, expected):
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap
    n = max(len(injects), 1) + 200  # room for new rows
    m = max(sum(len(i.get("expects") or []) for i in injects), 1) + 400

    def listed(ws: Any, col: str, source: str, rows: int, strict: bool = True) -> None:
        dv = DataValidation(type="list", formula1=source, allow_blank=True)
        dv.errorStyle = "stop" if strict else "warning"
        ws.add_data_validation(dv)
        dv.add(f"{col}2:{col}{rows}")

    letter = {key: get_column_letter(i) for i, (_l, key, _w) in enumerate(COLUMNS, start=1)}
    eletter = {key: get_column_letter(i) for i, (_l, key, _w) in enumerate(EXPECT_COLUMNS, start=1)}
    listed(sheet, letter["channel"], f"Lists!$A$1:$A${len(CHANNELS)}", n)
    listed(sheet, letter["to"], f"Lists!$B$1:$B${max(len(teams), 1)}", n, strict=False)  # may list several
    for flag in ("contingency", "hidden", "reveals"):
        listed(sheet, letter[flag], '"TRUE,FALSE"', n)
    listed(expected, eletter["action"], f"Lists!$C$1:$C${len(ACTIONS)}", m)
    listed(expected, eletter["by"], f"Lists!$B$1:$B${max(len(teams), 1)}", m)
    listed(expected, eletter["counts_automatic"], '"TRUE,FALSE"', m)
    sheet.cell(row=1, column=len(COLUMNS)).comment = Comment(t("msel.col.expects_summary"), "drill")
    book.properties.title = f"MSEL — {scenario.spec.scenario}"
    book.properties.creator = "drill"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_csv(name_or_path: str, dialect: str = "standard") -> str:
    """The MSEL sheet as CSV; ``excel-vi``: semicolons and a byte-order mark, as Excel set to
    Vietnamese (decimal comma) reads it."""
    injects, _scenario = scenario_injects(name_or_path)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dialect == "excel-vi" else ",", lineterminator="\r\n")
    writer.writerow([label for label, _k, _w in COLUMNS])
    for inject in injects:
        writer.writerow(
            ["true" if v is True else "false" if v is False else v for v in inject_row(inject, False)]
        )
    text = out.getvalue()
    return "\ufeff" + text if dialect == "excel-vi" else text


# ---------------------------------------------------------------------------------------------- in
@dataclass
class Cell:
    sheet: str
    row: int
    col: int


class _Sheet:
    """Rows of a sheet as {column label: (value, Cell)}."""

    def __init__(self, name: str, rows: list[list[Any]], file: str) -> None:
        self.name, self.file = name, file
        self.header = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else [])]
        self.rows = rows[1:]


def read_sheets(path: Path) -> tuple[_Sheet, _Sheet | None]:
    name = path.name
    if path.suffix.lower() == ".csv":
        try:
            raw = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DrillError(t("msel.unreadable", file=name, reason=str(exc))) from exc
        first = raw.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        rows = [list(r) for r in csv.reader(io.StringIO(raw), delimiter=delimiter)]
        return _Sheet(MSEL, rows, name), None
    openpyxl = _openpyxl()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DrillError(t("msel.unreadable", file=name, reason=str(exc) or type(exc).__name__)) from exc
    for wanted in (MSEL, EXPECTED):  # the MSEL sheet's expects column is only a summary in a workbook
        if wanted not in book.sheetnames:
            raise DrillError(t("msel.no_sheet", file=name, sheet=wanted, sheets=", ".join(book.sheetnames)))
    msel = _Sheet(MSEL, [list(r) for r in book[MSEL].iter_rows(values_only=True)], name)
    exp = _Sheet(EXPECTED, [list(r) for r in book[EXPECTED].iter_rows(values_only=True)], name)
    book.close()
    return msel, exp


def _getter(values: list[Any], col: dict[str, int]) -> Any:
    """The value of a row's cell by its column's label (None: no such column or cell)."""

    def get(label: str) -> Any:
        i = col.get(label)
        return values[i] if i is not None and i < len(values) else None

    return get


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _flag(value: Any) -> Any:
    if isinstance(value, bool) or _blank(value):
        return value if isinstance(value, bool) else None
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "x", "1", "có", "đúng"):
        return True
    if text in ("false", "no", "n", "0", "không", "sai"):
        return False
    return value  # left as written: the validation says what is wrong with it


def _structured(
    value: Any, where: tuple[str, int, int], problems: list[tuple[tuple[str, int, int], str]]
) -> Any:
    if _blank(value):
        return None
    if not isinstance(value, str):
        return value
    try:
        return yaml.safe_load(value)
    except yaml.YAMLError as exc:
        problems.append((where, t("msel.bad_cell_yaml", reason=str(exc).splitlines()[0])))
        return None


def _join_text(vi: Any, en: Any) -> Any:
    vi = None if _blank(vi) else str(vi).strip()
    en = None if _blank(en) else str(en).strip()
    if vi is None and en is None:
        return None
    if vi is None or en is None or vi == en:
        return vi or en  # one language given: it serves both
    return {"en": en, "vi": vi}


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value


def sheet_injects(
    msel: _Sheet, exp: _Sheet | None
) -> tuple[list[dict[str, Any]], dict[tuple[Any, ...], tuple[int, int]], list[Diagnostic]]:
    """The injects the sheets hold, where each value is, and the problems of the cells
    themselves (an unknown column, a cell that is not YAML)."""
    positions: dict[tuple[Any, ...], tuple[int, int]] = {}
    cell_problems: list[tuple[tuple[str, int, int], str]] = []
    known = {label for label, _k, _w in COLUMNS}
    col = {label: i for i, label in enumerate(msel.header) if label}
    for label in col:
        if label not in known:
            cell_problems.append(
                (
                    (MSEL, 1, col[label] + 1),
                    t("msel.unknown_column", column=label, known=", ".join(sorted(known))),
                )
            )
    for label in ("id", "text (vi)", "text (en)"):
        if label not in col and not (label.startswith("text") and ({"text (vi)", "text (en)"} & set(col))):
            cell_problems.append(((MSEL, 1, 1), t("msel.missing_column", column=label)))
    injects: list[dict[str, Any]] = []
    by_id: dict[str, int] = {}
    base = SHEET_LINE[MSEL]
    for r, values in enumerate(msel.rows, start=2):
        if all(_blank(v) for v in values):
            continue
        get = _getter(values, col)
        i = len(injects)
        inject: dict[str, Any] = {}
        positions[("injects", i)] = (base + r, 1)
        for label, key, _w in COLUMNS:
            name, _, lang = key.partition(".")
            if label not in col or (lang and name in inject):
                continue
            where = (base + r, col[label] + 1)
            if lang:
                value = _join_text(get(f"{name} (vi)"), get(f"{name} (en)"))
                where = (base + r, col.get(f"{name} (vi)", col.get(f"{name} (en)", 0)) + 1)
            elif name == "expects":
                if exp is not None:
                    continue  # the sheet of expected actions holds them; this column is a summary
                value = _structured(get(label), (MSEL, r, col[label] + 1), cell_problems)
            elif name in FLAGS:
                value = _flag(get(label))
            elif name == "to":
                raw = get(label)
                value = [x.strip() for x in str(raw).split(",") if x.strip()] if not _blank(raw) else None
            elif name in STRUCTURED:
                value = _structured(get(label), (MSEL, r, col[label] + 1), cell_problems)
            else:
                value = None if _blank(get(label)) else _number(get(label))
            if value is None or value is False and name in FLAGS:
                continue
            inject[name] = value
            positions[("injects", i, name)] = where
        injects.append(inject)
        if isinstance(inject.get("id"), str):
            by_id.setdefault(inject["id"], i)
    if exp is not None:
        ecol = {label: i for i, label in enumerate(exp.header) if label}
        ebase = SHEET_LINE[EXPECTED]
        for r, values in enumerate(exp.rows, start=2):
            if all(_blank(v) for v in values):
                continue
            get = _getter(values, ecol)
            owner = get("inject")
            if _blank(owner) or str(owner).strip() not in by_id:
                near = ", ".join(sorted(by_id)) or "—"
                cell_problems.append(
                    (
                        (EXPECTED, r, ecol.get("inject", 0) + 1),
                        t("msel.unknown_inject", inject=owner or "", known=near),
                    )
                )
                continue
            i = by_id[str(owner).strip()]
            expects = injects[i].setdefault("expects", [])
            j = len(expects)
            entry: dict[str, Any] = {}
            positions[("injects", i, "expects", j)] = (ebase + r, 1)
            positions.setdefault(("injects", i, "expects"), (ebase + r, 1))
            for label, key, _w in EXPECT_COLUMNS:
                name, _, lang = key.partition(".")
                if name == "inject" or label not in ecol or (lang and name in entry):
                    continue
                where = (ebase + r, ecol[label] + 1)
                if lang:
                    value = _join_text(get(f"{name} (vi)"), get(f"{name} (en)"))
                elif name == "counts_automatic":
                    value = _flag(get(label))
                elif name == "target":
                    value = _structured(get(label), (EXPECTED, r, ecol[label] + 1), cell_problems)
                else:
                    value = None if _blank(get(label)) else _number(get(label))
                if value is None:
                    continue
                entry[name] = value
                positions[("injects", i, "expects", j, name)] = where
            expects.append(entry)
    diagnostics = [Diagnostic(msel.file, SHEET_LINE[s] + r, c, "", msg) for (s, r, c), msg in cell_problems]
    return injects, positions, diagnostics


def cell_name(file: str, line: int, col: int) -> str:
    """``msel.xlsx:MSEL!H12`` for a sheet's place, ``file:line:col`` for the scenario's own."""
    from openpyxl.utils import get_column_letter

    for sheet, base in sorted(SHEET_LINE.items(), key=lambda x: -x[1]):
        if line >= base:
            return f"{file}:{sheet}!{get_column_letter(max(col, 1))}{line - base}"
    return f"{file}:{line}:{col}"


def format_problem(d: Diagnostic, sheet_file: str) -> str:
    where = (
        cell_name(sheet_file, d.line, d.col) if d.line >= SHEET_LINE[MSEL] else f"{d.file}:{d.line}:{d.col}"
    )
    return f"{where}: {d.path}: {d.message}" if d.path else f"{where}: {d.message}"


def import_into(sheet_path: Path, scenario_path: Path) -> tuple[str, int]:
    """The scenario file's new text with the sheet's injects, and how many injects it has.
    Raises DrillError with every problem, each at its cell."""
    msel, exp = read_sheets(sheet_path)
    injects, positions, problems = sheet_injects(msel, exp)
    text = read_text(scenario_path, MAX_YAML_BYTES)
    doc = load_yaml(text, str(scenario_path))
    if not isinstance(doc.data, dict):
        raise DrillError(t("msel.not_a_scenario", file=str(scenario_path)))
    data = dict(doc.data)
    data["injects"] = injects
    merged = {k: v for k, v in doc.positions.items() if not (k[:1] == ("injects",) and len(k) > 1)}
    merged.update(positions)
    checked = Document(data, str(scenario_path), merged, list(doc.problems))
    _scenario, found = check_scenario_document(checked, text, scenario_path.parent)
    problems += found
    if problems:
        lines = [format_problem(d, sheet_path.name) for d in sorted(problems)]
        raise DrillError(t("msel.problems", count=len(lines), file=sheet_path.name) + "\n" + "\n".join(lines))
    return write_injects(text, injects), len(injects)


def write_injects(text: str, injects: list[dict[str, Any]]) -> str:
    """The scenario text with its injects replaced, comments and layout kept where it can be:
    an inject that did not change is left exactly as it was, a changed one keeps its comments."""
    try:
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap, CommentedSeq
    except ImportError as exc:
        raise DrillError(t("report.needs_paperwork", what="ruamel.yaml")) from exc
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    data = rt.load(text)
    old = data.get("injects") or CommentedSeq()
    old_by_id = {str(item.get("id")): item for item in old if isinstance(item, dict)}
    new = CommentedSeq()
    for inject in injects:
        before = old_by_id.get(str(inject.get("id")))
        if before is not None and _same_inject(_plain(before), inject):
            new.append(before)
            continue
        if before is not None:
            for key in [k for k in before if k not in inject]:
                del before[key]
            for key, value in inject.items():
                if key not in before or _plain(before[key]) != value:
                    before[key] = _styled(value, key, before.get(key))
            new.append(before)
            continue
        node = CommentedMap()
        for key, value in inject.items():
            node[key] = _styled(value, key, None)
        new.append(node)
    if "injects" in data:
        # keep the comments written after the list's last item (often the next section's title)
        if getattr(old, "ca", None) is not None:
            new._yaml_comment = old.ca  # type: ignore[attr-defined]
        data["injects"] = new
    else:
        data["injects"] = new
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _styled(value: Any, key: str, like: Any) -> Any:
    """A new value in the layout the scenario files use: short lists and structured values in
    flow style (``to: [city-soc]``, ``- {action: isolate, …}``), texts in block style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def flow(v: Any) -> Any:
        if isinstance(v, dict):
            m = CommentedMap((k, flow(x)) for k, x in v.items())
            m.fa.set_flow_style()
            return m
        if isinstance(v, list):
            q = CommentedSeq(flow(x) for x in v)
            q.fa.set_flow_style()
            return q
        return v

    if key in TEXTS:
        return value
    if key == "expects" and isinstance(value, list):
        seq = CommentedSeq(flow(x) for x in value)
        return seq
    return flow(value)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _same_inject(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two injects say the same (``{en: x, vi: x}`` and ``x`` are one text)."""
    try:
        return Inject.model_validate(a) == Inject.model_validate(b)
    except Exception:  # either is invalid: compare as written
        return a == b
