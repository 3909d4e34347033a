"""Turns pydantic's errors into located, translated diagnostics a trainer can act on."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..diagnostics import Diagnostic, nearest, path_text
from ..i18n import t
from ..yamlio import Document
from .durations import MAX_MINUTES, DurationError, DurationTooLong

M = TypeVar("M", bound=BaseModel)

_TECHNIQUE_PATTERN = r"^T\d{4}(\.\d{3})?$"

# the forms a time distribution may take, by pydantic's name for each union member
_DISTRIBUTIONS = {
    "Fixed": "20m",
    "Uniform": "{uniform: [10m, 30m]}",
    "Exponential": "{exponential: 40m}",
    "LogNormal": "{lognormal: {median: 3h, sigma: 0.5}}",
    "Triangular": "{triangular: [10m, 20m, 1h]}",
    "Normal": "{normal: {mean: 1h, sd: 15m}}",
}
_SCALAR_TAGS = {"int": "validate.form_int", "float": "validate.form_number", "str": "validate.form_text"}
_SCALAR_TAGS |= {"bool": "validate.form_bool", "none": "validate.form_none"}
# errors that say a union member does not fit the value's shape at all
_SHAPE_ERRORS = {
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "tuple_type",
    "float_type",
    "float_parsing",
    "int_type",
    "int_parsing",
    "int_from_float",
    "string_type",
    "bool_type",
    "bool_parsing",
    "literal_error",
    "none_required",
    "union_tag_invalid",
    "is_instance_of",
    "union",
}
# the model checks' English (raised as ValueError in scenario.py and common.py), by catalogue key
_RULES = (
    ("a stage starts either", "validate.stage_trigger"),
    ("a denial of service", "validate.deny_needs_lasts"),
    ("a selector needs", "validate.selector_needs"),
    ("a condition needs", "validate.condition_needs"),
    ("an inject has exactly one", "validate.inject_trigger"),
    ("an objective has one bound", "validate.objective_bound"),
    ("a step gives its hands-on work", "validate.step_takes_or_effort"),
    ("takes: from-backup already", "validate.step_backup_twice"),
    ("a step needs takes", "validate.step_needs_work"),
    ("effort needs base", "validate.effort_needs"),
    ("a step is named twice in order", "validate.order_twice"),
    ("a planted trace shows", "validate.planted_shows"),
)


def validate_model(
    doc: Document, model: type[M], base: tuple[Any, ...] = ()
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``doc.data`` (or the part at ``base``) as ``model``; never raises."""
    data = doc.data
    for part in base:
        data = data[part]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, diagnostics_for(doc, model, exc.errors(include_url=False), base)
    except RecursionError:  # pragma: no cover - yamlio bounds the depth well below this
        return None, [Diagnostic(doc.file, 1, 1, path_text(base), t("io.too_deep", limit="?"), "unsafe")]


def diagnostics_for(
    doc: Document, model: type[BaseModel], errors: Iterable[Any], base: tuple[Any, ...] = ()
) -> list[Diagnostic]:
    """One diagnostic per real problem: union members sorted out, echoes and duplicates dropped."""
    data = doc.data
    for part in base:
        data = data[part]
    errs = _resolve_unions([dict(e) for e in errors], data)
    errs = [e for e in errs if not _spurious(e)]
    errs = _drop_missing_misspelt(model, errs)
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for err in errs:
        diag = to_diagnostic(doc, model, err, base)
        if (diag.path, diag.message) not in seen:
            seen.add((diag.path, diag.message))
            out.append(diag)
    return out


