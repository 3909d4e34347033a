"""The facilitator's live console of a served drill (``drill serve`` without ``--headless``).

The bridge server runs in this app's event loop and shares its clock: the facilitator plays the
whole drill here with every key of the live console, while the sites' consoles submit decisions to
the same session. ``B`` opens the bridge screen — the facilitator's seat: who is connected, what
they did, the decisions waiting for approval, links and tokens — and Escape comes back.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from typing import Any

from aiohttp import web

from ..bridge.client import SeatClient
from ..bridge.server import DrillServer, start
from ..i18n import t
from ..narration import command_text, name_of
from ..session import Session
from .bridge_console import ConsoleScreen
from .live import LiveApp


class ServedLiveApp(LiveApp):
    def __init__(
        self,
        session: Session,
        server: DrillServer,
        sock: socket.socket,
        *,
        host: str,
        ssl_context: ssl.SSLContext | None = None,
        cafile: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(session, **options)
        self.server = server
        server.attach_clock(self.pacer)
        self._sock = sock
        self._host = host
        self._ssl = ssl_context
        self._cafile = cafile
        self._runner: web.AppRunner | None = None
        self._announced = (self.pacer.running, self.pacer.speed)
        self.client: SeatClient | None = None

    async def on_mount(self) -> None:
        self._runner = await start(self.server, self._host, 0, self._ssl, sock=self._sock)
        context = ssl.create_default_context(cafile=self._cafile) if self._cafile else None
        self.client = SeatClient(
            self.server.public_url,
            self.server.seats.seats["facilitator"].token,
            who=t("bridge.facilitator"),
            on_change=self.on_server,
            ssl_context=context,
        )
        self.run_worker(self.client.run(), group="bridge")
        self.notify(t("bridge.served_notice", url=self.server.public_url), timeout=10)

    async def on_unmount(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _tick(self) -> None:
        super()._tick()
        # the clock started, stopped or changed speed (here, or from a facilitator's console
        # elsewhere): every console hears it at once, and this screen shows it
        state = (self.pacer.running, self.pacer.speed)
        if state != self._announced:
            self._announced = state
            self.server.clock_changed()
            self.clock_moved()

    def consoles(self) -> list[ConsoleScreen]:
        return [s for s in self.screen_stack if isinstance(s, ConsoleScreen)]

    def on_server(self, message: dict[str, Any]) -> None:
        """A message to the facilitator's seat: shown on the bridge screen if it is open; a
        decision waiting for approval is announced wherever the facilitator is."""
        for screen in self.consoles():
            screen.on_server(message)
        if message.get("type") == "pending" and not self.consoles():
            team = name_of(self.scenario, "team", str(message.get("seat", "")))
            command = command_text(message.get("command", {}), None)
            self.notify(
                t("bridge.pending_notice", id=message.get("id"), team=team, command=command),
                severity="warning",
                timeout=20,
            )

    def action_bridge(self) -> None:
        """The bridge screen: the sites' consoles, their activity, decisions to approve, links."""
        if self.client is None or self.consoles():
            return
        self.clear_notifications()  # the waiting decisions they announced are listed there
        self.push_screen(ConsoleScreen(self.client, self.server.public_url, closable=True))
