"""Suggestions for a misspelt name, among a few names and among a large inventory's ids.

Expected suggestions come from reading the names, not from difflib: an exact name is its own
first suggestion, and a name one letter away from a typo is suggested for it. How fast the
suggestions come is a benchmark's business, not a test's.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drill.diagnostics import nearest

SITES = [f"site{i:03d}" for i in range(580)]
IDS = [f"{s}-{k}" for s in SITES for k in ["sw", "gw", "dc", "fs", *(f"pc{j:03d}" for j in range(170))]]
# digits only: nothing like the letters the property tests draw their names from
FILLER = [f"{i:05d}" for i in range(2_100)]

NAMES = ["hoan-kiem-ws", "hoan-kiem-srv", "ba-dinh-ws", "tay-ho-gw", "sdc-fw", "portal-web"]


def test_among_few_names_the_suggestions_are_the_names_a_reader_would_offer():
    assert nearest("hoan-kiem-wz", NAMES)[0] == "hoan-kiem-ws"  # one letter wrong
    assert nearest("sdcfw", NAMES) == ["sdc-fw"]  # a dash left out
    assert nearest("tay-ho-gww", NAMES)[0] == "tay-ho-gw"  # a letter too many
    # one letter away though difflib's ratio is only 0.5 (hypothesis found it)
    assert nearest("-a-a", ["---a"]) == ["---a"]
    assert nearest("ba-dinh", NAMES)[0] == "ba-dinh-ws"  # the start of a name
    assert nearest("portal", NAMES) == ["portal-web"]
    assert nearest("nothing-like-it", NAMES) == []
    assert nearest("ws", NAMES) == []  # two letters match too much to suggest anything


def test_a_name_inside_others_suggests_them_when_nothing_is_close_by_letters():
    # "kiem" is far from every name by letters, but sits inside the two Hoan Kiem names
    assert nearest("kiem", NAMES) == ["hoan-kiem-srv", "hoan-kiem-ws"]
    assert nearest("KIEM", NAMES) == ["hoan-kiem-srv", "hoan-kiem-ws"]


def test_at_most_n_suggestions():
    many = [f"node-{c}" for c in "abcdefgh"]
    assert len(nearest("node-x", many)) == 3
    assert len(nearest("node-x", many, n=5)) == 5


def test_among_a_hundred_thousand_ids_a_typo_finds_its_name():
    assert len(IDS) > 100_000
    # each typo is one letter from exactly one id, and two or more from every other
    cases = {"site499-sww": "site499-sw", "sit012-pc091": "site012-pc091", "site012-px091": "site012-pc091"}
    for typo, name in cases.items():
        assert nearest(typo, IDS)[0] == name, typo
    assert nearest("site499-sw", IDS)[0] == "site499-sw"
    assert nearest("no-such-thing-at-all", IDS) == []


names = st.lists(st.text("abcdefg-", min_size=4, max_size=14), min_size=1, max_size=12, unique=True)


def _typo(name: str, position: int, letter: str, how: int) -> str:
    i = position % len(name)
    if how == 0:  # a letter replaced
        return name[:i] + letter + name[i + 1 :]
    if how == 1:  # a letter left out
        return name[:i] + name[i + 1 :]
    return name[:i] + letter + name[i:]  # a letter too many


@settings(max_examples=200, deadline=None)
@given(names, st.integers(0, 100), st.booleans())
def test_an_exact_name_is_its_own_first_suggestion(pool, pick, large):
    name = pool[pick % len(pool)]
    choices = pool + FILLER if large else pool  # a large inventory takes the shortlist's way
    assert nearest(name, choices)[0] == name


@settings(max_examples=300, deadline=None)
@given(
    names,
    st.integers(0, 100),
    st.integers(0, 100),
    st.sampled_from("abcdefgxyz"),
    st.integers(0, 2),
    st.booleans(),
)
def test_a_one_letter_typo_of_a_name_suggests_it(pool, pick, position, letter, how, large):
    name = pool[pick % len(pool)]
    typo = _typo(name, position, letter, how)
    choices = pool + FILLER if large else pool
    if typo == name:
        assert nearest(typo, choices)[0] == name
        return
    # every other name may be as close, so ask for them all: the name must be among them
    assert name in nearest(typo, choices, n=len(pool))
    if len(pool) == 1 or all(_far(typo, other) for other in pool if other != name):
        assert nearest(typo, choices)[0] == name


def _far(a: str, b: str) -> bool:
    """True when ``b`` has less than half of ``a``'s letters in common with it (by count)."""
    common = sum(min(a.count(c), b.count(c)) for c in set(a))
    return common * 2 < min(len(a), len(b))
