"""Types shared by the topology and scenario formats."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

from .durations import DURATION_PATTERN, parse_duration, parse_offset

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class Strict(BaseModel):
    """Frozen, and every unknown key is an error."""

    # no NaN or infinity: a duration or a probability of .inf or .nan would stall the engine
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, validate_default=True, allow_inf_nan=False
    )


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]

_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": DURATION_PATTERN, "examples": ["45m", "2h", "1d 4h"]},
        {"type": "number", "minimum": 0, "description": "minutes"},
    ]
}
Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
"""Minutes; written as ``45m``, ``2h``, ``1d 4h`` or a number of minutes."""

Offset = Annotated[float, BeforeValidator(parse_offset), WithJsonSchema(_DURATION_SCHEMA)]
"""Minutes after the drill's start; written as ``T+45m``."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def _text(value: Any) -> Any:
    return {"en": value, "vi": value} if isinstance(value, str) else value


class _Text(Strict):
    en: str = Field(min_length=1)
    vi: str = Field(min_length=1)


Text = Annotated[
    _Text,
    BeforeValidator(_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"en": {"type": "string"}, "vi": {"type": "string"}},
                    "required": ["en", "vi"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
"""Text in both languages: ``{en: …, vi: …}`` (one plain string serves both)."""


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Names = Annotated[
    tuple[str, ...],
    BeforeValidator(_listify),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]
"""One name or a list of names."""


class Selector(Strict):
    """Which nodes: every field given must match (AND); a list in a field means any of (OR)."""

    node: Names = ()
    site: Names = ()
    kind: Names = ()
    zone: Names = ()
    tag: Names = ()
    match: Names = Field(default=(), description="glob patterns on node ids, e.g. 'hoan-kiem-*'")
    group: Names = Field(default=(), description="site groups: datacentre, portal, departments, districts")

    @model_validator(mode="after")
    def _not_empty(self) -> Selector:
        if not any((self.node, self.site, self.kind, self.zone, self.tag, self.match, self.group)):
            raise ValueError("a selector needs at least one of node, site, kind, zone, tag, match, group")
        return self

    def describe(self) -> str:
        parts = []
        for name in ("node", "site", "kind", "zone", "tag", "match", "group"):
            values = getattr(self, name)
            if values:
                parts.append(f"{name}={','.join(values)}")
        return " ".join(parts)


def _selector(value: Any) -> Any:
    # a bare string is a node id, or a glob when it has wildcards
    if isinstance(value, str):
        return {"match": value} if any(c in value for c in "*?[") else {"node": value}
    return value


NodeSelector = Annotated[Selector, BeforeValidator(_selector, json_schema_input_type=str | Selector)]


class Fixed(Strict):
    fixed: Duration


class Uniform(Strict):
    uniform: tuple[Duration, Duration]


class Exponential(Strict):
    exponential: Duration = Field(description="the mean")


class _LogNormalParams(Strict):
    median: Duration
    sigma: float = Field(gt=0, le=5)


class LogNormal(Strict):
    lognormal: _LogNormalParams


class Triangular(Strict):
    triangular: tuple[Duration, Duration, Duration] = Field(description="low, most likely, high")


class _NormalParams(Strict):
    mean: Duration
    sd: Duration


class Normal(Strict):
    normal: _NormalParams = Field(description="truncated at zero")


def _distribution(value: Any) -> Any:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return {"fixed": value}
    return value


_DISTRIBUTIONS = Fixed | Uniform | Exponential | LogNormal | Triangular | Normal
Distribution = Annotated[
    _DISTRIBUTIONS,
    BeforeValidator(_distribution, json_schema_input_type=Duration | _DISTRIBUTIONS),
]
"""A time distribution: ``20m`` (fixed), ``{uniform: [10m, 30m]}``, ``{exponential: 40m}``,
``{lognormal: {median: 3h, sigma: 0.5}}``, ``{triangular: [10m, 20m, 1h]}``,
``{normal: {mean: 1h, sd: 15m}}``."""

Criticality = Literal["low", "medium", "high", "critical"]
CRITICALITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
