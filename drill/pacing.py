"""Wall-clock time turned into drill time at the facilitator's chosen speed (shared by the live
console and the bridge server; no Textual here)."""

from __future__ import annotations

import time
from collections.abc import Callable

from .i18n import t

# drill seconds per wall-clock second: from real time to an hour of drill per second (×4: an
# eight-hour scenario in a two-hour session)
SPEEDS: tuple[float, ...] = (1, 2, 4, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
TOP_SPEED = SPEEDS[-1]


def nearest_speed(value: float) -> float:
    return min(SPEEDS, key=lambda s: abs(s - value))


def speed_text(speed: float) -> str:
    """``×60 · 1 min/s``: the multiplier and how much drill passes each second."""
    if speed >= 3600:
        per = t("tui.per_second_hours", value=f"{speed / 3600:g}")
    elif speed >= 60:
        per = t("tui.per_second_minutes", value=f"{speed / 60:g}")
    else:
        per = t("tui.per_second_seconds", value=f"{speed:g}")
    return f"×{speed:g} · {per}"


class Pacer:
    """How many drill minutes are due since it was last asked, while running."""

    def __init__(self, speed: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError(speed)
        self.speed = float(speed)
        self.clock = clock
        self.running = False
        self._last: float | None = None

    def start(self) -> None:
        self.running = True
        self._last = self.clock()

    def pause(self) -> None:
        self.running = False
        self._last = None

    def toggle(self) -> bool:
        if self.running:
            self.pause()
        else:
            self.start()
        return self.running

    def due(self) -> float:
        """Drill minutes to run now."""
        if not self.running:
            return 0.0
        now = self.clock()
        last = self._last if self._last is not None else now
        self._last = now
        return max(0.0, now - last) * self.speed / 60.0

    def faster(self) -> float:
        self.speed = next((s for s in SPEEDS if s > self.speed), self.speed)
        return self.speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), self.speed)
        return self.speed
