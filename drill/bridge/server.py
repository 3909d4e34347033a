"""The drill server: one session, its log, and the consoles of every seat (aiohttp).

One event loop applies every command in the order it arrives, at the current drill time, and
records it — the same rule as the live drill, with many doors. Each console has its own bounded
outbox: a console that stops reading is dropped (it rejoins and gets its state back), never waited
for, so one slow or hostile client cannot hold the others up.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from pydantic import ValidationError

from ..diagnostics import DrillError
from ..engine import events as ev
from ..engine.commands import PLAYER_ACTIONS, Command
from ..engine.events import Event, text_record
from ..i18n import LANGUAGES, t
from ..narration import clock_text, describe
from ..pacing import Pacer
from ..session import Session
from .pending import Pending, pending_file, read_pending, write_pending
from .protocol import FACILITATOR_TYPES, HELLO_TIMEOUT, MAX_MESSAGE, ProtocolError, decode, encode
from .seats import Seat, Seats
from .visibility import FACILITATOR, TEAM, public_record, sees

SEND_BUFFER = 256 * 1024  # bytes the system holds for one console: bounded, so a stalled one shows
OUTBOX = 5000  # messages queued for one console before it is dropped as too slow
SEND_TIMEOUT = 10.0  # seconds one message may take to leave before the console is dropped
RATE = 20.0  # messages a second a console may send, on average …
BURST = 60.0  # … and at once
STRIKES = 200  # messages over the rate before the console is dropped
MAX_CONNECTIONS = 400  # consoles and handshakes at once; more are refused at the door
TICK = 0.05  # seconds between slices of drill time
TICK_NOTICE = 0.5  # seconds between clock messages to the consoles
TEAM_FIELDS = frozenset({"action", "target", "service", "to", "text", "inject", "procedure", "account"})
MAX_DONE = 20000  # answers kept to recognise a decision sent again after a reconnect


@dataclass
class Console:
    """One connected console."""

    ws: web.WebSocketResponse
    seat: Seat
    who: str
    outbox: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(OUTBOX))
    tokens: float = BURST
    last: float = field(default_factory=time.monotonic)
    strikes: int = 0
    dropped: bool = False
    transport: Any = None  # the connection under the socket, cut when a close cannot be said

    def push(self, text: str) -> None:
        if self.dropped:
            return
        try:
            self.outbox.put_nowait(text)
        except asyncio.QueueFull:
            self.drop()

    def drop(self, last: str = "") -> None:
        """Stop serving this console (too slow, revoked, abusive): its writer says ``last`` (if
        anything) and closes the socket. What was still queued goes: it gets the whole state
        again when it rejoins."""
        if self.dropped:
            return
        self.dropped = True
        while not self.outbox.empty():
            self.outbox.get_nowait()
        if last:
            self.outbox.put_nowait(last)
        self.outbox.put_nowait("")

    def cut(self) -> None:
        # a transport that is closing still waits to flush what the console never reads: abort
        if self.transport is not None:
            self.transport.abort()

    def allow(self) -> bool:
        """A token bucket: RATE messages a second on average, BURST at once."""
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.last) * RATE)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.strikes += 1
        return False


class DrillServer:
    """Serves one session to the seats' consoles."""

    def __init__(
        self,
        session: Session,
        seats: Seats,
        *,
        speed: float = 60.0,
        running: bool = True,
        approval: set[str] | None = None,
        seats_path: Path | None = None,
        origins: tuple[str, ...] = (),
        web_console: bool = True,
        cafile: str | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.session = session
        self.scenario = session.scenario
        self.seats = seats
        # the drill's clock: the server's own, or the facilitator's live console's when it is
        # attached (that console then advances the drill, and both read and set the same clock)
        self.drives_clock = pacer is None
        self.pacer = pacer if pacer is not None else Pacer(speed)
        if pacer is None and running:
            self.pacer.start()
        self.approval = set(approval or ())
        self.seats_path = seats_path
        self.origins = origins
        self.web_console = web_console
        self.cafile = cafile  # for the browser consoles' processes, to trust the server's certificate
        self.consoles: list[Console] = []
        self.handshakes = 0
        self.pending: dict[int, Pending] = {}
        self.next_pending = 1
        self.done: dict[tuple[str, str], dict[str, Any]] = {}
        self._answered_in_log()
        self._load_pending()
        self._texts: dict[tuple[int, bool], dict[str, str]] = {}
        self.port = 0
        self.public_url = ""
        self.session.listeners.append(self._on_event)
        self._clock_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ what a console receives
    def _text(self, event: Event, public: bool) -> dict[str, str]:
        key = (event.seq, public)
        text = self._texts.get(key)
        if text is None:
            text = {lang: describe(event, self.scenario, lang, public=public) for lang in LANGUAGES}
            self._texts[key] = text
        return text

    def event_message(self, event: Event, seat: Seat) -> dict[str, Any]:
        public = seat.role != FACILITATOR
        return {"event": public_record(event, seat.role, seat.team), "text": self._text(event, public)}

    def _on_event(self, event: Event) -> None:
        for console in self.consoles:
            if sees(console.seat.role, console.seat.team, event):
                console.push(encode("event", **self.event_message(event, console.seat)))

    def attach_clock(self, pacer: Pacer) -> None:
        """Share the facilitator's live console's clock: it advances the drill from now on, and a
        pause or a speed set here or there is the same one."""
        self.pacer = pacer
        self.drives_clock = False

    @property
    def paused(self) -> bool:
        return not self.pacer.running

    @property
    def speed(self) -> float:
        return self.pacer.speed

    def clock(self) -> dict[str, Any]:
        now = self.session.now
        return {
            "now": now,
            "clock": {lang: clock_text(self.scenario, now, lang) for lang in LANGUAGES},
            "paused": self.paused,
            "speed": self.speed,
            "finished": self.session.finished,
        }

    def welcome(self, seat: Seat) -> str:
        events = [
            self.event_message(e, seat) for e in self.session.sim.events if sees(seat.role, seat.team, e)
        ]
        teams = {tid: _both(team.name, tid) for tid, team in self.scenario.spec.teams.items()}
        pending = [
            p.record() for p in self.pending.values() if seat.role == FACILITATOR or p.seat == seat.name
        ]
        return encode(
            "welcome",
            seat=seat.name,
            role=seat.role,
            team=seat.team,
            scenario={
                "id": self.scenario.id,
                "name": _both(getattr(self.scenario.spec, "name", None), self.scenario.id),
            },
            teams=teams,
            actions=list(PLAYER_ACTIONS),
            approval=seat.name in self.approval,
            events=events,
            pending=pending,
            consoles=self._console_counts() if seat.role == FACILITATOR else {},
            **self.clock(),
        )

    # ------------------------------------------------------------ what outlives the process
    def _answered_in_log(self) -> None:
        """The answers to the decisions the log already holds (a drill resumed): each command
        entered at a console carries the console's id for it, so one sent again after a restart
        gets its answer instead of a second application."""
        for event in self.session.sim.events:
            if event.kind not in (ev.COMMAND, ev.COMMAND_REFUSED):
                continue
            record = event.data.get("command")
            name = record.get("ref") if isinstance(record, dict) else None
            if not isinstance(name, str) or "/" not in name:
                continue
            seat, client_id = name.split("/", 1)
            answer: dict[str, Any] = {"id": client_id, "seq": event.seq}
            if record.get("action") not in PLAYER_ACTIONS and seat in self.scenario.spec.teams:
                # a team enters only decisions: a note that names its decision is the rejection
                answer |= {"status": "rejected", "reason": record.get("text", "")}
            elif event.kind == ev.COMMAND_REFUSED:
                answer |= {"status": "refused", "reason": event.data.get("reason", "")}
            else:
                answer |= {"status": "applied", "now": event.t}
            self._remember(seat, client_id, answer)

    def _load_pending(self) -> None:
        """The decisions that were waiting when the process stopped (none for a new drill: its log
        is new, and so is the file beside it)."""
        if self.session.log_path is None:
            return
        pending, self.next_pending = read_pending(pending_file(self.session.log_path))
        # approved or rejected just before a crash: in the log, no longer waiting
        self.pending = {n: p for n, p in pending.items() if (p.seat, p.client_id) not in self.done}
        if len(self.pending) != len(pending):
            self._save_pending()

    def _save_pending(self) -> None:
        if self.session.log_path is None:
            return
        with contextlib.suppress(DrillError):  # a full disk: they still wait here, and the drill goes on
            write_pending(pending_file(self.session.log_path), self.pending, self.next_pending)

    def _remember(self, seat: str, client_id: str, answer: dict[str, Any]) -> None:
        if len(self.done) >= MAX_DONE:
            self.done.pop(next(iter(self.done)))
        self.done[(seat, client_id)] = answer

    def _console_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.seats.seats, 0)
        for c in self.consoles:
            counts[c.seat.name] = counts.get(c.seat.name, 0) + 1
        return counts

    def _to_seat(self, name: str, text: str) -> None:
        for c in self.consoles:
            if c.seat.name == name:
                c.push(text)

    def _to_facilitators(self, text: str, but: Console | None = None) -> None:
        for c in self.consoles:
            if c.seat.role == FACILITATOR and c is not but:
                c.push(text)

    def _to_all(self, text: str) -> None:
        for c in self.consoles:
            c.push(text)

    def _activity(self, seat: str, who: str, what: str, but: Console | None = None, **fields: Any) -> None:
        self._to_facilitators(
            encode("activity", seat=seat, who=who, what=what, now=self.session.now, **fields), but
        )

    # ------------------------------------------------------------ the web application
    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE)
        app.router.add_get("/", self.handle_index)
        app.router.add_get("/ws", self.handle_ws)
        if self.web_console:
            from .web import add_routes

            add_routes(app, self)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_startup(self, app: web.Application) -> None:
        self._clock_task = asyncio.create_task(self._clock())

    async def _on_shutdown(self, app: web.Application) -> None:
        if self._clock_task:
            self._clock_task.cancel()
        for c in list(self.consoles):
            c.drop()
            with contextlib.suppress(Exception):
                await c.ws.close()

    async def handle_index(self, request: web.Request) -> web.Response:
        return web.Response(text=t("bridge.index"), content_type="text/plain")

    def origin_allowed(self, request: web.Request) -> bool:
        """A browser says where the page that opens a socket came from: only this server's own
        pages (or the origins given) may open one; programs that say nothing are let through to
        the token check."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        return bool(parts.netloc) and parts.netloc == request.host

    async def handle_ws(self, request: web.Request) -> web.StreamResponse:
        if not self.origin_allowed(request):
            return web.Response(status=403, text=t("bridge.err_origin"))
        if len(self.consoles) + self.handshakes >= MAX_CONNECTIONS:
            return web.Response(status=503, text=t("bridge.err_busy"))
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE, heartbeat=20.0)
        _bound_send_buffer(request)
        self.handshakes += 1
        try:
            await ws.prepare(request)
            hello = await self._hello(ws)
        finally:
            self.handshakes -= 1
        if hello is None:
            return ws
        seat, who = hello
        console = Console(ws, seat, who, transport=request.transport)
        self.consoles.append(console)
        writer = asyncio.create_task(self._writer(console))
        console.push(self.welcome(seat))  # which counts this console already
        self._activity(seat.name, who, "joined", but=console)
        try:
            await self._read(console)
        finally:
            console.drop()
            if console in self.consoles:
                self.consoles.remove(console)
            self._activity(seat.name, who, "left")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, SEND_TIMEOUT)
            writer.cancel()
            with contextlib.suppress(Exception):
                await ws.close()
        return ws

    async def _hello(self, ws: web.WebSocketResponse) -> tuple[Seat, str] | None:
        """The first message must be a hello with a valid token, within HELLO_TIMEOUT seconds;
        anything else gets a refusal and the door closes."""
        try:
            msg = await ws.receive(timeout=HELLO_TIMEOUT)
        except TimeoutError:
            await self._refuse(ws, "timeout")
            return None
        if msg.type != WSMsgType.TEXT:
            await self._refuse(ws, "not_json")
            return None
        try:
            message = decode(msg.data)
        except ProtocolError as exc:
            await self._refuse(ws, exc.code)
            return None
        seat = self.seats.find(message.get("token")) if message.get("type") == "hello" else None
        if seat is None:
            await self._refuse(ws, "token")
            return None
        who = message.get("who")
        who = who.strip()[:80] if isinstance(who, str) and who.strip() else seat.name
        return seat, who

    async def _refuse(self, ws: web.WebSocketResponse, code: str) -> None:
        with contextlib.suppress(Exception):
            await ws.send_str(encode("refused", code=code, text=self._words(f"bridge.err_{code}")))
            await ws.close(code=4001 if code == "token" else 4000)

    @staticmethod
    def _words(key: str, **values: Any) -> dict[str, str]:
        return {lang: t(key, lang, **values) for lang in LANGUAGES}

    async def _writer(self, console: Console) -> None:
        while True:
            text = await console.outbox.get()
            if not text:
                break
            try:
                await asyncio.wait_for(console.ws.send_str(text), SEND_TIMEOUT)
            except Exception:  # too slow, or gone
                console.drop()
                console.cut()
                return
        # the closing words, and a cut if they are not taken in time (a close can wait for ever
        # on a console that reads nothing)
        timer = asyncio.get_running_loop().call_later(SEND_TIMEOUT, console.cut)
        try:
            await console.ws.close()
        except Exception:
            console.cut()
        finally:
            timer.cancel()

    async def _read(self, console: Console) -> None:
        async for msg in console.ws:
            if console.dropped:
                break
            if msg.type != WSMsgType.TEXT:
                if msg.type == WSMsgType.ERROR:
                    break
                continue
            if not console.allow():
                if console.strikes >= STRIKES:
                    break
                if console.strikes == 1 or console.strikes % 50 == 0:
                    console.push(encode("error", code="rate", text=self._words("bridge.err_rate")))
                continue
            try:
                message = decode(msg.data)
                self.handle(console, message)
            except ProtocolError as exc:
                console.push(encode("error", code=exc.code, text=self._words(f"bridge.err_{exc.code}")))

    # ------------------------------------------------------------ what a console asks
    def handle(self, console: Console, message: dict[str, Any]) -> None:
        kind = message["type"]
        seat = console.seat
        if kind in FACILITATOR_TYPES and seat.role != FACILITATOR:
            raise ProtocolError("not_allowed")
        handler: Callable[[Console, dict[str, Any]], None] = getattr(self, "on_" + kind)
        handler(console, message)

    def on_hello(self, console: Console, message: dict[str, Any]) -> None:
        console.push(self.welcome(console.seat))  # asked again: the whole state again

    def on_ping(self, console: Console, message: dict[str, Any]) -> None:
        console.push(encode("pong", data=str(message.get("data", ""))[:64], **self.clock()))

    def on_submit(self, console: Console, message: dict[str, Any]) -> None:
        self._decision(console, message, message.get("command"))

    def on_reply(self, console: Console, message: dict[str, Any]) -> None:
        """A reply to an inject: a notification to the white cell that names the inject."""
        fields = {"action": "notify", "inject": message.get("inject"), "text": message.get("text")}
        self._decision(console, message, fields, reply=True)

    def _decision(self, console: Console, message: dict[str, Any], fields: Any, reply: bool = False) -> None:
        seat = console.seat
        client_id = str(message.get("id", ""))[:64]
        if self._answered_before(console, client_id):
            return
        command, problem = self._command(console, message, fields, client_id)
        if command is None:
            self._answer(console, client_id, {"status": "refused", "reason": problem})
            return
        if seat.role == TEAM and not reply and seat.name in self.approval:
            pending = Pending(self.next_pending, seat.name, client_id, command, self.session.now)
            self.next_pending += 1
            self.pending[pending.id] = pending
            self._save_pending()
            self._answer(console, client_id, {"status": "pending", "pending": pending.id}, remember=False)
            self._to_facilitators(encode("pending", **pending.record()))
            self._activity(seat.name, console.who, "submitted", command=command.record(), status="pending")
            return
        answer = self._apply(command)
        self._answer(console, client_id, answer)
        self._activity(seat.name, console.who, "submitted", command=command.record(), status=answer["status"])

    def _answered_before(self, console: Console, client_id: str) -> bool:
        """A decision sent again (after a reconnect, or a restart of the server): its answer again."""
        if not client_id:
            return False
        key = (console.seat.name, client_id)
        if key in self.done:
            console.push(encode("ack", **self.done[key]))
            return True
        for p in self.pending.values():
            if (p.seat, p.client_id) == key:  # still waiting: one wait, not two
                console.push(encode("ack", id=client_id, status="pending", pending=p.id))
                return True
        return False

    def _command(
        self, console: Console, message: dict[str, Any], fields: Any, client_id: str = ""
    ) -> tuple[Command | None, Any]:
        seat = console.seat
        if seat.role not in (TEAM, FACILITATOR):
            return None, self._words("bridge.err_read_only")
        if not isinstance(fields, dict):
            return None, self._words("bridge.err_no_command")
        fields = {k: v for k, v in fields.items() if v is not None}
        if seat.role == TEAM:
            extra = sorted(set(fields) - TEAM_FIELDS)
            if extra or fields.get("action") not in PLAYER_ACTIONS:
                return None, self._words("bridge.err_not_a_decision", action=str(fields.get("action"))[:40])
            fields |= {"by": seat.name, "source": "player", "entered_by": console.who}
        else:
            as_team = message.get("as")
            if as_team:  # the facilitator takes a team's seat
                if as_team not in self.scenario.spec.teams or fields.get("action") not in PLAYER_ACTIONS:
                    return None, self._words(
                        "bridge.err_not_a_decision", action=str(fields.get("action"))[:40]
                    )
                fields |= {"by": as_team, "source": "player", "entered_by": console.who}
            else:
                fields.setdefault(
                    "source", "facilitator" if fields.get("action") not in PLAYER_ACTIONS else "player"
                )
                fields.setdefault("entered_by", console.who)
        fields.pop("ref", None)  # the server's to give: one made up could answer for another decision
        if client_id:
            fields["ref"] = ref(seat.name, client_id)
        try:
            return Command.model_validate(fields), None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            return None, self._words(
                "bridge.err_bad_command", where=where, problem=str(first.get("msg", ""))[:200]
            )

    def _apply(self, command: Command) -> dict[str, Any]:
        try:
            event = self.session.apply(command)
        except DrillError as exc:
            return {"status": "refused", "reason": {lang: exc.message for lang in LANGUAGES}}
        if event.kind == ev.COMMAND_REFUSED:
            return {"status": "refused", "seq": event.seq, "reason": event.data.get("reason", "")}
        return {"status": "applied", "seq": event.seq, "now": event.t}

    def _answer(
        self, console: Console, client_id: str, answer: dict[str, Any], remember: bool = True
    ) -> None:
        answer = {"id": client_id, **answer}
        if client_id and remember:
            self._remember(console.seat.name, client_id, answer)
        console.push(encode("ack", **answer))

    # ------------------------------------------------------------ the facilitator's
    def on_approve(self, console: Console, message: dict[str, Any]) -> None:
        pending = self.pending.pop(_int(message.get("pending")), None)
        if pending is None:
            raise ProtocolError("no_pending")
        answer = {"id": pending.client_id, **self._apply(pending.command), "pending": pending.id}
        self._save_pending()
        self._decided(pending, answer, console.who)

    def on_reject(self, console: Console, message: dict[str, Any]) -> None:
        pending = self.pending.pop(_int(message.get("pending")), None)
        if pending is None:
            raise ProtocolError("no_pending")
        reason = str(message.get("reason") or "")[:500]
        record = pending.command.record()
        text = {
            lang: t("bridge.rejected_note", lang, team=pending.seat, action=record["action"], reason=reason)
            for lang in LANGUAGES
        }
        # the note names the team's decision, so a restarted server still knows it was answered
        answered = ref(pending.seat, pending.client_id) if pending.client_id else None
        self._apply(
            Command(action="note", text=text, source="facilitator", entered_by=console.who, ref=answered)
        )
        self._save_pending()
        answer = {"id": pending.client_id, "status": "rejected", "pending": pending.id, "reason": reason}
        self._decided(pending, answer, console.who)

    def _decided(self, pending: Pending, answer: dict[str, Any], who: str) -> None:
        if pending.client_id:
            self._remember(pending.seat, pending.client_id, answer)
        text = encode("ack", **answer)
        self._to_seat(pending.seat, text)
        for c in self.consoles:
            if c.seat.role == FACILITATOR and c.seat.name != pending.seat:
                c.push(text)
        self._activity(pending.seat, who, "decided", status=answer["status"], pending=pending.id)

    def on_pause(self, console: Console, message: dict[str, Any]) -> None:
        self.pacer.pause()
        self.clock_changed()

    def on_run(self, console: Console, message: dict[str, Any]) -> None:
        if not self.pacer.running and not self.session.finished:
            self.pacer.start()
        self.clock_changed()

    def clock_changed(self) -> None:
        """Tell every console at once that the clock started, stopped or changed speed."""
        self._to_all(encode("tick", **self.clock()))

    def on_speed(self, console: Console, message: dict[str, Any]) -> None:
        speed = message.get("speed")
        if not isinstance(speed, int | float) or not 1 <= speed <= 3600:
            raise ProtocolError("bad_speed")
        self.pacer.speed = float(speed)
        self.clock_changed()

    def on_end(self, console: Console, message: dict[str, Any]) -> None:
        self.session.sim.finish()
        self.session.sync()
        self.clock_changed()

    def on_message(self, console: Console, message: dict[str, Any]) -> None:
        """A word to one team (or everyone): an inject of the facilitator's, in the log."""
        team = message.get("team") or None
        if team is not None and team not in self.scenario.spec.teams:
            raise ProtocolError("no_team")
        text = message.get("text")
        if not isinstance(text, str | dict) or not text:
            raise ProtocolError("no_text")
        client_id = str(message.get("id", ""))[:64]
        if self._answered_before(console, client_id):
            return
        command = Command(
            action="free-inject",
            text=text,
            to=team,
            source="facilitator",
            entered_by=console.who,
            ref=ref(console.seat.name, client_id) if client_id else None,
        )
        self._answer(console, client_id, self._apply(command))

    def on_links(self, console: Console, message: dict[str, Any]) -> None:
        """Every seat's link again, for the facilitator whose console hides what serve printed."""
        console.push(
            encode("links", links=[{"seat": n, "link": self.link(s)} for n, s in self.seats.seats.items()])
        )

    def on_approval(self, console: Console, message: dict[str, Any]) -> None:
        team = message.get("team")
        if team not in self.scenario.spec.teams:
            raise ProtocolError("no_team")
        if message.get("on"):
            self.approval.add(team)
        else:
            self.approval.discard(team)
        self._to_seat(team, encode("approval", approval=team in self.approval))

    def on_revoke(self, console: Console, message: dict[str, Any]) -> None:
        name = message.get("seat")
        if name not in self.seats.seats or name == console.seat.name:
            raise ProtocolError("no_seat")
        seat = self.seats.revoke(name)
        if self.seats_path:
            self.seats.save(self.seats_path)
        for c in list(self.consoles):
            if c.seat.name == name:
                c.drop(last=encode("refused", code="revoked", text=self._words("bridge.err_revoked")))
        console.push(encode("tokens", seat=name, token=seat.token, link=self.link(seat)))

    # ------------------------------------------------------------ the clock
    async def _clock(self) -> None:
        loop = asyncio.get_running_loop()
        noticed = 0.0
        synced = loop.time()
        while True:
            await asyncio.sleep(TICK)
            now = loop.time()
            if self.drives_clock and not self.session.finished:
                # at most a second's worth at once: a stalled machine does not leap the drill ahead
                self.session.advance(min(self.pacer.due(), self.pacer.speed / 60.0))
            if now - noticed >= TICK_NOTICE:
                noticed = now
                self._to_all(encode("tick", **self.clock()))
            if now - synced >= 1.0:
                synced = now
                self.session.sync()

    # ------------------------------------------------------------ links
    def link(self, seat: Seat) -> str:
        return f"{self.public_url}/console?token={seat.token}"


