"""``--set KEY=VALUE``: change one value of a scenario document by its key path.

A key path names keys of the document as written (``teams.city-soc.staff``); a list item is
named by its index (``stages[1]`` or ``stages.1``) or by its ``id`` (``stages.lan-spread``).
Overrides change the plain data before validation, so a bad value is explained exactly as
``drill validate`` would explain it in the file.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostic, DrillError, nearest, path_text
from ..i18n import t
from ..yamlio import Document, load_yaml

# ``defenders.teams.X`` reads like the wording; the document has ``teams:`` at the top
ALIASES = {("defenders", "teams"): ("teams",)}
_BRACKET = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Override:
    """One ``KEY=VALUE`` as the user wrote it, with the value read as YAML."""

    text: str
    key: str
    value: Any


def parse_override(text: str) -> Override:
    """Split ``KEY=VALUE`` and read VALUE as a YAML value (``5``, ``0.2``, ``45m``, ``{fixed: 1h}``)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise DrillError(t("batch.set_syntax", text=text))
    try:
        value = load_yaml(raw, "--set").data
    except DrillError as exc:
        reason = exc.diagnostics[0].message if exc.diagnostics else exc.message
        raise DrillError(t("batch.set_bad_value", text=text, reason=reason)) from exc
    return Override(text, key, value)


def split_key(key: str) -> list[str | int]:
    """``a.b[0].c`` → ``["a", "b", 0, "c"]``; bare parts stay text (they may be ids or indexes)."""
    parts: list[str | int] = []
    for piece in key.split("."):
        head = _BRACKET.split(piece)
        # re.split with one group alternates: text, index, text, index, ...
        for i, part in enumerate(head):
            if i % 2:
                parts.append(int(part))
            elif part:
                parts.append(part)
            elif i == 0 and len(head) == 1:
                parts.append(part)  # an empty part, e.g. "a..b": reported as an unknown key
    return parts


def resolve(data: Any, override: Override) -> tuple[Any, ...]:
    """The document path an override names; raise DrillError naming the nearest valid key."""
    parts = split_key(override.key)
    for alias, real in ALIASES.items():
        if tuple(parts[: len(alias)]) == alias and not (isinstance(data, dict) and alias[0] in data):
            parts = [*real, *parts[len(alias) :]]
    path: list[Any] = []
    node = data
    i = 0
    while i < len(parts):
        last_part = i == len(parts) - 1
        if isinstance(node, dict):
            found = _longest_key(parts, i, node)
            if found is None:
                name = parts[i]
                if last_part and isinstance(name, str) and name:
                    path.append(name)  # a key not written: validation says if it may be given
                    break
                raise DrillError(_no_key(override, path, str(name), list(node)))
            key, i = found
            path.append(key)
            node = node[key]
        elif isinstance(node, list):
            index, i = _item(override, parts, i, node, path)
            path.append(index)
            node = node[index]
        else:
            raise DrillError(
                t("batch.set_not_container", text=override.text, where=_where(path), name=parts[i])
            )
    return tuple(path)


def _longest_key(parts: Sequence[str | int], i: int, node: dict[Any, Any]) -> tuple[Any, int] | None:
    # ids may hold dots ("soc.hk"): the longest run of parts that is a key wins
    for j in range(len(parts), i, -1):
        run = parts[i:j]
        if any(isinstance(p, int) for p in run):
            continue
        key = ".".join(str(p) for p in run)
        if key in node:
            return key, j
    return None


def _item(
    override: Override, parts: Sequence[str | int], i: int, node: list[Any], path: list[Any]
) -> tuple[int, int]:
    part = parts[i]
    if isinstance(part, int) or part.isdigit():
        index = int(part)
        if index >= len(node):
            raise DrillError(
                t("batch.set_index", text=override.text, where=_where(path), index=index, count=len(node))
            )
        return index, i + 1
    ids = [item.get("id") for item in node if isinstance(item, dict)]
    for j in range(len(parts), i, -1):
        run = parts[i:j]
        if any(isinstance(p, int) for p in run):
            continue
        name = ".".join(str(p) for p in run)
        if name in ids:
            return ids.index(name), j
    names = [str(x) for x in ids if x is not None]
    msg = t("batch.set_no_item", text=override.text, where=_where(path), name=part, count=len(node))
    raise DrillError(msg + _hint(str(part), names))


def _no_key(override: Override, path: list[Any], name: str, keys: Iterable[Any]) -> str:
    msg = t("batch.set_no_key", text=override.text, where=_where(path), name=name)
    pool = [str(k) for k in keys]
    if nearest(name, pool):
        return msg + _hint(name, pool)
    # perhaps a key the file leaves out: it can only be given whole
    return msg + _hint(name, pool) + t("batch.set_add_whole", name=name)


def _hint(name: str, pool: list[str]) -> str:
    close = nearest(name, pool)
    if close:
        return t("validate.did_you_mean", names=", ".join(close))
    if pool:
        shown = ", ".join(pool[:12]) + (", …" if len(pool) > 12 else "")
        return t("batch.set_keys_here", names=shown)
    return ""


def _where(path: Sequence[Any]) -> str:
    return path_text(path) if path else t("batch.set_top")


def apply_overrides(doc: Document, overrides: Sequence[Override]) -> tuple[Document, list[tuple[Any, ...]]]:
    """A copy of ``doc`` with every override applied in order, and the path each one set."""
    data = copy.deepcopy(doc.data)
    paths = []
    for override in overrides:
        path = resolve(data, override)
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if not path:
            raise DrillError(t("batch.set_syntax", text=override.text))
        parent[path[-1]] = copy.deepcopy(override.value)
        paths.append(path)
    return Document(data, doc.file, doc.positions, []), paths


def explain(
    problems: Sequence[Diagnostic], overrides: Sequence[Override], paths: Sequence[tuple[Any, ...]]
) -> str:
    """Problems found after overriding a valid scenario, each blamed on the override it comes from."""
    lines = []
    for d in problems:
        best, depth = None, 0
        for override, path in zip(overrides, paths, strict=True):
            shared = _shared(d.path, path_text(path))
            if shared > depth:
                best, depth = override, shared
        if best is None:
            lines.append(t("batch.set_elsewhere", problem=d.format()))
            continue
        where = "" if d.path == path_text(paths[overrides.index(best)]) else f"{d.path}: "
        lines.append(t("batch.set_invalid", text=best.text, problem=where + d.message))
    return "\n".join(lines)


def _shared(a: str, b: str) -> int:
    """How many leading parts two path texts share (``teams.soc.staff`` and ``teams.soc`` → 2)."""
    pa, pb = _parts(a), _parts(b)
    n = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        n += 1
    return n


def _parts(text: str) -> list[str]:
    return [p for p in re.split(r"\.|\[|\]", text) if p]
