"""Matching what a facilitator types against names in either language, with or without accents:
``dong da``, ``Đống Đa`` and ``co lap dong da`` all find Đống Đa and isolating it.

Each word typed must begin a word of the name (``kiem`` finds Hoàn Kiếm, ``ws`` finds
``hoan-kiem-ws``); words typed side by side that stand side by side in the name (or one word
apart) rank it first, so ``dong da`` puts Đống Đa before a "lao động … database" that has both
words far apart."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, without accents (Vietnamese ``đ`` is a ``d``), one space between words."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


def words(text: str) -> tuple[str, ...]:
    """The words of a (folded) text: letters and digits; ``hoan-kiem-ws`` is three."""
    return tuple(_WORD.findall(fold(text)))


def score(query: tuple[str, ...], hay: tuple[str, ...]) -> int:
    """0 when a word typed begins no word of ``hay``; else 1 + how many pairs of words typed side
    by side begin words side by side in ``hay`` (one word between may be left out: "co lap dong
    da" for "Cô lập Quận Đống Đa")."""
    if not query:
        return 1
    starts = [{i for i, w in enumerate(hay) if w.startswith(q)} for q in query]
    if not all(starts):
        return 0
    return 1 + sum(
        1 for a, b in zip(starts, starts[1:], strict=False) if any(i + 1 in b or i + 2 in b for i in a)
    )
