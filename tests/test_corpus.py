"""The corpus of broken scenarios and topologies: every file names the problems it must produce.

Each file in ``tests/corpus/scenarios`` and ``tests/corpus/topologies`` starts with comments::

    # expect: LINE: key.path: a distinctive part of the message
    # expect: LINE:COL: : a problem of the whole file (no key path)
    # expect-vi: LINE: key.path: the same problem, in Vietnamese

A message part may hold `` ... `` between pieces that must appear in that order. A file produces
exactly the problems it expects (in English), no more; a file whose first line is
``# corpus: helper`` is a valid file the others use. To add a case, add a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from drill.diagnostics import Diagnostic
from drill.i18n import set_language
from drill.model.check import check_file

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = sorted(p for p in CORPUS.glob("*/*.yaml"))
HELPER = "# corpus: helper"
EXPECT = re.compile(r"^#\s*expect(-vi)?:\s*(\d+)(?::(\d+))?: (.*?): (.+)$")


@dataclass(frozen=True)
class Expect:
    lang: str
    line: int
    col: int | None
    path: str
    pieces: tuple[str, ...]

    def matches(self, diag: Diagnostic) -> bool:
        if diag.line != self.line or diag.path != self.path:
            return False
        if self.col is not None and diag.col != self.col:
            return False
        at = 0
        for piece in self.pieces:
            found = diag.message.find(piece, at)
            if found < 0:
                return False
            at = found + len(piece)
        return True

    def __str__(self) -> str:
        where = f"{self.line}:{self.col}" if self.col else str(self.line)
        return f"{where}: {self.path}: {' ... '.join(self.pieces)}"


def expectations(path: Path) -> list[Expect]:
    """The leading comment block's expectations (the file itself may not be valid UTF-8)."""
    out = []
    for raw in path.read_bytes().decode("utf-8", "replace").splitlines():
        if not raw.startswith("#"):
            break
        m = EXPECT.match(raw.strip())
        if m:
            lang, line, col, key_path, text = m.groups()
            pieces = tuple(p.strip() for p in text.split(" ... "))
            out.append(Expect("vi" if lang else "en", int(line), int(col) if col else None, key_path, pieces))
    return out


def is_helper(path: Path) -> bool:
    return path.read_bytes().startswith(HELPER.encode())


CASES = [p for p in FILES if not is_helper(p)]


def own(path: Path) -> list[Diagnostic]:
    """The diagnostics about ``path`` itself (a scenario's check may report on its topology too)."""
    return [d for d in check_file(path).diagnostics if d.file == str(path)]


def _unmatched(expects: list[Expect], diags: list[Diagnostic]) -> tuple[list[Expect], list[Diagnostic]]:
    left = list(diags)
    missing = []
    for exp in expects:
        hit = next((d for d in left if exp.matches(d)), None)
        if hit is None:
            missing.append(exp)
        else:
            left.remove(hit)
    return missing, left


def _show(diags: list[Diagnostic]) -> str:
    return "\n".join(d.format() for d in diags) or "(none)"


def test_the_corpus_is_large_enough() -> None:
    scenarios = [p for p in CASES if p.parent.name == "scenarios"]
    topologies = [p for p in CASES if p.parent.name == "topologies"]
    assert len(CASES) >= 30
    assert len(scenarios) >= 20 and len(topologies) >= 10
    # every case says what it expects, in the comment block the parser reads
    assert all(any(e.lang == "en" for e in expectations(p)) for p in CASES)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_file_reports_exactly_what_it_expects(path: Path) -> None:
    expects = [e for e in expectations(path) if e.lang == "en"]
    diags = own(path)
    missing, extra = _unmatched(expects, diags)
    assert not missing, (
        "expected but not reported:\n" + "\n".join(map(str, missing)) + "\ngot:\n" + _show(diags)
    )
    assert not extra, "reported but not expected:\n" + _show(extra)


VI_CASES = [p for p in CASES if any(e.lang == "vi" for e in expectations(p))]


