"""Every slow test names the quick test that keeps the same promise in the default run.

``@pytest.mark.slow(quick="test_name")`` names a test of the same module, or
``quick="model/test_file.py::test_name"`` one elsewhere under tests/. The collection hook in
conftest.py checks every slow test it collects, before ``-m 'not slow'`` leaves them out, and
tests/test_slow_pairs.py fails on what it found: a slow test with no quick counterpart, or one
that names a test that is not there or is itself slow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent


@dataclass
class Pairing:
    slow: list[str] = field(default_factory=list)  # node ids of the slow tests seen
    pairs: dict[str, str] = field(default_factory=dict)  # slow node id → its quick counterpart
    problems: list[str] = field(default_factory=list)


def _function(item: Any) -> str:
    return getattr(item, "originalname", None) or item.name.split("[")[0]


def _where(item: Any, quick: str) -> tuple[Path, str]:
    if "::" in quick:
        file, name = quick.split("::", 1)
        return (TESTS / file).resolve(), name
    return Path(item.path).resolve(), quick


def check(items: Iterable[Any]) -> Pairing:
    """The pairing of the slow tests among ``items`` (pytest items, or anything with ``nodeid``,
    ``name``, ``path`` and ``get_closest_marker``)."""
    items = list(items)
    by_function: dict[tuple[Path, str], list[bool]] = {}
    collected: set[Path] = set()
    for item in items:
        path = Path(item.path).resolve()
        collected.add(path)
        by_function.setdefault((path, _function(item)), []).append(
            item.get_closest_marker("slow") is not None
        )
    out = Pairing()
    for item in items:
        mark = item.get_closest_marker("slow")
        if mark is None:
            continue
        out.slow.append(item.nodeid)
        quick = mark.kwargs.get("quick")
        if not quick:
            out.problems.append(f"{item.nodeid}: slow, and names no quick counterpart (slow(quick=...))")
            continue
        path, name = _where(item, quick)
        out.pairs[item.nodeid] = f"{path.relative_to(TESTS)}::{name}" if path.is_relative_to(TESTS) else quick
        if path not in collected:  # a part of the suite was collected: at least the file must hold it
            if not path.is_file() or f"def {name}(" not in path.read_text(encoding="utf-8"):
                out.problems.append(f"{item.nodeid}: its quick counterpart {quick} is not there")
            continue
        slow_flags = by_function.get((path, name))
        if not slow_flags:
            out.problems.append(f"{item.nodeid}: its quick counterpart {quick} is not there")
        elif all(slow_flags):
            out.problems.append(f"{item.nodeid}: its quick counterpart {quick} is itself slow")
    return out


PAIRING = pytest.StashKey[Pairing]()
