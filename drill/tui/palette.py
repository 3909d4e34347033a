"""The command palette: every action of the drill, and each decision on each node, body, service,
inject, team or stage by name (fuzzy search)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual import on
from textual.await_complete import AwaitComplete
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets import Button, Input

from .screens.dialogs import on_top

MAX_SCORED = 300  # candidates scored by the fuzzy matcher per keystroke
MAX_HITS = 40  # hits shown: the best, and the palette stays quick to redraw
MIN_FOR_NAMES = 3  # characters typed before nodes, bodies and services are searched too


@dataclass(frozen=True)
class Entry:
    text: str  # what the palette shows and matches: "Isolate: hoan-kiem-ws — Hoan Kiem civil servants' PCs"
    help: str
    run: Callable[[], object]
    general: bool = False  # shown before anything is typed


def entry(text: str, help: str, fn: Callable[..., object], *args: object, general: bool = False) -> Entry:
    return Entry(text, help, partial(fn, *args) if args else fn, general)


def _subsequence(query: str) -> re.Pattern[str]:
    """A quick first test: the query's characters, in order (what the fuzzy matcher needs too)."""
    return re.compile(".*?".join(re.escape(c) for c in query.lower() if not c.isspace()))


class DrillCommands(Provider):
    """Commands from the app's ``palette_entries``: actions, and decisions on named things."""

    async def startup(self) -> None:
        entries = getattr(self.app, "palette_entries", None)
        self._entries: list[Entry] = list(entries()) if entries else []
        self._lowered = [e.text.lower() for e in self._entries]
        self._general = [i for i, e in enumerate(self._entries) if e.general]

    async def discover(self) -> Hits:
        for i in self._general:
            e = self._entries[i]
            yield DiscoveryHit(e.text, e.run, help=e.help)

    async def search(self, query: str) -> Hits:
        words = query.lower().split()
        # a letter or two names an action; the names of things take a few more
        pool = range(len(self._entries)) if len(query.strip()) >= MIN_FOR_NAMES else self._general
        pattern = _subsequence(query)
        candidates = [i for i in pool if pattern.search(self._lowered[i])]
        if len(candidates) > MAX_SCORED:
            # prefer entries that contain each word as typed
            exact = [i for i in candidates if all(w in self._lowered[i] for w in words)]
            chosen = set(exact)
            candidates = (exact + [i for i in candidates if i not in chosen])[:MAX_SCORED]
        matcher = self.matcher(query)
        scored = sorted(
            ((score, i) for i in candidates if (score := matcher.match(self._entries[i].text)) > 0),
            key=lambda pair: (-pair[0], pair[1]),
        )
        for score, i in scored[:MAX_HITS]:
            e = self._entries[i]
            yield Hit(score, matcher.highlight(e.text), e.run, text=e.text, help=e.help)


class DrillPalette(CommandPalette):
    """Textual's palette, answering once: a second Enter before it has closed would run the
    command twice and then pop the drill's own screen (see ``Dialog``)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.answered = False

    @on(Input.Submitted)
    @on(Button.Pressed)
    def _answered_already(self, event: Input.Submitted | Button.Pressed) -> None:
        """Runs before the palette's own handler (this class comes first), which it then skips."""
        if self.answered or not on_top(self):
            event.stop()
            event.prevent_default()

    def _select_or_command(self, event: Input.Submitted | Button.Pressed | None = None) -> None:
        # the palette calls this directly when an option is chosen: two choices queued before
        # the first closed the palette would each run their command
        if self.answered or not on_top(self):
            return
        super()._select_or_command(event)

    def dismiss(self, result: None = None) -> AwaitComplete:
        if self.answered or not on_top(self):
            return AwaitComplete.nothing()
        self.answered = True
        return super().dismiss(result)
