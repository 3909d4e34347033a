"""What outlives the facilitator's process: which teams wait for approval (the scenario says),
the decisions already answered (the log says), and those still waiting (the file beside the log).
A real server on a loopback port, stopped and rebuilt from its log as ``drill serve --resume`` does."""

import asyncio
import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from drill.bridge.client import SeatClient
from drill.bridge.pending import pending_file
from drill.bridge.protocol import encode
from drill.bridge.server import DrillServer
from drill.cli import main
from drill.diagnostics import DrillError
from drill.log import read_log
from drill.model.load import load_scenario
from drill.session import Session
from tests.bridge.city_session import serve
from tests.bridge.helpers import joined, leave, resumed, served, until

TEAM = "hoan-kiem-it"
ISOLATE = {"action": "isolate", "target": "hoan-kiem-ws"}
PATCH = {"action": "patch", "target": "hoan-kiem-srv"}
REIMAGE = {"action": "reimage", "target": "hoan-kiem-ws"}


def drill_file(folder, approval=None):
    """The default drill, copied; ``approval``: the teams marked ``approval: true`` in it."""
    doc = yaml.safe_load(Path(load_scenario("ransomware-hoan-kiem").file).read_text(encoding="utf-8"))
    doc["scenario"] = "resume-drill"
    for team in approval or ():
        doc["teams"][team]["approval"] = True
    path = folder / "resume-drill.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def drill(tmp_path):
    path = drill_file(tmp_path)
    return load_scenario(str(path)), str(path)


async def sent(client, client_id, command):
    """Submit ``command`` under the console's id ``client_id`` (as a console does again after a
    reconnect) and return the answer."""
    before = sum(1 for m in client.state.received if m["type"] == "ack" and m["id"] == client_id)
    await client.ws.send_str(encode("submit", id=client_id, command=command))
    await until(
        lambda: sum(1 for m in client.state.received if m["type"] == "ack" and m["id"] == client_id) > before
    )
    return client.state.acks[client_id]


def logged(log, action):
    """The commands of ``action`` in the log (applied or refused), read from the file."""
    return [
        (e.seq, e.data["command"])
        for e in read_log(log).events
        if e.kind in ("command", "command_refused") and e.data["command"]["action"] == action
    ]


# ---------------------------------------------------------------- already answered: never twice
def test_a_decision_sent_again_after_a_restart_gets_its_answer_and_is_applied_once(drill, tmp_path):
    scenario, ref = drill
    log = tmp_path / "d.jsonl"
    with served(scenario, log, scenario_ref=ref) as s:
        seats = s.server.seats

        async def first():
            a = await joined(s, TEAM, who="Lan")
            answer = await sent(a[0], "lan-1", ISOLATE)
            await leave(a)
            return answer

        before = asyncio.run(first())
    assert before["status"] == "applied"
    assert len(logged(log, "isolate")) == 1

    with resumed(log, seats) as s:  # the facilitator's laptop died; drill serve --resume

        async def again():
            a = await joined(s, TEAM, who="Lan")
            answer = await sent(a[0], "lan-1", ISOLATE)  # the console never saw the answer: again
            other = await sent(a[0], "lan-2", PATCH)  # a new decision is applied as ever
            await leave(a)
            return answer, other

        after, other = asyncio.run(again())
    assert after["status"] == "applied" and after["seq"] == before["seq"]
    assert other["status"] == "applied" and other["seq"] > before["seq"]
    isolates = logged(log, "isolate")
    assert [seq for seq, _ in isolates] == [before["seq"]]  # once, where it was first
    assert isolates[0][1]["ref"] == f"{TEAM}/lan-1"
    assert main(["--lang", "en", "replay", str(log), "--verify"]) == 0  # a log with refs replays


