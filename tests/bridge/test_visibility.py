"""What a seat sees, on hand-made events: the team's own, what is addressed to it, and what
anyone in the city sees — never another team's injects, decisions or work, nor ground truth."""

from drill.bridge.visibility import public_record, sees
from drill.engine.events import Event


def e(kind: str, actor: str = "", target: str = "", **data) -> Event:
    return Event(10.0, 1, kind, actor, target, data)


def test_an_inject_reaches_the_teams_it_names_or_everyone_when_it_names_none():
    to_a = e("inject", "white-cell", "call", to=["a-it"], hidden=False)
    to_all = e("inject", "white-cell", "news", to=[], hidden=False)
    hidden = e("inject", "white-cell", "note", to=["a-it"], hidden=True)
    assert sees("team", "a-it", to_a) and not sees("team", "b-it", to_a)
    assert sees("team", "a-it", to_all) and sees("team", "b-it", to_all)
    assert not sees("team", "a-it", hidden)
    assert sees("facilitator", None, hidden)
    assert sees("observer", None, to_a) and not sees("projector", None, hidden)


def test_a_team_sees_its_own_decisions_and_refusals_only():
    mine = e("command", "a-it", "isolate", command={"action": "isolate", "by": "a-it"})
    theirs = e("command", "b-it", "isolate", command={"action": "isolate", "by": "b-it"})
    refused = e(
        "command_refused", "a-it", "isolate", command={"action": "isolate", "by": "a-it"}, reason="no"
    )
    facilitators = e("command", "facilitator", "note", command={"action": "note", "source": "facilitator"})
    assert sees("team", "a-it", mine) and not sees("team", "a-it", theirs)
    assert sees("team", "a-it", refused) and not sees("team", "b-it", refused)
    assert not sees("team", "a-it", facilitators)


def test_a_team_sees_its_own_alerts_and_work_and_what_everyone_sees():
    alert = e("alert", "a-it", "a-ws", step="triage", queued=1)
    other = e("alert", "b-it", "b-ws", step="triage", queued=1)
    down = e("service_down", "", "onestop")
    assert sees("team", "a-it", alert) and not sees("team", "a-it", other)
    assert sees("team", "a-it", down) and sees("team", "b-it", down)


def test_ground_truth_reaches_no_one_but_the_facilitator():
    for event in (
        e("compromise", "attacker", "a-ws"),
        e("stage_start", "attacker", "phish"),
        e("note", "facilitator"),
    ):
        assert not sees("team", "a-it", event)
        assert not sees("observer", None, event)
        assert sees("facilitator", None, event)


def test_a_console_receives_no_hidden_fact_in_the_event_data():
    isolated = e("isolate", "a-it", "a-ws", site="a", compromised=True)
    assert public_record(isolated, "team")["data"] == {"site": "a"}
    assert public_record(isolated, "facilitator")["data"]["compromised"] is True


def test_what_passes_between_two_teams_is_known_to_both_and_a_public_statement_to_all():
    escalated = e("escalation", "a-it", "cert", arrives_in=60)
    arrived = e("team_arrived", "cert", "a-it", staff=3)
    report = e("report", "a-it", "soc", text="files encrypted")
    statement = e("report", "b-it", "public", text="service paused", public=True)
    for event in (escalated, arrived):
        assert sees("team", "a-it", event) and sees("team", "cert", event) and not sees("team", "b-it", event)
    assert sees("team", "soc", report) and not sees("team", "b-it", report)
    assert sees("team", "a-it", statement)
