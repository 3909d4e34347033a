"""A real server on a loopback port and real clients: what each seat receives, how decisions are
applied and recorded, and what the facilitator controls."""

import asyncio
import json

import aiohttp
import pytest

from drill.bridge import server as server_module
from drill.bridge.protocol import encode
from drill.model.load import load_scenario
from tests.bridge.helpers import (
    city_drill,
    commands_in_log,
    joined,
    leave,
    raw_exchange,
    served,
    stalled_console,
    until,
)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return load_scenario(str(city_drill(tmp_path_factory.mktemp("city"))))


def test_each_team_receives_its_own_inject_and_never_anothers(city, tmp_path):
    with served(city, tmp_path / "d.jsonl", running=True, speed=3600) as s:

        async def main():
            a = await joined(s, "ba-vi-it")
            b = await joined(s, "hoan-kiem-it")
            f = await joined(s, "facilitator")
            o = await joined(s, "observer")
            await until(lambda: (f[0].state.clock.get("now") or 0) > 30)
            await leave(a, b, f, o)
            return a[0].state, b[0].state, f[0].state, o[0].state

        a, b, f, o = asyncio.run(main())
    texts = {
        name: [m["text"]["en"] for m in st.ordered_events()] for name, st in (("a", a), ("b", b), ("f", f))
    }
    assert any("secret for ba-vi-it" in x for x in texts["a"])
    assert not any("secret for" in x and "ba-vi-it" not in x for x in texts["a"])
    assert any("secret for hoan-kiem-it" in x for x in texts["b"])
    assert not any("secret for" in x and "hoan-kiem-it" not in x for x in texts["b"])
    # the facilitator sees all 30 districts' calls, and the attacker's moves the teams never do
    assert sum("secret for" in x for x in texts["f"]) == 30
    kinds = {m["event"]["kind"] for m in f.ordered_events()}
    assert "stage_start" in kinds
    for st in (a, b, o):
        assert not {m["event"]["kind"] for m in st.ordered_events()} & {"stage_start", "compromise", "effect"}


def test_a_decision_is_applied_at_once_and_recorded_once_with_its_team_and_who(city, tmp_path):
    log = tmp_path / "d.jsonl"
    with served(city, log) as s:

        async def main():
            a = await joined(s, "ba-vi-it", who="Lan")
            answer = await a[0].submit({"action": "isolate", "target": "ba-vi-ws"})
            # the same decision sent again (a console unsure it arrived): answered, not applied again
            ws = a[0].ws
            await ws.send_str(
                encode("submit", id="again-1", command={"action": "reconnect", "target": "ba-vi-ws"})
            )
            await ws.send_str(
                encode("submit", id="again-1", command={"action": "reconnect", "target": "ba-vi-ws"})
            )
            await until(lambda: "again-1" in a[0].state.acks)
            await asyncio.sleep(0.3)
            await leave(a)
            return answer, a[0].state

        answer, state = asyncio.run(main())
    assert answer["status"] == "applied"
    acks = [m for m in state.received if m["type"] == "ack" and m["id"] == "again-1"]
    assert len(acks) == 2 and acks[0]["seq"] == acks[1]["seq"]
    commands = commands_in_log(log)
    assert [(c["action"], c["by"], c["entered_by"]) for c in commands] == [
        ("isolate", "ba-vi-it", "Lan"),
        ("reconnect", "ba-vi-it", "Lan"),
    ]
    assert commands[0]["seq"] == answer["seq"]


