"""Safe, bounded reading of YAML (and JSON) documents, remembering where every value was written.

Only the YAML core tags are accepted; a document larger than a size limit, or whose aliases would
expand past a bound (a "billion laughs"), is refused before it can use much memory or time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, DrillError, path_text
from .i18n import t

try:  # the C parser is several times faster on large files
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python PyYAML builds
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_YAML_BYTES = 16 * 1024 * 1024
MAX_JSON_BYTES = 512 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_ALIASES = 10_000

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{n}" for n in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP = f"{_CORE}map"
_SEQ = f"{_CORE}seq"
_scalar_constructor = yaml.SafeLoader("")

Position = tuple[int, int]


@dataclass
class Document:
    """A parsed document: plain data, and the (line, col) of each key path in it."""

    data: Any
    file: str
    positions: dict[tuple[Any, ...], Position] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    def where(self, path: tuple[Any, ...]) -> Position:
        """The place of ``path`` or of its nearest written ancestor."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


def read_text(path: Path, limit: int) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc
    if size > limit:
        raise DrillError(t("io.too_large", file=str(path), size=size, limit=limit))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DrillError(t("io.not_utf8", file=str(path), offset=exc.start)) from exc
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc


def load_file(path: Path | str) -> Document:
    """Parse a YAML or JSON file safely, or raise DrillError with a located message."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return load_json(read_text(path, MAX_JSON_BYTES), str(path))
    return load_yaml(read_text(path, MAX_YAML_BYTES), str(path))


def load_json(text: str, name: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diag = Diagnostic(name, exc.lineno, exc.colno, "", t("io.bad_json", reason=exc.msg), "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    return Document(data, name)


def load_yaml(text: str, name: str = "<string>") -> Document:
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise DrillError(t("io.too_large", file=name, size=len(text), limit=MAX_YAML_BYTES))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(p for p in (exc.context, exc.problem) if p)
        diag = Diagnostic(name, line, col, "", t("io.bad_yaml", reason=reason), "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    except yaml.YAMLError as exc:
        diag = Diagnostic(name, 1, 1, "", t("io.bad_yaml", reason=str(exc)), "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    finally:
        loader.dispose()
    doc = Document(None, name)
    if node is None:
        return doc
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    return doc


class _Builder:
    """Turns a composed node graph into plain data, counting every node it expands."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def _fail(self, node: yaml.Node, key: str, **values: Any) -> DrillError:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        diag = Diagnostic(self.doc.file, line, col, "", t(key, **values), "unsafe")
        return DrillError(diag.format(), [diag])

    def build(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(node, "io.too_many_nodes", limit=MAX_NODES)
        if id(node) in self.seen:
            # a second visit of one node is an alias being expanded
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self._fail(node, "io.too_many_aliases", limit=MAX_ALIASES)
        elif not isinstance(node, yaml.ScalarNode):
            self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self._fail(node, "io.bad_tag", tag=node.tag)
            if node.tag == f"{_CORE}timestamp":
                return node.value
            return _scalar_constructor.construct_object(node, deep=False)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._fail(node, "io.bad_tag", tag=node.tag)
            out_list = []
            for index, item in enumerate(node.value):
                sub = (*path, index)
                self.doc.positions.setdefault(sub, (item.start_mark.line + 1, item.start_mark.column + 1))
                out_list.append(self.build(item, sub))
            return out_list
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self._fail(node, "io.bad_tag", tag=node.tag)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == f"{_CORE}merge":
                    raise self._fail(key_node, "io.no_merge")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._fail(key_node, "io.bad_key")
                # keys keep their written text: YAML 1.1 would read `on:` or `no:` as booleans
                key = key_node.value
                sub = (*path, key)
                where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in out:
                    self.doc.problems.append(
                        Diagnostic(
                            self.doc.file, *where, path_text(sub), t("io.duplicate_key", key=key), "duplicate"
                        )
                    )
                self.doc.positions.setdefault(sub, where)
                out[key] = self.build(value_node, sub)
            return out
        raise self._fail(node, "io.bad_tag", tag=getattr(node, "tag", "?"))
