"""Small modal dialogs: confirm, ask for a line of text, pick one of many (with a filter), and the
feed's filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from textual import events, on
from textual.app import ComposeResult, ScreenStackError
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from ...i18n import t
from ..search import score, words

R = TypeVar("R")


class Dialog(ModalScreen[R]):
    """A modal that answers once. Textual's ``dismiss`` pops whatever screen is on top, so a second
    Enter that arrives before the first one's pop (keys come in batches from a terminal) would
    answer twice and then pop the screen below — the drill itself. Here only the first answer of
    the dialog on top counts; the rest are dropped."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.answered = False
        self.ready = False  # the entry has the focus: keys go to it
        self.typed_ahead: list[events.Key] = []

    def dismiss(self, result: R | None = None) -> AwaitComplete:
        if self.answered or not on_top(self):
            return AwaitComplete.nothing()
        self.answered = True
        return super().dismiss(result)

    def on_mount(self) -> None:
        # runs after the dialog's own on_mount: one without an entry drops what was typed ahead
        if not self.ready:
            self.ready = True
            self.typed_ahead.clear()

    def on_key(self, event: events.Key) -> None:
        """Keys that reach the dialog before its entry has the focus: kept for the entry."""
        if not self.ready:
            self.typed_ahead.append(event)
            event.stop()
            event.prevent_default()

    def catch_stray_key(self, event: events.Key) -> bool:
        """A key typed ahead, sent to the screen below before this dialog opened, comes back to
        the app unhandled: give it to the entry (nothing else types letters here). True when
        taken."""
        if not (event.key in ("enter", "backspace") or (event.is_printable and event.character)):
            return False
        if not self.ready:
            self.typed_ahead.append(event)
            return True
        entry = self.entry()
        if entry is None:
            return False
        self._type(entry, event)
        return True

    def entry(self) -> Input | LinesArea | None:
        """The line the dialog reads (None: a dialog of buttons)."""
        return None

    def take_focus(self, entry: Input | LinesArea) -> None:
        """Focus the entry and give it what was typed ahead (Enter among it answers)."""
        entry.focus()
        self.ready = True
        pending, self.typed_ahead = self.typed_ahead, []
        for key in pending:
            if self._type(entry, key):
                return

    def _type(self, entry: Input | LinesArea, key: events.Key) -> bool:
        """One key into the entry; True when it answered the dialog."""
        if key.key == "enter":
            self.submit_now(entry.value)
            return True
        if key.key == "backspace":
            entry.action_delete_left()
        elif key.is_printable and key.character:
            entry.insert_text_at_cursor(key.character)
        return False

    def submit_now(self, text: str) -> None:
        """Answer with what the entry holds (each dialog with an entry says how)."""


def on_top(screen: Screen[object]) -> bool:
    """Whether ``screen`` is the one the keys go to now."""
    try:
        return screen.app.screen is screen
    except ScreenStackError:
        return False


class ConfirmScreen(Dialog[bool]):
    """Yes or no."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", show=False),
        Binding("y", "answer(True)", show=False),
    ]

    def __init__(self, question: str, detail: str = "", default_yes: bool = False) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.detail = detail
        self.default_yes = default_yes  # Enter says yes (a decision); else no (quitting)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-title")
            if self.detail:
                yield Label(self.detail, classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("tui.yes_key"), id="yes", variant="error", action="screen.answer(True)")
                yield Button(t("tui.no_key"), id="no", variant="primary", action="screen.answer(False)")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default_yes else "#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class LinesArea(TextArea):
    """Text of several lines (a note, a message to the players): a paste keeps every line, Enter
    answers the dialog, ctrl+j starts a new line."""

    BINDINGS = [
        Binding("enter", "submit", show=False, priority=True),
        Binding("ctrl+j", "newline", show=False, priority=True),
    ]

    class Submitted(Message):
        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    @property
    def value(self) -> str:
        return self.text

    def insert_text_at_cursor(self, text: str) -> None:
        self.insert(text)

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self.text))

    def action_newline(self) -> None:
        self.insert("\n")


class AskScreen(Dialog[str | None]):
    """A line of text (a duration, a time), or a few lines (a note, a free inject); with
    ``check``, a wrong entry is said under it and the dialog stays, with what was typed."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(
        self,
        title: str,
        placeholder: str = "",
        value: str = "",
        hint: str = "",
        check: Callable[[str], str] | None = None,
        lines: bool = False,
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.hint = hint
        self.check = check
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            if self.lines:
                yield LinesArea(self.value, id="ask-input", soft_wrap=True, show_line_numbers=False)
            else:
                yield Input(value=self.value, placeholder=self.placeholder, id="ask-input")
            yield Label("", id="ask-error", classes="dialog-error")
            hint = self.hint or t("tui.ask_hint_lines" if self.lines else "tui.ask_hint")
            yield Label(hint, classes="dialog-detail")

    def on_mount(self) -> None:
        entry = self.entry()
        assert entry is not None
        if self.lines:
            cast(LinesArea, entry).move_cursor(cast(LinesArea, entry).document.end)
        self.take_focus(entry)

    def entry(self) -> Input | LinesArea | None:
        return self.query_one("#ask-input")  # type: ignore[return-value]

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.submit_now(event.value)

    @on(LinesArea.Submitted)
    def _lines_submitted(self, event: LinesArea.Submitted) -> None:
        self.submit_now(event.value)

    def submit_now(self, text: str) -> None:
        text = text.strip()
        if text and self.check is not None:
            problem = self.check(text)
            if problem:
                error = self.query_one("#ask-error", Label)
                error.update(problem)
                error.display = True
                return  # the entry keeps what was typed, to be put right
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    search: str = ""  # extra words to match (ids, names in both languages)


