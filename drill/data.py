"""Where the bundled topologies and scenarios are, in a source tree or an installed package."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DEFAULT_SCENARIO = "ransomware-hoan-kiem"
DEFAULT_TOPOLOGY = "hanoi"


def _folder(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name  # a source checkout or an editable install


def topology_dir() -> Path:
    return _folder("topology")


def scenario_dir() -> Path:
    return _folder("scenarios")


SCHEMA_SUFFIX = ".schema.json"  # the JSON Schema beside the files, for editors: not a document


def _documents(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml", ".json") and not p.name.endswith(SCHEMA_SUFFIX) and p.is_file()
    )


def bundled_topologies() -> dict[str, Path]:
    return {p.stem: p for p in _documents(topology_dir())}


def bundled_scenarios() -> dict[str, Path]:
    return {p.stem: p for p in _documents(scenario_dir())}
