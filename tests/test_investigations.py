"""Investigations in the engine, against outcomes worked out from the evidence catalogue.

The quiet drill (scenarios/docmgmt-quiet-theft.yaml): no sensor sees the attacker, so whatever
the teams know of a machine taken comes from an investigation.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from drill.engine import Simulation
from drill.engine import events as ev
from drill.engine.commands import TimedCommand
from drill.model.load import Scenario, parse_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "docmgmt-quiet-theft.yaml"


def quiet(**replace: str) -> Scenario:
    text = SCENARIO.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    scenario, problems = parse_scenario(text, str(SCENARIO), SCENARIO.parent)
    assert scenario is not None, [p.format() for p in problems]
    return scenario


def drill(scenario: Scenario, seed: int, *items: dict, until: float = 8 * 60.0) -> list[ev.Event]:
    sim = Simulation(scenario, seed=seed)
    sim.end = until
    sim.run([TimedCommand.model_validate(i) for i in items])
    return sim.events


def findings(events: list[ev.Event], since: float = 0.0) -> list[dict]:
    """What the investigations that ended from ``since`` on found (a playbook's own investigation of
    an alert may come earlier)."""
    return [f for e in events if e.kind == ev.INVESTIGATED and e.t >= since for f in e.data["findings"]]


NO_FALSE_LEADS = {"false_positives: 0.05": "false_positives: 0"}


def test_nobody_knows_and_nobody_works_until_someone_looks() -> None:
    # nothing alerts in this drill: without an investigation no team learns of a machine, and no
    # playbook ever starts (the teams act on what they know)
    events = drill(quiet(), 3)
    assert any(e.kind == ev.COMPROMISE for e in events)
    assert not [
        e
        for e in events
        if e.kind == ev.LEARNED and e.data["fact"] == "compromise" and e.data["certainty"] == "confirmed"  # noqa: E501
    ]
    assert not [e for e in events if e.kind in (ev.ALERT, ev.TASK_START, ev.DETECTION)]


def test_a_finding_is_a_detection_and_the_watching_team_works_it() -> None:
    # the SOC reviews Finance's logs (a body another team watches): on a seed where it confirms a
    # foothold, Finance's IT staff learn it as shared and their playbook starts on that machine
    look = {
        "at": "T+2h",
        "action": "investigate",
        "procedure": "log-review",
        "target": {"site": "so-tai-chinh"},
        "by": "city-soc",
    }
    for seed in range(20):
        events = drill(quiet(**NO_FALSE_LEADS), seed, look, until=6 * 60.0)
        mine = [
            e
            for e in events
            if e.kind == ev.LEARNED and e.actor == "city-soc" and e.data.get("certainty") == "confirmed"
        ]
        if not mine:
            continue
        node = mine[0].target
        shared = [
            e
            for e in events
            if e.kind == ev.LEARNED and e.actor == "so-tai-chinh-it" and e.target == node
            if e.data["certainty"] == "confirmed"
        ]
        assert shared and shared[0].data["how"] == "shared" and shared[0].data["source"] == "city-soc"
        assert any(
            e.kind == ev.DETECTION and e.target == node and e.data["how"] == "investigation" for e in events
        )
        assert any(e.kind == ev.ALERT and e.actor == "so-tai-chinh-it" and e.target == node for e in events)
        return
    pytest.fail("no seed of 20 found anything: a log review of the right body should")


def test_a_team_with_no_skill_finds_nothing() -> None:
    # extreme condition: skill 0 and nothing practised gives every trace a chance of 0
    scenario = quiet(**NO_FALSE_LEADS, **{"    skill: 0.6\n": "    skill: 0\n"})
    look = {
        "at": "T+2h",
        "action": "investigate",
        "procedure": "log-review",
        "target": {"site": "so-tai-chinh"},
        "by": "so-tai-chinh-it",
    }
    for seed in range(10):
        events = drill(scenario, seed, look, until=5 * 60.0)
        assert [e for e in events if e.kind == ev.INVESTIGATED]
        assert findings(events) == []


def test_a_procedure_that_does_not_read_the_evidence_never_finds_it() -> None:
    # credential dumping (T1003) on the file server leaves memory, process, file and logon traces;
    # network analysis reads network, proxy and mail only: it never finds it, where memory
    # forensics (memory 0.9, process 0.6) does in most runs
    def look(procedure: str) -> dict:
        return {
            "at": "T+3h",
            "action": "investigate",
            "procedure": procedure,
            "target": {"node": "so-tai-chinh-srv"},
            "by": "so-tai-chinh-it",
        }

    scenario = quiet(**NO_FALSE_LEADS)
    blind = seen = 0
    for seed in range(20):
        blind += len(findings(drill(scenario, seed, look("network-analysis"), until=6 * 60.0)))
        seen += bool(findings(drill(scenario, seed, look("memory-forensics"), until=6 * 60.0)))
    assert blind == 0
    assert seen >= 8  # the server is taken by T+3h in most runs; then 1 - 0.46 × 0.64 ≈ 0.7 find it


def test_a_reimage_destroys_what_was_on_the_machine() -> None:
    # a red-team foothold leaves process, logon and network traces (an unknown technique); the
    # reimage wipes the process trace (kept on the machine), so endpoint analysis after it finds
    # nothing, while before it it finds the process in most runs (0.6 × 0.8 = 0.48 per run)
    plant = {"at": "T+10m", "action": "compromise", "target": {"node": "so-noi-vu-srv"}, "source": "red-team"}
    wipe = {"at": "T+20m", "action": "reimage", "target": {"node": "so-noi-vu-srv"}, "by": "so-tai-chinh-it"}
    scenario = quiet(
        **NO_FALSE_LEADS,
        **{"{node: so-noi-vu-srv, source: process": "{node: so-tai-chinh-gw, source: process"},
    )

    def look(at: str) -> dict:
        return {
            "at": at,
            "action": "investigate",
            "procedure": "endpoint-analysis",
            "target": {"node": "so-noi-vu-srv"},
            "by": "so-tai-chinh-it",
        }

    before = after = 0
    for seed in range(20):
        found = findings(drill(scenario, seed, plant, look("T+15m"), until=3 * 60.0))
        before += any(f["artefact"]["source"] == "process" for f in found)
        events = drill(scenario, seed, plant, wipe, look("T+6h"), until=8 * 60.0)
        assert any(e.kind == ev.CLEANED and e.target == "so-noi-vu-srv" for e in events)
        after += len(findings(events, 360))
    assert after == 0
    assert before >= 4


def test_logs_roll_over() -> None:
    # the Security log keeps 6h of logons: a log review seven hours after the foothold finds no
    # logon line any more; the firewall records (12h) may still be there
    plant = {"at": "T+5m", "action": "compromise", "target": {"node": "so-noi-vu-srv"}, "source": "red-team"}
    late = {
        "at": "T+7h10m",
        "action": "investigate",
        "procedure": "log-review",
        "target": {"node": "so-noi-vu-srv"},
        "by": "so-tai-chinh-it",
    }
    early = {**late, "at": "T+1h"}
    scenario = quiet(**NO_FALSE_LEADS)
    sources_late: set[str] = set()
    sources_early: set[str] = set()
    for seed in range(15):
        sources_late |= {f["artefact"]["source"] for f in findings(drill(scenario, seed, plant, late), 430)}
        sources_early |= {f["artefact"]["source"] for f in findings(drill(scenario, seed, plant, early))}
    assert "logon" in sources_early
    assert "logon" not in sources_late


def test_the_same_implant_has_the_same_hash_everywhere() -> None:
    # the phishing stage's document: one SHA-256, whoever finds it and whenever, made from the
    # campaign, the stage and the technique (worked out here, not asked of the code)
    oracle = hashlib.sha256(b"implant/theft/phish/T1566.002").hexdigest()
    hunt_it = {
        "at": "T+1h",
        "action": "investigate",
        "procedure": "threat-hunt",
        "target": {"node": "so-tai-chinh-ws"},
        "by": "so-tai-chinh-it",
    }
    hunt_soc = {**hunt_it, "at": "T+3h", "by": "city-soc"}
    hashes: set[str] = set()
    for seed in range(10):
        for f in findings(drill(quiet(**NO_FALSE_LEADS), seed, hunt_it, hunt_soc, until=6 * 60.0)):
            if f["technique"] == "T1566.002" and "sha256" in f["artefact"]:
                hashes.add(f["artefact"]["sha256"])
    assert hashes == {oracle}


def test_a_benign_planted_trace_is_only_ever_a_suspicion() -> None:
    look = {
        "at": "T+1h",
        "action": "investigate",
        "procedure": "endpoint-analysis",
        "target": {"node": "so-noi-vu-srv"},
        "by": "so-tai-chinh-it",
    }
    suspected = 0
    for seed in range(10):
        events = drill(quiet(**NO_FALSE_LEADS), seed, look, until=4 * 60.0)
        learned = [e for e in events if e.kind == ev.LEARNED and e.target == "so-noi-vu-srv"]
        assert all(e.data["certainty"] == "suspected" for e in learned)
        suspected += bool(learned)
        assert all(f.get("false_lead") for f in findings(events))
    assert suspected >= 3  # process read at 0.6 × 0.8 = 0.48 per run


def test_an_investigation_needs_a_target_or_an_account() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="target"):
        TimedCommand.model_validate({"at": "T+1h", "action": "investigate", "procedure": "log-review"})
    with pytest.raises(ValidationError, match="procedure"):
        TimedCommand.model_validate({"at": "T+1h", "action": "investigate", "target": "sdc-ad"})


def test_the_same_seed_and_decisions_give_the_same_log() -> None:
    look = {
        "at": "T+1h",
        "action": "investigate",
        "procedure": "threat-hunt",
        "target": {"site": "so-tai-chinh"},
        "by": "city-soc",
    }
    a = drill(quiet(), 5, look, until=4 * 60.0)
    b = drill(quiet(), 5, look, until=4 * 60.0)
    assert [x.as_dict() for x in a] == [y.as_dict() for y in b]


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], **replace: str) -> str:
    from drill.cli import main

    text = SCENARIO.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    return capsys.readouterr().out


PLANTED = "{node: so-noi-vu-srv, source: process, at: T+0m, benign: true}"


def test_a_trainers_mistakes_in_the_new_keys_are_told_with_the_nearest_name(tmp_path, capsys) -> None:
    out = _validate(
        tmp_path,
        capsys,
        **{
            "practised: [log-review, account-audit]": "practised: [log-reveiw, account-audit]",
            PLANTED: PLANTED.replace("so-noi-vu-srv", "so-noi-vu-sv"),
            "  - stage: directory": "  - stage: directroy",
        },
    )
    assert "practised[0]: 'log-reveiw' is not one of" in out and "did you mean log-review?" in out
    assert "planted[0].node: unknown node 'so-noi-vu-sv'; did you mean so-noi-vu-srv" in out
    assert "identify[1].stage: unknown stage 'directroy'; did you mean directory?" in out


def test_a_planted_trace_that_shows_nothing_is_refused(tmp_path, capsys) -> None:
    out = _validate(tmp_path, capsys, **{PLANTED: PLANTED.replace(", benign: true", "")})
    assert "planted[0]: a planted trace shows a technique (technique: T…) or is a false lead" in out


def test_an_investigation_led_by_outside_help_is_the_calling_teams() -> None:
    # Finance has one person; the national CERT (on call, here 10 minutes away) works Finance's
    # queue once called. Finance orders two log reviews: its own person takes the first, the CERT
    # the second — what that one found is Finance's to know, and so is its record, which says
    # who did the work
    replace = {
        "    staff: 2\n    watches: {site: so-tai-chinh}": "    staff: 1\n    watches: {site: so-tai-chinh}",
        "on_call: {arrives_after: 4h}": "on_call: {arrives_after: 10m}",
        **NO_FALSE_LEADS,
    }
    call = {"at": "T+1m", "action": "escalate", "to": "national-cert", "by": "so-tai-chinh-it"}
    look = {"action": "investigate", "procedure": "log-review", "by": "so-tai-chinh-it"}
    first = {**look, "at": "T+20m", "target": {"site": "so-tai-chinh"}}
    second = {**look, "at": "T+21m", "target": {"site": "sdc"}}
    events = drill(quiet(**replace), 1, call, first, second)
    done = [e for e in events if e.kind == ev.INVESTIGATED and e.data["procedure"] == "log-review"]
    assert {e.actor for e in done} == {"so-tai-chinh-it"}
    assert [e.data.get("worked_by") for e in done].count("national-cert") == 1
    learned = {e.actor for e in events if e.kind == ev.LEARNED and e.data.get("how") == "investigation"}
    assert "national-cert" not in learned