def to_diagnostic(doc: Document, model: type[BaseModel], err: Any, base: tuple[Any, ...] = ()) -> Diagnostic:
    loc = tuple(err["loc"])
    path = _data_path(doc.data, base, loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    line, col = doc.where(path)
    code = "invalid"
    if kind == "missing" and loc and isinstance(loc[-1], int):
        message = t("validate.missing_item", number=loc[-1] + 1)
        code = "missing"
    elif kind == "missing":
        key = loc[-1] if loc else "?"
        message = t("validate.missing", key=key)
        path = (*path, key) if not path or path[-1] != key else path
        code = "missing"
    elif kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = sorted(_allowed_keys(model, _strip_tags(loc[:-1])))
        message = t("validate.unknown_key", key=key) + _suggest(
            key, allowed, t("validate.allowed", names=", ".join(allowed))
        )
        code = "unknown-key"
    elif kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        shown = _short(given)
        message = t("validate.not_one_of", value=shown, choices=", ".join(choices)) + _suggest(
            str(given), choices
        )
        code = "unknown-name"
    elif kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _TECHNIQUE_PATTERN:
            message = t("validate.attack_id", value=given)
            code = "attack-id"
        else:
            message = t("validate.bad_id", value=given)
    elif kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        message = t("validate.want_int", value=_quoted(given))
    elif kind in ("float_parsing", "float_type"):
        message = t("validate.want_number", value=_quoted(given))
    elif kind == "finite_number":
        message = t("validate.want_finite", value=_quoted(given))
    elif kind in ("bool_parsing", "bool_type"):
        message = t("validate.want_bool", value=_quoted(given))
    elif kind in ("greater_than_equal", "greater_than"):
        message = t("validate.too_small", value=given, limit=ctx.get("ge", ctx.get("gt")))
    elif kind in ("less_than_equal", "less_than"):
        message = t("validate.too_big", value=given, limit=ctx.get("le", ctx.get("lt")))
    elif kind in ("string_type",):
        message = t("validate.want_text", value=_short(given))
    elif kind in ("list_type", "tuple_type"):
        message = t("validate.want_list", value=_short(given))
    elif kind == "model_type" and ctx.get("class_name") == "_Text":
        message = t("validate.want_bilingual", value=_short(given))
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = t("validate.want_mapping", value=_short(given))
    elif kind in ("too_short", "string_too_short"):
        message = t("validate.too_short")
    elif kind == "too_long" and "max_length" in ctx:
        message = t("validate.too_many", limit=ctx["max_length"])
    elif kind in ("too_long", "string_too_long"):
        message = t("validate.too_long")
    elif kind == "union_tag_invalid":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        message = t("validate.not_one_of", value=ctx.get("tag"), choices=", ".join(choices)) + _suggest(
            str(ctx.get("tag")), choices
        )
    elif kind in (
        "datetime_parsing",
        "datetime_from_date_parsing",
        "datetime_type",
        "datetime_object_invalid",
    ):
        message = t("validate.want_datetime", value=_short(given))
    elif kind == "union":
        message = _union_message(ctx, given)
    elif kind == "value_error":
        message = _value_error(ctx.get("error"), given, err["msg"])
    else:
        message = t("validate.invalid", reason=err["msg"])
    split = _split_key(doc, path)
    if split is not None:  # not a bogus key: a comma cut the text before it
        path, meant = split
        line, col = doc.where(path)
        message, code = t("io.comma_split", key=path[-1], meant=meant), "comma"
    return Diagnostic(doc.file, line, col, path_text(path), message, code)


def _split_key(doc: Document, path: tuple[Any, ...]) -> tuple[tuple[Any, ...], str] | None:
    """The key a comma split off text (``{vi: xã, thị trấn}``) at or above ``path``, if any."""
    if not doc.split_keys:
        return None
    for end in range(len(path), 0, -1):
        meant = doc.split_keys.get(path[:end])
        if meant is not None:
            return path[:end], meant
    return None


def _value_error(error: Any, given: Any, raw: str) -> str:
    if isinstance(error, DurationTooLong):
        return t("validate.duration_too_long", value=_short(given), limit=f"{MAX_MINUTES:.0f}")
    if isinstance(error, DurationError):
        negative = isinstance(given, (int, float)) and not isinstance(given, bool) and given < 0
        return (
            t("validate.negative_duration", value=given)
            if negative
            else t("validate.bad_duration", value=_short(given))
        )
    text = str(error) if error is not None else raw
    for prefix, key in _RULES:
        if text.startswith(prefix):
            return t(key)
    return t("validate.invalid", reason=text)


def _union_message(ctx: dict[str, Any], given: Any) -> str:
    forms = ctx.get("forms", [])
    shown = _short(given)
    if ctx.get("distribution"):
        message = t("validate.want_distribution", value=shown, forms="; ".join(forms))
        # a misspelt form name, e.g. {expo: 30m}
        if isinstance(given, dict) and len(given) == 1:
            names = [f.strip("{").split(":")[0] for f in forms if f.startswith("{")]
            message += _suggest(str(next(iter(given))), names)
        return message
    return t("validate.want_form", value=shown, forms="; ".join(forms))


def _short(value: Any) -> str:
    """A value as the trainer wrote it (YAML flow style), cut short."""
    text = _flow(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _quoted(value: Any) -> str:
    """Text in quotes (so ``'two'`` reads as what was written), anything else as written."""
    return repr(value) if isinstance(value, str) and len(value) <= 60 else _short(value)


def _flow(value: Any, depth: int = 0) -> str:
    if depth > 3:
        return "…"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v, depth + 1)}" for k, v in list(value.items())[:8]) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v, depth + 1) for v in list(value)[:8]) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _suggest(name: str, choices: list[str], otherwise: str = "") -> str:
    close = nearest(name, choices)
    if close:
        return t("validate.did_you_mean", names=", ".join(close))
    return f"; {otherwise}" if otherwise else ""