def test_a_decision_waits_for_the_facilitator_when_asked_and_is_approved_or_rejected(city, tmp_path):
    log = tmp_path / "d.jsonl"
    with served(city, log, approval={"ba-vi-it"}) as s:

        async def main():
            a = await joined(s, "ba-vi-it", who="Lan")
            f = await joined(s, "facilitator", who="Minh")
            first = await a[0].submit({"action": "isolate", "target": "ba-vi-ws"}, wait=False)
            second = await a[0].submit({"action": "patch", "target": "ba-vi-srv"}, wait=False)
            await until(lambda: len(f[0].state.pending) == 2)
            in_log_before = len(commands_in_log(log))
            one, two = sorted(f[0].state.pending)
            await f[0].send("approve", pending=one)
            await f[0].send("reject", pending=two, reason="not yet")
            await until(
                lambda: (
                    {first["id"], second["id"]}
                    <= {k for k, v in a[0].state.acks.items() if v["status"] != "pending"}
                )
            )
            await leave(a, f)
            return a[0].state.acks[first["id"]], a[0].state.acks[second["id"]], in_log_before

        approved, rejected, before = asyncio.run(main())
    assert before == 0  # nothing in the log while it waits
    assert approved["status"] == "applied" and rejected["status"] == "rejected"
    commands = commands_in_log(log)
    assert [(c["action"], c.get("by")) for c in commands] == [("isolate", "ba-vi-it"), ("note", None)]
    assert "not yet" in commands[1]["text"]["en"] and commands[1]["entered_by"] == "Minh"


def test_a_team_enters_only_decisions_and_observers_nothing(city, tmp_path):
    with served(city, tmp_path / "d.jsonl") as s:

        async def main():
            a = await joined(s, "ba-vi-it")
            o = await joined(s, "observer")
            forged = await a[0].submit({"action": "inject", "inject": "call-hoan-kiem"})
            as_other = await a[0].submit({"action": "isolate", "target": "ba-vi-ws", "by": "hoan-kiem-it"})
            watch = await o[0].submit({"action": "isolate", "target": "ba-vi-ws"})
            await a[0].send("pause")
            await until(lambda: a[0].state.errors)
            await leave(a, o)
            return forged, as_other, watch, a[0].state.errors

        forged, as_other, watch, errors = asyncio.run(main())
    assert forged["status"] == as_other["status"] == watch["status"] == "refused"
    assert errors[0]["code"] == "not_allowed"


def test_the_facilitator_takes_a_teams_seat_messages_it_and_pauses_everyone(city, tmp_path):
    log = tmp_path / "d.jsonl"
    with served(city, log, running=True, speed=600) as s:

        async def main():
            a = await joined(s, "ba-vi-it")
            b = await joined(s, "hoan-kiem-it")
            f = await joined(s, "facilitator", who="Minh")
            seat = await f[0].submit({"action": "isolate", "target": "ba-vi-ws"}, **{"as": "ba-vi-it"})
            await f[0].request("message", team="ba-vi-it", text="Call the vendor")
            await f[0].send("pause")
            await until(lambda: a[0].state.clock.get("paused") and b[0].state.clock.get("paused"))
            now = f[0].state.clock["now"]
            await asyncio.sleep(0.6)
            await f[0].send("ping")
            await asyncio.sleep(0.2)
            still = f[0].state.clock["now"]
            await leave(a, b, f)
            return seat, a[0].state, b[0].state, now, still

        seat, a, b, now, still = asyncio.run(main())
    assert seat["status"] == "applied"
    assert now == still  # paused: the drill's clock stands
    assert any("Call the vendor" in m["text"]["en"] for m in a.ordered_events())
    assert not any("Call the vendor" in m["text"]["en"] for m in b.ordered_events())
    isolate = [c for c in commands_in_log(log) if c["action"] == "isolate"][0]
    assert isolate["by"] == "ba-vi-it" and isolate["entered_by"] == "Minh"


def test_a_console_that_drops_gets_its_state_back_by_itself(city, tmp_path):
    with served(city, tmp_path / "d.jsonl") as s:

        async def main():
            a = await joined(s, "ba-vi-it")
            await a[0].submit({"action": "isolate", "target": "ba-vi-ws"})
            before = sorted(a[0].state.events)
            s.call(lambda: [c.drop() for c in s.server.consoles])  # the line drops
            await until(lambda: a[0].state.welcomes == 2 and a[0].connected.is_set())
            after = sorted(a[0].state.events)
            again = await a[0].submit({"action": "reconnect", "target": "ba-vi-ws"})
            await leave(a)
            return before, after, again

        before, after, again = asyncio.run(main())
    assert before == after and len(before) >= 3
    assert again["status"] == "applied"


