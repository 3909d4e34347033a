"""The shape of a drill log's header and of every kind of event, checked as a log is read.

Every reader (replay, verify, branch, report, resume, the players' screen) reads a log through
``drill.log``, which checks each line here: a value of the wrong type, a missing field or a number
out of range is refused with its line and key, so no reader meets it later as a crash. A kind of
event or a field this table does not know is let through (a newer engine may add them); the
engine's tests check that every event it writes fits the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .engine import events as ev

# the largest number a log may hold: minutes (a drill of years), hosts, gigabytes, queue lengths
MAX_NUMBER = 1e12

Check = Callable[[Any], str | None]  # None: fine; else what was expected


def _number(value: Any, low: float = 0.0) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "number"
    if not math.isfinite(value) or not low <= value <= MAX_NUMBER:
        return "range"
    return None


def number(value: Any) -> str | None:
    """A finite number from 0 up to ``MAX_NUMBER``."""
    return _number(value)


def signed(value: Any) -> str | None:
    return _number(value, -MAX_NUMBER)


def count(value: Any) -> str | None:
    """A whole number from 0 up."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "integer"
    return None if 0 <= value <= MAX_NUMBER else "range"


MAX_SEED = 2**63 - 1  # as a scenario's ``seed:`` allows


def seed(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "integer"
    return None if 0 <= value <= MAX_SEED else "seed"


def signed_count(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "integer"
    return None if -MAX_NUMBER <= value <= MAX_NUMBER else "range"


def text(value: Any) -> str | None:
    return None if isinstance(value, str) else "text"


def flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "boolean"


def bilingual(value: Any) -> str | None:
    """A logged text: a plain string or ``{en: …, vi: …}``."""
    if isinstance(value, str):
        return None
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return None
    return "bilingual"


def listing(value: Any) -> str | None:
    return None if isinstance(value, list) else "list"


def texts(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "texts"


def mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) else "mapping"


def staff_table(value: Any) -> str | None:
    """``{team: staff}``."""
    if isinstance(value, dict) and all(count(v) is None for v in value.values()):
        return None
    return "staff"


def maybe(check: Check) -> Check:
    def inner(value: Any) -> str | None:
        return None if value is None else check(value)

    return inner


# what each kind of event carries in ``data``: required fields, then optional ones
Fields = Mapping[str, Check]
_SITE = {"site": text}
_ON_NODE = {"site": text, "compromised": flag}
EVENT_FIELDS: dict[str, tuple[Fields, Fields]] = {
    ev.DRILL_START: ({"seed": seed, "duration": number}, {"topology": text, "teams": staff_table}),
    ev.DRILL_END: ({}, {}),
    ev.STAGE_START: ({}, {"technique": text, "why": text}),
    ev.COMPROMISE: (
        {"hosts": count, "infected": count},
        {"stage": text, "technique": text, "source": text, "site": text},
    ),
    ev.EFFECT: (
        {"effect": text},
        {
            "stage": text,
            "site": text,
            "hosts": count,
            "lasts": number,
            "rate_gb_per_hour": number,
            "data_gb": number,
        },
    ),
    ev.EFFECT_END: ({"effect": text}, {}),
    ev.DETECTION: ({}, {"how": text, "site": text, "campaign": text}),
    ev.ALERT: ({}, {"step": text, "queued": count}),
    ev.TASK_START: ({}, {"step": text, "takes": number, "queued": count}),
    ev.TASK_END: ({}, {"step": text, "queued": count}),
    ev.ISOLATE: ({}, _ON_NODE),
    ev.RECONNECT: ({}, _ON_NODE),
    ev.PATCHED: ({}, _ON_NODE),
    ev.LINK_CUT: ({}, {"a": text, "b": text, "link_kind": text}),
    ev.LINK_RESTORED: ({}, {"a": text, "b": text, "link_kind": text}),
    ev.CLEANED: ({}, {**_SITE, "damaged": flag}),
    ev.RESTORED: ({}, {**_SITE, "from_backup": flag}),
    ev.SERVICE_DOWN: ({}, {"reason": text}),
    ev.SERVICE_REASON: ({}, {"reason": text}),
    ev.SERVICE_UP: ({}, {"down_for": number}),
    ev.INJECT: (
        {},
        {
            "why": text,
            "to": texts,
            "channel": text,
            "hidden": flag,
            "title": bilingual,
            "text": bilingual,
            "sender": bilingual,
        },
    ),
    ev.INJECT_DELAYED: ({}, {"by": number, "due": maybe(number)}),
    ev.EXPECTATION: (
        {"index": count, "status": text, "due": number},
        {"action": text, "command": signed_count},
    ),
    ev.COMMAND: ({"command": mapping}, {}),
    ev.COMMAND_REFUSED: ({"command": mapping}, {"reason": bilingual, "suggestions": texts}),
    ev.NOTE: ({}, {"text": bilingual, "hidden": flag}),
    ev.ESCALATION: ({}, {"arrives_in": number}),
    ev.TEAM_ARRIVED: ({}, {"staff": count}),
    ev.STAFF_CHANGE: ({}, {"change": signed_count, "staff": count}),
    ev.REPORT: ({}, {"text": bilingual, "to": text, "public": flag, "notify": flag, "auto": flag}),
    ev.LEARNED: (
        {"fact": text, "how": text, "certainty": text},
        {"technique": text, "account": text, "source": text, "attacker_since": number},
    ),
    ev.INVESTIGATED: (
        {"procedure": text, "findings": listing},
        {"number": count, "examined": count, "machines": count, "account": text},
    ),
}

HEADER_FIELDS: tuple[Fields, Fields] = (
    {"scenario": text, "seed": seed},
    {
        "drill": text,
        "scenario_ref": text,
        "scenario_sha256": text,
        "topology": text,
        "topology_sha256": text,
        "lang": text,
        "start": text,
        "duration": number,
        "branched_from": mapping,
        "conducted": mapping,
    },
)

# the top level of an event line
EVENT_KEYS: Fields = {"t": number, "seq": count, "kind": text, "actor": text, "target": text, "data": mapping}


def problem(record: Mapping[str, Any], fields: tuple[Fields, Fields]) -> tuple[str, str] | None:
    """The first field of ``record`` that is missing or wrong: (key, what was expected)."""
    required, optional = fields
    for key, check in required.items():
        if key not in record:
            return key, "missing"
        wrong = check(record[key])
        if wrong:
            return key, wrong
    for key, check in optional.items():
        if key in record:
            wrong = check(record[key])
            if wrong:
                return key, wrong
    return None


def event_problem(record: Any) -> tuple[str, str] | None:
    """What is wrong with one decoded event line, as (key, expected); None when it is fine."""
    if not isinstance(record, dict):
        return "", "mapping"
    found = problem(record, (EVENT_KEYS, {}))
    if found:
        return found
    fields = EVENT_FIELDS.get(record["kind"])
    if fields is None:
        return None
    found = problem(record["data"], fields)
    if found:
        return "data." + found[0], found[1]
    if record["kind"] in (ev.COMMAND, ev.COMMAND_REFUSED):
        return _command_problem(record["data"]["command"])
    return None


def _command_problem(record: dict[str, Any]) -> tuple[str, str] | None:
    """A logged command must be one the engine can re-apply (replay, verify and resume do)."""
    from pydantic import ValidationError

    from .engine.commands import Command

    try:
        Command.model_validate(record)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if not str(p).startswith("function"))
        return "data.command" + (f".{where}" if where else ""), "command"
    except (ValueError, TypeError, OverflowError):
        return "data.command", "command"
    return None


# ---------------------------------------------------------------------------------------------- names
# what an event's target names, by kind: once a log's scenario is known, each must exist in it
_ON_NODES = (
    ev.COMPROMISE,
    ev.EFFECT,
    ev.EFFECT_END,
    ev.DETECTION,
    ev.ALERT,
    ev.TASK_START,
    ev.TASK_END,
    ev.ISOLATE,
    ev.RECONNECT,
    ev.PATCHED,
    ev.CLEANED,
    ev.RESTORED,
    ev.BACKUP_LOST,
)
_ON_SERVICES = (ev.SERVICE_DOWN, ev.SERVICE_UP, ev.SERVICE_REASON)
_ON_SITES = (ev.SITE_DISCONNECTED, ev.SITE_CONNECTED)
_ON_INJECTS = (ev.INJECT_SKIPPED, ev.INJECT_DELAYED)
_BY_TEAMS = (ev.ALERT, ev.TASK_START, ev.TASK_END, ev.STAFF_CHANGE)
DEADLINES = "deadlines"  # the expectations of the scenario's deadlines, as the MSEL names them


class Names:
    """The names a scenario and its topology define, for checking a log against them."""

    def __init__(self, scenario: Any) -> None:
        city, spec = scenario.city, scenario.spec
        self.nodes = city.nodes
        self.sites = city.sites
        self.services = city.services
        self.teams = spec.teams
        self.stages = set(scenario.stage_ids())
        self.expects = {inject.id: len(inject.expects) for inject in spec.injects}
        self.expects[DEADLINES] = len(spec.deadlines)


def name_problem(kind: str, actor: str, target: str, data: Mapping[str, Any], names: Names) -> str | None:
    """The key of an event that names something its scenario does not have (None: all exist)."""
    if kind in _ON_NODES and target not in names.nodes:
        return "target"
    if kind in (ev.OFFLINE, ev.ONLINE) and target not in names.nodes and target not in names.services:
        return "target"
    if kind in _ON_SERVICES and target not in names.services:
        return "target"
    if kind in _ON_SITES and target not in names.sites:
        return "target"
    if kind == ev.STAGE_START and target not in names.stages:
        return "target"
    if (kind in _ON_INJECTS or (kind == ev.INJECT and target)) and target not in names.expects:
        return "target"
    if kind == ev.EXPECTATION and not 0 <= int(data.get("index", 0)) < names.expects.get(target, 0):
        return "target" if target not in names.expects else "data.index"
    if kind in _BY_TEAMS and actor not in names.teams:
        return "actor"
    if kind in (ev.LINK_CUT, ev.LINK_RESTORED):
        for key in ("a", "b"):
            if key in data and data[key] not in names.nodes:
                return f"data.{key}"
    if "site" in data and data["site"] not in names.sites:
        return "data.site"
    return None
