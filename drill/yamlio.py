"""Safe, bounded reading of YAML (and JSON) documents, remembering where every value was written.

Only the YAML core tags are accepted; a document larger than a size limit, or whose aliases would
expand past a bound (a "billion laughs"), is refused before it can use much memory or time.
"""

from __future__ import annotations

import gc
import json
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, DrillError, path_text
from .i18n import t
from .json_positions import JsonPositions, syntax_problem

try:  # the C parser is several times faster on large files
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python PyYAML builds
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_YAML_BYTES = 16 * 1024 * 1024
MAX_JSON_BYTES = 512 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_ALIASES = 100_000  # values reached again through aliases
MAX_DEPTH = 100  # real files nest a dozen levels; a deeper document is hostile or broken

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
    # keys that a comma split off text inside { … } (``{vi: xã, thị trấn}``), with the text meant
    split_keys: dict[tuple[Any, ...], str] = field(default_factory=dict)
    # a topology that extends another: changes to and removals of nodes and links its base builds
    # from templates (drill.model.layers.Layered); None for any other document
    layered: Any = None

    def where(self, path: tuple[Any, ...]) -> Position:
        """The place of ``path`` or of its nearest written ancestor."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


def read_text(path: Path, limit: int, too_large: str = "io.too_large") -> str:
    """A regular file's text (a pipe or a device could block or never end), of at most ``limit``
    bytes (``too_large``: the message key that says so, with advice for the kind of file)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc
    if not stat.S_ISREG(info.st_mode):
        raise DrillError(t("io.not_regular", file=str(path)))
    size = info.st_size
    if size > limit:
        raise DrillError(t(too_large, file=str(path), size=size, limit=limit))
    try:
        with path.open("rb") as stream:
            raw = stream.read(limit + 1)  # never more than the limit, whatever stat() said
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc
    if len(raw) > limit:  # the file grew since stat()
        raise DrillError(t(too_large, file=str(path), size=len(raw), limit=limit))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = t("io.not_utf8", file=str(path), offset=exc.start)
        diag = Diagnostic(str(path), line, col, "", message, "encoding")
        raise DrillError(diag.format(), [diag]) from exc
    except OSError as exc:
        raise DrillError(t("io.cannot_read", file=str(path), reason=exc.strerror or str(exc))) from exc


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building large, acyclic data.

    Parsing a big topology creates millions of objects; each collection scans all of them and
    none is garbage. Usable as a decorator; nested uses leave the collector as they found it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def load_file(path: Path | str, too_large: str = "io.too_large") -> Document:
    """Parse a YAML or JSON file safely, or raise DrillError with a located message."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return load_json(read_text(path, MAX_JSON_BYTES, too_large), str(path))
    return load_yaml(read_text(path, MAX_YAML_BYTES, too_large), str(path))


@paused_gc()
def load_json(text: str, name: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diag = syntax_problem(exc, name)
        raise DrillError(diag.format(), [diag]) from exc
    except ValueError as exc:  # an integer of more digits than Python converts
        limit = sys.get_int_max_str_digits()
        found = re.search(rf"\d{{{limit + 1},}}", text)
        at = found.start() if found else 0
        line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        diag = Diagnostic(name, line, col, "", t("io.too_long_number", limit=limit), "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    return Document(data, name, JsonPositions(text))  # positions are looked up only for problems


@paused_gc()
def load_yaml(text: str, name: str = "<string>") -> Document:
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise DrillError(t("io.too_large", file=name, size=len(text), limit=MAX_YAML_BYTES))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diag = Diagnostic(name, line, col, "", _syntax_message(exc, text, mark), "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    except yaml.reader.ReaderError as exc:
        # a control character: PyYAML names only its offset, so find its line and column
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        message = t(
            "io.control_char", code=f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        )
        diag = Diagnostic(name, line, col, "", message, "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    except yaml.YAMLError as exc:
        diag = Diagnostic(name, 1, 1, "", t("io.bad_yaml", reason=str(exc)), "syntax")
        raise DrillError(diag.format(), [diag]) from exc
    finally:
        loader.dispose()
    doc = Document(None, name)
    if node is None:
        return doc
    # a key missing at the top is reported where the document starts, after any leading comments
    doc.positions[()] = (node.start_mark.line + 1, node.start_mark.column + 1)
    builder = _Builder(doc, text)
    doc.data = builder.build(node, ())
    return doc


# PyYAML's English for the commonest mistakes, said in the catalogue's words
_SYNTAX_KEYS = (
    ("found undefined alias", "io.undefined_alias"),
    ("expected a single document", "io.several_documents"),
    ("mapping values are not allowed", "io.colon_here"),
)


def _syntax_message(exc: yaml.MarkedYAMLError, text: str, mark: Any) -> str:
    reason = " ".join(p for p in (exc.context, exc.problem) if p)
    index = getattr(mark, "index", None)
    at_tab = isinstance(index, int) and 0 <= index < len(text) and text[index] == "\t"
    if at_tab or "tab character" in reason:
        return t("io.tab")
    for needle, key in _SYNTAX_KEYS:
        if needle in reason:
            return t(key)
    message = t("io.bad_yaml", reason=reason)
    start = exc.context_mark
    if start is not None and mark is not None and start.line != mark.line:
        # an unclosed bracket or quote is found lines later: say where it was opened
        message += t("io.started_on", line=start.line + 1)
    elif "while parsing a flow mapping" in reason:
        # ``{vi: Sở Nội vụ: Ghi chú}`` on one line: a ':' inside text between braces
        message += t("io.quote_in_brackets")
    return message


class _Builder:
    """Turns a composed node graph into plain data, counting every node it expands."""

    def __init__(self, doc: Document, text: str = "") -> None:
        self.doc = doc
        self.text = text
        self.count = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def _fail(self, node: yaml.Node, key: str, **values: Any) -> DrillError:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(values.get("tag"), str) and values["tag"].startswith(_CORE):
            values["tag"] = "!!" + values["tag"][len(_CORE) :]  # as it was written: !!python/object
        diag = Diagnostic(self.doc.file, line, col, "", t(key, **values), "unsafe")
        return DrillError(diag.format(), [diag])

    def build(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        if len(path) > MAX_DEPTH:
            raise self._fail(node, "io.too_deep", limit=MAX_DEPTH)
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(node, "io.too_many_nodes", limit=MAX_NODES)
        if id(node) in self.seen:
            # a second visit of one node is an alias being expanded: count every value it brings,
            # scalars too, so wide bombs ([*a, *a, …] of long lists) stop as soon as deep ones
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                # a node reached through aliases remembers only its anchor: name the top key instead
                line, col = self.doc.where(path[:1])
                diag = Diagnostic(
                    self.doc.file,
                    line,
                    col,
                    path_text(path[:1]),
                    t("io.too_many_aliases", limit=MAX_ALIASES),
                    "unsafe",
                )
                raise DrillError(diag.format(), [diag])
        else:
            self.seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SCALAR_TAGS:
                raise self._fail(node, "io.bad_tag", tag=node.tag)
            if node.tag == f"{_CORE}timestamp":
                return node.value
            try:
                return _scalar_constructor.construct_object(node, deep=False)
            except ValueError as exc:  # an integer of more digits than Python converts
                raise self._fail(node, "io.too_long_number", limit=sys.get_int_max_str_digits()) from exc
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
            previous: tuple[yaml.Node, yaml.Node] | None = None
            for key_node, value_node in node.value:
                if node.flow_style and previous is not None and _split_off(key_node, value_node, self.text):
                    # ``{vi: xã, thị trấn}``: the comma ended the text, and ``thị trấn`` became a key
                    before_key, before_value = previous
                    if isinstance(before_value, yaml.ScalarNode) and isinstance(before_key, yaml.ScalarNode):
                        meant = f'{before_key.value}: "{before_value.value}, {key_node.value}"'
                        self.doc.split_keys[(*path, key_node.value)] = meant
                previous = (key_node, value_node)
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


def _split_off(key: yaml.Node, value: yaml.Node, text: str) -> bool:
    """A key written with no ':' and no value after it: the tail of text a comma cut."""
    if not (isinstance(key, yaml.ScalarNode) and not key.style and isinstance(value, yaml.ScalarNode)):
        return False
    if value.value != "" or value.start_mark.index != value.end_mark.index:
        return False
    after = text[key.end_mark.index : key.end_mark.index + 200].lstrip(" \t\r\n")
    return after[:1] in (",", "}")


try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - pure-Python PyYAML builds
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


def flow_yaml(value: Any) -> str:
    """``value`` as one line of YAML flow style (``{id: a, hosts: 3}``), quoted where needed."""
    text = yaml.dump(
        value, Dumper=_Dumper, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 30
    )
    return text.removesuffix("\n...\n").strip()


def dump_yaml(value: Any) -> str:
    """``value`` as a YAML document in block style, keys in their given order."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
