"""Checking files of any kind a trainer writes: scenarios, topologies, decisions."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..data import SCHEMA_SUFFIX, bundled_scenarios, bundled_topologies
from ..diagnostics import Diagnostic, DrillError, nearest
from ..i18n import t
from ..yamlio import MAX_JSON_BYTES, MAX_YAML_BYTES, Document, load_json, load_yaml, read_text
from .city import build_city
from .feasibility import scenario_warnings
from .layers import resolve
from .load import check_scenario_document
from .validation import validate_model

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class FileResult:
    file: str
    kind: str  # scenario | topology | decisions | unknown
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # a valid file that cannot do what it says: told, but not a problem
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.diagnostics


def expand_paths(paths: list[str], skipped: list[str] | None = None) -> tuple[list[Path], list[str]]:
    """Files named (or bundled scenarios and topologies named by id), and the documents inside
    folders named; plus messages for missing paths (and, into ``skipped``, for the links that
    lead out of a folder, which are not followed)."""
    files: list[Path] = []
    missing: list[str] = []
    notes = [] if skipped is None else skipped
    bundled = {**bundled_topologies(), **bundled_scenarios()}
    for name in paths:
        path = Path(name)
        try:
            if path.is_dir():
                found, links = _documents_in(path)
                if not found:
                    missing.append(t("validate.no_files", path=name))
                notes.extend(t("validate.link_skipped", path=str(p)) for p in links)
                files.extend(found)
            elif path.exists():  # a file, or something else that reading it will refuse
                files.append(path)
            elif name in bundled:
                files.append(Path(bundled[name]))
            else:
                missing.append(t("validate.not_found", path=name))
        except (OSError, ValueError) as exc:  # a name too long, a folder we may not list …
            reason = getattr(exc, "strerror", None) or str(exc)
            missing.append(t("io.cannot_read", file=name[:200], reason=reason))
    return files, missing


def _documents_in(folder: Path) -> tuple[list[Path], list[Path]]:
    """The documents under ``folder``, and the links skipped because they lead out of it (a link
    to ``/etc/shadow`` named ``x.yaml`` must not have its start printed as a syntax error)."""
    root = os.path.realpath(folder)
    found: list[Path] = []
    skipped: list[Path] = []
    for top, dirs, names in os.walk(folder):  # links to folders are not followed
        dirs.sort()
        for name in [*dirs, *names]:
            path = Path(top) / name
            if not path.is_symlink():
                continue
            target = os.path.realpath(path)
            if os.path.commonpath([root, target]) != root:
                skipped.append(path)
        for name in names:
            path = Path(top) / name
            if (
                path.suffix in DOCUMENT_SUFFIXES
                and not name.endswith(SCHEMA_SUFFIX)
                and path not in skipped
                and path.is_file()
            ):
                found.append(path)
    return sorted(found), sorted(skipped)


def check_file(path: Path) -> FileResult:
    """Every problem in one file, never an exception; the file's own problems first, in file order."""
    try:
        result = _check(path)
    except Exception as exc:  # a bug in drill, not in the file: still one line, never a traceback
        message = t("validate.internal", error=f"{type(exc).__name__}: {exc}"[:200])
        return FileResult(str(path), "unknown", [Diagnostic(str(path), 1, 1, "", message, "internal")])
    result.diagnostics.sort(key=lambda d: (d.file != result.file, d.file, d.line, d.col, d.path))
    return result


def _check(path: Path) -> FileResult:
    name = str(path)
    try:
        is_json = path.suffix.lower() == ".json"
        text = read_text(path, MAX_JSON_BYTES if is_json else MAX_YAML_BYTES, "io.too_large_document")
        doc = load_json(text, name) if is_json else load_yaml(text, name)
    except DrillError as exc:
        diags = exc.diagnostics or [Diagnostic(name, 1, 1, "", exc.message, "io")]
        return FileResult(name, "unknown", diags)
    data = doc.data
    if isinstance(data, dict) and "scenario" in data:
        scenario, problems = check_scenario_document(doc, text, path.parent)
        warnings = scenario_warnings(doc, scenario.spec, scenario.city) if scenario is not None else []
        return FileResult(name, "scenario", problems, warnings)
    if isinstance(data, dict) and "topology" in data:
        doc, _text = resolve(doc, text, path.parent, [path.resolve()])
        _, problems = build_city(doc)
        return FileResult(name, "topology", problems)
    if isinstance(data, list) and any(
        isinstance(item, dict) and ("action" in item or "at" in item) for item in data
    ):
        # timed decisions, even with a bad item: its own message, as ``drill run --decisions`` says
        return FileResult(name, "decisions", _check_decisions(doc))
    if data is None:
        message = t("validate.empty_file")
    elif not isinstance(data, dict):
        message = t("validate.want_document", what=t("validate.what_document")) + f"; {_kind_of(data)}"
    else:
        message = t("validate.unknown_document")
        close = sorted({c for key in data for c in nearest(str(key), ("scenario", "topology"), n=1)})
        if close:
            message += t("validate.did_you_mean", names=", ".join(close))
    return FileResult(
        name, "unknown", [*doc.problems, Diagnostic(name, 1, 1, "", message, "unknown-document")]
    )


def _kind_of(data: object) -> str:
    if isinstance(data, list):
        return t("validate.got_list")
    return t("validate.got_value", value=str(data)[:40])


def _check_decisions(doc: Document) -> list[Diagnostic]:
    """A decisions file (timed player decisions, as ``drill run --decisions`` reads): its form only,
    since it does not say which scenario it is for."""
    from ..engine.commands import TimedCommand  # the engine imports the model, not the other way

    problems = list(doc.problems)
    for i in range(len(doc.data)):
        _, errors = validate_model(doc, TimedCommand, (i,))
        problems.extend(errors)
    return problems
