"""``drill serve`` and ``drill join`` from the command line: a crash recovered with ``--resume``
while the consoles reconnect by themselves, a log that replay verifies, and clear refusals."""

import asyncio
import os
import signal
import socket
import subprocess
import sys

from drill.bridge.client import SeatClient
from drill.cli import main
from drill.commands.serve import is_loopback
from drill.log import read_log
from tests.bridge.city_session import ROOT, serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_crashed_server_resumes_and_the_console_comes_back_by_itself(tmp_path):
    log = tmp_path / "drill.jsonl"
    port = free_port()
    first = serve(["ransomware-hoan-kiem", "--seed", "5", "--speed", "600", "--run"], log, port=port)

    async def main_():
        client = SeatClient(first.url, first.tokens["hoan-kiem-it"], who="Lan")
        task = asyncio.create_task(client.run())
        await asyncio.wait_for(client.connected.wait(), 30)
        before = await client.submit({"action": "isolate", "target": "hoan-kiem-ws"})
        await asyncio.sleep(0.5)
        first.process.send_signal(signal.SIGKILL)  # the facilitator's laptop dies
        first.process.wait(10)
        await asyncio.sleep(0.5)
        second = await asyncio.to_thread(serve, ["--resume", str(log)], log, port)
        await asyncio.wait_for(_until(lambda: client.state.welcomes == 2 and client.connected.is_set()), 30)
        kept = before["seq"] in client.state.events
        after = await client.submit({"action": "reconnect", "target": "hoan-kiem-ws"})
        await client.close()
        await task
        return second, before, after, kept

    second, before, after, kept = asyncio.run(main_())
    assert second.stop() == 0
    assert second.tokens == first.tokens  # the same links still open the same seats
    assert before["status"] == after["status"] == "applied"
    assert kept  # the console got back what it had
    verify = subprocess.run(
        [sys.executable, "-m", "drill", "--lang", "en", "replay", str(log), "--verify"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


async def _until(condition):
    while not condition():
        await asyncio.sleep(0.05)


def test_only_loopback_addresses_count_as_this_machine():
    assert (
        is_loopback("127.0.0.1")
        and is_loopback("localhost")
        and is_loopback("::1")
        and is_loopback("127.8.0.1")
    )
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("drill.example")


def test_bad_arguments_are_explained_without_a_traceback(capsys, tmp_path):
    assert main(["--lang", "en", "serve", "--headless", "--certfile", "x.pem"]) == 1
    assert "--certfile and --keyfile go together" in capsys.readouterr().err
    assert (
        main(
            ["--lang", "en", "serve", "--headless", "--approve", "nobody", "--log", str(tmp_path / "a.jsonl")]
        )
        == 1
    )
    assert "no team nobody" in capsys.readouterr().err
    assert not (tmp_path / "a.jsonl").exists()
    os.environ.pop("DRILL_TOKEN", None)
    assert main(["--lang", "vi", "join", "http://127.0.0.1:1"]) == 1
    assert "drill join cần mã" in capsys.readouterr().err
    assert main(["--lang", "en", "join", "ftp://x", "--token", "t"]) == 1
    assert "is not a server link" in capsys.readouterr().err


def test_serve_in_a_terminal_is_the_live_drill_and_a_site_plays_into_its_log(tmp_path):
    """Without --headless, drill serve draws the live drill on its terminal (here a pty) and serves
    the sites from the same process: a team's decision lands in the log, and the facilitator quits
    as from drill play (q, then y), the log closed whole."""
    log = tmp_path / "drill.jsonl"
    served = serve(["ransomware-hoan-kiem", "--seed", "5", "--speed", "600", "--run"], log, console=True)

    async def main_():
        client = SeatClient(served.url, served.tokens["hoan-kiem-it"], who="Lan")
        task = asyncio.create_task(client.run())
        await asyncio.wait_for(client.connected.wait(), 30)
        answer = await asyncio.wait_for(client.submit({"action": "isolate", "target": "hoan-kiem-ws"}), 30)
        await asyncio.wait_for(_until(lambda: (client.state.clock.get("now") or 0) > answer["now"]), 30)
        await client.close()
        await task
        return answer

    answer = asyncio.run(main_())
    assert served.stop() == 0
    assert answer["status"] == "applied"
    logged = [e for e in read_log(log).events if e.kind == "command"]
    assert [(e.seq, e.data["command"]["by"]) for e in logged] == [(answer["seq"], "hoan-kiem-it")]
    assert '"ended"' in log.read_text(encoding="utf-8").splitlines()[0]  # closed by the live console
