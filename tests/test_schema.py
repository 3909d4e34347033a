"""The JSON Schemas (for editors) and the loader agree on every bundled file."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from drill.cli import main
from drill.data import bundled_scenarios, bundled_topologies
from drill.schemas import KINDS, schema_text

ROOT = Path(__file__).resolve().parent.parent


def _plain(path: Path):
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


# the package's copies, and those beside the bundled files that their modelines point at
COMMITTED = [(kind, f"drill/schemas/{kind}.schema.json") for kind in KINDS] + [
    ("scenario", "scenarios/scenario.schema.json"),
    ("decisions", "scenarios/decisions/decisions.schema.json"),
    ("topology", "topology/topology.schema.json"),
]


@pytest.mark.parametrize(("kind", "path"), COMMITTED)
def test_committed_schema_is_up_to_date(kind, path):
    committed = (ROOT / path).read_text(encoding="utf-8")
    assert committed == schema_text(kind), f"run: drill schema {kind} -o {path}"


def _files():
    out = [("scenario", p) for p in bundled_scenarios().values()]
    out += [("topology", p) for p in bundled_topologies().values()]
    decisions = ROOT / "scenarios" / "decisions"
    if decisions.is_dir():
        out += [("decisions", p) for p in sorted(decisions.glob("*.yaml"))]
    return out


@pytest.mark.parametrize(("kind", "path"), _files(), ids=lambda v: getattr(v, "name", v))
def test_bundled_files_validate_against_the_schema(kind, path):
    validator = jsonschema.Draft202012Validator(json.loads(schema_text(kind)))
    errors = [f"{list(e.path)}: {e.message[:200]}" for e in validator.iter_errors(_plain(path))]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects():
    validator = jsonschema.Draft202012Validator(json.loads(schema_text("scenario")))
    doc = _plain(ROOT / "scenarios" / "ransomware-hoan-kiem.yaml")
    doc["colour"] = "red"
    assert list(validator.iter_errors(doc))


def test_schema_command_prints_json(capsys):
    assert main(["schema", "topology"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "drill topology"


def test_bundled_files_carry_the_schema_modeline():
    for _kind, path in _files():
        if path.parent.name == "decisions":
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
