"""The network panel with Hanoi's 584 wards, communes and townships: grouped under their district,
shown for the districts that are opened (z), selected, or where something happens, found by name
from the palette."""

from __future__ import annotations

from textual.command import CommandInput, CommandList
from tui_helpers import settle_palette, sync

from drill.tui.search import fold
from drill.tui.widgets.network import NetworkMap

SIZE = (120, 40)


def _open(network: NetworkMap) -> dict[str, list[str]]:
    return {g[3:]: sites for g, sites in network.groups() if g.startswith("of:")}


def _lines(network: NetworkMap) -> list[str]:
    return [network._group_name(str(p)) for kind, p, _ in network._lines if kind == "group"]


@sync
async def test_wards_sit_under_their_district_and_open_with_z(live):
    app = live(at=10)
    async with app.run_test(size=SIZE) as pilot:
        network = app.screen.query_one(NetworkMap)
        city = app.scenario.city
        # the drill's unit is Hoàn Kiếm: its 18 wards are shown, no other district's
        assert list(_open(network)) == ["hoan-kiem"]
        assert _open(network)["hoan-kiem"] == [
            s for s, site in city.sites.items() if site.parent == "hoan-kiem"
        ]
        assert len(_open(network)["hoan-kiem"]) == 18
        top = [s for g, sites in network.groups() if not g.startswith("of:") for s in sites]
        assert not any(city.sites[s].parent for s in top)  # no ward among the top groups
        assert "Wards, communes, townships · z: show a district's" in _lines(network)
        network.focus()
        network.choose("dong-anh")  # a district selected shows its own
        await pilot.pause()
        assert list(_open(network)) == ["dong-anh"] and len(_open(network)["dong-anh"]) == 24
        assert "Wards, communes and townships of Dong Anh District" in _lines(network)
        await pilot.press("z")  # closed
        await pilot.pause()
        assert _open(network) == {}
        network.choose("ba-vi")
        await pilot.pause()
        assert list(_open(network)) == ["ba-vi"]
        await pilot.press("right")  # on to Chương Mỹ, its own shown; Ba Vì's no more
        await pilot.pause()
        assert list(_open(network)) == ["chuong-my"]
        network.choose("dong-anh")  # Đông Anh, closed by hand, stays closed when selected again
        await pilot.pause()
        assert _open(network) == {}
        await pilot.press("z")  # … until opened
        await pilot.pause()
        assert list(_open(network)) == ["dong-anh"]
        network.choose("dong-anh-xuan-non")  # and stays open for its wards and communes
        await pilot.pause()
        assert list(_open(network)) == ["dong-anh"]


@sync
async def test_a_district_with_something_happening_in_a_commune_opens_by_itself(live):
    app = live(at=30, scenario="grassroots-commune-drill", seed=15)
    async with app.run_test(size=SIZE) as pilot:
        app.selection.site = "so-y-te"
        network = app.screen.query_one(NetworkMap)
        network.refresh_view(force=True)
        await pilot.pause()
        assert "ba-vi" in _open(network)  # Tản Lĩnh's desk is held: it shows, though not selected
        network.focus()
        network.choose("ba-vi")
        await pilot.press("z")  # asked to close, it stays while something is happening there
        await pilot.pause()
        assert "ba-vi" in _open(network)


@sync
async def test_the_palette_finds_a_commune_by_name_and_shows_it(live):
    app = live(at=10)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        app.screen.query_one(CommandInput).value = "show xuan non"
        await settle_palette(pilot)
        hits = [str(o.prompt).split("\n")[0] for o in app.screen.query_one(CommandList).options]
        assert fold(hits[0]).startswith("show: xuan non commune (dong-anh-xuan-non)"), hits[:3]
        await pilot.press("enter")
        await pilot.pause()
        network = app.screen.query_one(NetworkMap)
        assert app.selection.site == "dong-anh-xuan-non"
        assert "dong-anh" in _open(network)
        assert network.cursor == "dong-anh-xuan-non"