def test_a_console_cannot_name_its_decision_as_another_seats(drill, tmp_path):
    scenario, ref = drill
    log = tmp_path / "d.jsonl"
    with served(scenario, log, scenario_ref=ref) as s:

        async def main_():
            a = await joined(s, TEAM)
            f = await joined(s, "facilitator")
            forged = await sent(a[0], "x-1", {**ISOLATE, "ref": "city-soc/9"})
            note = await sent(f[0], "f-1", {"action": "note", "text": "n", "ref": f"{TEAM}/x-2"})
            unnamed = await sent(f[0], "", {"action": "note", "text": "m", "ref": f"{TEAM}/x-3"})
            await leave(a, f)
            return forged, note, unnamed

        forged, note, unnamed = asyncio.run(main_())
    assert forged["status"] == "refused"
    assert note["status"] == unnamed["status"] == "applied"
    assert [c.get("ref") for _, c in logged(log, "note")] == ["facilitator/f-1", None]


# ---------------------------------------------------------------- still waiting: kept beside the log
def test_a_waiting_decision_survives_a_restart_and_is_approved_after_it(drill, tmp_path):
    scenario, ref = drill
    log = tmp_path / "d.jsonl"
    with served(scenario, log, scenario_ref=ref, approval={TEAM}) as s:
        seats = s.server.seats

        async def first():
            a = await joined(s, TEAM, who="Lan")
            waiting = await sent(a[0], "lan-1", ISOLATE)
            await leave(a)
            return waiting

        waiting = asyncio.run(first())
    assert waiting["status"] == "pending"
    assert logged(log, "isolate") == []  # in no log yet: only in the file beside it
    assert stat.S_IMODE(os.stat(pending_file(log)).st_mode) == 0o600

    with resumed(log, seats, approval={TEAM}) as s:

        async def after():
            a = await joined(s, TEAM, who="Lan")
            f = await joined(s, "facilitator", who="Minh")
            shown = dict(a[0].state.pending), dict(f[0].state.pending)
            again = await sent(a[0], "lan-1", ISOLATE)  # sent again: still the one wait
            later = await sent(a[0], "lan-2", PATCH)
            await f[0].send("approve", pending=waiting["pending"])
            await until(lambda: a[0].state.acks["lan-1"]["status"] != "pending")
            await leave(a, f)
            return shown, again, later, a[0].state.acks["lan-1"]

        (team_sees, facilitator_sees), again, later, approved = asyncio.run(after())
    assert list(team_sees) == list(facilitator_sees) == [waiting["pending"]]
    assert team_sees[waiting["pending"]]["command"]["action"] == "isolate"
    assert again == {**again, "status": "pending", "pending": waiting["pending"]}
    assert later["status"] == "pending" and later["pending"] == waiting["pending"] + 1  # numbers go on
    assert approved["status"] == "applied"
    isolates = logged(log, "isolate")
    assert [seq for seq, _ in isolates] == [approved["seq"]]
    assert isolates[0][1]["by"] == TEAM and isolates[0][1]["entered_by"] == "Lan"


def test_a_decision_approved_just_before_a_crash_no_longer_waits(drill, tmp_path):
    scenario, ref = drill
    log = tmp_path / "d.jsonl"
    with served(scenario, log, scenario_ref=ref, approval={TEAM}) as s:
        seats = s.server.seats

        async def first():
            a = await joined(s, TEAM)
            f = await joined(s, "facilitator")
            waiting = await sent(a[0], "lan-1", ISOLATE)
            kept = pending_file(log).read_text(encoding="utf-8")
            await f[0].send("approve", pending=waiting["pending"])
            await until(lambda: a[0].state.acks["lan-1"]["status"] == "applied")
            await leave(a, f)
            return kept, a[0].state.acks["lan-1"]

        kept, approved = asyncio.run(first())
    # the crash came between the log's line and the file's rewrite: the file still has it waiting
    pending_file(log).write_text(kept, encoding="utf-8")
    with resumed(log, seats, approval={TEAM}) as s:

        async def after():
            f = await joined(s, "facilitator")
            a = await joined(s, TEAM)
            answer = await sent(a[0], "lan-1", ISOLATE)
            await leave(a, f)
            return dict(f[0].state.pending), answer

        still, answer = asyncio.run(after())
    assert still == {}
    assert answer["status"] == "applied" and answer["seq"] == approved["seq"]
    assert len(logged(log, "isolate")) == 1


