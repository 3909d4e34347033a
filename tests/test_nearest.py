"""Suggestions for a misspelt name: difflib's choice, and quick among a large inventory's ids."""

from __future__ import annotations

import difflib
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from drill.diagnostics import nearest

SITES = [f"site{i:03d}" for i in range(580)]
IDS = [f"{s}-{k}" for s in SITES for k in ["sw", "gw", "dc", "fs", *(f"pc{j:03d}" for j in range(170))]]


def test_among_few_names_the_suggestions_are_difflibs():
    names = ["hoan-kiem-ws", "hoan-kiem-srv", "ba-dinh-ws", "tay-ho-gw", "sdc-fw", "portal-web"]
    for typo in ("hoan-kiem-wz", "ba-dinh", "sdcfw", "portal", "nothing-like-it"):
        expected = difflib.get_close_matches(typo, sorted(names), n=3, cutoff=0.6)
        if not expected:
            assert nearest(typo, names) == [n for n in sorted(names) if typo in n or n in typo][:3]
        else:
            assert nearest(typo, names) == expected


def test_among_a_hundred_thousand_ids_the_best_suggestion_comes_quickly():
    assert len(IDS) > 100_000
    # difflib's own first choice over the whole list (computed once; it takes seconds a name)
    cases = {"site012-pc0x1": "site012-pc091", "site499-sww": "site499-sw", "site3l0-fs": "site530-fs"}
    start = time.process_time()
    for typo, best in cases.items():
        assert nearest(typo, IDS)[0] == best
    spent = time.process_time() - start
    # about 0.05 s a name here; difflib alone took 2.4 s for one (a regression guard, generous)
    assert spent < 3 * 1.0, f"{spent:.2f} s of CPU for {len(cases)} names"
    assert nearest("no-such-thing-at-all", IDS) == []


@settings(max_examples=300, deadline=None)
@given(st.text("abcdefg-", min_size=1, max_size=14), st.text("abcdefg-", min_size=1, max_size=14))
def test_what_difflib_accepts_the_shortlist_keeps(a, b):
    # the shortlist's promise: a name difflib rates ≥ 0.6 scores ≥ 60 with rapidfuzz
    if difflib.SequenceMatcher(None, b, a).ratio() >= 0.6:
        assert fuzz.ratio(a, b) >= 60 - 1e-9
