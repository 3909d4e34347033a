"""Where a key path was written in a JSON text, looked up only when a problem needs it.

``json.loads`` keeps no positions, and a position for every value of a 30 MB inventory would cost
more than loading it (a pure-Python source map takes about a second per megabyte). So a JSON
document's positions are found on demand: the first question about a path walks the text from the
root to it, skipping each value on the way with the standard library's own scanner, and remembers
every container it opened for the next question. A valid file is never walked.

The same walk names the entry a syntax error is in (``nodes[48211]``), so that a mistake in a
one-line export, or the end of a file cut short, can be found in an editor.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring
from typing import Any

from .diagnostics import Diagnostic, path_text
from .i18n import t

Position = tuple[int, int]
KeyPath = tuple[Any, ...]

_WS = re.compile(r"[ \t\n\r]*")  # JSON's whitespace, as json.decoder defines it
_DECODER = json.JSONDecoder()


def _skip(text: str, offset: int) -> int:
    return _WS.match(text, offset).end()  # type: ignore[union-attr]  # the pattern matches empty text


def _is_index(part: Any) -> bool:
    return isinstance(part, int) and not isinstance(part, bool) and part >= 0


class JsonPositions(dict[KeyPath, Position]):
    """The (line, column) of key paths in a JSON text, as ``Document.positions`` holds them.

    A key's place is its opening quote, a list item's is its first character, the root's is the
    document's first character: where YAML positions point too. Paths are found when first asked
    for (``in``, ``[]``, ``get``) and then kept; iterating gives only those found so far."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text
        self._lines = _Lines(text)
        self._objects: dict[int, dict[str, tuple[int, int]]] = {}  # by offset: key → (key, value)
        self._arrays: dict[int, _Array] = {}
        self._absent: set[KeyPath] = set()

    def __contains__(self, path: object) -> bool:
        return self._find(path) is not None

    def __getitem__(self, path: KeyPath) -> Position:
        found = self._find(path)
        if found is None:
            raise KeyError(path)
        return found

    def get(self, path: KeyPath, default: Any = None) -> Any:  # type: ignore[override]
        found = self._find(path)
        return default if found is None else found

    def _find(self, path: object) -> Position | None:
        if not isinstance(path, tuple):
            return None
        try:
            if dict.__contains__(self, path):
                return dict.__getitem__(self, path)
            if path in self._absent:
                return None
        except TypeError:  # an unhashable part: no such path in a JSON document
            return None
        try:
            offset = self._offset(path)
        except (ValueError, IndexError, RecursionError):  # not the text the data came from: no place
            offset = None
        if offset is None:
            self._absent.add(path)
            return None
        position = self._lines.position(offset)
        dict.__setitem__(self, path, position)
        return position

    def _offset(self, path: KeyPath) -> int | None:
        """Where ``path`` was written: its key, its list item, or the root value."""
        value = _skip(self._text, 0)
        if value >= len(self._text):
            return None
        place = value
        for part in path:
            if value is None:
                return None
            found = self._child(value, part)
            if found is None:
                return None
            place, value = found
        return place

    def _child(self, offset: int, part: Any) -> tuple[int, int] | None:
        """(where it was written, where its value starts) of the key or item ``part`` of the
        container starting at ``offset``."""
        opening = self._text[offset]
        if opening == "{" and isinstance(part, str):
            entries = self._objects.get(offset)
            if entries is None:
                entries = self._objects[offset] = self._scan_object(offset)
            return entries.get(part)
        if opening == "[" and _is_index(part):
            array = self._arrays.get(offset)
            if array is None:
                array = self._arrays[offset] = _Array(self._text, offset)
            item = array.item(part)
            return None if item is None else (item, item)
        return None

    def _scan_object(self, offset: int) -> dict[str, tuple[int, int]]:
        text = self._text
        entries: dict[str, tuple[int, int]] = {}
        pos = _skip(text, offset + 1)
        if text[pos] == "}":
            return entries
        while True:
            key_at = pos
            key, pos = scanstring(text, pos + 1)
            pos = _skip(text, pos)  # then the ':'
            value_at = _skip(text, pos + 1)
            _, pos = _DECODER.raw_decode(text, value_at)
            entries[key] = (key_at, value_at)  # a key written twice: json.loads keeps the last
            pos = _skip(text, pos)
            if text[pos] != ",":
                return entries
            pos = _skip(text, pos + 1)


class _Array:
    """The item offsets of one JSON list, found as far as asked for."""

    __slots__ = ("text", "items", "next")

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.items: list[int] = []
        start = _skip(text, offset + 1)
        self.next: int | None = None if text[start] == "]" else start

    def item(self, index: int) -> int | None:
        text = self.text
        while len(self.items) <= index and self.next is not None:
            start = self.next
            self.items.append(start)
            _, pos = _DECODER.raw_decode(text, start)
            pos = _skip(text, pos)
            self.next = _skip(text, pos + 1) if text[pos] == "," else None
        return self.items[index] if index < len(self.items) else None


