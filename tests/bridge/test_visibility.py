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


# ---------------------------------------------------------------- what a team knows
LEARNED_A = e(
    "learned",
    "a-it",
    "a-srv",
    fact="compromise",
    how="investigation",
    certainty="confirmed",
    technique="T1003",
    account="a\\admin",
    source="investigation:1",
    attacker_since=42.0,
)
ARTEFACT = {
    "source": "process",
    "node": "a-ws",
    "time": "2015-10-12 09:10:00",
    "file": "PsExec64.exe",
    "sha256": "ab" * 32,
    "line": "2015-10-12 09:10:00 EventID=4688 Host=A-WS NewProcess=C:\\Tools\\PsExec64.exe",
}
INVESTIGATED_A = e(
    "investigated",
    "a-it",
    "a-ws",
    procedure="endpoint-analysis",
    number=1,
    examined=2,
    machines=12,
    findings=[
        {"node": "a-ws", "technique": "T1059", "since": 70.0, "artefact": ARTEFACT, "false_lead": True},
        {"node": "a-srv", "technique": "", "since": 5.0, "artefact": {"source": "file"}, "planted": 0},
    ],
)


def test_a_team_receives_its_own_knowledge_and_never_anothers():
    for event in (LEARNED_A, INVESTIGATED_A):
        assert sees("team", "a-it", event)
        assert not sees("team", "b-it", event)
        assert sees("facilitator", None, event)
    shared_to_b = e(
        "learned", "b-it", "b-ws", fact="compromise", how="shared", certainty="confirmed", source="a-it"
    )
    assert sees("team", "b-it", shared_to_b) and not sees("team", "a-it", shared_to_b)


def test_a_team_gets_what_it_learned_without_the_engines_truth():
    assert public_record(LEARNED_A, "team", "a-it")["data"] == {
        "fact": "compromise",
        "how": "investigation",
        "certainty": "confirmed",
        "technique": "T1003",
        "account": "a\\admin",
        "source": "investigation:1",
    }  # not attacker_since: the engine's own minute of the attacker's arrival
    data = public_record(INVESTIGATED_A, "team", "a-it")["data"]
    assert data == {
        "procedure": "endpoint-analysis",
        "number": 1,
        "examined": 2,
        "machines": 12,
        "findings": [
            # a false lead reads as any finding: the team cannot tell the administrator's tools
            {"node": "a-ws", "technique": "T1059", "since": 70.0, "artefact": ARTEFACT},
            # nor whether a trainer planted a trace
            {"node": "a-srv", "technique": "", "since": 5.0, "artefact": {"source": "file"}},
        ],
    }


def test_observers_see_a_teams_finding_as_a_line_without_its_artefacts():
    for role in ("observer", "projector"):
        assert sees(role, None, LEARNED_A) and sees(role, None, INVESTIGATED_A)
        assert public_record(LEARNED_A, role)["data"] == {}
        assert public_record(INVESTIGATED_A, role)["data"] == {}
    # a team's record of another team's knowledge event (were it ever to be sent) carries nothing
    assert public_record(INVESTIGATED_A, "team", "b-it")["data"] == {}
    assert public_record(INVESTIGATED_A, "facilitator")["data"]["findings"][0]["false_lead"] is True
