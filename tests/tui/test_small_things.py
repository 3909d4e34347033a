"""Small things a room notices: the header follows a resize and the wall clock while paused,
the body's list shows its machines, the highlighted body keeps up with the cursor, the
timeline hides no kind of mark, picker labels end on a word, the palette stops the clock, and
its Screenshot works without a Downloads folder."""

from __future__ import annotations

from datetime import datetime, timedelta

from tui_helpers import WALL, sync

from drill.tui.widgets.network import NetworkMap
from drill.tui.widgets.timeline import lane_cells


def header(app) -> str:
    return app.export_text().splitlines()[0]


@sync
async def test_the_header_follows_a_resize_while_paused(live):
    app = live(at=30)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert "step ›" in header(app)  # the wide header's controls
        await pilot.resize_terminal(90, 30)
        await pilot.pause(0.2)
        assert "step ›" not in header(app) and "×60" in header(app)


@sync
async def test_the_wall_clock_moves_while_the_drill_is_paused(live, monkeypatch):
    from drill.tui.widgets import header as header_module

    monkeypatch.setattr(header_module, "WALL_CLOCK_EVERY", 0.05)
    now = [WALL]
    app = live(at=30)
    app.wallclock = lambda: now[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "09:30" in header(app) and not app.running
        now[0] = WALL + timedelta(minutes=7)
        await pilot.pause(0.3)
        assert "09:37" in header(app)


@sync
async def test_the_body_shows_all_its_machines_at_120_by_40(live):
    app = live(at=150)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = app.export_text()
        for node in app.scenario.city.nodes_by_site["hoan-kiem"]:
            assert node in text


@sync
async def test_the_body_says_each_machines_state_in_full_at_120_by_40_in_vietnamese(live):
    # T+2:30: Hoan Kiem's workstations isolated and being reimaged (⚙), its other machines clean
    app = live(at=150, lang="vi")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        words = {"hoan-kiem-ws": "⚙ đã cô lập"}  # the longest id beside the longest word
        words |= dict.fromkeys(
            ("hoan-kiem-gw", "hoan-kiem-onestop", "hoan-kiem-srv", "hoan-kiem-dc"), "bình thường"
        )
        for node, word in words.items():
            line = next(x for x in app.export_text().splitlines() if f" {node} " in x)
            assert f"{word} " in line.split(node, 1)[1], line  # not "bình thườ…", "đã cô l…"


@sync
async def test_the_highlighted_body_keeps_up_with_the_cursor(live):
    app = live(at=30)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        network = app.screen.query_one(NetworkMap)
        await pilot.press("right")
        await pilot.pause()

        def marked(site: str) -> bool:
            name = app.scenario.city.sites[site].name.en.split()[0]
            segments = list(network._render_row(network._line_of[site]))
            tile = next(i for i, s in enumerate(segments) if name in s.text)
            return segments[tile - 1].text in ("▶", "▸")

        assert app.selection.site == "tay-ho" and marked("tay-ho") and not marked("hoan-kiem")


def test_the_timeline_hides_no_kind_of_mark():
    cells = lane_cells([(5, "decision"), (5, "note"), (5, "decision"), (9, "note")], 12)
    assert cells[5] == "decision" and cells[6] == "note" and cells[9] == "note"
    crowded = lane_cells([(0, "decision"), (1, "decision"), (0, "note")], 3)
    assert "note" in crowded and crowded.count("decision") == 2


@sync
async def test_the_replays_timeline_says_what_its_marks_mean(live):
    from drill.tui.app import make_replay_app

    recorder = live(at=60)
    recorder.session.close()
    app = make_replay_app(recorder.session.log_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        top = "\n".join(app.export_text().splitlines()[1:3])
        assert "◆ injects" in top and "! detections" in top
        assert "● decisions" in top and "✎ notes" in top


@sync
async def test_picker_labels_end_on_a_word(live):
    app = live(at=10, lang="en")
    async with app.run_test(size=(120, 40)):
        for view in app.vm.msel.values():
            view.title = ""  # an inject without a title is labelled by the start of its text
        choices = app._inject_choices(("upcoming", "pending", "held"))
        assert choices
        for choice in choices:
            text = " ".join(app.vm.msel[choice.value].text["en"].split())
            shown = choice.label.split(" — ", 1)[1].rsplit(" (", 1)[0]
            assert len(text) <= 50 or shown.endswith("…")
            start = shown.rstrip("…")
            assert text.startswith(start) and (len(start) == len(text) or text[len(start)] == " ")


@sync
async def test_the_palette_stops_the_clock_while_open(live, clock):
    app = live(at=30, running=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert not app.running
        clock.advance(60)
        app._tick()
        assert app.session.now == 30
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.running


@sync
async def test_a_screenshot_without_a_downloads_folder(live, tmp_path, monkeypatch):
    from drill.tui import base

    monkeypatch.setattr(base, "user_downloads_path", lambda: tmp_path / "no-such-folder")
    monkeypatch.chdir(tmp_path)
    app = live(at=30)
    async with app.run_test(size=(120, 40)) as pilot:
        app.deliver_screenshot(filename="shot.svg")
        await pilot.pause(0.5)
        assert (tmp_path / "shot.svg").read_text(encoding="utf-8").startswith("<svg")
        assert app.errors == []
    assert datetime  # (imported for the wall clock above)
