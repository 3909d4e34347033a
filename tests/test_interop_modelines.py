"""Every modeline points at a schema that is there, wherever the file is: in the source tree, in an
installed wheel (its data under drill/_data), and beside what `drill new` writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from interop_helpers import ROOT

from drill.cli import main
from drill.schemas import schema_text
from drill.yamlio import load_file

MODELINE = "# yaml-language-server: $schema="
SERVER = shutil.which("yaml-language-server")
KIND_OF_FOLDER = {"scenarios": "scenario", "decisions": "decisions", "topology": "topology"}


def bundled_yaml(top: Path) -> list[Path]:
    """The YAML files of the bundled data under ``top`` (a source tree, or a wheel's drill/_data)."""
    return sorted(p for folder in ("scenarios", "topology") for p in (top / folder).rglob("*.yaml"))


def schema_of(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(MODELINE), f"{path}: no modeline"
    target = first[len(MODELINE) :].strip()
    assert "://" not in target and not target.startswith("/"), "a relative path, found from the file"
    return path.parent / target


def check_modelines(top: Path) -> int:
    files = bundled_yaml(top)
    for path in files:
        schema = schema_of(path)
        assert schema.is_file(), f"{path.relative_to(top)} points at {schema}, which is not there"
        # the schema of the drill beside it, and of the right kind
        assert schema.read_text(encoding="utf-8") == schema_text(KIND_OF_FOLDER[path.parent.name])
    return len(files)


def test_modelines_resolve_in_the_source_tree() -> None:
    assert check_modelines(ROOT) == 19  # nine scenarios, nine decisions files, one topology


def test_drill_new_output_finds_its_schema_without_a_manual_fix(tmp_path: Path) -> None:
    assert main(["new", "my-drill", "--unit", "cau-giay", "-o", str(tmp_path)]) == 0
    path = tmp_path / "my-drill.yaml"
    schema = schema_of(path)
    assert schema.is_file()
    validator = jsonschema.Draft202012Validator(json.loads(schema.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(load_file(path).data)] == []


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel as .ci/run builds it, unpacked as pip installs it."""
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = dist.glob("drill-*.whl")
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


@pytest.mark.slow(quick="test_modelines_resolve_in_the_source_tree")
def test_modelines_resolve_in_an_installed_wheel(unpacked_wheel: Path) -> None:
    assert check_modelines(unpacked_wheel / "drill" / "_data") == 19


@pytest.mark.slow(quick="test_modelines_resolve_in_the_source_tree")
@pytest.mark.skipif(SERVER is None, reason="yaml-language-server is not installed")
def test_the_editor_opens_the_wheels_files_without_a_problem(unpacked_wheel: Path) -> None:
    from lsp_client import LanguageServer

    server = LanguageServer([SERVER or "", "--stdio"], {"yaml": {"validate": True}})
    try:
        found = {str(p): server.problems(p) for p in bundled_yaml(unpacked_wheel / "drill" / "_data")}
    finally:
        server.close()
    assert len(found) == 19 and all(problems == [] for problems in found.values()), found
