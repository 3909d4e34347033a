"""Investigations find the attacker where it is, and only there (paired seeds).

The discovery drill (docmgmt-quiet-theft) has no sensor that sees the attacker (noise 0) and no
inject that reveals it: the teams learn of a machine taken only by investigating. The phishing
lands on the Department of Finance's PCs and spreads to its file server; the Department of Home
Affairs holds nothing but a planted false lead. So a log review of Finance can confirm footholds
(its mail, proxy and logon traces are read with chance 0.6 × 0.6 = 0.36 each: most runs find one),
and the same review of Home Affairs never can: arm B must find footholds more often, and sooner.
"""

from __future__ import annotations

import pytest

from drill.engine import events as ev
from tests.model.paired import bundled, decisions, paired, run

QUIET = "docmgmt-quiet-theft"
UNTIL = 4 * 60.0


def _review(site: str) -> list:
    return decisions(
        {
            "at": "T+50m",
            "action": "investigate",
            "procedure": "log-review",
            "target": {"site": site},
            "by": "so-tai-chinh-it",
        }
    )


def _found(seed: int, site: str) -> tuple[float, float]:
    """(footholds confirmed by any team by T+4h, minutes to the first; the horizon when none)."""
    scenario = bundled(QUIET)
    sim, _ = run(scenario, seed, _review(site), until=UNTIL)
    confirmed = [
        e
        for e in sim.events
        if e.kind == ev.LEARNED and e.data["fact"] == "compromise" and e.data["certainty"] == "confirmed"
    ]
    first = min((e.t for e in confirmed), default=UNTIL)
    return float(len({e.target for e in confirmed})), first


def _compare(seeds: range) -> None:
    wrong = {s: _found(s, "so-noi-vu") for s in seeds}
    right = {s: _found(s, "so-tai-chinh") for s in seeds}
    count = paired(lambda s: wrong[s][0], lambda s: right[s][0], seeds)
    first = paired(lambda s: wrong[s][1], lambda s: right[s][1], seeds)
    # the wrong body has no trace of the attacker: nothing is ever confirmed there
    assert count.mean_a == 0.0, count
    assert first.mean_a == UNTIL, first
    # the right one finds footholds in most runs (at least one of two sources read at 0.36 each:
    # about 0.6 of runs from the PCs alone); the tolerance is 4 standard errors of a share of
    # ~0.6 over these seeds under that
    found_share = count.share(lambda a, b: b > a)
    assert found_share >= 0.6 - 4 * (0.6 * 0.4 / len(seeds)) ** 0.5, count
    assert first.share(lambda a, b: b > a) == 0.0  # never later than looking in the wrong place
    lo, hi = first.ci95()
    assert hi < 0, first  # sooner on average, beyond the noise


def test_investigating_the_right_body_finds_footholds_more_often_and_sooner() -> None:
    _compare(range(40))


@pytest.mark.slow(quick="test_investigating_the_right_body_finds_footholds_more_often_and_sooner")
def test_investigating_the_right_body_finds_footholds_more_often_and_sooner_200_seeds() -> None:
    _compare(range(1000, 1200))
