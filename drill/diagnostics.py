"""Problems found in a user's file, each pointing at a place in it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: ``file:line:col: path: message`` (line and column count from 1)."""

    file: str
    line: int
    col: int
    path: str
    message: str
    code: str = field(default="invalid", compare=False)

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# a message lists this many problems at most, then counts the rest by kind: 100,000 bad lines
# are one mistake made many times, and 93,000 lines of it hide the first one
MAX_SHOWN = 20


def capped(lines: Sequence[str], kinds: Sequence[str], limit: int = MAX_SHOWN) -> list[str]:
    """The first ``limit`` lines, then one line counting the others by their kind."""
    if len(lines) <= limit:
        return list(lines)
    from .i18n import t  # the catalogue loads only when there is something to say

    rest: dict[str, int] = {}
    for kind in kinds[limit:]:
        rest[kind] = rest.get(kind, 0) + 1
    counts = ", ".join(f"{n:,} × {kind}" for kind, n in sorted(rest.items(), key=lambda kv: (-kv[1], kv[0])))
    return [*lines[:limit], t("validate.more_problems", count=f"{len(lines) - limit:,}", kinds=counts)]


def problems_text(diagnostics: Sequence[Diagnostic], limit: int = MAX_SHOWN) -> str:
    """Problems as lines of text, the first ``limit`` in full and the rest counted."""
    return "\n".join(capped([d.format() for d in diagnostics], [d.code for d in diagnostics], limit))


class DrillError(Exception):
    """A failure to report to the user as text, never as a traceback."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = list(diagnostics)


# above this many names, rapidfuzz picks the few worth difflib's closer (and slower) look: difflib
# alone takes seconds per name among a 100,000-node inventory's ids
_SHORTLIST_FROM = 2_000
_SHORTLIST = 60


def nearest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The closest valid names to a misspelt one, best first."""
    pool = sorted(set(choices))
    candidates = pool
    if len(pool) > _SHORTLIST_FROM:
        # rapidfuzz's ratio counts the longest common subsequence, never fewer matches than
        # difflib's blocks: a name difflib would accept (≥ 0.6) scores ≥ 60 here too
        picked = process.extract(name, pool, scorer=fuzz.ratio, limit=_SHORTLIST, score_cutoff=60)
        candidates = sorted(match for match, _score, _index in picked)
    found = difflib.get_close_matches(name, candidates, n=n, cutoff=0.6)
    # difflib's ratio is not an edit distance: it can miss a name one letter away ('-a-a' for
    # '---a'); such a name is always worth offering, before anything farther
    one_off = [c for c in candidates if c != name and Levenshtein.distance(name, c, score_cutoff=1) <= 1]
    if one_off:
        exact = [name] if name in found else []
        ranked = exact + [c for c in found if c in one_off] + [c for c in one_off if c not in found]
        found = (ranked + [c for c in found if c not in ranked])[:n]
    if not found:
        lowered = name.lower()
        # a name inside another ("hoan-kiem" in "hoan-kiem-ws"); one or two letters match too much
        found = [c for c in pool if len(lowered) >= 3 and (lowered in c.lower() or c.lower() in lowered)][:n]
    return found


def path_text(path: Sequence[object]) -> str:
    """``("teams", "soc", "staff")`` → ``teams.soc.staff``; list indexes as ``[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
