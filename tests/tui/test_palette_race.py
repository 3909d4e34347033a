"""Keys posted in one burst (a terminal's typing-ahead) open the palette and type into it at once:
its search, run as the palette is still being built or already closed, never fails the drill."""

from __future__ import annotations

import pytest
from test_soak import _key
from tui_helpers import sync

BURSTS = [
    ["escape", "5", "right", "ctrl+p", "j"],
    ["ctrl+p", "j", "escape"],
    ["ctrl+p", "a", "escape", "ctrl+p", "z", "escape", "escape"],
]


@pytest.mark.parametrize("burst", BURSTS, ids=["-".join(b) for b in BURSTS])
@sync
async def test_typing_into_a_palette_as_it_opens_or_closes(live, burst):
    app = live(at=60)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            for name in burst:
                app.post_message(_key(name))
            await pilot.pause()
            await pilot.pause(0.6)  # the palette's "no matches" countdown runs out
            assert app.is_running and app.errors == [], app.errors