class _Lines:
    """Line and column of offsets, counting newlines only from the nearest offset already placed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets = [0]
        self.marks: list[tuple[int, int]] = [(1, 0)]  # (line, offset where that line starts)

    def position(self, offset: int) -> Position:
        i = bisect.bisect_right(self.offsets, offset) - 1
        base = self.offsets[i]
        line, start = self.marks[i]
        newlines = self.text.count("\n", base, offset)
        if newlines:
            line += newlines
            start = self.text.rfind("\n", base, offset) + 1
        if offset != base:
            self.offsets.insert(i + 1, offset)
            self.marks.insert(i + 1, (line, start))
        return line, offset - start + 1


# ---------------------------------------------------------------- syntax errors

# the json module's English, by the catalogue key that says it for a trainer
_REASONS = (
    ("Expecting value", "json.want_value"),
    ("Expecting property name", "json.want_key"),
    ("Expecting ':'", "json.want_colon"),
    ("Expecting ','", "json.want_comma"),
    ("Unterminated string", "json.open_string"),
    ("Invalid control character", "json.control_char"),
    ("Invalid \\u", "json.bad_escape"),
    ("Invalid \\escape", "json.bad_escape"),
    ("Extra data", "json.extra_data"),
    ("Unexpected UTF-8 BOM", "json.bom"),
    ("Illegal trailing comma", "json.trailing_comma"),
)


def syntax_problem(exc: json.JSONDecodeError, file: str) -> Diagnostic:
    """A located, translated diagnostic for text that is not JSON, naming the entry it is in."""
    text, pos = exc.doc, exc.pos
    end = len(text.rstrip(" \t\n\r"))
    if end == 0:
        return Diagnostic(file, 1, 1, "", t("json.empty"), "syntax")
    key = next((k for prefix, k in _REASONS if exc.msg.startswith(prefix)), None)
    comma = _trailing_comma(text, pos)
    if comma is not None:
        key, pos = "json.trailing_comma", comma
    path, opened = _enclosing(text, pos)
    lines = _Lines(text)
    line, col = lines.position(pos)
    if key in ("json.want_value", "json.want_key", "json.want_colon", "json.want_comma") and pos >= end:
        what = t("json.a_mapping") if text[opened] == "{" else t("json.a_list")
        message = t("json.truncated", what=what, line=lines.position(opened)[0])
    elif key is None:
        message = t("io.bad_json", reason=exc.msg)
    else:
        message = t(key)
    return Diagnostic(file, line, col, path_text(path), message, "syntax")


def _trailing_comma(text: str, pos: int) -> int | None:
    """The offset of a comma written after a list's or mapping's last entry, if that is the error."""
    if pos < len(text) and text[pos] == ",":  # newer Pythons point at the comma itself
        after = _skip(text, pos + 1)
        return pos if after < len(text) and text[after] in "]}" else None
    if pos < len(text) and text[pos] in "]}":
        before = len(text[:pos].rstrip(" \t\n\r")) - 1
        return before if before >= 0 and text[before] == "," else None
    return None


def _enclosing(text: str, pos: int) -> tuple[KeyPath, int]:
    """The key path and offset of the innermost list or mapping that does not parse: the one a
    syntax error at ``pos`` is in (or that the text ends inside); ``()`` for the root."""
    path: KeyPath = ()
    offset = _skip(text, 0)
    try:
        while offset < pos and text[offset] in "{[":
            inner = _failing_child(text, offset)
            if inner is None:
                break
            part, offset = inner
            path = (*path, part)
    except (ValueError, IndexError, RecursionError):
        pass
    return path, offset


def _failing_child(text: str, offset: int) -> tuple[Any, int] | None:
    """The key or index and offset of the container's entry that is itself a container and does not
    parse; None when the error is in this container's own punctuation or a plain value."""
    is_object = text[offset] == "{"
    pos = _skip(text, offset + 1)
    index = 0
    while pos < len(text) and text[pos] not in "]}":
        part: Any = index
        if is_object:
            if text[pos] != '"':
                return None
            part, pos = scanstring(text, pos + 1)
            pos = _skip(text, pos)
            if text[pos] != ":":
                return None
            pos = _skip(text, pos + 1)
        start = pos
        try:
            _, pos = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            return (part, start) if text[start] in "{[" else None
        pos = _skip(text, pos)
        if pos >= len(text) or text[pos] != ",":
            return None
        pos = _skip(text, pos + 1)
        index += 1
    return None
