"""Checking files of any kind a trainer writes: scenarios, topologies, decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, DrillError
from ..i18n import t
from ..yamlio import MAX_JSON_BYTES, MAX_YAML_BYTES, load_json, load_yaml, read_text
from .city import build_city
from .load import check_scenario_document

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class FileResult:
    file: str
    kind: str  # scenario | topology | unknown
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.diagnostics


def expand_paths(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files named, and the documents inside folders named; plus messages for missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in DOCUMENT_SUFFIXES and p.is_file())
            if not found:
                missing.append(t("validate.no_files", path=name))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(t("validate.not_found", path=name))
    return files, missing


def check_file(path: Path) -> FileResult:
    """Every problem in one file, never an exception."""
    name = str(path)
    try:
        is_json = path.suffix.lower() == ".json"
        text = read_text(path, MAX_JSON_BYTES if is_json else MAX_YAML_BYTES)
        doc = load_json(text, name) if is_json else load_yaml(text, name)
    except DrillError as exc:
        diags = exc.diagnostics or [Diagnostic(name, 1, 1, "", exc.message, "io")]
        return FileResult(name, "unknown", diags)
    data = doc.data
    if isinstance(data, dict) and "scenario" in data:
        _, problems = check_scenario_document(doc, text, path.parent)
        return FileResult(name, "scenario", problems)
    if isinstance(data, dict) and "topology" in data:
        _, problems = build_city(doc)
        return FileResult(name, "topology", problems)
    return FileResult(
        name, "unknown", [Diagnostic(name, 1, 1, "", t("validate.unknown_document"), "unknown-document")]
    )
