"""The editor's JSON Schema and `drill validate` give the same verdict wherever the schema can decide.

Every corpus file goes through both: the schema (with jsonschema, on the data drill's own safe
loader reads) and `drill validate`. The files whose mistakes no schema can know (a name that must
exist elsewhere, ids that must differ) are listed, with why, in interop_helpers.EXCLUDED. Then the
cases trainers met, each with the verdict the file format promises (README, scenarios/README.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from interop_helpers import (
    CORPUS,
    CORPUS_FILES,
    EXCLUDED,
    LINES_UNSEEN,
    corpus_name,
    drill_problems,
    loaded,
    schema_errors,
    schema_lines,
)

from drill.engine.commands import TimedCommand
from drill.model.scenario import ScenarioSpec
from drill.model.topology import TopologySpec
from drill.schemas import KINDS, schema
from drill.yamlio import load_file


@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_name)
def test_schema_and_validate_agree_on_the_corpus(path: Path) -> None:
    problems = drill_problems(path)
    data = loaded(path)
    if data is None:
        # not YAML (or JSON) drill can read: refused before any schema applies
        assert problems, "drill's loader refused the file, so validate must report it"
        return
    errors = schema_errors(path, data)
    name = corpus_name(path)
    if name in EXCLUDED:
        assert problems, f"{name} is listed as rejected by validate, but validate accepts it"
        assert not errors, f"the schema now rejects {name}: take it off EXCLUDED: {errors}"
        return
    assert bool(errors) == bool(problems), f"validate: {[d.format() for d in problems]}\nschema: {errors}"
    # and at the same lines (a problem of the whole file aside: drill puts it on line 1)
    drill_lines = {d.line for d in problems if d.path and (name, d.line) not in LINES_UNSEEN}
    assert drill_lines <= schema_lines(load_file(path), path), errors


def test_the_exclusions_are_all_corpus_files() -> None:
    names = {corpus_name(p) for p in CORPUS_FILES}
    assert set(EXCLUDED) <= names, set(EXCLUDED) - names
    assert all(reason for reason in EXCLUDED.values())


BASE = """\
scenario: mini-ransom
title: {en: Mini, vi: Nhỏ}
description: {en: test, vi: thử}
unit: hk
audience: [soc]
topology: mini-topology.yaml
start: 2015-03-04T08:00+07:00
duration: 12h
seed: 7
teams:
  soc: {name: SOC, staff: 2, watches: {site: [hk, sdc]}}
  cert: {name: CERT, staff: 3, on_call: {arrives_after: 2h}}
playbooks:
  standard: {steps: [{do: triage, takes: 20m}, {do: isolate, takes: 10m}]}
attacker:
  campaigns:
    - id: rw
      stages:
        - {id: phish, technique: T1566.001, at: T+10m, targets: {site: hk, kind: workstations}}
        - {id: spread, technique: T1021.002, after: phish, over: [lan, wan], success: 0.5, delay: 30m}
        - {id: enc, technique: T1486, after: {stage: phish, wait: 2h}, effect: encrypt}
injects:
  - {id: call, at: T+45m, to: [soc], text: calls, expects: [{action: isolate, target: hk-ws, within: 1h}]}
objectives:
  - {metric: time_to_contain, under: 4h}
