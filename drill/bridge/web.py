"""The team console in a browser, through textual-serve: nothing to install at the site.

The seat's link (``/console?token=…``) serves textual-serve's page; its socket runs the same
terminal console (``drill join``) as a process on the server, which joins the session over
loopback with the seat's token — given through its environment, never on a command line that
other users of the machine could read.
"""

from __future__ import annotations

import secrets
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from ..i18n import LANGUAGES, t

if TYPE_CHECKING:
    from .server import DrillServer

TICKET_LIFE = 60.0  # seconds a page has to open its console's socket
MAX_WEB_CONSOLES = 40  # each one is a process on the server
SERVE_FILES = Path(textual_serve.__file__).parent


class SeatAppService(AppService):
    """textual-serve's process, with the seat's token in its environment only."""

    def __init__(self, command: str, environment: dict[str, str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.extra_environment = environment

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), **self.extra_environment}


class WebConsoles:
    def __init__(self, server: DrillServer) -> None:
        self.server = server
        self.tickets: dict[str, tuple[str, str, float, str]] = {}  # ticket → (token, who, made at, language)
        self.running = 0
        self.downloads = DownloadManager()

    async def page(self, request: web.Request) -> web.StreamResponse:
        seat = self.server.seats.find(request.query.get("token", ""))
        if seat is None:
            return web.Response(status=403, text=t("bridge.err_token"))
        now = time.monotonic()
        self.tickets = {k: v for k, v in self.tickets.items() if now - v[2] < TICKET_LIFE}
        ticket = secrets.token_urlsafe(24)
        lang = request.query.get("lang", "")
        self.tickets[ticket] = (
            seat.token,
            request.query.get("name", "")[:80],
            now,
            lang if lang in LANGUAGES else "",
        )
        scheme = "wss" if request.secure else "ws"
        context = {
            "font_size": 16,
            # textual-serve's page adds ``?width=…&height=…`` to this address: the ticket goes in the path
            "app_websocket_url": f"{scheme}://{request.host}/console/ws/{ticket}",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": t("bridge.title", seat=seat.name)},
            "ping_url": "",
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
        return response

    async def socket(self, request: web.Request) -> web.StreamResponse:
        if not self.server.origin_allowed(request):
            return web.Response(status=403, text=t("bridge.err_origin"))
        found = self.tickets.pop(request.match_info.get("ticket", ""), None)
        if found is None or time.monotonic() - found[2] > TICKET_LIFE:
            return web.Response(status=403, text=t("bridge.err_token"))
        if self.running >= MAX_WEB_CONSOLES:
            return web.Response(status=503, text=t("bridge.err_busy"))
        token, who, _, lang = found
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        await websocket.prepare(request)
        command = [
            sys.executable,
            "-m",
            "drill",
            *(["--lang", lang] if lang else []),
            "join",
            self.server.public_url,
        ]
        if who:
            command += ["--name", who]
        if self.server.cafile:
            command += ["--cafile", self.server.cafile]
        environment = {"DRILL_TOKEN": token, "DRILL_WEB_CONSOLE": "1"}
        service = SeatAppService(
            shlex.join(command),
            environment,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.downloads,
        )
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        self.running += 1
        try:
            await service.start(width, height)
            async for message in websocket:
                if message.type != web.WSMsgType.TEXT:
                    continue
                try:
                    envelope = message.json()
                except ValueError:
                    continue
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if kind == "stdin" and isinstance(data, str):
                    await service.send_bytes(data.encode("utf-8"))
                elif kind == "resize" and isinstance(data, dict):
                    await service.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await service.blur()
                elif kind == "focus":
                    await service.focus()
        finally:
            self.running -= 1
            await service.stop()
        return websocket


def _int(value: Any, default: int) -> int:
    try:
        return max(10, min(500, int(value)))
    except (TypeError, ValueError):
        return default


def add_routes(app: web.Application, server: DrillServer) -> None:
    consoles = WebConsoles(server)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(SERVE_FILES / "templates"))
    app.router.add_get("/console", consoles.page)
    app.router.add_get("/console/ws/{ticket}", consoles.socket)
    app.router.add_static("/static", SERVE_FILES / "static")
