"""The key bindings of each screen, in one table: the footer, the help, the command palette and the
README's key list all read it, so a key and its description never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from ..i18n import t


@dataclass(frozen=True)
class Key:
    id: str  # the action (``app.<id>``), the binding id and the description key ``tui.key_<id>``
    keys: str  # Textual key names, comma-separated
    show: bool = False  # shown in the footer whatever has the focus
    display: str | None = None  # how the footer and the README write the key
    group: str = "view"  # the help's topic: clock, msel, decisions, red, view (replay: play, jump)

    @property
    def action(self) -> str:
        return f"app.{self.id}"


_PAGES = (
    Key("page('network')", "1", display="1"),
    Key("page('body')", "2", display="2"),
    Key("page('feed')", "3", display="3"),
    Key("page('metrics')", "4", display="4"),
    Key("page('msel')", "5", display="5"),
)
_HELP = Key("help", "question_mark", True, "?")  # first: the footer always has room for it

LIVE: tuple[Key, ...] = (
    _HELP,
    Key("play_pause", "space", True, "space", "clock"),
    Key("faster", "plus,equals_sign", True, "+", "clock"),
    Key("slower", "minus", True, "-", "clock"),
    Key("step", "full_stop", display=".", group="clock"),
    Key("next_inject", "j", display="j", group="clock"),
    Key("deliver", "d", display="d", group="msel"),
    Key("skip", "x", display="x", group="msel"),
    Key("delay", "w", display="w", group="msel"),
    Key("free_inject", "t", display="t", group="msel"),
    Key("mark", "k", display="k", group="msel"),
    Key("note", "n", display="n", group="msel"),
    Key("isolate", "i", display="i", group="decisions"),
    Key("reconnect", "u", display="u", group="decisions"),
    Key("cut_link", "c", display="c", group="decisions"),
    Key("restore_link", "C", display="C", group="decisions"),
    Key("block_trust", "b", display="b", group="decisions"),
    Key("reimage", "r", display="r", group="decisions"),
    Key("restore", "R", display="R", group="decisions"),
    Key("patch", "P", display="P", group="decisions"),
    Key("offline", "o", display="o", group="decisions"),
    Key("online", "O", display="O", group="decisions"),
    Key("escalate", "e", display="e", group="decisions"),
    Key("report", "p", display="p", group="decisions"),
    Key("communicate", "m", display="m", group="decisions"),
    Key("investigate", "I", display="I", group="decisions"),
    Key("compromise", "A", display="A", group="red"),
    Key("start_stage", "S", display="S", group="red"),
    Key("ddos", "D", display="D", group="red"),
    Key("summary", "s", display="s"),
    Key("findings", "K", display="K"),
    Key("lens", "T", display="T"),
    Key("bridge", "B", display="B"),
    Key("players", "v", display="v"),
    Key("language", "l", display="l"),
    Key("filter", "f", display="f"),
    *_PAGES,
    Key("quit", "q", True, "q"),
)

REPLAY: tuple[Key, ...] = (
    _HELP,
    Key("play_pause", "space", True, "space", "play"),
    Key("faster", "plus,equals_sign", True, "+", "play"),
    Key("slower", "minus", True, "-", "play"),
    Key("step_forward", "full_stop", True, ".", "play"),
    Key("step_back", "comma", True, ",", "play"),
    Key("seek", "g", True, "g", "play"),
    Key("seek_start", "home", display="Home", group="play"),
    Key("seek_end", "end", display="End", group="play"),
    Key("jump('inject', True)", "i", True, "i", "jump"),
    Key("jump('inject', False)", "I", display="I", group="jump"),
    Key("jump('decision', True)", "d", display="d", group="jump"),
    Key("jump('decision', False)", "D", display="D", group="jump"),
    Key("jump('note', True)", "n", display="n", group="jump"),
    Key("jump('note', False)", "N", display="N", group="jump"),
    Key("jump('detection', True)", "a", display="a", group="jump"),
    Key("jump('detection', False)", "A", display="A", group="jump"),
    Key("summary", "s", display="s"),
    Key("findings", "K", display="K"),
    Key("lens", "T", display="T"),
    Key("players", "v", display="v"),
    Key("language", "l", True, "l"),
    Key("filter", "f", display="f"),
    *_PAGES,
    Key("quit", "q", True, "q"),
)

PLAYERS: tuple[Key, ...] = (
    _HELP,
    Key("play_pause", "space", True, "space", "clock"),
    Key("faster", "plus,equals_sign", True, "+", "clock"),
    Key("slower", "minus", True, "-", "clock"),
    Key("players", "v", True, "v"),
    Key("language", "l", True, "l"),
    Key("quit", "q", True, "q"),
)

FOLLOW: tuple[Key, ...] = (
    _HELP,
    Key("language", "l", True, "l"),
    Key("quit", "q", True, "q"),
)

# The keys the footer shows besides those always shown, by the panel that has the focus: what a
# facilitator does there. (Every key works from everywhere; the footer has room for a few.)
CONTEXT: dict[str, tuple[str, ...]] = {
    "": ("step", "next_inject", "isolate", "note", "players"),
    "network": ("isolate", "cut_link", "note", "players", "filter"),
    "detail": ("isolate", "reconnect", "reimage", "restore", "patch", "offline"),
    "feed": ("filter", "note", "step", "next_inject"),
    "metrics": ("step", "next_inject", "note"),
    "msel": ("deliver", "skip", "delay", "mark", "free_inject", "note"),
}
REPLAY_CONTEXT: dict[str, tuple[str, ...]] = {
    "": ("jump('inject', True)",),
    "feed": ("filter", "jump('inject', True)"),
}
# the help's topics, in order
GROUPS: tuple[str, ...] = ("clock", "play", "jump", "msel", "decisions", "red", "view")


def description_key(key: Key) -> str:
    name = key.id
    if name.startswith("page("):
        return "tui.key_page_" + name[6:-2]
    if name.startswith("jump("):
        kind, forward = name[5:-1].split(", ")
        return f"tui.key_{'next' if forward == 'True' else 'prev'}_{kind.strip(chr(39))}"
    return f"tui.key_{name}"


def binding_id(key: Key) -> str:
    """``page('feed')`` → ``page-feed``, ``jump('inject', False)`` → ``jump-inject-False``."""
    return "-".join(
        part for part in key.id.replace("'", "").replace(")", "").replace(" ", "").split("(") if part
    ).replace(",", "-")


def bindings(table: tuple[Key, ...], lang: str | None = None, context: tuple[str, ...] = ()) -> list[Binding]:
    """Textual bindings for a screen, described in ``lang``; the footer shows the keys marked
    ``show`` and those of ``context`` (the focused panel's), in the table's order but ``q``
    last. Tab and Shift+Tab keep moving the focus (a screen's own bindings would replace them)."""
    shown = [k for k in table if k.show or k.id in context]
    quit_keys = [k for k in shown if k.id == "quit"]
    order = [k for k in shown if k.id != "quit"] + quit_keys + [k for k in table if k not in shown]
    return [
        Binding(
            k.keys,
            k.action,
            t(description_key(k), lang),
            show=k in shown,
            key_display=k.display if k.display and k.display != k.keys else None,
            id=binding_id(k),
        )
        for k in order
    ] + [
        Binding("tab", "app.focus_next", t("tui.key_focus_next", lang), show=False),
        Binding("shift+tab", "app.focus_previous", t("tui.key_focus_previous", lang), show=False),
    ]


def shown_key(k: Key) -> str:
    """How the help and the README write a key."""
    if k.keys == "plus,equals_sign":
        return "+ / ="
    return k.display or k.keys


def grouped(table: tuple[Key, ...]) -> list[tuple[str, list[Key]]]:
    """The keys by the help's topics, in order."""
    out = []
    for group in GROUPS:
        members = [k for k in table if k.group == group]
        if members:
            out.append((group, members))
    return out


def key_table(table: tuple[Key, ...], lang: str | None = None) -> str:
    """The bindings as a Markdown table (for the README)."""
    rows = [
        f"| {t('tui.help_key', lang)} | {t('tui.help_action', lang)} |",
        "| --- | --- |",
    ]
    for k in table:
        rows.append(f"| `{shown_key(k)}` | {t(description_key(k), lang)} |")
    return "\n".join(rows)
