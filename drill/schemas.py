"""JSON Schemas of the file formats, for editors that validate and complete as trainers type."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from .engine.commands import TimedCommand
from .model.scenario import ScenarioSpec
from .model.topology import TopologySpec

KINDS = ("scenario", "topology", "decisions")
_TITLES = {
    "scenario": "drill scenario",
    "topology": "drill topology",
    "decisions": "drill decisions (timed player decisions)",
}


def schema(kind: str) -> dict[str, Any]:
    if kind == "scenario":
        body = ScenarioSpec.model_json_schema(by_alias=True, mode="validation")
    elif kind == "topology":
        body = TopologySpec.model_json_schema(by_alias=True, mode="validation")
    elif kind == "decisions":
        body = TypeAdapter(list[TimedCommand]).json_schema(by_alias=True, mode="validation")
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
