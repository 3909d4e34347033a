"""Types shared by the topology and scenario formats."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic import Strict as _StrictType
from pydantic_core import PydanticCustomError

from .durations import DURATION_PATTERN, OFFSET_PATTERN, parse_duration, parse_offset

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class Strict(BaseModel):
    """Frozen, and every unknown key is an error."""

    # no NaN or infinity: a duration or a probability of .inf or .nan would stall the engine
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, validate_default=True, allow_inf_nan=False
    )


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=80)]


# Numbers and booleans as YAML writes them, never as text: `staff: "3"` or `hidden: "yes"` is a
# mistake the editor's schema flags, so the loader refuses it too (the schema says what we accept).
def _whole_number(value: Any) -> Any:
    if isinstance(value, (str, bool)):  # 3.0 stays allowed: JSON Schema's integer accepts it too
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Integer = Annotated[int, BeforeValidator(_whole_number)]
"""A whole number written as a number (``3``), not as text (``"3"``) or a boolean."""
Number = Annotated[float, _StrictType()]
"""A number written as a number (an integer is one too)."""
Boolean = Annotated[bool, _StrictType()]
"""``true`` or ``false`` (YAML's ``yes``/``no`` are read as these), never text."""

# the largest finite number: a bound written `.inf` is refused by the loader, and by the schema
_FINITE = 1.7976931348623157e308
_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": DURATION_PATTERN, "examples": ["45m", "2h", "1d 4h"]},
        {"type": "number", "minimum": 0, "maximum": _FINITE, "description": "minutes"},
    ]
}
Duration = Annotated[float, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
"""Minutes; written as ``45m``, ``2h``, ``1d 4h`` or a number of minutes."""

_OFFSET_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": OFFSET_PATTERN, "examples": ["T+45m", "T+2h", "T+0"]},
        {"type": "number", "minimum": 0, "maximum": _FINITE, "description": "minutes after the start"},
    ]
}
Offset = Annotated[float, BeforeValidator(parse_offset), WithJsonSchema(_OFFSET_SCHEMA)]
"""Minutes after the drill's start; written as ``T+45m`` (or as a duration: ``45m``)."""

Probability = Annotated[float, _StrictType(), Field(ge=0.0, le=1.0)]

# The calendar times drill reads: a date, or a date and a time of day (T, t or a space between),
# with seconds and an offset (Z or +07:00, +0700) if wanted. Not a Unix timestamp: 20150304 is a
# date miswritten, not a moment in 1970.
_DAY = (
    r"([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
    # 29 February, in a leap year: divisible by 4, and by 400 when by 100
    r"|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)"
)
CALENDAR_PATTERN = (
    rf"^(?!0000){_DAY}"  # there is no year 0
    r"([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?)?$"
)
_CALENDAR = re.compile(CALENDAR_PATTERN)


def _calendar_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _CALENDAR.match(value):
        text = value.upper().replace(" ", "T").replace("Z", "+00:00")
        try:
            return datetime.fromisoformat(text)
        except ValueError:  # a day the month does not have: 2015-02-30
            pass
    raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime")


CalendarTime = Annotated[
    datetime,
    BeforeValidator(_calendar_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CALENDAR_PATTERN,
            "examples": ["2015-03-04T08:00+07:00", "2015-03-04 08:00", "2015-03-04"],
            "description": "a date, or a date and time; a time without an offset is local time",
        }
    ),
]
"""A date (midnight) or a date and time, as drill's messages show: ``2015-03-04T08:00+07:00``."""


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


def names_of(choices: tuple[str, ...]) -> Any:
    """One name or a list of names, each one of ``choices`` (checked when the scenario is loaded,
    where a misspelt name gets a suggestion; the schema lists them for the editor)."""
    one = {"enum": list(choices)}
    return Annotated[
        tuple[str, ...],
        BeforeValidator(_listify),
        WithJsonSchema({"anyOf": [{"type": "string", **one}, {"type": "array", "items": one}]}),
    ]


# Rules across keys, as JSON Schema says them, for the models whose checks ask for them: the
# editor then flags what the model's own check refuses (a key "given" is there and not null).
def given(key: str, empty: bool = True) -> dict[str, Any]:
    nothing: dict[str, Any] = {"type": "null"}
    if not empty:  # an empty list is nothing too
        nothing = {"anyOf": [nothing, {"type": "array", "maxItems": 0}]}
    return {"required": [key], "properties": {key: {"not": nothing}}}


def is_true(key: str) -> dict[str, Any]:
    return {"required": [key], "properties": {key: {"const": True}}}


def schema_rules(*rules: dict[str, Any]) -> ConfigDict:
    """A model's config adding ``rules`` (all must hold) to its JSON Schema."""
    return ConfigDict(json_schema_extra={"allOf": list(rules)})


_SELECTOR_KEYS = ("node", "site", "kind", "zone", "tag", "match", "group")


class Selector(Strict):
    """Which nodes: every field given must match (AND); a list in a field means any of (OR)."""

    model_config = schema_rules({"anyOf": [given(k, empty=False) for k in _SELECTOR_KEYS]})

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
    sigma: Number = Field(gt=0, le=5)


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
