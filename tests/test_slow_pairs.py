"""The default run holds a quick version of every slow promise: each slow test names its quick
counterpart, which is there and runs by default (tests/slow_pairs.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.slow_pairs import PAIRING, TESTS, check


def test_every_slow_test_names_a_quick_counterpart_that_runs_by_default(
    request: pytest.FixtureRequest,
) -> None:
    pairing = request.config.stash[PAIRING]
    assert pairing.problems == [], "\n".join(pairing.problems)
    # the hook saw the slow tests before the marker expression left them out
    if any(Path(item.path).name == "test_isolation.py" for item in request.session.items):
        assert any("test_isolation.py" in nodeid for nodeid in pairing.slow), "the slow tests were not seen"


@dataclass
class _Mark:
    kwargs: dict[str, str]


@dataclass
class _Item:
    nodeid: str
    path: Path
    slow: dict[str, str] | None = None
    marks: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.nodeid.rsplit("::", 1)[1]

    def get_closest_marker(self, name: str) -> _Mark | None:
        return _Mark(self.slow) if name == "slow" and self.slow is not None else None


HERE = TESTS / "model" / "test_isolation.py"


def _item(name: str, slow: dict[str, str] | None = None, path: Path = HERE) -> _Item:
    return _Item(f"{path.relative_to(TESTS)}::{name}", path, slow)


def test_the_pairing_check_finds_each_kind_of_problem() -> None:
    good = check([_item("test_a"), _item("test_a_200", {"quick": "test_a"})])
    assert good.problems == [] and good.pairs == {
        "model/test_isolation.py::test_a_200": "model/test_isolation.py::test_a"
    }
    # the same function, its small case quick and its large one slow
    params = check([_item("test_b[100]"), _item("test_b[1000]", {"quick": "test_b"})])
    assert params.problems == []
    (none,) = check([_item("test_c", {})]).problems
    assert "names no quick counterpart" in none
    (missing,) = check([_item("test_d", {"quick": "test_gone"})]).problems
    assert "not there" in missing
    (slow,) = check([_item("test_e", {"quick": "test_f"}), _item("test_f", {"quick": "test_e"})]).problems[:1]
    assert "itself slow" in slow
    (only_slow,) = check([_item("test_g[1000]", {"quick": "test_g"})]).problems
    assert "itself slow" in only_slow
    # in another module that was not collected: the file must hold the function
    other = "test_batch.py::test_bad_arguments_exit_1"
    assert check([_item("test_h", {"quick": other})]).problems == []
    (elsewhere,) = check([_item("test_i", {"quick": "test_batch.py::test_no_such_thing"})]).problems
    assert "not there" in elsewhere
