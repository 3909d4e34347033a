"""A console's side of the session: connect with a token, keep the seat's state, reconnect by
itself when the line drops (or the server is restarted with ``--resume``), and send decisions.

No Textual here: the terminal console, the tests and the benchmark all use this.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from .protocol import MAX_MESSAGE, VERSION, ProtocolError, decode_server, encode

RECONNECT_FIRST = 0.2  # seconds before the first retry; doubled up to RECONNECT_MAX
RECONNECT_MAX = 5.0


def socket_url(url: str) -> str:
    """The session's socket from a join link: http(s)://host:port[/console?…] → ws(s)://host:port/ws."""
    parts = urlsplit(url.strip())
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(url)
    return urlunsplit((scheme, parts.netloc, "/ws", "", ""))


@dataclass
class SeatState:
    """What a console knows: filled by the welcome, then by every message after it."""

    seat: str = ""
    role: str = ""
    team: str | None = None
    scenario: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, dict[str, str]] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    approval: bool = False
    events: dict[int, dict[str, Any]] = field(default_factory=dict)  # seq → {event, text}
    pending: dict[int, dict[str, Any]] = field(default_factory=dict)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # client id → the last answer
    activity: list[dict[str, Any]] = field(default_factory=list)
    consoles: dict[str, int] = field(default_factory=dict)
    clock: dict[str, Any] = field(default_factory=dict)
    refused: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)  # every message, when kept (tests)
    keep_all: bool = False
    welcomes: int = 0

    def fold(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if self.keep_all:
            self.received.append(message)
        if kind == "welcome":
            self.welcomes += 1
            self.seat, self.role, self.team = message["seat"], message["role"], message.get("team")
            self.scenario, self.teams = message.get("scenario", {}), message.get("teams", {})
            self.actions, self.approval = message.get("actions", []), bool(message.get("approval"))
            self.events = {m["event"]["seq"]: m for m in message.get("events", [])}
            self.pending = {p["id"]: p for p in message.get("pending", [])}
            self.consoles = message.get("consoles", {})
            self.clock = {k: message.get(k) for k in ("now", "clock", "paused", "speed", "finished")}
        elif kind == "event":
            self.events[message["event"]["seq"]] = message
        elif kind in ("tick", "pong"):
            self.clock = {k: message.get(k) for k in ("now", "clock", "paused", "speed", "finished")}
        elif kind == "ack":
            self.acks[str(message.get("id", ""))] = message
            if message.get("status") != "pending" and message.get("pending") is not None:
                self.pending.pop(message["pending"], None)
        elif kind == "pending":
            self.pending[message["id"]] = message
        elif kind == "approval":
            self.approval = bool(message.get("approval"))
        elif kind == "activity":
            self.activity.append(message)
            del self.activity[:-200]
            if message.get("what") in ("joined", "left"):
                delta = 1 if message["what"] == "joined" else -1
                self.consoles[message["seat"]] = max(0, self.consoles.get(message["seat"], 0) + delta)
        elif kind == "refused":
            self.refused = message
        elif kind == "error":
            self.errors.append(message)
            del self.errors[:-50]
        elif kind == "tokens":
            self.tokens.append(message)

    def ordered_events(self) -> list[dict[str, Any]]:
        return [self.events[seq] for seq in sorted(self.events)]


class SeatClient:
    """One console's connection. ``run()`` connects and reconnects until ``close()`` or a refusal."""

    def __init__(
        self,
        url: str,
        token: str,
        who: str = "",
        on_change: Callable[[dict[str, Any]], None] | None = None,
        keep_all: bool = False,
        ssl_context: ssl.SSLContext | bool | None = None,
    ) -> None:
        self.url = socket_url(url)
        self.token = token
        self.who = who
        self.state = SeatState(keep_all=keep_all)
        self.on_change = on_change
        self.ssl = ssl_context
        self.connected = asyncio.Event()
        self.closed = False
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._prefix = secrets.token_hex(4)
        self._waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._unsent: dict[str, str] = {}  # decisions not yet answered: sent again on reconnect
        self.sent_at: dict[str, float] = {}
        self.answered_at: dict[str, float] = {}
        self.connections = 0

    async def run(self) -> None:
        delay = RECONNECT_FIRST
        async with aiohttp.ClientSession() as http:
            while not self.closed:
                try:
                    tls = self.ssl if self.ssl is not None else True
                    async with http.ws_connect(self.url, max_msg_size=0, heartbeat=20.0, ssl=tls) as ws:
                        self.ws = ws
                        await ws.send_str(encode("hello", token=self.token, who=self.who))
                        delay = RECONNECT_FIRST
                        await self._receive(ws)
                except (TimeoutError, aiohttp.ClientError, OSError):
                    pass
                finally:
                    self.ws = None
                    self.connected.clear()
                if self.state.refused is not None or self.closed:
                    break
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX)
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError(self.url))

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                message = decode_server(msg.data)
            except (ProtocolError, ValueError):
                continue
            self.state.fold(message)
            kind = message.get("type")
            if kind == "welcome":
                self.connections += 1
                self.connected.set()
                for text in list(self._unsent.values()):  # the server knows them by id: never twice
                    await ws.send_str(text)
            elif kind == "ack":
                self._answered(message)
            if self.on_change:
                self.on_change(message)

    def _answered(self, message: dict[str, Any]) -> None:
        client_id = str(message.get("id", ""))
        self.answered_at.setdefault(client_id, time.perf_counter())
        if message.get("status") == "pending":
            self._unsent.pop(client_id, None)
            return
        self._unsent.pop(client_id, None)
        waiter = self._waiters.pop(client_id, None)
        if waiter and not waiter.done():
            waiter.set_result(message)

    async def close(self) -> None:
        self.closed = True
        if self.ws is not None:
            await self.ws.close()

    # ------------------------------------------------------------ sending
    def new_id(self) -> str:
        return f"{self._prefix}-{next(self._ids)}"

    async def send(self, kind: str, **fields: Any) -> None:
        """Send a message now (dropped if the line is down: decisions use ``request``)."""
        text = encode(kind, **fields)
        if len(text.encode()) > MAX_MESSAGE:
            raise ValueError("too large")
        if self.ws is not None and not self.ws.closed:
            await self.ws.send_str(text)

    async def request(self, kind: str, wait: bool = True, **fields: Any) -> dict[str, Any] | None:
        """Send a decision (``submit``, ``reply``, ``message``) with an id; it is sent again after a
        reconnect until answered, and the server applies it once. ``wait``: return the final answer
        (applied, refused, rejected — a pending decision waits for the facilitator)."""
        client_id = self.new_id()
        text = encode(kind, id=client_id, **fields)
        if len(text.encode()) > MAX_MESSAGE:
            raise ValueError("too large")
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters[client_id] = future
        self._unsent[client_id] = text
        self.sent_at[client_id] = time.perf_counter()
        if self.ws is not None and not self.ws.closed:
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await self.ws.send_str(text)
        if not wait:
            return {"id": client_id}
        return await future

    async def submit(self, command: dict[str, Any], wait: bool = True, **extra: Any) -> dict[str, Any] | None:
        return await self.request("submit", wait=wait, command=command, **extra)


__all__ = ["VERSION", "SeatClient", "SeatState", "socket_url"]
