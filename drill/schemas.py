"""JSON Schemas of the file formats, for editors that validate and complete as trainers type."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .engine.commands import TimedCommand
from .model.scenario import ScenarioSpec
from .model.topology import TopologySpec

KINDS = ("scenario", "topology", "decisions")
_TITLES = {
    "scenario": "drill scenario",
    "topology": "drill topology",
    "decisions": "drill decisions (timed player decisions)",
}


class _Generator(GenerateJsonSchema):
    """Pydantic's schemas, with mapping keys checked as the loader checks them."""

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        # Pydantic writes a key pattern as patternProperties, which lets any other key through
        # unchecked (a team called National-CERT); say it as a rule on every key instead
        out = super().dict_schema(schema)
        patterns = out.pop("patternProperties", None)
        if patterns:
            ((pattern, values),) = patterns.items()
            out["propertyNames"] = {**out.get("propertyNames", {}), "pattern": pattern}
            out["additionalProperties"] = values
        return out

    def generate(self, schema: core_schema.CoreSchema, mode: Any = "validation") -> JsonSchemaValue:
        return _bounds(super().generate(schema, mode))


# pydantic's names for bounds it could not place on a number wrapped in a validator (an optional
# common.Integer with ge=1): JSON Schema would ignore them, so the editor would not check them
_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _bounds(value: Any) -> Any:
    if isinstance(value, list):
        return [_bounds(v) for v in value]
    if not isinstance(value, dict):
        return value
    numeric = value.get("type") in ("integer", "number")
    return {(_BOUNDS[k] if numeric and k in _BOUNDS else k): _bounds(v) for k, v in value.items()}


def schema(kind: str) -> dict[str, Any]:
    options: dict[str, Any] = {"by_alias": True, "mode": "validation", "schema_generator": _Generator}
    if kind == "scenario":
        body = ScenarioSpec.model_json_schema(**options)
    elif kind == "topology":
        body = TopologySpec.model_json_schema(**options)
    elif kind == "decisions":
        body = TypeAdapter(list[TimedCommand]).json_schema(**options)
    else:
        raise ValueError(kind)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://drill.invalid/schemas/{kind}.schema.json",
        **body,
        "title": _TITLES[kind],
    }


def schema_text(kind: str) -> str:
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"
