"""What the screen says through colour and glyphs: a state's colour survives a terminal of 256
colours and the selection, and the map says what its glyphs mean."""

from __future__ import annotations

from rich.color import ColorSystem
from tui_helpers import sync

from drill.engine.commands import Command
from drill.tui.widgets.network import NetworkMap

# states a facilitator must tell apart at a glance, by group (a group may share a colour)
GROUPS = {
    "harm": ("encrypted", "wiped", "defaced"),
    "attacker": ("foothold", "privileged"),
    "leak": ("exfiltrating",),
    "flood": ("overloaded",),
    "isolated": ("isolated",),
    "offline": ("offline",),
    "cleaned": ("cleaned", "restored"),
}


def _bg_256(style) -> str:
    """The background a terminal of 256 colours shows."""
    return style.bgcolor.downgrade(ColorSystem.EIGHT_BIT).get_truecolor().hex


@sync
async def test_each_state_has_its_own_colour_on_a_terminal_of_256_colours(live):
    app = live()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        network = app.screen.query_one(NetworkMap)
        clean = _bg_256(network._style("tile--clean"))
        panel = _bg_256(network.rich_style)
        seen: dict[str, str] = {}
        for group, states in GROUPS.items():
            colours = {_bg_256(network._style(f"tile--{s}")) for s in states}
            assert len(colours) == 1, group
            (colour,) = colours
            assert colour not in (clean, panel), group
            assert colour not in seen.values(), (group, seen)
            seen[group] = colour


@sync
async def test_the_selected_body_keeps_its_colour(live):
    app = live(at=10)
    app.session.apply(Command(action="isolate", target={"site": "hoan-kiem"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        network = app.screen.query_one(NetworkMap)
        assert network.has_focus and network.cursor == app.selection.site == "hoan-kiem"
        isolated = network._style("tile--isolated").bgcolor
        row = network._render_row(network._line_of["hoan-kiem"])
        tile = next(s for s in row if "Hoan Kiem" in s.text)
        assert tile.style.bgcolor == isolated and not tile.style.reverse
        assert tile.style.bold
        marker = row._segments[row._segments.index(tile) - 1]
        assert marker.text == "▶"  # the cursor is marked beside the tile, not by its colour
        await pilot.press("escape")  # nothing else changes when the map loses the focus
        network.blur()
        await pilot.pause()
        row = network._render_row(network._line_of["hoan-kiem"])
        tile = next(s for s in row if "Hoan Kiem" in s.text)
        assert tile.style.bgcolor == isolated


@sync
async def test_the_map_says_what_its_glyphs_mean(live):
    app = live()
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        border = str(app.screen.query_one(NetworkMap).border_subtitle)
        for glyph, word in (("✖", "damaged"), ("●", "compromised"), ("■", "isolated"), ("✓", "cleaned")):
            assert f"{glyph} {word}" in border
        assert "≈ flooded" in border and "⚙ being worked on" in border
    app = live()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        border = str(app.screen.query_one(NetworkMap).border_subtitle)
        assert border.startswith("✖ damaged") and border.endswith("? for all")  # the rest in the help
        assert len(border) <= 80