def test_a_rejected_decision_stays_rejected_after_a_restart(drill, tmp_path):
    scenario, ref = drill
    log = tmp_path / "d.jsonl"
    with served(scenario, log, scenario_ref=ref, approval={TEAM}) as s:
        seats = s.server.seats

        async def first():
            a = await joined(s, TEAM)
            f = await joined(s, "facilitator")
            waiting = await sent(a[0], "lan-1", REIMAGE)
            await f[0].send("reject", pending=waiting["pending"], reason="not yet")
            await until(lambda: a[0].state.acks["lan-1"]["status"] == "rejected")
            await leave(a, f)

        asyncio.run(first())

    # the facilitator turned approval off after the restart: a second try would apply at once
    with resumed(log, seats) as s:

        async def after():
            a = await joined(s, TEAM)
            answer = await sent(a[0], "lan-1", REIMAGE)
            await leave(a)
            return answer, dict(a[0].state.pending)

        answer, still = asyncio.run(after())
    assert answer["status"] == "rejected" and "not yet" in answer["reason"]["en"]
    assert still == {}
    assert logged(log, "reimage") == []


def test_an_unreadable_file_of_waiting_decisions_is_explained(drill, tmp_path, capsys):
    scenario, ref = drill
    log = tmp_path / "d.jsonl"
    with served(scenario, log, scenario_ref=ref, approval={TEAM}) as s:

        async def first():
            a = await joined(s, TEAM)
            await sent(a[0], "lan-1", ISOLATE)
            await leave(a)

        asyncio.run(first())
    path = pending_file(log)
    path.write_text('{"next": 2, "pending": [{"id": 1, "seat"', encoding="utf-8")  # cut off
    assert main(["--lang", "en", "serve", "--headless", "--resume", str(log)]) == 1
    err = capsys.readouterr().err
    assert "cannot read the decisions waiting for approval" in err and str(path) in err
    assert "Traceback" not in err
    path.write_text('{"next": 2, "pending": [{"id": 1, "seat": "x", "client_id": "c", "command": {}}]}')
    assert main(["--lang", "vi", "serve", "--headless", "--resume", str(log)]) == 1
    assert "không đọc được các quyết định đang chờ duyệt" in capsys.readouterr().err
    session, _ = Session.resume(log)  # the server itself refuses it too
    try:
        with pytest.raises(DrillError, match=re.escape(f"{path}: action: Field required")):
            DrillServer(session, s.server.seats)
    finally:
        session.close()


# ---------------------------------------------------------------- the scenario says who waits
async def _submit(served_, command):
    client = SeatClient(served_.url, served_.tokens[TEAM], who="Lan")
    task = asyncio.create_task(client.run())
    await asyncio.wait_for(client.connected.wait(), 30)
    answer = await client.submit(command, wait=False)
    await until(lambda: answer["id"] in client.state.acks, 30)
    await client.close()
    await task
    return client.state.acks[answer["id"]]["status"]


def test_the_scenario_says_which_teams_wait_and_approve_overrides_it(tmp_path):
    scenario = str(drill_file(tmp_path, approval=[TEAM]))
    log = tmp_path / "drill.jsonl"
    first = serve([scenario], log)
    try:
        by_scenario = asyncio.run(_submit(first, ISOLATE))
    finally:
        assert first.stop() == 0
    second = serve(["--resume", str(log), "--approve", "none"], log)
    try:
        overridden = asyncio.run(_submit(second, PATCH))
    finally:
        assert second.stop() == 0
    third = serve(["--resume", str(log)], log)  # no --approve: the scenario's choice again
    try:
        again = asyncio.run(_submit(third, REIMAGE))
    finally:
        assert third.stop() == 0
    assert (by_scenario, overridden, again) == ("pending", "applied", "pending")


def test_approve_none_overrides_the_scenario_for_a_new_drill(tmp_path):
    scenario = str(drill_file(tmp_path, approval=[TEAM]))
    log = tmp_path / "drill.jsonl"
    served_ = serve([scenario, "--approve", "none"], log)
    try:
        status = asyncio.run(_submit(served_, ISOLATE))
    finally:
        assert served_.stop() == 0
    assert status == "applied"
