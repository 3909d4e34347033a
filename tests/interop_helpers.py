"""What the interoperability tests share: drill's verdict on a file, and the schema's on the same data."""

from __future__ import annotations

from pathlib import Path

import jsonschema

from drill.diagnostics import DrillError
from drill.model.check import check_file
from drill.schemas import schema
from drill.yamlio import Document, load_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
CORPUS_FILES = sorted(
    p
    for d in ("scenarios", "topologies", "json")
    for p in (CORPUS / d).iterdir()
    if p.suffix in (".yaml", ".json")
)

# Corpus files `drill validate` rejects for what no JSON Schema can know: names that must match
# something elsewhere (in the file or in its topology), ids that must differ from each other, and
# rules about the file system or the network's paths. The schema accepts them; drill does not.
_REFERENCE = "names a {} that must exist elsewhere (in the file or its topology): the schema sees one value"
_DUPLICATE = "repeats an id across items: JSON Schema cannot compare the fields of two items"
EXCLUDED = {
    "scenarios/duplicate-ids.yaml": _DUPLICATE,
    "scenarios/duplicate-yaml-keys.yaml": "a key written twice: the parser sees it (the editor's flags "
    "it too), the data the schema checks holds one",
    "scenarios/hanoi-glob-matches-nothing.yaml": "a selector that matches no node of the topology",
    "scenarios/hanoi-selector-empty.yaml": "a selector that matches no node of the topology",
    "scenarios/hanoi-unknown-names.yaml": _REFERENCE.format("team, node and service"),
    "scenarios/hanoi-unknown-tag-kind.yaml": "a selector naming a tag no node has",
    "scenarios/selector-matches-nothing.yaml": "a selector that matches no node of the topology",
    "scenarios/topology-absolute.yaml": "where a topology file may be is a rule about the file system",
    "scenarios/topology-missing.yaml": "a topology file that is not there",
    "scenarios/topology-traversal.yaml": "where a topology file may be is a rule about the file system",
    "scenarios/unknown-inject.yaml": _REFERENCE.format("inject"),
    "scenarios/unknown-node.yaml": _REFERENCE.format("node"),
    "scenarios/unknown-playbook.yaml": _REFERENCE.format("playbook"),
    "scenarios/unknown-service.yaml": _REFERENCE.format("service"),
    "scenarios/unknown-site.yaml": _REFERENCE.format("site"),
    "scenarios/unknown-stage.yaml": _REFERENCE.format("stage"),
    "scenarios/unknown-team.yaml": _REFERENCE.format("team"),
    "topologies/duplicate-node.yaml": _DUPLICATE,
    "topologies/duplicate-site.yaml": _DUPLICATE,
    "topologies/from-internet-no-path.yaml": "a path through the network from the Internet",
    "topologies/gateway-missing.yaml": _REFERENCE.format("gateway node"),
    "topologies/link-to-missing-node.yaml": _REFERENCE.format("node"),
    "topologies/self-and-duplicate-link.yaml": "a link from a node to itself, and a link twice: "
    "JSON Schema cannot compare two fields or two items",
    "topologies/service-cycle.yaml": "services that need each other in a circle",
    "topologies/service-unknown-dependency.yaml": _REFERENCE.format("service"),
    "topologies/template-bad-value.yaml": "a template's values are filled in for each site, then checked",
    "topologies/template-params.yaml": "a template parameter a site does not give",
    "topologies/template-unknown.yaml": _REFERENCE.format("template"),
    "topologies/unknown-service-on-node.yaml": _REFERENCE.format("service"),
    "topologies/unknown-zone.yaml": _REFERENCE.format("zone"),
    "json/duplicate-node.json": _DUPLICATE,
    "json/link-to-missing-node.json": _REFERENCE.format("node"),
}

# formats checked as editors check them (a "date-time" is RFC 3339's, stricter than drill's dates)
_VALIDATORS = {
    kind: jsonschema.Draft202012Validator(
        schema(kind), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for kind in ("scenario", "topology", "decisions")
}


def corpus_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def kind_of(data: object, path: Path) -> str:
    """The schema an editor would be pointed at for this file."""
    if isinstance(data, dict) and "topology" in data and "scenario" not in data:
        return "topology"
    if isinstance(data, dict) and "scenario" in data:
        return "scenario"
    folders = {"topologies": "topology", "json": "topology", "topology": "topology", "decisions": "decisions"}
    return folders.get(path.parent.name, "scenario")


def drill_problems(path: Path) -> list:
    """What `drill validate` reports about the file itself (not about the topology it uses)."""
    return [d for d in check_file(path).diagnostics if d.file == str(path)]


def loaded(path: Path) -> object | None:
    """The data as drill's own safe loader reads it; None when the loader refuses the file."""
    try:
        return load_file(path).data
    except DrillError:
        return None


def schema_errors(path: Path, data: object) -> list[str]:
    validator = _VALIDATORS[kind_of(data, path)]
    return [f"{list(e.absolute_path)}: {e.message[:160]}" for e in validator.iter_errors(data)]


def schema_lines(doc: Document, path: Path) -> set[int]:
    """The lines the schema's errors point at, as an editor marks them: an unknown or ill-formed key
    at the key itself, anything else at its value."""
    lines = set()
    for error in _VALIDATORS[kind_of(doc.data, path)].iter_errors(doc.data):
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            lines |= {doc.where((*where, key))[0] for key in error.instance if key not in known}
        elif "propertyNames" in error.relative_schema_path:  # the key itself is ill-formed
            lines.add(doc.where((*where, error.instance))[0])
        else:
            lines.add(doc.where(where)[0])
    return lines


# drill's problems at lines the schema cannot point at, and why
LINES_UNSEEN = {
    ("scenarios/not-finite.yaml", 21): "NaN (.nan) passes every bound in JSON Schema: it compares false",
}