@pytest.mark.parametrize("path", VI_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_vietnamese_messages(path: Path) -> None:
    set_language("vi")
    diags = own(path)
    expects = [e for e in expectations(path) if e.lang == "vi"]
    missing, _ = _unmatched(expects, diags)
    assert not missing, (
        "expected but not reported:\n" + "\n".join(map(str, missing)) + "\ngot:\n" + _show(diags)
    )


def test_enough_vietnamese_cases() -> None:
    assert len(VI_CASES) >= 10


@pytest.mark.parametrize("path", [p for p in FILES if is_helper(p)], ids=lambda p: p.name)
def test_helpers_are_valid(path: Path) -> None:
    assert check_file(path).valid, _show(check_file(path).diagnostics)


def test_several_problems_in_one_file_are_reported_in_one_run() -> None:
    counts = {p.name: len(own(p)) for p in CASES}
    assert counts["hanoi-unknown-names.yaml"] == 5
    assert counts["unknown-team.yaml"] == 4
    assert counts["wrong-type.yaml"] == 4
    assert sum(1 for n in counts.values() if n >= 2) >= 15


def test_problems_come_in_file_order() -> None:
    for path in CASES:
        diags = own(path)
        assert [(d.line, d.col) for d in diags] == sorted((d.line, d.col) for d in diags), path.name


# the issue's list of cases, each with the corpus file that covers it
COVERED = {
    "misspelt key with suggestion": ["scenarios/misspelt-key.yaml", "topologies/misspelt-key.yaml"],
    "missing required key": ["scenarios/missing-required-key.yaml", "topologies/missing-required-key.yaml"],
    "wrong type": ["scenarios/wrong-type.yaml", "topologies/wrong-root-type.yaml"],
    "bad duration": ["scenarios/bad-duration.yaml"],
    "probability > 1": ["scenarios/probability-too-big.yaml", "topologies/bad-coverage.yaml"],
    "bad ATT&CK id": ["scenarios/bad-attack-id.yaml"],
    "unknown node": ["scenarios/unknown-node.yaml", "scenarios/hanoi-unknown-names.yaml"],
    "unknown site": ["scenarios/unknown-site.yaml"],
    "unknown service": ["scenarios/unknown-service.yaml"],
    "unknown team": ["scenarios/unknown-team.yaml"],
    "unknown inject": ["scenarios/unknown-inject.yaml"],
    "unknown stage": ["scenarios/unknown-stage.yaml"],
    "selector matching nothing": [
        "scenarios/selector-matches-nothing.yaml",
        "scenarios/hanoi-selector-empty.yaml",
    ],
    "duplicate ids": ["scenarios/duplicate-ids.yaml"],
    "duplicate YAML keys": ["scenarios/duplicate-yaml-keys.yaml"],
    "inject with both at and when": ["scenarios/inject-at-and-when.yaml"],
    "bad condition": ["scenarios/bad-condition.yaml"],
    "bad objective metric": ["scenarios/bad-objective-metric.yaml"],
    "unknown zone": ["topologies/unknown-zone.yaml"],
    "link to missing node": ["topologies/link-to-missing-node.yaml"],
    "service dependency cycle": ["topologies/service-cycle.yaml"],
    "template param errors": ["topologies/template-params.yaml", "topologies/template-bad-value.yaml"],
    "duplicate node": ["topologies/duplicate-node.yaml"],
    "syntax error": ["scenarios/syntax-error.yaml"],
    "tabs": ["scenarios/tabs.yaml"],
    "non-UTF-8 bytes": ["topologies/not-utf8.yaml"],
    "empty file": ["scenarios/only-comments.yaml"],
    "a list instead of a mapping": ["scenarios/list-not-mapping.yaml"],
    "billion laughs": ["topologies/billion-laughs.yaml"],
    "python tags": ["scenarios/python-tag.yaml", "topologies/python-tag.yaml"],
    "path traversal": ["scenarios/topology-traversal.yaml", "scenarios/topology-absolute.yaml"],
}


@pytest.mark.parametrize("case", sorted(COVERED))
def test_every_case_of_the_issue_has_a_file(case: str) -> None:
    for name in COVERED[case]:
        path = CORPUS / name
        assert path in CASES, name
        assert own(path), name
