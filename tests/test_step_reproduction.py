"""A step that finds only silent work before the drill's end (a person taking up a queued task,
which writes no event) leaves nothing in the log to say where the drill stopped: the re-run from
the seed and the recorded decisions must still give the same events as the live drill."""

from __future__ import annotations

import pytest

from drill.diagnostics import DrillError
from drill.engine.commands import Command
from drill.log import read_log
from drill.model.load import load_scenario
from drill.session import Session, first_difference, resimulate

REIMAGE = Command(action="reimage", target={"site": ["hoan-kiem"]})
RESTORE = Command(action="restore", target={"site": ["hoan-kiem"]})


def test_a_step_near_the_end_re_runs_as_it_was_played(tmp_path):
    """The default drill, seed 2015: at 471.36 minutes a person of the city SOC joins a reimage;
    a reimage of Hoan Kiem ordered then queues its gateway for the SOC. The next logged event is
    at the end (480), so the step runs on to it; a restore ordered after it is refused (before
    the fix: the step stopped at 471.36 with the gateway taken up silently, the restore went in
    with one task queued, and the re-run, which stops after the last logged event, queued two)."""
    scenario = load_scenario("ransomware-hoan-kiem")
    session = Session(scenario, seed=2015, log_path=tmp_path / "drill.jsonl")
    session.advance_to(60)
    session.apply(REIMAGE)
    while session.sim.events[-1].data.get("reason") != "joined":
        session.step()  # to the SOC's person freed at 471.36 joining a reimage
    assert 471.36 < session.now < 471.37
    session.apply(REIMAGE)
    seen = len(session.sim.events)
    session.step()
    if not session.finished:
        session.apply(RESTORE)
    session.close()
    log = read_log(session.log_path)
    again = resimulate(scenario, 2015, log.events)
    assert first_difference(log.events, again.events) is None
    assert len(again.events) == len(log.events)
    # nothing logged before the end (the SOC takes up the gateway silently): the step ran on to
    # the end, which is logged (the expectations missed, then the drill's end)
    after = log.events[seen:]
    assert after[-1].kind == "drill_end" and {e.t for e in after} == {480.0}
    with pytest.raises(DrillError):
        session.apply(RESTORE)
