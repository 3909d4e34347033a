"""The command palette: every action of the drill, and each decision on each node, body, service,
inject, team or stage by name (fuzzy search)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from textual import on, work
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.widgets import Button, Input

from .screens.dialogs import on_top
from .search import score, words

MAX_SCORED = 300  # candidates scored by the fuzzy matcher per keystroke
MAX_HITS = 40  # hits shown: the best, and the palette stays quick to redraw
MIN_FOR_NAMES = 3  # characters typed before nodes, bodies and services are searched too


@dataclass(frozen=True)
class Entry:
    text: str  # what the palette shows and matches: "Isolate: hoan-kiem-ws — Hoan Kiem civil servants' PCs"
    help: str
    run: Callable[[], object]
    general: bool = False  # shown before anything is typed
    search: str = ""  # more to match, folded (search.fold): the words in the other language


def entry(
    text: str, help: str, fn: Callable[..., object], *args: object, general: bool = False, search: str = ""
) -> Entry:
    return Entry(text, help, partial(fn, *args) if args else fn, general, search)


def _subsequence(query: str) -> re.Pattern[str]:
    """A quick first test: the query's characters, in order (what the fuzzy matcher needs too)."""
    return re.compile(".*?".join(re.escape(c) for c in query.lower() if not c.isspace()))


class DrillCommands(Provider):
    """Commands from the app's ``palette_entries``: actions, and decisions on named things."""

    async def startup(self) -> None:
        entries = getattr(self.app, "palette_entries", None)
        self._entries: list[Entry] = list(entries()) if entries else []
        self._lowered = [e.text.lower() for e in self._entries]
        # what is matched: the text shown and the same in the other language, without accents
        self._words = [words(f"{e.text} {e.search}") for e in self._entries]
        self._general = [i for i, e in enumerate(self._entries) if e.general]

    async def discover(self) -> Hits:
        for i in self._general:
            e = self._entries[i]
            yield DiscoveryHit(e.text, e.run, help=e.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        # a letter or two names an action; the names of things take a few more
        pool = range(len(self._entries)) if len(query.strip()) >= MIN_FOR_NAMES else self._general
        typed = words(query)
        # every word typed begins a word, in either language, with or without accents: the best
        found = [(points, i) for i in pool if (points := score(typed, self._words[i]))]
        if found:
            ranked = sorted(
                ((_rank(points, typed, self._entries[i].text), i) for points, i in found),
                key=lambda pair: (-pair[0], pair[1]),
            )
            for rank, i in ranked[:MAX_HITS]:
                e = self._entries[i]
                yield Hit(rank, matcher.highlight(e.text), e.run, text=e.text, help=e.help)
            return
        # else a fuzzy match on what is shown (a typo, letters left out)
        pattern = _subsequence(query)
        candidates = [i for i in pool if pattern.search(self._lowered[i])][:MAX_SCORED]
        scored = sorted(
            ((points, i) for i in candidates if (points := matcher.match(self._entries[i].text)) > 0),
            key=lambda pair: (-pair[0], pair[1]),
        )
        for points, i in scored[:MAX_HITS]:
            e = self._entries[i]
            yield Hit(points, matcher.highlight(e.text), e.run, text=e.text, help=e.help)


def _rank(points: int, typed: tuple[str, ...], text: str) -> float:
    """Between 0.5 and 1: words typed side by side found side by side first, then all found in
    the language shown (not only in the other), then the shorter entry."""
    span = max(1, len(typed))  # the most ``score`` gives: 1 + each pair side by side
    pairs = (points - 1) / max(1, span - 1)
    here = score(typed, words(text)) / span
    return 0.5 + 0.3 * pairs + 0.15 * here + 0.05 / (1 + len(text) / 40)


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
        self._cancel_gather_commands()
        self._stop_no_matches_countdown()
        return super().dismiss(result)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        # keys typed in one burst search as the palette is built or after it closed: its list
        # is not there (yet, or any more), and there is nothing to show the hits in
        if self.answered or not self.query(CommandList):
            return
        with contextlib.suppress(NoMatches):
            await CommandPalette._gather_commands.__wrapped__(self, search_value)  # type: ignore[attr-defined]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        if self.answered or not self.query(CommandList):
            return
        super()._start_no_matches_countdown(search_value)