class PickScreen(Dialog[str | None]):
    """One of many, narrowed by typing; with ``free``, Enter on no match returns the typed text
    (an unknown name is then refused by the drill with the nearest valid ones)."""

    BINDINGS = [
        Binding("escape", "cancel", show=False),
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
    ]
    LIMIT = 300  # options shown at once; typing narrows the rest

    def __init__(self, title: str, choices: list[Choice], free: bool = False) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.choices = choices
        self.free = free
        self._query = ""
        # what typing matches: id, label and the other language's words, without accents
        self._hay = [words(f"{c.value} {c.label} {c.search}") for c in choices]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box pick-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=t("tui.pick_filter"), id="pick-input")
            yield OptionList(id="pick-list")
            yield Label(t("tui.pick_hint_free") if self.free else t("tui.pick_hint"), classes="dialog-detail")

    def on_mount(self) -> None:
        self._fill("")
        self.take_focus(self.query_one(Input))

    def entry(self) -> Input | None:
        return self.query_one("#pick-input", Input)

    def _fill(self, query: str) -> None:
        self._query = query
        typed = words(query)
        scored = [(-points, i) for i, hay in enumerate(self._hay) if (points := score(typed, hay))]
        scored.sort()  # the best first, then in the list's own order
        shown = [Option(self.choices[i].label, id=self.choices[i].value) for _, i in scored[: self.LIMIT]]
        option_list = self.query_one(OptionList)
        option_list.set_options(shown)
        if shown:
            option_list.highlighted = 0

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.submit_now(event.value)

    def submit_now(self, text: str) -> None:
        if text != self._query:
            self._fill(text)  # typed ahead: the list has not been narrowed yet
        option_list = self.query_one(OptionList)
        option = option_list.highlighted_option
        if option is not None and option.id is not None:
            self.dismiss(option.id)
        elif self.free and text.strip():
            self.dismiss(text.strip())

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_move(self, by: int) -> None:
        option_list = self.query_one(OptionList)
        if option_list.option_count:
            now = option_list.highlighted if option_list.highlighted is not None else -by
            option_list.highlighted = max(0, min(option_list.option_count - 1, now + by))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class FeedFilter:
    """What the event feed shows: a kind of event, a body, a least severity ("" = all)."""

    category: str = ""
    site: str = ""
    severity: str = "info"

    @property
    def active(self) -> bool:
        return bool(self.category or self.site or self.severity != "info")


class FilterScreen(Dialog[FeedFilter | None]):
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(
        self,
        current: FeedFilter,
        categories: list[tuple[str, str]],
        sites: list[tuple[str, str]],
        severities: list[tuple[str, str]],
    ) -> None:
        super().__init__(classes="dialog")
        self.current = current
        self.categories = categories
        self.sites = sites
        self.severities = severities

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(t("tui.filter_title"), classes="dialog-title")
            yield Label(t("tui.filter_kind"))
            yield Select(
                [(label, value) for value, label in self.categories],
                value=self.current.category or Select.NULL,
                prompt=t("tui.filter_all"),
                id="filter-kind",
            )
            yield Label(t("tui.filter_body"))
            yield Select(
                [(label, value) for value, label in self.sites],
                value=self.current.site or Select.NULL,
                prompt=t("tui.filter_all_bodies"),
                id="filter-site",
            )
            yield Label(t("tui.filter_severity"))
            yield Select(
                [(label, value) for value, label in self.severities],
                value=self.current.severity,
                allow_blank=False,
                id="filter-severity",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    t("tui.filter_apply"), variant="primary", action="screen.apply", id="filter-apply"
                )
                yield Button(t("tui.filter_clear"), action="screen.clear", id="filter-clear")

    def _value(self, selector: str) -> str:
        value = self.query_one(selector, Select).value
        return "" if value is Select.NULL or value is None else str(value)

    def action_apply(self) -> None:
        self.dismiss(
            FeedFilter(
                self._value("#filter-kind"),
                self._value("#filter-site"),
                self._value("#filter-severity") or "info",
            )
        )

    def action_clear(self) -> None:
        self.dismiss(FeedFilter())

    def action_cancel(self) -> None:
        self.dismiss(None)
