"""What changed between two versions of a golden log, in words a reviewer can check.

A golden log is a change detector: when it changes, the question is whether the change is the
one intended. Events are compared without their sequence numbers (one event more early on
renumbers all that follow), aligned in order, and an event replaced by one of the same kind on
the same node counts as changed (with the fields that differ), not as one removed and one added.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any


@dataclass
class LogChanges:
    name: str
    old_lines: int
    new_lines: int
    header: list[str] = field(default_factory=list)  # header keys whose value changed
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = field(default_factory=list)
    first_difference: int | None = None  # 1-based line number in the new log

    @property
    def unchanged(self) -> bool:
        return not (self.header or self.added or self.removed or self.changed) and (
            self.old_lines == self.new_lines
        )

    def lines(self) -> list[str]:
        """The summary, one line each: totals, then by kind with the nodes each touched."""
        if self.unchanged:
            return [f"{self.name}: unchanged ({self.new_lines} lines)"]
        out = [
            f"{self.name}: {self.old_lines} → {self.new_lines} lines; events: {len(self.added)} added, "
            f"{len(self.removed)} removed, {len(self.changed)} changed"
            + (f"; header: {', '.join(self.header)} changed" if self.header else "")
        ]
        for label, events in (("added", self.added), ("removed", self.removed)):
            for kind, nodes in _by_kind(events):
                out.append(f"  {label:8} {kind:18} {_counts(nodes)}")
        changed_events = [new for _old, new, _fields in self.changed]
        fields_by_kind: dict[str, Counter[str]] = {}
        for _old, new, fields in self.changed:
            fields_by_kind.setdefault(new["kind"], Counter()).update(fields)
        for kind, nodes in _by_kind(changed_events):
            what = ", ".join(fields_by_kind[kind])  # in the order fields first differ
            out.append(f"  {'changed':8} {kind:18} {_counts(nodes)} — {what}")
        if self.first_difference is not None:
            out.append(f"  first difference at line {self.first_difference}")
        return out


def _by_kind(events: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    kinds: dict[str, list[str]] = {}
    for e in events:
        kinds.setdefault(e["kind"], []).append(e.get("target") or "-")
    return sorted(kinds.items())


def _counts(nodes: list[str]) -> str:
    """'5: hk-ws ×3, hk-srv ×2' — most touched first, at most six named."""
    counted = sorted(Counter(nodes).items(), key=lambda kv: (-kv[1], kv[0]))
    named = ", ".join(f"{n} ×{c}" for n, c in counted[:6])
    more = f", … {len(counted) - 6} more" if len(counted) > 6 else ""
    return f"{len(nodes)}: {named}{more}"


def _signature(event: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in event.items() if k != "seq"}, sort_keys=True, ensure_ascii=False)


def _fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = [k for k in ("t", "actor") if old.get(k) != new.get(k)]
    od, nd = old.get("data") or {}, new.get("data") or {}
    out += [f"data.{k}" for k in sorted(set(od) | set(nd)) if od.get(k) != nd.get(k)]
    return out


def compare(name: str, old_lines: list[str], new_lines: list[str]) -> LogChanges:
    """The changes from ``old_lines`` to ``new_lines`` (a header line, then one event a line)."""
    changes = LogChanges(name, len(old_lines), len(new_lines))
    first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b), None)
    if first is None and len(old_lines) != len(new_lines):
        first = min(len(old_lines), len(new_lines))
    changes.first_difference = None if first is None else first + 1
    old_head = json.loads(old_lines[0]) if old_lines else {}
    new_head = json.loads(new_lines[0]) if new_lines else {}
    changes.header = sorted(k for k in set(old_head) | set(new_head) if old_head.get(k) != new_head.get(k))
    old = [json.loads(line) for line in old_lines[1:]]
    new = [json.loads(line) for line in new_lines[1:]]
    matcher = SequenceMatcher(
        None, [_signature(e) for e in old], [_signature(e) for e in new], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        gone, came = old[i1:i2], new[j1:j2]
        paired: set[int] = set()
        for before in gone:
            match = next(
                (
                    j
                    for j, after in enumerate(came)
                    if j not in paired
                    and after["kind"] == before["kind"]
                    and after.get("target") == before.get("target")
                ),
                None,
            )
            if match is None:
                changes.removed.append(before)
            else:
                paired.add(match)
                changes.changed.append((before, came[match], _fields(before, came[match])))
        changes.added += [after for j, after in enumerate(came) if j not in paired]
    return changes
