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
        if shown and shown == last:
            return
        last = shown
