"""What is still usable in a document whose shape is wrong, so names are checked in the same pass.

A scenario with one malformed key still names sites, services and teams everywhere else; the
trainer should hear about a misspelt site in the same run as about the malformed key, not only
after fixing it. ``salvage`` keeps every part of the data that validates on its own, and rebuilds
the parts that do not from their own valid pieces, leaving out what cannot be read (its problem
is already reported). The result is never run: it only feeds the name checks.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

_NOTHING = object()


def salvage(model: type[BaseModel], data: Any) -> Any:
    """``data`` as ``model`` with the unreadable parts left out (``None`` if nothing is usable)."""
    value = _value(model, data)
    return None if value is _NOTHING else value


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _value(annotation: Any, data: Any) -> Any:
    """``data`` read as ``annotation``, whole if it validates, else piece by piece."""
    try:
        return _adapter(annotation).validate_python(data)
    except ValidationError:
        pass
    except Exception:  # an annotation pydantic cannot build alone: no salvage of this part
        return _NOTHING
    origin = get_origin(annotation)
    if origin is Annotated:
        return _value(get_args(annotation)[0], data)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is type(None):
                continue
            got = _value(arg, data)
            if got is not _NOTHING:
                return got
        return _NOTHING
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, data)
    if origin in (tuple, list) and isinstance(data, list):
        item = get_args(annotation)[0] if get_args(annotation) else Any
        # items keep their places (a check's path counts from the document's list)
        return tuple(None if got is _NOTHING else got for got in (_value(item, v) for v in data))
    if origin is dict and isinstance(data, dict):
        _key, item = get_args(annotation) if get_args(annotation) else (str, Any)
        out = {}
        for k, v in data.items():
            got = _value(item, v)
            if isinstance(k, str) and got is not _NOTHING:
                out[k] = got
        return out
    return _NOTHING


def _model(model: type[BaseModel], data: Any) -> Any:
    if not isinstance(data, dict):
        return _NOTHING
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in data:
            if field.is_required():
                values[name] = _empty(field.annotation)  # the checks skip what is not there
            continue
        annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        got = _value(annotation, data[key])
        values[name] = _empty(field.annotation) if got is _NOTHING else got
    # defaults fill what the document leaves out; no validator runs on the result
    return model.model_construct(**values)


def _empty(annotation: Any) -> Any:
    """Nothing, in the form the checks iterate: an empty list or mapping, else ``None``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _empty(get_args(annotation)[0])
    if origin in (tuple, list):
        return ()
    if origin is dict:
        return {}
    return None
