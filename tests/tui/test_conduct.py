"""A drill played live keeps, in its log's header, the wall clock at which it was played: the
report's conduct date and time come from it unless the exercise file or an option says otherwise;
the events stay what the scenario, the seed and the decisions make them."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from tui_helpers import sync

from drill.cli import main
from drill.log import read_log
from drill.session import first_difference, resimulate

HANOI = timezone(timedelta(hours=7))
STARTED = datetime(2026, 12, 4, 8, 30, 12, tzinfo=HANOI)
ENDED = datetime(2026, 12, 4, 11, 45, 50, tzinfo=HANOI)


@pytest.fixture
def in_hanoi(monkeypatch):
    """The machine's own time zone is Hanoi's (the log keeps local time with its offset)."""
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def _play(tmp_path, clock):
    from drill.tui.app import make_app

    wall = [STARTED]
    app = make_app(None, seed=2015, log_path=tmp_path / "drill.jsonl", wallclock=lambda: wall[0], clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.advance(90)
        await pilot.pause()
        wall[0] = ENDED  # the facilitator closes the console three hours and a quarter later
    return app


@sync
async def test_the_log_of_a_drill_played_live_records_its_wall_clock_start_and_end(tmp_path, clock, in_hanoi):
    app = await _play(tmp_path, clock)
    log = read_log(app.session.log_path)
    assert log.header["conducted"] == {
        "started": "2026-12-04T08:30:12+07:00",
        "ended": "2026-12-04T11:45:50+07:00",
    }
    # the events are the drill's alone: a re-run from the seed and decisions gives them again
    again = resimulate(app.scenario, log.header["seed"], log.events)
    assert first_difference(log.events, again.events) is None
    assert main(["replay", "--verify", str(app.session.log_path)]) == 0


@sync
async def test_the_report_dates_the_drill_when_it_was_played_and_an_option_wins(
    tmp_path, clock, in_hanoi, capsys
):
    app = await _play(tmp_path, clock)
    out = tmp_path / "report.md"
    assert main(["report", str(app.session.log_path), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| Conducted on | 04 December 2026 |" in text
    assert "| Conduct time | 08:30 – 11:45 |" in text
    assert (
        main(
            [
                "report",
                str(app.session.log_path),
                "-o",
                str(out),
                "--conducted",
                "2026-12-10 14:00",
                "--force",
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert "| Conducted on | 10 December 2026 |" in text
    assert "| Conduct time | 14:00 – 11:45 |" in text  # the option gives the start; the end is the log's


def test_a_headless_run_records_no_wall_clock(tmp_path):
    log = tmp_path / "run.jsonl"
    assert main(["run", "--seed", "3", "--until", "1h", "--log", str(log)]) == 0
    assert "conducted" not in read_log(log).header
