"""Turns pydantic's errors into located, translated diagnostics a trainer can act on."""

from __future__ import annotations

import re
import types
import typing
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..diagnostics import Diagnostic, nearest, path_text
from ..i18n import t
from ..yamlio import Document

M = TypeVar("M", bound=BaseModel)


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
        return None, [to_diagnostic(doc, model, err, base) for err in exc.errors(include_url=False)]


def to_diagnostic(doc: Document, model: type[BaseModel], err: Any, base: tuple[Any, ...] = ()) -> Diagnostic:
    loc = tuple(err["loc"])
    path = _data_path(doc.data, base, loc)
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    line, col = doc.where(path)
    code = "invalid"
    if kind == "missing":
        key = loc[-1] if loc else "?"
        message = t("validate.missing", key=key)
        path = (*path, key) if path and path[-1] != key else path
        code = "missing"
    elif kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = sorted(_allowed_keys(model, loc[:-1]))
        message = t("validate.unknown_key", key=key) + _suggest(
            key, allowed, t("validate.allowed", names=", ".join(allowed))
        )
        code = "unknown-key"
    elif kind in ("literal_error", "enum"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = t("validate.not_one_of", value=given, choices=", ".join(choices)) + _suggest(
            str(given), choices
        )
        code = "unknown-name"
    elif kind == "string_pattern_mismatch":
        message = t("validate.bad_id", value=given)
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        message = t("validate.want_int", value=given)
    elif kind in ("float_parsing", "float_type"):
        message = t("validate.want_number", value=given)
    elif kind in ("bool_parsing", "bool_type"):
        message = t("validate.want_bool", value=given)
    elif kind in ("greater_than_equal", "greater_than"):
        message = t("validate.too_small", value=given, limit=ctx.get("ge", ctx.get("gt")))
    elif kind in ("less_than_equal", "less_than"):
        message = t("validate.too_big", value=given, limit=ctx.get("le", ctx.get("lt")))
    elif kind in ("string_type",):
        message = t("validate.want_text", value=_short(given))
    elif kind in ("list_type", "tuple_type"):
        message = t("validate.want_list", value=_short(given))
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = t("validate.want_mapping", value=_short(given))
    elif kind in ("too_short", "string_too_short"):
        message = t("validate.too_short")
    elif kind in ("too_long", "string_too_long"):
        message = t("validate.too_long")
    elif kind == "union_tag_invalid":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        message = t("validate.not_one_of", value=ctx.get("tag"), choices=", ".join(choices)) + _suggest(
            str(ctx.get("tag")), choices
        )
    elif kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        message = t("validate.want_datetime", value=given)
    elif kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
    else:
        message = err["msg"]
    return Diagnostic(doc.file, line, col, path_text(path), message, code)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _suggest(name: str, choices: list[str], otherwise: str = "") -> str:
    close = nearest(name, choices)
    if close:
        return t("validate.did_you_mean", names=", ".join(close))
    return f"; {otherwise}" if otherwise else ""


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