# ---------------------------------------------------------------- unions and echoes


def _is_tag(part: Any) -> bool:
    """Pydantic's name for a member of a union (``Fixed``, ``literal['x']``, ``float`` …)."""
    if not isinstance(part, str) or not part or part == "[key]":  # ``[key]``: a mapping's key is wrong
        return False
    return part[0].isupper() or "[" in part or part in _SCALAR_TAGS or part.startswith("constrained-")


def _branch_point(
    loc: tuple[Any, ...], start: int, current: Any, walking: bool, kind: str
) -> tuple[int, Any, bool] | None:
    """Where ``loc`` (from ``start``) first names a union member rather than a key or index; with
    the value there, and whether that value is still the document's own."""
    for i in range(start, len(loc)):
        part = loc[i]
        if walking and isinstance(current, dict) and not isinstance(part, int) and part in current:
            current = current[part]
            continue
        if walking and isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            continue
        walking = False
        last = i == len(loc) - 1
        if _is_tag(part) and not (last and kind in ("missing", "extra_forbidden")):
            return i, current, walking
        # a key pydantic made up from a short form (``20m`` → ``{fixed: 20m}``): look further
    return None


def _resolve_unions(
    errors: list[dict[str, Any]], data: Any, start: int = 0, walking: bool = True
) -> list[dict[str, Any]]:
    """Keep the errors of the union member the trainer meant, or say once which forms are accepted.

    ``data`` is the value at ``loc[:start]`` of every error (``walking``: still the document's)."""
    out: list[dict[str, Any]] = []
    groups: dict[tuple[Any, ...], dict[str, list[dict[str, Any]]]] = {}
    values: dict[tuple[Any, ...], tuple[Any, bool]] = {}
    for err in errors:
        loc = tuple(err["loc"])
        point = _branch_point(loc, start, data, walking, err["type"])
        if point is None:
            out.append(err)
            continue
        i, value, still = point
        groups.setdefault(loc[:i], {}).setdefault(loc[i], []).append({**err, "loc": loc[:i] + loc[i + 1 :]})
        values.setdefault(loc[:i], (value, still))
    for prefix, branches in groups.items():
        depth = len(prefix)
        value, still = values[prefix]
        resolved = {tag: _resolve_unions(errs, value, depth, still) for tag, errs in branches.items()}
        # a misspelt keyword (``from-backups``) is that keyword, not a wrong duration
        close = [
            tag
            for tag in resolved
            if tag.startswith("literal[")
            and isinstance(value, str)
            and nearest(value, re.findall(r"'([^']*)'", tag))
        ]
        if close:
            out.extend(resolved[close[0]])
            continue
        fitting = [
            (len(errs), n, tag) for n, (tag, errs) in enumerate(resolved.items()) if _fits(errs, depth)
        ]
        if fitting:
            out.extend(resolved[min(fitting)[2]])
            continue
        forms: list[str] = []
        distribution = False
        for tag, errs in resolved.items():
            inner = [e for e in errs if e["type"] == "union" and len(e["loc"]) == depth]
            if inner:
                forms.extend(inner[0]["ctx"]["forms"])
                distribution = distribution or inner[0]["ctx"]["distribution"]
            elif tag in _DISTRIBUTIONS:
                forms.append(_DISTRIBUTIONS[tag])
                distribution = True
            elif tag.startswith("literal["):
                forms.extend(re.findall(r"'([^']*)'", tag))
            elif tag in _SCALAR_TAGS:
                forms.append(t(_SCALAR_TAGS[tag]))
            elif "_whole_number" in tag:  # common.Integer: an int that refuses text
                forms.append(t("validate.form_int"))
            elif "parse_duration" in tag or "parse_offset" in tag:
                forms.append(t("validate.form_duration"))
            else:
                forms.append(_form_name(tag))
        given = value if still else next((e.get("input") for errs in resolved.values() for e in errs), None)
        out.append(
            {
                "type": "union",
                "loc": prefix,
                "msg": "",
                "input": given,
                "ctx": {"forms": list(dict.fromkeys(forms)), "distribution": distribution},
            }
        )
    return out


