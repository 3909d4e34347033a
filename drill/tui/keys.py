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
    show: bool = False  # shown in the footer
    display: str | None = None  # how the footer and the README write the key

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

LIVE: tuple[Key, ...] = (
    Key("play_pause", "space", True, "space"),
    Key("faster", "plus,equals_sign", True, "+"),
    Key("slower", "minus", True, "-"),
    Key("step", "full_stop", True, "."),
    Key("next_inject", "j", True, "j"),
    Key("deliver", "d", display="d"),
    Key("skip", "x", display="x"),
    Key("delay", "w", display="w"),
    Key("free_inject", "t", display="t"),
    Key("mark", "k", display="k"),
    Key("note", "n", display="n"),
    Key("isolate", "i", True, "i"),
    Key("reconnect", "u", display="u"),
    Key("cut_link", "c", display="c"),
    Key("restore_link", "C", display="C"),
    Key("block_trust", "b", display="b"),
    Key("reimage", "r", display="r"),
    Key("restore", "R", display="R"),
    Key("patch", "P", display="P"),
    Key("offline", "o", display="o"),
    Key("online", "O", display="O"),
    Key("escalate", "e", display="e"),
    Key("report", "p", display="p"),
    Key("communicate", "m", display="m"),
    Key("compromise", "A", display="A"),
    Key("start_stage", "S", display="S"),
    Key("ddos", "D", display="D"),
    Key("players", "v", True, "v"),
    Key("language", "l", True, "l"),
    Key("filter", "f", display="f"),
    *_PAGES,
    Key("help", "question_mark", display="?"),
    Key("quit", "q", True, "q"),
)

REPLAY: tuple[Key, ...] = (
    Key("play_pause", "space", True, "space"),
    Key("faster", "plus,equals_sign", True, "+"),
    Key("slower", "minus", True, "-"),
    Key("step_forward", "full_stop", True, "."),
    Key("step_back", "comma", True, ","),
    Key("jump('inject', True)", "i", True, "i"),
    Key("jump('inject', False)", "I", display="I"),
    Key("jump('decision', True)", "d", display="d"),
    Key("jump('decision', False)", "D", display="D"),
    Key("jump('note', True)", "n", display="n"),
    Key("jump('note', False)", "N", display="N"),
    Key("jump('detection', True)", "a", display="a"),
    Key("jump('detection', False)", "A", display="A"),
    Key("seek", "g", True, "g"),
    Key("seek_start", "home", display="Home"),
    Key("seek_end", "end", display="End"),
    Key("players", "v", display="v"),
    Key("language", "l", True, "l"),
    Key("filter", "f", display="f"),
    *_PAGES,
    Key("help", "question_mark", display="?"),
    Key("quit", "q", True, "q"),
)

PLAYERS: tuple[Key, ...] = (
    Key("players", "v", True, "v"),
    Key("language", "l", True, "l"),
    Key("quit", "q", True, "q"),
)

FOLLOW: tuple[Key, ...] = (
    Key("language", "l", True, "l"),
    Key("quit", "q", True, "q"),
)


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


def bindings(table: tuple[Key, ...], lang: str | None = None) -> list[Binding]:
    """Textual bindings for a screen, described in ``lang``."""
    return [
        Binding(
            k.keys,
            k.action,
            t(description_key(k), lang),
            show=k.show,
            key_display=k.display if k.display and k.display != k.keys else None,
            id=binding_id(k),
        )
        for k in table
    ]


def key_table(table: tuple[Key, ...], lang: str | None = None) -> str:
    """The bindings as a Markdown table (for the README and the help)."""
    rows = [
        f"| {t('tui.help_key', lang)} | {t('tui.help_action', lang)} |",
        "| --- | --- |",
    ]
    for k in table:
        shown = k.display or k.keys
        if k.keys == "plus,equals_sign":
            shown = "+ / ="
        rows.append(f"| `{shown}` | {t(description_key(k), lang)} |")
    return "\n".join(rows)
