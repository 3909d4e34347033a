"""The team-knowledge fold on hand-built logs: what a team knows comes only from its own learned
events, and work on a machine ends holding it for compromised."""

from __future__ import annotations

from drill.engine import events as ev
from drill.engine.events import Event
from drill.team_knowledge import all_team_knowledge, fold_team_knowledge, team_knowledge_at


def _e(t: float, seq: int, kind: str, actor: str, target: str, **data: object) -> Event:
    return Event(t, seq, kind, actor, target, dict(data))


LOG = [
    _e(0, 0, ev.DRILL_START, "facilitator", "x", seed=1, duration=480, teams={"soc": 3, "it": 2}),
    _e(5, 1, ev.COMPROMISE, "c", "ws", hosts=1, infected=1),  # ground truth: nobody knows
    _e(
        30,
        2,
        ev.LEARNED,
        "it",
        "ws",
        fact="compromise",
        how="sensor",
        certainty="confirmed",
        technique="T1566",
    ),
    _e(40, 3, ev.LEARNED, "soc", "srv", fact="compromise", how="inject", certainty="suspected"),
    _e(
        60,
        4,
        ev.LEARNED,
        "soc",
        "srv",
        fact="compromise",
        how="investigation",
        certainty="confirmed",
        technique="T1003",
        account="fin\\administrator",
        attacker_since=20.0,
    ),
    _e(70, 5, ev.INVESTIGATED, "soc", "srv", procedure="log-review", findings=[]),
    _e(90, 6, ev.TASK_END, "it", "ws", step="reimage"),
    _e(
        95,
        7,
        ev.LEARNED,
        "soc",
        "ad",
        fact="technique",
        how="investigation",
        certainty="confirmed",
        technique="T1078",
    ),
]


def test_a_team_knows_only_what_it_learned() -> None:
    it = fold_team_knowledge(LOG, "it")
    assert list(it.nodes) == ["ws"]
    assert it.techniques["T1566"].how == "sensor"
    assert not it.holds("srv") and it.accounts == {}
    soc = fold_team_knowledge(LOG, "soc")
    assert soc.holds("srv") and not soc.holds("ws")
    fact = soc.nodes["srv"]
    # the suspicion became a confirmation: since the investigation, dated by the evidence
    assert (fact.certainty, fact.since, fact.how, fact.attacker_since) == (
        "confirmed",
        60,
        "investigation",
        20.0,
    )
    assert soc.accounts["fin\\administrator"].nodes == ["srv"]
    assert [e.seq for e in soc.investigations] == [5]
    assert soc.incident == 40
    # a technique seen where the attacker no longer is: known, but no machine held for it
    assert soc.techniques["T1078"].nodes == ["ad"] and "ad" not in soc.nodes


def test_work_on_a_machine_ends_holding_it_and_a_moment_sees_the_past() -> None:
    it = fold_team_knowledge(LOG, "it")
    assert not it.holds("ws") and it.nodes["ws"].cleared == 90
    before = team_knowledge_at(LOG, "it", 89)
    assert before.holds("ws") and before.held_nodes() == ["ws"]
    soc_early = team_knowledge_at(LOG, "soc", 45)
    assert soc_early.suspects("srv") and not soc_early.holds("srv")


def test_every_team_of_the_drill_is_folded() -> None:
    book = all_team_knowledge(LOG)
    assert sorted(book) == ["it", "soc"]
    assert book["soc"].held_nodes() == ["srv"]
