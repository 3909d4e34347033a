"""Helpers for the terminal interface's tests: a fixed wall clock, a clock the test moves, and a
live app on the default scenario that writes its log in a temporary folder."""

from __future__ import annotations

import pytest
from tui_helpers import WALL


class FakeClock:
    """A monotonic clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live(tmp_path, clock):
    """``live(at=150, **kw)``: the default drill, run to ``at`` minutes, paused, with its log.
    A bug the app caught to keep a drill going (``app.errors``) fails the test all the same."""
    from drill.tui.app import make_app

    made = []

    def make(at: float = 0.0, **kw):
        kw.setdefault("seed", 2015)
        app = make_app(
            kw.pop("scenario", None),
            log_path=kw.pop("log_path", tmp_path / "drill.jsonl"),
            wallclock=lambda: WALL,
            clock=clock,
            **kw,
        )
        if at:
            app.session.advance(at)
        made.append(app)
        return app

    yield make
    for app in made:
        assert app.errors == [], app.errors
