"""The real YAML language server (the one VS Code's YAML extension runs) agrees with `drill validate`.

It runs where `yaml-language-server` is installed (``npm install -g yaml-language-server``), through
a small LSP client speaking JSON-RPC over its stdin and stdout. Settings as scenarios/README.md tells
trainers: ``yaml.yamlVersion: "1.1"``, the YAML drill reads (``hidden: yes`` is true there).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from interop_helpers import (
    CORPUS,
    CORPUS_FILES,
    EXCLUDED,
    LINES_UNSEEN,
    ROOT,
    corpus_name,
    drill_problems,
    kind_of,
    loaded,
)
from lsp_client import LanguageServer
from test_interop_schema import CASES, case_text

from drill.schemas import KINDS, schema_text

SERVER = shutil.which("yaml-language-server")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SERVER is None, reason="yaml-language-server is not installed (npm install -g yaml-language-server)"
    ),
]


def errors(diagnostics: list[dict]) -> list[dict]:
    return [d for d in diagnostics if d.get("severity", 1) == 1]


def lines(diagnostics: list[dict]) -> set[int]:
    return {d["range"]["start"]["line"] + 1 for d in errors(diagnostics)}


def show(diagnostics: list[dict]) -> list[str]:
    return [f"{d['range']['start']['line'] + 1}: {d['message'][:120]}" for d in diagnostics]


@pytest.fixture(scope="module")
def cases_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cases")
    shutil.copy(CORPUS / "scenarios" / "mini-topology.yaml", folder / "mini-topology.yaml")
    for i, (new, old, _valid) in enumerate(CASES):
        (folder / f"case-{i}.yaml").write_text(case_text(new, old), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, cases_folder: Path) -> Iterator[LanguageServer]:
    """Each corpus file mapped to the schema of its kind, as a trainer's settings.json would."""
    schemas = tmp_path_factory.mktemp("schemas")
    uris = {}
    for kind in KINDS:
        (schemas / f"{kind}.schema.json").write_text(schema_text(kind), encoding="utf-8")
        uris[kind] = (schemas / f"{kind}.schema.json").as_uri()
    mapping: dict[str, list[str]] = {uri: [] for uri in uris.values()}
    for path in CORPUS_FILES:
        mapping[uris[kind_of(loaded(path), path)]].append(str(path))
    mapping[uris["scenario"]].append(str(cases_folder / "case-*.yaml"))
    settings = {"yaml": {"validate": True, "yamlVersion": "1.1", "schemas": mapping}}
    ls = LanguageServer([SERVER, "--stdio"], settings)
    yield ls
    ls.close()


@pytest.fixture(scope="module")
def plain_server() -> Iterator[LanguageServer]:
    """The server as installed: no settings but validation, files found through their modelines."""
    ls = LanguageServer([SERVER, "--stdio"], {"yaml": {"validate": True}})
    yield ls
    ls.close()


# read by drill's loader only: the editor's YAML parser reads them, or cannot be given them
EDITOR_UNSEEN = [p for p in CORPUS_FILES if p.suffix == ".yaml" and loaded(p) is not None]


@pytest.mark.slow(quick="test_interop_schema.py::test_schema_and_validate_agree_on_the_corpus")
@pytest.mark.parametrize("path", EDITOR_UNSEEN, ids=corpus_name)
def test_the_editor_and_validate_agree_on_the_corpus(server: LanguageServer, path: Path) -> None:
    found = server.problems(path)
    problems = drill_problems(path)
    name = corpus_name(path)
    if name in EXCLUDED:  # the schema cannot know; the editor's own YAML checks may still speak
        assert not [d for d in found if str(d.get("source", "")).startswith("yaml-schema")], show(found)
        return
    assert bool(errors(found)) == bool(problems), (show(found), [d.format() for d in problems])
    expected = {d.line for d in problems if d.path and (name, d.line) not in LINES_UNSEEN}
    assert expected <= lines(found), (show(found), [d.format() for d in problems])


@pytest.mark.slow(quick="test_interop_schema.py::test_what_trainers_wrote_gets_one_verdict")
@pytest.mark.parametrize(
    ("index", "valid"), [(i, case[2]) for i, case in enumerate(CASES)], ids=[case[0] for case in CASES]
)
def test_the_editor_gives_what_trainers_wrote_its_verdict(
    server: LanguageServer, cases_folder: Path, index: int, valid: bool
) -> None:
    found = server.problems(cases_folder / f"case-{index}.yaml")
    assert (not errors(found)) == valid, show(found)


def _bundled() -> list[Path]:
    folders = (ROOT / "scenarios", ROOT / "scenarios" / "decisions", ROOT / "topology")
    return sorted(p for folder in folders for p in folder.glob("*.yaml"))


@pytest.mark.slow(quick="test_schema.py::test_bundled_files_validate_against_the_schema")
@pytest.mark.parametrize("path", _bundled(), ids=lambda p: str(p.relative_to(ROOT)))
def test_bundled_files_open_without_a_problem(plain_server: LanguageServer, path: Path) -> None:
    """Through their own modelines: a schema that cannot be found is a problem the editor reports."""
    assert plain_server.problems(path) == []


@pytest.mark.slow(
    quick="test_interop_modelines.py::test_drill_new_output_finds_its_schema_without_a_manual_fix"
)
def test_a_copied_folder_still_finds_its_schema(plain_server: LanguageServer, tmp_path: Path) -> None:
    """The modeline is relative to the file: a trainer's copy of the folder keeps working, and a
    mistake in the copy is flagged (so the schema was found and applied)."""
    copy = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", copy)
    path = copy / "ransomware-hoan-kiem.yaml"
    text = path.read_text(encoding="utf-8")
    assert plain_server.problems(path) == []
    broken = text.replace("\nduration:", "\nduraton:", 1)
    line = broken[: broken.index("\nduraton:")].count("\n") + 2
    assert line in lines(plain_server.problems(path, broken))