def _bound_send_buffer(request: web.Request) -> None:
    """Left to itself the system lets a console's unsent data grow to megabytes; bounded, a
    console that stops reading fills its outbox and is dropped instead of holding memory."""
    sock = request.transport.get_extra_info("socket") if request.transport else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)


def _both(text: Any, default: str) -> dict[str, str]:
    """A scenario's bilingual name as ``{en, vi}`` (its id where it has none)."""
    record = text_record(text)
    if isinstance(record, str):
        return dict.fromkeys(LANGUAGES, record or default)
    return {lang: record.get(lang) or default for lang in LANGUAGES}


def ref(seat: str, client_id: str) -> str:
    """A decision's name in the log: the seat and the console's id for it (no seat name has a /)."""
    return f"{seat}/{client_id}"


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), bound before the server starts
    so its links can be printed — and its address known — before any event loop runs."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def address(server: DrillServer, host: str, sock: socket.socket, tls: bool) -> None:
    """Where consoles find ``server``: its port and public URL, read back from its socket."""
    server.port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    server.public_url = f"{'https' if tls else 'http'}://{shown}:{server.port}"


async def start(
    server: DrillServer,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None = None,
    sock: socket.socket | None = None,
) -> web.AppRunner:
    """Serve on ``host:port`` (port 0: any free port, read back into ``server.port``), or on a
    socket already listening there."""
    if sock is None:
        sock = listen(host, port)
    address(server, host, sock, ssl_context is not None)
    runner = web.AppRunner(server.app(), access_log=None, handle_signals=False)
    await runner.setup()
    await web.SockSite(runner, sock, ssl_context=ssl_context).start()
    return runner