"""

# (what the trainer wrote, in place of what, whether drill and the editor must accept it)
CASES = [
    ("start: 2015-03-04T08:00+07:00", None, True),  # the form drill's own message suggests
    ("start: 2015-03-04", "start: 2015-03-04T08:00+07:00", True),
    ("start: 2015-03-04T08:00", "start: 2015-03-04T08:00+07:00", True),
    ("start: 2015-03-04 08:00", "start: 2015-03-04T08:00+07:00", True),
    ("start: 2015-03-04T08:00:00Z", "start: 2015-03-04T08:00+07:00", True),
    ("start: 2016-02-29T08:00+0700", "start: 2015-03-04T08:00+07:00", True),
    ("start: 2015-02-29", "start: 2015-03-04T08:00+07:00", False),  # not a leap year
    ("start: 20150304", "start: 2015-03-04T08:00+07:00", False),  # a number, not 1970 plus seconds
    ("start: next monday", "start: 2015-03-04T08:00+07:00", False),
    ('soc: {name: SOC, staff: "3"', "soc: {name: SOC, staff: 2", False),
    ("soc: {name: SOC, staff: true", "soc: {name: SOC, staff: 2", False),
    ("soc: {name: SOC, staff: 3.0", "soc: {name: SOC, staff: 2", True),
    ('success: "0.5"', "success: 0.5", False),
    ("duration: T+8h", "duration: 12h", False),
    ("duration: 2H", "duration: 12h", True),
    ("duration: 720", "duration: 12h", True),  # minutes
    ("duration: -5", "duration: 12h", False),
    ("duration: .inf", "duration: 12h", False),
    ("within: T+1h", "within: 1h", False),
    ("wait: T+2h", "wait: 2h", False),
    ("delay: T+30m", "delay: 30m", False),
    ("takes: T+20m", "takes: 20m", False),
    ("at: 45m", "at: T+45m", True),  # an offset may leave out T+
    ("at: T", "at: T+45m", True),
    ("at: T+", "at: T+45m", False),
    ("  National-CERT: {name: CERT", "  cert: {name: CERT", False),
    ("over: [lan, wann]", "over: [lan, wan]", False),
    ('at: T+45m, hidden: "yes"', "at: T+45m", False),
    ("at: T+45m, hidden: true", "at: T+45m", True),
    ("at: T+45m, contingency: true", "at: T+45m", False),  # two triggers
    ("effect: deny}", "effect: encrypt}", False),  # a denial needs lasts
    ("effect: deny, lasts: 1h}", "effect: encrypt}", True),
    ("{metric: time_to_contain, under: 4h, at_least: 1}", "{metric: time_to_contain, under: 4h}", False),
]


def write_case(folder: Path, text: str) -> Path:
    shutil.copy(CORPUS / "scenarios" / "mini-topology.yaml", folder / "mini-topology.yaml")
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def case_text(new: str, old: str | None) -> str:
    if old is None:
        return BASE
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


@pytest.mark.parametrize(("new", "old", "valid"), CASES, ids=[c[0] for c in CASES])
def test_what_trainers_wrote_gets_one_verdict(tmp_path: Path, new: str, old: str | None, valid: bool) -> None:
    path = write_case(tmp_path, case_text(new, old))
    problems = drill_problems(path)
    errors = schema_errors(path, loaded(path))
    assert (not problems) == valid, [d.format() for d in problems]
    assert (not errors) == valid, errors


def _lax_scalars(schema: object, inside_validator: bool = False) -> list[str]:
    """Pydantic's int, float and bool that would take text (``"3"``, ``"yes"``) the schema refuses."""
    found = []
    if isinstance(schema, dict):
        kind = schema.get("type")
        if kind in ("int", "float", "bool") and not schema.get("strict") and not inside_validator:
            found.append(kind)
        for key, value in schema.items():
            found += _lax_scalars(value, kind == "function-before" and key == "schema")
    elif isinstance(schema, list):
        for value in schema:
            found += _lax_scalars(value)
    return found


@pytest.mark.parametrize("model", [ScenarioSpec, TopologySpec, TimedCommand], ids=lambda m: m.__name__)
def test_every_number_and_boolean_refuses_text(model) -> None:
    """A key added with a plain int, float or bool would accept "3" where the schema says integer:
    use Integer, Number, Boolean (or Probability, Duration …) from drill.model.common."""
    assert _lax_scalars(model.__pydantic_core_schema__) == []


_KEYWORDS = set(
    [
        "$schema",
        "$id",
        "$ref",
        "$defs",
        "title",
        "description",
        "default",
        "examples",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "enum",
        "const",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "if",
        "then",
        "else",
        "minProperties",
        "maxProperties",
    ]
)


def _unknown_keywords(node: object, where: str = "#") -> list[str]:
    if not isinstance(node, dict):
        return []
    found = [f"{where}/{key}" for key in node if key not in _KEYWORDS]
    for key, value in node.items():
        if key in ("properties", "$defs"):
            for name, sub in value.items():
                found += _unknown_keywords(sub, f"{where}/{key}/{name}")
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            for i, sub in enumerate(value):
                found += _unknown_keywords(sub, f"{where}/{key}/{i}")
        elif key in ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else"):
            found += _unknown_keywords(value, f"{where}/{key}")
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_the_schema_says_every_rule_in_json_schema_words(kind: str) -> None:
    """A bound pydantic writes as `ge` (not `minimum`) is ignored by every editor."""
    assert _unknown_keywords(schema(kind)) == []
