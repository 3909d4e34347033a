"""Finding a body and its actions the way a facilitator types: with or without accents, in
either language, whichever language the console shows."""

from __future__ import annotations

import pytest
from textual.command import CommandInput, CommandList
from textual.widgets import Input, OptionList
from tui_helpers import settle_palette, sync

from drill.tui.screens.dialogs import PickScreen
from drill.tui.search import fold

SIZE = (120, 40)


def test_folding_drops_accents_and_case():
    assert fold("Đống Đa") == "dong da"
    assert fold("  Cô lập   Quận Hoàn Kiếm ") == "co lap quan hoan kiem"
    assert fold("dong da") == "dong da"


QUERIES = ["dong da", "Đống Đa", "đống đa", "DONG DA"]


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("query", QUERIES)
@sync
async def test_a_picker_finds_a_body_however_it_is_typed(live, lang, query):
    app = live(at=60, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        app.selection.site = app.selection.node = None
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        app.screen.query_one(Input).value = query
        await pilot.pause()
        shown = [o.id for o in app.screen.query_one(OptionList)._options]
        # the body and its machines first (a name with both words apart comes after)
        assert shown[:6] == [
            "site:dong-da",
            *(f"node:{n}" for n in app.scenario.city.nodes_by_site["dong-da"]),
        ]


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("query", ["co lap dong da", "cô lập đống đa", "isolate dong da", "isolate Đống Đa"])
@sync
async def test_the_palette_finds_an_action_in_either_language(live, lang, query):
    app = live(at=60, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        app.screen.query_one(CommandInput).value = query
        await settle_palette(pilot)
        hits = [str(o.prompt).split("\n")[0] for o in app.screen.query_one(CommandList).options]
        top = fold(hits[0])
        assert top.startswith(fold("Isolate: Dong Da" if lang == "en" else "Cô lập: Quận Đống Đa")), hits[:3]
        await pilot.press("enter")
        await pilot.pause()
        isolated = [
            n for n in app.scenario.city.nodes_by_site["dong-da"] if app.session.sim.nodes[n].isolated
        ]
        assert isolated == list(app.scenario.city.nodes_by_site["dong-da"])