# ---------------------------------------------------------------- abuse
def test_a_wrong_or_missing_token_gets_a_refusal_and_nothing_else(city, tmp_path, monkeypatch):
    monkeypatch.setattr(server_module, "HELLO_TIMEOUT", 0.5)
    with served(city, tmp_path / "d.jsonl") as s:
        cases = [
            encode("hello", token="not-a-token"),
            encode("hello"),
            encode("submit", command={"action": "isolate", "target": "ba-vi-ws"}),
            "{{{{",
            json.dumps({"v": 99, "type": "hello", "token": s.token("ba-vi-it")}),
            b"\x00\x01",
            None,  # says nothing
        ]

        async def main():
            return [await raw_exchange(s.url, first) for first in cases]

        answers = asyncio.run(main())
        assert s.server.session.sim.events[-1].seq == 0  # nothing entered the drill
    for answer in answers:
        assert len(answer) == 2, answer
        (kind, message), (closing, _) = answer
        assert kind == "text" and message["type"] == "refused" and closing == "close"
        assert set(message) == {"v", "type", "code", "text"}


def test_a_revoked_token_is_refused_and_its_console_sent_away(city, tmp_path):
    with served(city, tmp_path / "d.jsonl") as s:
        old = s.token("ba-vi-it")

        async def main():
            a = await joined(s, "ba-vi-it")
            f = await joined(s, "facilitator")
            await f[0].send("revoke", seat="ba-vi-it")
            await until(lambda: f[0].state.tokens and a[0].state.refused)
            replay = await raw_exchange(s.url, encode("hello", token=old))
            new = f[0].state.tokens[0]["token"]
            fresh = await raw_exchange(s.url, encode("hello", token=new), wait=0.5)
            await leave(a, f)
            return a[0].state.refused, replay, fresh, new

        refused, replay, fresh, new = asyncio.run(main())
    assert refused["code"] == "revoked"
    assert replay[0][1]["type"] == "refused" and replay[0][1]["code"] == "token"
    assert fresh[0][1]["type"] == "welcome" and fresh[0][1]["seat"] == "ba-vi-it"
    assert new != old


def test_oversized_malformed_and_flooding_messages_do_not_stop_the_others(city, tmp_path):
    with served(city, tmp_path / "d.jsonl") as s:

        async def main():
            good = await joined(s, "hoan-kiem-it")
            async with aiohttp.ClientSession() as http:
                # too large: the socket is closed (1009, message too big)
                async with http.ws_connect(s.url.replace("http", "ws") + "/ws") as ws:
                    await ws.send_str(encode("hello", token=s.token("ba-vi-it")))
                    await ws.receive()  # welcome
                    await ws.send_str(encode("reply", inject="x", text="y" * 40_000))
                    while not ws.closed:
                        msg = await ws.receive(timeout=5)
                        if msg.type in (
                            aiohttp.WSMsgType.CLOSE,
                            aiohttp.WSMsgType.CLOSED,
                            aiohttp.WSMsgType.CLOSING,
                        ):
                            break
                    big_code = ws.close_code
                # malformed, then a flood: errors, the connection kept, the rest dropped
                async with http.ws_connect(s.url.replace("http", "ws") + "/ws") as ws:
                    await ws.send_str(encode("hello", token=s.token("ba-vi-it")))
                    await ws.receive()
                    await ws.send_str("[1, 2")
                    await ws.send_str(json.dumps({"v": 1, "type": "launch-missiles"}))
                    for _ in range(150):
                        await ws.send_str(encode("ping"))
                    codes = []
                    deadline = asyncio.get_running_loop().time() + 2.0
                    while asyncio.get_running_loop().time() < deadline:  # the clock's ticks keep coming
                        try:
                            msg = await ws.receive(timeout=1.0)
                        except TimeoutError:
                            break
                        if msg.type != aiohttp.WSMsgType.TEXT:
                            break
                        m = json.loads(msg.data)
                        if m["type"] in ("error", "pong"):
                            codes.append(m.get("code", "pong"))
            answer = await good[0].submit({"action": "isolate", "target": "hoan-kiem-ws"})
            await leave(good)
            return big_code, codes, answer

        big_code, codes, answer = asyncio.run(main())
    assert big_code == 1009
    assert codes[:2] == ["not_json", "unknown_type"]
    assert "rate" in codes and codes.count("pong") < 150
    assert answer["status"] == "applied"


