"""The feed stays readable: one line per action, many infections of one group on one line,
the latest inject pinned, names instead of ids, sentences that read right, refusals in the
reader's language, and numbers as Vietnamese writes them."""

from __future__ import annotations

import pytest
from tui_helpers import sync

from drill.engine import events as ev
from drill.engine.commands import Command
from drill.engine.events import Event
from drill.model.durations import format_offset
from drill.model.load import load_scenario
from drill.narration import describe, feed_text, fold_feed
from drill.tui.widgets.feed import FeedLog

SIZE = (200, 60)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None)


def _events(*specs: tuple) -> list[tuple[int, Event]]:
    """(t, kind, actor, target, data) → indexed events."""
    return [(i, Event(float(s[0]), i, s[1], s[2], s[3], s[4])) for i, s in enumerate(specs)]


def test_a_decision_and_what_it_did_at_once_are_one_line(scenario):
    isolate = {"command": {"action": "isolate", "target": {"site": ["hoan-kiem"]}}}
    nodes = scenario.city.nodes_by_site["hoan-kiem"]
    pairs = _events(
        (10, ev.COMMAND, "player", "isolate", isolate),
        *[(10, ev.ISOLATE, "player", n, {"site": "hoan-kiem"}) for n in nodes],
        (11, ev.DETECTION, "city-soc", "dong-da-ws", {"how": "sensor"}),
    )
    lines = fold_feed(pairs)
    assert len(lines) == 2
    assert feed_text(lines[0], scenario, "en") == (
        f"Decision: isolate all of Hoan Kiem District ({len(nodes)} nodes)"
    )


def test_a_decision_said_by_its_effect_is_its_effect_alone(scenario):
    pairs = _events(
        (5, ev.COMMAND, "facilitator", "note", {"command": {"action": "note", "text": "slow"}}),
        (5, ev.NOTE, "facilitator", "", {"text": "slow", "hidden": True}),
    )
    lines = fold_feed(pairs)
    assert [feed_text(x, scenario, "en") for x in lines] == ["Note: slow"]


def test_work_a_decision_queued_is_not_an_alert(scenario):
    patch = {"command": {"action": "patch", "target": {"node": ["hoan-kiem-srv"]}}}
    pairs = _events(
        (5, ev.COMMAND, "player", "patch", patch),
        (5, ev.ALERT, "hoan-kiem-it", "hoan-kiem-srv", {"step": "patch", "queued": 1}),
    )
    (line,) = fold_feed(pairs)
    text = feed_text(line, scenario, "en")
    assert text == "Decision: patch hoan-kiem-srv · queued for Hoan Kiem IT staff"
    assert "alert" not in describe(pairs[1][1], scenario, "en")


def test_an_alert_and_the_triage_it_starts_are_one_line(scenario):
    pairs = _events(
        (7, ev.ALERT, "city-soc", "dong-da-ws", {"step": "triage", "queued": 0}),
        (7, ev.TASK_START, "city-soc", "dong-da-ws", {"step": "triage", "takes": 22.0, "queued": 0}),
    )
    (line,) = fold_feed(pairs)
    assert feed_text(line, scenario, "en") == (
        "City security operations: alert on dong-da-ws, triage at once (about 22m)"
    )


def test_infections_of_one_group_fold_into_a_line_with_a_count(scenario):
    pairs = _events(
        *[
            (20 + k, ev.COMPROMISE, "ransomware", "hoan-kiem-ws", {"hosts": 2, "infected": 2 * (k + 1)})
            for k in range(6)
        ],
        (30, ev.COMPROMISE, "ransomware", "hoan-kiem-srv", {"hosts": 1, "infected": 1}),
    )
    lines = fold_feed(pairs)
    assert [feed_text(x, scenario, "en") for x in lines] == [
        "hoan-kiem-ws compromised: +12 host(s) in 6 steps, 12 in all",
        "hoan-kiem-srv compromised: +1 host(s), 1 in all",
    ]


def test_many_machines_hit_at_once_are_one_line(scenario):
    nodes = scenario.city.nodes_by_site["hoan-kiem"]
    pairs = _events(*[(130, ev.BACKUP_LOST, "white-cell", n, {}) for n in nodes])
    (line,) = fold_feed(pairs)
    assert feed_text(line, scenario, "en") == f"{nodes[0]}: backups lost (and {len(nodes) - 1} more at once)"


