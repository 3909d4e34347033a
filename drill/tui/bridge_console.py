"""A bridge site's console: a team's (or the facilitator's, observers', projector's) view of a
served drill, in a terminal — and, through textual-serve, in a browser.

The widgets show the seat's state as the client keeps it; every change comes from the server.
"""

from __future__ import annotations

import ssl
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, RichLog, Static

from ..bridge.client import SeatClient
from ..bridge.entry import EntryError, parse
from ..bridge.figures import seat_knowledge, team_figures
from ..bridge.visibility import FACILITATOR, TEAM
from ..i18n import get_language, t
from ..model.evidence import PROCEDURE_NAMES
from ..narration import command_text, one_line
from ..team_view import team_lines
from .screens.findings import STYLE

SIDE_ALERTS = 8
SIDE_ACTIVITY = 10


class ConsoleScreen(Screen[None]):
    """A seat's console on a screen: the standalone console's only screen, and the bridge screen
    of the facilitator's live console (where Escape goes back to the drill)."""

    DEFAULT_CSS = """
    ConsoleScreen #top { height: 1; background: $primary-darken-2; color: $text; padding: 0 1; }
    ConsoleScreen #main { height: 1fr; }
    ConsoleScreen #feed { width: 2fr; border: round $primary; }
    ConsoleScreen #side { width: 1fr; border: round $secondary; padding: 0 1; }
    ConsoleScreen #answer { height: 2; padding: 0 1; }
    """

    def __init__(self, client: SeatClient, url: str, lang: str | None = None, closable: bool = False) -> None:
        super().__init__()
        self.client = client
        self.url = url
        self._lang = lang
        self.closable = closable
        self.ready = False  # composed: messages can be shown
        self.shown = -1  # the last event sequence number written to the feed
        self.sent: dict[str, str] = {}  # a decision's id → the line that entered it
        if closable:
            self._bindings.bind("escape", "close", t("bridge.back_to_drill"))

    @property
    def lang(self) -> str:
        """The console's own language, or the app's (which ``l`` switches in the live console)."""
        return self._lang or get_language()

    def compose(self) -> ComposeResult:
        yield Static(t("bridge.connecting", self.lang, url=self.url), id="top")
        with Horizontal(id="main"):
            yield RichLog(id="feed", wrap=True, markup=False)
            with VerticalScroll(id="side"):
                yield Static("", id="panel")
                yield Static("", id="knowledge")
        yield Static("", id="answer")
        yield Input(placeholder=t("bridge.input_placeholder", self.lang), id="entry")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#feed", RichLog).border_title = t("bridge.feed", self.lang)
        self.query_one("#entry", Input).focus()
        self.set_interval(0.5, self.refresh_top)
        self.ready = True
        if self.client.state.welcomes:  # opened on a console already connected: its state so far
            self.on_server({"type": "welcome"})

    def on_unmount(self) -> None:
        self.ready = False

    def action_close(self) -> None:
        # its widgets go before it does: a tick or a message on its way meanwhile shows nothing
        self.ready = False
        self.dismiss(None)

    # ------------------------------------------------------------ from the server
    @property
    def showing(self) -> bool:
        """Composed and not closing (when the app quits, the widgets go before the screen does)."""
        return self.ready and bool(self.query("#top"))

    def on_server(self, message: dict[str, Any]) -> None:
        if not self.showing:
            return  # mounting shows the whole state so far
        kind = message.get("type")
        state = self.client.state
        if kind == "welcome":
            self.query_one("#feed", RichLog).clear()
            self.shown = -1
            self.title = t("bridge.title", self.lang, seat=state.seat)
            placeholder = (
                "bridge.facilitator_placeholder" if state.role == FACILITATOR else "bridge.input_placeholder"
            )
            self.query_one("#entry", Input).placeholder = t(placeholder, self.lang)
            self.query_one("#side").border_title = self._seat_name()
            feed = "bridge.feed_facilitator" if state.role == FACILITATOR else "bridge.feed"
            self.query_one("#feed", RichLog).border_title = t(feed, self.lang)
            for m in state.ordered_events():
                self._feed(m)
        elif kind == "event":
            self._feed(message)
        elif kind == "ack":
            self._answer(message)
        elif kind in ("refused", "error"):
            self._say(str(message.get("text", {}).get(self.lang, message.get("code", ""))))
        elif kind == "links":
            feed = self.query_one("#feed", RichLog)
            for item in message.get("links", []):
                feed.write(Text(f"{item['seat']}: {item['link']}", style="bold"))
        elif kind == "tokens":
            self._say(t("bridge.new_token", self.lang, seat=message["seat"], link=message["link"]))
        if kind != "tick":
            self.refresh_panel()
        self.refresh_top()

    def _seat_name(self) -> str:
        state = self.client.state
        if state.team and state.team in state.teams:
            return state.teams[state.team].get(self.lang, state.team)
        return t(f"bridge.seat_{state.role}", self.lang) if state.role else ""

    def _feed(self, message: dict[str, Any]) -> None:
        e = message["event"]
        if e["seq"] <= self.shown:
            return
        self.shown = e["seq"]
        minutes = int(float(e["t"]))
        line = Text(f"T+{minutes // 60:02d}:{minutes % 60:02d} ", style="dim")
        line.append(one_line(str(message["text"].get(self.lang, ""))))
        body = e.get("data", {}).get("text") if e["kind"] == "inject" else None
        if body:  # what the caller, the mail or the news says: the inject itself
            words = (
                body.get(self.lang) or next(iter(body.values()), "") if isinstance(body, dict) else str(body)
            )
            line.append("\n      " + str(words).strip(), style="italic")
        self.query_one("#feed", RichLog).write(line)

    def _answer(self, message: dict[str, Any]) -> None:
        status = message.get("status")
        reason = message.get("reason") or ""
        if isinstance(reason, dict):
            reason = reason.get(self.lang, "")
        line = self.sent.get(str(message.get("id", "")), "")
        if not line and message.get("pending") is not None:  # the facilitator decided a team's
            line = f"#{message['pending']} {message.get('seat') or ''}".strip()
        if status == "applied":
            self._say(t("bridge.applied", self.lang, command=line))
        elif status == "pending":
            self._say(t("bridge.waiting", self.lang, pending=message.get("pending"), command=line))
        elif status == "rejected":
            self._say(t("bridge.rejected", self.lang, reason=reason))
        else:
            self._say(t("bridge.refused", self.lang, reason=reason))

    def _say(self, text: str) -> None:
        self.query_one("#answer", Static).update(Text(text))

    def refresh_top(self) -> None:
        if not self.showing:
            return
        state = self.client.state
        clock = state.clock or {}
        if not self.client.connected.is_set():
            status = (
                str(state.refused.get("text", {}).get(self.lang, ""))
                if state.refused
                else t(
                    "bridge.reconnecting" if state.welcomes else "bridge.connecting", self.lang, url=self.url
                )
            )
        elif clock.get("finished"):
            status = t("bridge.finished", self.lang)
        elif clock.get("paused"):
            status = t("bridge.paused", self.lang)
        else:
            status = t("bridge.running", self.lang, speed=f"{clock.get('speed', 0):g}")
        text = f"{self._seat_name()} · {(clock.get('clock') or {}).get(self.lang, '')} · {status}"
        self.query_one("#top", Static).update(Text(text))

    def refresh_panel(self) -> None:
        state = self.client.state
        lines: list[str] = []
        if state.role == TEAM:
            lines.append(t("bridge.approval_on" if state.approval else "bridge.approval_off", self.lang))
        figures = team_figures(state.ordered_events(), state.team, self.lang)
        if state.role != FACILITATOR:
            lines.append(t("bridge.queue", self.lang, queued=figures.queued))
            lines.append(
                t("bridge.services_down", self.lang, services=", ".join(figures.services_down))
                if figures.services_down
                else t("bridge.no_services_down", self.lang)
            )
            lines.append("")
            lines.append(t("bridge.alerts", self.lang))
            shown = figures.alerts[-SIDE_ALERTS:]
            lines += [f"· {one_line(text)}" for _, text in shown] or [t("bridge.no_alerts", self.lang)]
        if state.pending:
            lines += ["", t("bridge.pending", self.lang)]
            for p in state.pending.values():
                words = command_text(p.get("command", {}), self.lang)
                lines.append(
                    t("bridge.pending_line", self.lang, id=p["id"], seat=p.get("seat", ""), command=words)
                )
        if state.role == FACILITATOR:
            connected = ", ".join(f"{name} {n}" for name, n in state.consoles.items() if n)
            lines += [
                "",
                t("bridge.consoles", self.lang, list=connected or "—"),
                "",
                t("bridge.activity", self.lang),
            ]
            for a in state.activity[-SIDE_ACTIVITY:]:
                record = a.get("command")
                detail = command_text(record, self.lang) if record else ""
                status = a.get("status")
                detail = f"{detail} ({self._word('status', status)})" if status else detail
                lines.append(
                    t(
                        "bridge.activity_line",
                        self.lang,
                        seat=a["seat"],
                        who=a["who"],
                        what=self._word("did", a["what"]),
                        detail=detail,
                    )
                )
        self.query_one("#panel", Static).update(Text("\n".join(lines)))
        self.query_one("#knowledge", Static).update(self._knowledge())

    def _word(self, kind: str, code: object) -> str:
        """A code of the protocol's (joined, applied …) in the console's language; one this drill
        does not know (a newer server's) as it came."""
        key = f"bridge.{kind}_{code}"
        words = t(key, self.lang)
        return str(code) if words == key else words

    def _knowledge(self) -> Text:
        """What the team knows — machines held and suspected, techniques and accounts, its
        investigations and their artefacts — folded from the events this console received."""
        state = self.client.state
        if state.role != TEAM or not state.team:
            return Text("")
        known = seat_knowledge(state.ordered_events(), state.team)
        out = Text("\n")
        for style, line in team_lines(self._seat_name(), known, self.lang):
            out.append(line + "\n", style=STYLE.get(style, ""))
        return out

    # ------------------------------------------------------------ to the server
    async def on_input_submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        event.input.value = ""
        if not line:
            return
        state = self.client.state
        try:
            kind, fields = parse(line, state.role or TEAM)
        except EntryError as exc:
            self._say(t("bridge.bad_entry", self.lang, problem=t(exc.key, self.lang, **exc.values)))
            return
        if kind == "help":
            key = "bridge.help_facilitator" if state.role == FACILITATOR else "bridge.help_team"
            procedures = ", ".join(PROCEDURE_NAMES)
            self._say(t(key, self.lang, actions=", ".join(state.actions), procedures=procedures))
            return
        if kind in ("submit", "reply", "message"):
            sent = await self.client.request(kind, wait=False, **fields)
            if sent:
                self.sent[sent["id"]] = line
        else:
            await self.client.send(kind, **fields)

    async def action_quit(self) -> None:
        await self.app.action_quit()


class ConsoleApp(App[int]):
    """A seat's console on its own (``drill join``, and each browser tab)."""

    BINDINGS = [Binding("ctrl+q", "quit", "quit")]

    def __init__(
        self, url: str, token: str, who: str = "", cafile: str | None = None, lang: str = "en"
    ) -> None:
        super().__init__()
        self.lang = lang
        self.url = url
        context: ssl.SSLContext | None = ssl.create_default_context(cafile=cafile) if cafile else None
        self.client = SeatClient(url, token, who=who, on_change=self.on_server, ssl_context=context)
        self.seat_screen = ConsoleScreen(self.client, url, lang)

    def get_default_screen(self) -> ConsoleScreen:
        return self.seat_screen

    def on_mount(self) -> None:
        self.run_worker(self._connect(), exclusive=True)

    async def _connect(self) -> None:
        await self.client.run()
        self.seat_screen.refresh_top()

    def on_server(self, message: dict[str, Any]) -> None:
        self.seat_screen.on_server(message)

    async def action_quit(self) -> None:
        await self.client.close()
        self.exit(0)
