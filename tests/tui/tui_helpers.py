"""Running a Pilot from a plain test function (no async plugin needed)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

WALL = datetime(2025, 3, 4, 9, 30)  # the wall clock every test's header shows


def sync(fn: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Run an ``async def`` test body to completion in its own event loop."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return run


async def settle_palette(pilot: Any, timeout: float = 5.0) -> None:
    """Wait until the command palette has shown its hits and they stop changing."""
    from textual.command import CommandList

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    last = None
    while loop.time() < end:
        await pilot.pause(0.05)
        lists = pilot.app.screen.query(CommandList)
        shown = [str(o.prompt) for o in lists.first().options] if lists else []
        gathering = any(w.is_running and w.name == "_gather_commands" for w in pilot.app.workers)
        if shown and shown == last and not gathering:
            return
        last = shown


def export_svg_256(app: Any) -> str:
    """The screen as a terminal of 256 colours shows it (tmux's default, macOS Terminal): each
    colour replaced by the nearest of the 256, as Rich does when it writes to such a terminal."""
    import io

    from rich.color import ColorSystem
    from rich.console import Console
    from rich.segment import Segment, Segments
    from rich.style import Style

    width, height = app.size

    def console(record: bool) -> Console:
        return Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=record,
            legacy_windows=False,
            safe_box=False,
        )

    def down(style: Style | None) -> Style | None:
        if style is None:
            return None
        color = style.color.downgrade(ColorSystem.EIGHT_BIT) if style.color else None
        bgcolor = style.bgcolor.downgrade(ColorSystem.EIGHT_BIT) if style.bgcolor else None
        return style + Style(color=color, bgcolor=bgcolor)

    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    segments = [Segment(s.text, down(s.style), s.control) for s in console(False).render(update)]
    out = console(True)
    out.print(Segments(segments))
    return out.export_svg(title=app.title)


def dialog_text(app: Any) -> str:
    """The words inside the dialog on top (between its thick borders), its lines joined."""
    inner = [line.split("█")[1] for line in app.export_text().splitlines() if line.count("█") >= 2]
    return " ".join(" ".join(inner).split())


async def until(pilot: Any, holds: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Let the app run until ``holds()`` is true (the footer and other widgets refresh on a later
    tick, later still on a loaded machine); return whether it became true within ``timeout``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not holds():
        if loop.time() >= end:
            return False
        await pilot.pause(0.02)
    return True