def test_sentences_read_right_and_name_things(scenario):
    report = Event(
        1.0, 1, ev.REPORT, "player", "so-thong-tin-truyen-thong", {"to": "so-thong-tin-truyen-thong"}
    )
    assert describe(report, scenario, "en") == (
        "Reported to Department of Information and Communications by the players"
    )
    command = Event(
        1.0, 2, ev.COMMAND, "player", "offline", {"command": {"action": "offline", "service": "email"}}
    )
    assert describe(command, scenario, "en") == "Decision: take offline E-mail"
    for e in (report, command):
        for lang in ("en", "vi"):
            assert "=" not in describe(e, scenario, lang)


def test_vietnamese_writes_its_own_numbers(scenario):
    many = Event(1.0, 1, ev.COMPROMISE, "ransomware", "hoan-kiem-ws", {"hosts": 1200, "infected": 9568})
    assert "9.568" in describe(many, scenario, "vi") and "1.200" in describe(many, scenario, "vi")
    assert "9,568" in describe(many, scenario, "en")
    leak = Event(1.0, 2, ev.EFFECT, "x", "sdc-db", {"effect": "exfiltrate", "rate_gb_per_hour": 2.5})
    assert "2,5" in describe(leak, scenario, "vi") and "2.5" in describe(leak, scenario, "en")


def feed_lines(app) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen.query_one(FeedLog).lines]


@sync
async def test_the_live_feed_writes_one_line_per_action_and_folds_what_follows(live):
    app = live(at=60)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = len(feed_lines(app))
        app.action_isolate("site:ba-vi")
        await pilot.pause(0.3)
        new = feed_lines(app)[before:]
        assert new[0].endswith("Decision: isolate all of Ba Vi District (5 nodes)")
        assert not [x for x in new if "isolated by" in x]  # the five isolations are that line
        assert not [x for x in feed_lines(app) if "site=" in x or "node=" in x]


@sync
async def test_the_latest_inject_stays_in_sight(live):
    app = live(at=150)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.advance(200)
        for i in range(25):  # and a flood of the facilitator's notes after the last inject
            app.session.apply(Command(action="note", text=f"remark {i}", source="facilitator"))
        app.refresh_now()
        await pilot.pause(0.3)
        latest = max(app.vm.injects("delivered"), key=lambda v: v.delivered_at)
        pin = str(app.screen.query_one("#feed-pin").render())
        assert pin.startswith(f"Latest inject {format_offset(latest.delivered_at)} {latest.id}: ")
        assert not [x for x in feed_lines(app)[-20:] if latest.id in x]  # scrolled away below


@sync
async def test_a_refusal_reads_in_the_language_on_screen(live):
    app = live(at=60)
    async with app.run_test(size=SIZE) as pilot:
        app.session.apply(Command(action="escalate", to="cerd"))
        app.refresh_now()
        await pilot.pause(0.3)
        assert "unknown team 'cerd'" in feed_lines(app)[-1]
        await pilot.press("l")
        await pilot.pause(0.3)
        assert "không có đội 'cerd'" in feed_lines(app)[-1]


@sync
async def test_a_line_written_folds_in_what_comes_after_it(live):
    app = live(at=60)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        seq = len(app.vm.events)
        for k in range(1, 4):  # three infections of one group, each drawn as it comes
            data = {"hosts": 2, "infected": 2 * k}
            app.vm.feed(Event(61.0 + k, seq + k, ev.COMPROMISE, "ransomware", "ba-vi-ws", data))
            app.refresh_now()
            await pilot.pause(0.3)
            if k == 1:
                count = len(feed_lines(app))
                assert feed_lines(app)[-1].endswith("ba-vi-ws compromised: +2 host(s), 2 in all")
        assert len(feed_lines(app)) == count  # written again in place, not added
        assert feed_lines(app)[-1].endswith("ba-vi-ws compromised: +6 host(s) in 3 steps, 6 in all")


def test_an_attack_stage_is_called_by_its_name_in_the_viewers_language():
    scenario = load_scenario(None)  # its first stage: phish, "Fake invoice opened"
    start = Event(0.0, 1, ev.STAGE_START, "ransomware", "phish", {"technique": "T1566.001"})
    assert describe(start, scenario, "en") == "Attacker: Fake invoice opened (T1566.001)"
    assert describe(start, scenario, "vi") == "Kẻ tấn công: Mở hoá đơn giả mạo (T1566.001)"
    unknown = start._replace(target="not-a-stage")  # an id the scenario has no name for: as is
    assert describe(unknown, scenario, "en") == "Attacker: not-a-stage (T1566.001)"