def _form_name(tag: str) -> str:
    """A union member's form in words; pydantic's own tags (``function-before[_text(), _Text]``)
    are no words for a trainer."""
    if "parse_duration" in tag or "parse_offset" in tag:
        return t("validate.form_duration")
    if "_Text" in tag:
        return t("validate.form_bilingual")
    if re.fullmatch(r"[a-z][a-z0-9 -]*", tag):
        return tag
    return t("validate.form_mapping")


def _fits(errors: list[dict[str, Any]], depth: int) -> bool:
    """A union member fits when the value has its shape: no type error at the top, no key missing."""
    for err in errors:
        size = len(_strip_tags(tuple(err["loc"])))
        if size <= depth and err["type"] in _SHAPE_ERRORS:
            return False
        if size == depth + 1 and err["type"] in ("missing", "extra_forbidden"):
            return False
    return True


def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(p for p in loc if not _is_tag(p))


def _spurious(err: dict[str, Any]) -> bool:
    """A list reported too short only because some of its items were invalid (already reported)."""
    if err["type"] != "too_short":
        return False
    given = err.get("input")
    need = (err.get("ctx") or {}).get("min_length", 1)
    return isinstance(given, (list, tuple, dict)) and len(given) >= need


def _drop_missing_misspelt(model: type[BaseModel], errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``staf: 2`` is one mistake: report the unknown key (with its suggestion), not also ``staff``."""
    meant: set[tuple[Any, ...]] = set()
    for err in errors:
        if err["type"] == "extra_forbidden" and err["loc"]:
            loc = tuple(err["loc"])
            allowed = sorted(_allowed_keys(model, _strip_tags(loc[:-1])))
            close = nearest(str(loc[-1]), allowed, n=1)
            if close:
                meant.add((*loc[:-1], close[0]))
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in meant)]


def _data_path(data: Any, base: tuple[Any, ...], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The part of pydantic's location that names real keys and indexes in the document."""
    path: list[Any] = list(base)
    current = data
    for part in base:
        current = current[part]
    for part in loc:
        if (
            isinstance(current, dict)
            and isinstance(part, str)
            and part in current
            or isinstance(current, list)
            and isinstance(part, int)
            and 0 <= part < len(current)
        ):
            current = current[part]
            path.append(part)
    return tuple(path)


def _unwrap(tp: Any) -> list[Any]:
    """The model classes (or containers) a field annotation may hold."""
    origin = get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(tp):
            out.extend(_unwrap(arg))
        return out
    return [tp]


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """Key names valid at ``loc`` (pydantic's location of the mapping holding the bad key)."""
    candidates: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for cand in candidates:
            for tp in _unwrap(cand):
                origin = get_origin(tp)
                if isinstance(tp, type) and issubclass(tp, BaseModel):
                    if isinstance(part, str):
                        for name, field in tp.model_fields.items():
                            if part in (name, field.alias):
                                nxt.append(field.annotation)
                elif origin in (tuple, list) and isinstance(part, int):
                    nxt.append(get_args(tp)[0])
                elif origin is dict and isinstance(part, str):
                    nxt.append(get_args(tp)[1])
        candidates = nxt or candidates
    keys: set[str] = set()
    for cand in candidates:
        for tp in _unwrap(cand):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, field in tp.model_fields.items():
                    keys.add(field.alias or name)
    return keys
