"""Work that meets other work: a decision and a playbook on the same node, and outside help that
works the calling team's queue."""

from __future__ import annotations

from pathlib import Path

from drill.engine import events as ev
from drill.engine.commands import load_decisions

from .paired import bundled, run

DECISIONS = Path(__file__).resolve().parents[2] / "scenarios" / "decisions"


def _docmgmt(seed: int):
    commands = load_decisions(DECISIONS / "docmgmt-credential-theft.yaml")
    return run(bundled("docmgmt-credential-theft"), seed, commands)[0]


def test_no_one_goes_on_reimaging_a_machine_already_cleaned():
    """Seed 1012: the finance department's IT reimage its server on the players' decision, and its
    playbook's own reimage of the same server was under way: it used to run on, on a clean
    machine, for another 83 minutes and push the restore back."""
    for seed in (1012, *range(1, 16)):
        sim = _docmgmt(seed)
        cleaned_at: dict[str, float] = {}
        for e in sim.events:
            if e.kind == ev.CLEANED:
                cleaned_at[e.target] = e.t
            elif e.kind == ev.COMPROMISE:
                cleaned_at.pop(e.target, None)  # taken again: a reimage has work to do
            elif e.kind in (ev.TASK_START, ev.TASK_END) and e.data.get("step") == "reimage":
                done = cleaned_at.get(e.target)
                assert done is None or e.t == done, (seed, e.target, e.kind, e.t, done)


def test_outside_help_puts_back_what_the_calling_team_took_off():
    """Seed 1012: the city SOC's playbook isolates the directory server; VNCERT, called in and
    working the SOC's queue, restores it — and it must go back on the network (it stayed off to
    the end, and directory, document management and e-mail with it)."""
    sim = _docmgmt(1012)
    restored = [e for e in sim.events if e.kind == ev.RESTORED and e.actor == "national-cert"]
    assert restored, "VNCERT restores something in this seed"
    for r in restored:
        isolated_by = [
            e.actor for e in sim.events if e.kind == ev.ISOLATE and e.target == r.target and e.t <= r.t
        ]
        if isolated_by and isolated_by[-1] == "city-soc":
            back = [e for e in sim.events if e.kind == ev.RECONNECT and e.target == r.target and e.t >= r.t]
            assert back, r.target
