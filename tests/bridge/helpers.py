"""A real drill server on a loopback port, in its own thread and event loop, for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from drill.bridge.seats import Seats
from drill.bridge.server import DrillServer, start
from drill.model.load import Scenario
from drill.session import Session


class Served:
    def __init__(self, server: DrillServer, loop: asyncio.AbstractEventLoop) -> None:
        self.server = server
        self.loop = loop

    @property
    def url(self) -> str:
        return self.server.public_url

    def token(self, seat: str) -> str:
        return self.server.seats.seats[seat].token

    def call(self, fn, *args):  # noqa: ANN001, ANN201 — run fn in the server's loop, wait for it
        async def go():  # noqa: ANN202
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(go(), self.loop).result(10)


async def joined(s: Served, seat: str, who: str = "", **kw):  # noqa: ANN003, ANN201
    """A console at ``seat``, connected (it keeps every message it receives), and its task."""
    from drill.bridge.client import SeatClient

    client = SeatClient(s.url, s.token(seat), who=who or seat, keep_all=True, **kw)
    task = asyncio.create_task(client.run())
    await asyncio.wait_for(client.connected.wait(), 10)
    return client, task


async def leave(*pairs) -> None:  # noqa: ANN002
    for client, task in pairs:
        await client.close()
        await asyncio.wait_for(task, 10)


async def until(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@contextlib.contextmanager
def served(
    scenario: Scenario,
    log: Path,
    seed: int = 1,
    speed: float = 60.0,
    running: bool = False,
    scenario_ref: str | None = None,
    **options,
) -> Iterator[Served]:
    session = Session(scenario, seed=seed, log_path=log, scenario_ref=scenario_ref or scenario.id)
    seats = Seats.for_teams(list(scenario.spec.teams))
    with serving(session, seats, speed=speed, running=running, **options) as s:
        yield s


@contextlib.contextmanager
def resumed(log: Path, seats: Seats, **options) -> Iterator[Served]:
    """The drill of ``log`` rebuilt from it (as ``drill serve --resume`` does), served again to
    the same seats."""
    session, _ = Session.resume(log)
    with serving(session, seats, **options) as s:
        yield s


@contextlib.contextmanager
def serving(session: Session, seats: Seats, speed: float = 60.0, running: bool = False, **options):  # noqa: ANN201
    try:
        server = DrillServer(session, seats, speed=speed, running=running, **options)
    except BaseException:
        session.close()
        raise
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    runner_box = []

    async def main() -> None:
        runner_box.append(await start(server, "127.0.0.1", 0))
        ready.set()
        await stop.wait()
        await runner_box[0].cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield Served(server, loop)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        session.close()


# ---------------------------------------------------------------- a city drill: the SOC and 30 districts
DISTRICT_GROUP = "districts"


def city_drill(folder: Path, hours: float = 2.0) -> Path:
    """A scenario with the city's SOC and one team per district (30), each district told of its own
    incident by an inject addressed to it alone: what a team may not see is there to leak."""
    import yaml

    from drill.model.load import load_scenario

    base = load_scenario("grassroots-district-drill")
    sites = [sid for sid, site in base.city.sites.items() if site.group == DISTRICT_GROUP]
    doc = yaml.safe_load(Path(base.file).read_text(encoding="utf-8"))
    doc["scenario"] = "city-bridge-drill"
    doc["duration"] = f"{int(hours * 60)}m"
    doc["audience"] = [f"{s}-it" for s in sites]
    doc["teams"] = {"city-soc": {"name": {"en": "City SOC", "vi": "SOC Thành phố"}, "staff": 4}}
    for site in sites:
        doc["teams"][f"{site}-it"] = {
            "name": {"en": f"{site} IT", "vi": f"CNTT {site}"},
            "staff": 1,
            "watches": {"site": site},
        }
    doc["injects"] = [
        {
            "id": f"call-{site}",
            "at": f"T+{5 + i % 20}m",
            "to": [f"{site}-it"],
            "channel": "phone",
            "text": {"en": f"secret for {site}-it", "vi": f"bí mật cho {site}-it"},
        }
        for i, site in enumerate(sites)
    ]
    doc.pop("deadlines", None)
    doc.pop("objectives", None)
    path = folder / "city-bridge-drill.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------- raw sockets, as a hostile client would use
async def raw_exchange(
    url: str, first: str | bytes | None, wait: float = 2.0, origin: str | None = None
) -> list:
    """Open the socket, send ``first`` (or nothing), and return every message until it closes
    (or ``wait`` seconds): ``("text", dict)`` or ``("close", code)``."""
    import json

    import aiohttp

    out: list = []
    headers = {"Origin": origin} if origin else {}
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url.replace("http", "ws", 1) + "/ws", headers=headers) as ws,
    ):
        if isinstance(first, str):
            await ws.send_str(first)
        elif isinstance(first, bytes):
            await ws.send_bytes(first)
        end = asyncio.get_running_loop().time() + wait
        try:
            while asyncio.get_running_loop().time() < end:  # the clock's ticks keep coming
                msg = await ws.receive(timeout=wait)
                if msg.type == aiohttp.WSMsgType.TEXT:
                    out.append(("text", json.loads(msg.data)))
                else:
                    out.append(("close", ws.close_code))
                    break
        except TimeoutError:
            pass
    return out


def commands_in_log(log: Path) -> list[dict]:
    """The commands the log holds (applied ones), each as its record plus its sequence number."""
    from drill.log import read_log

    return [{**e.data["command"], "seq": e.seq} for e in read_log(log).events if e.kind == "command"]


def stalled_console(url: str, token: str):  # noqa: ANN201 — a socket.socket
    """A console on a tiny receive window that says hello and then never reads: the slowest
    client there can be (a frozen laptop on a bad line)."""
    import base64
    import os
    import socket
    import struct
    from urllib.parse import urlsplit

    from drill.bridge.protocol import encode

    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.settimeout(5)
    sock.connect((parts.hostname, parts.port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(1)
    assert b" 101 " in answer.split(b"\r\n")[0]
    payload = encode("hello", token=token).encode()
    mask = os.urandom(4)
    header = (
        bytes([0x81, 0x80 | 126]) + struct.pack(">H", len(payload))
        if len(payload) > 125
        else bytes([0x81, 0x80 | len(payload)])
    )
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return sock