def test_a_page_from_another_origin_cannot_open_a_console(city, tmp_path):
    with served(city, tmp_path / "d.jsonl") as s:

        async def main():
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await raw_exchange(
                    s.url, encode("hello", token=s.token("ba-vi-it")), origin="http://evil.example"
                )
            same = await raw_exchange(
                s.url, encode("hello", token=s.token("ba-vi-it")), wait=0.3, origin=s.url
            )
            return refused.value.status, same

        status, same = asyncio.run(main())
    assert status == 403
    assert same[0][1]["type"] == "welcome"


def test_a_console_that_stops_reading_is_dropped_not_waited_for(city, tmp_path, monkeypatch):
    monkeypatch.setattr(server_module, "OUTBOX", 20)
    monkeypatch.setattr(server_module, "SEND_TIMEOUT", 1.0)
    with served(city, tmp_path / "d.jsonl", running=True, speed=600) as s:

        async def main():
            good = await joined(s, "hoan-kiem-it")
            f = await joined(s, "facilitator")
            stalled = stalled_console(s.url, s.token("observer"))
            await until(lambda: any(c.seat.name == "observer" for c in s.server.consoles))
            # the facilitator says a lot to everyone; the stalled console reads none of it
            for i in range(40):
                await f[0].request("message", team=None, text=f"{i} " + "z" * 12_000, wait=False)
                await asyncio.sleep(0.05)
            answer = await asyncio.wait_for(
                good[0].submit({"action": "isolate", "target": "hoan-kiem-ws"}), 5
            )
            await until(lambda: not any(c.seat.name == "observer" for c in s.server.consoles))
            heard = sum("zzzz" in m["text"]["en"] for m in good[0].state.ordered_events())
            stalled.close()
            await leave(good, f)
            return answer, heard

        answer, heard = asyncio.run(main())
    assert answer["status"] == "applied"
    assert heard == 40  # the others heard every word


@pytest.mark.parametrize(
    "attempts",
    [
        pytest.param(100, id="100"),
        pytest.param(
            1000,
            id="1000",
            marks=pytest.mark.slow(
                quick="test_many_connection_attempts_with_bad_tokens_leave_the_others_served"
            ),
        ),
    ],
)
def test_many_connection_attempts_with_bad_tokens_leave_the_others_served(city, tmp_path, attempts):
    with served(city, tmp_path / "d.jsonl", running=True, speed=600) as s:

        async def attempt(http, i):
            try:
                async with http.ws_connect(s.url.replace("http", "ws") + "/ws") as ws:
                    await ws.send_str(encode("hello", token=f"guess-{i}"))
                    msg = await ws.receive(timeout=10)
                    return json.loads(msg.data)["type"] if msg.type == aiohttp.WSMsgType.TEXT else "closed"
            except aiohttp.WSServerHandshakeError as exc:
                return f"http-{exc.status}"

        async def main():
            good = await joined(s, "hoan-kiem-it")
            answers = []
            results = []
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                for start in range(0, attempts, 50):
                    burst = asyncio.gather(*(attempt(http, i) for i in range(start, start + 50)))
                    decision = good[0].submit(
                        {"action": "isolate" if start % 100 else "reconnect", "target": "hoan-kiem-ws"}
                    )
                    got, answer = await asyncio.gather(burst, decision)
                    results += got
                    answers.append(answer)
            await leave(good)
            return results, answers

        results, answers = asyncio.run(main())
    assert len(results) == attempts
    assert set(results) <= {"refused", "http-503"} and "welcome" not in results
    assert all(a["status"] in ("applied", "refused") and "seq" in a for a in answers)
