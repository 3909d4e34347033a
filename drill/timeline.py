"""A recorded drill's view-model at any moment, fast: checkpoints every few thousand events and
a short fold from the nearest one; and the marks (injects, detections, decisions, notes) the
replay's timeline bar shows and jumps between."""

from __future__ import annotations

import bisect
import gc
from dataclasses import dataclass

from .engine import events as ev
from .engine.events import Event
from .model.load import Scenario
from .viewmodel import ViewModel

MARK_KINDS: dict[str, tuple[str, ...]] = {
    "inject": (ev.INJECT,),
    "detection": (ev.DETECTION,),
    "decision": (ev.COMMAND,),
    "note": (ev.NOTE,),
}


@dataclass(frozen=True)
class Mark:
    """A moment the timeline bar shows: an inject, a detection, a decision or a note."""

    t: float
    index: int  # events[:index + 1] includes it
    kind: str


class Timeline:
    """A recorded drill's model at any moment: checkpoints every ``every`` events, and a short
    fold from the nearest one."""

    def __init__(self, scenario: Scenario, events: list[Event], every: int = 2000) -> None:
        self.scenario = scenario
        self.events = events
        self.times = [e.t for e in events]
        self.every = max(1, every)
        vm = ViewModel(scenario)
        self._checkpoints: list[ViewModel] = [vm.checkpoint()]
        for i, e in enumerate(events):
            vm.feed(e)
            if (i + 1) % self.every == 0:
                self._checkpoints.append(vm.checkpoint())
        self.final = vm
        kinds = {k: name for name, ks in MARK_KINDS.items() for k in ks}
        self.marks = [Mark(e.t, i, kinds[e.kind]) for i, e in enumerate(events) if e.kind in kinds]
        # the events and checkpoints live as long as the timeline and never change: keep the
        # collector from walking them again (a full pass in a busy process paused a seek 0.25 s)
        gc.freeze()

    @property
    def end(self) -> float:
        return self.times[-1] if self.times else 0.0

    def __len__(self) -> int:
        return len(self.events)

    def at_index(self, count: int) -> ViewModel:
        """The model after the first ``count`` events."""
        count = max(0, min(count, len(self.events)))
        base = self._checkpoints[count // self.every]
        vm = base.restore(self.events, self.final.metrics.series)
        for e in self.events[len(vm.events) : count]:
            vm.feed(e)
        return vm

    def index_at(self, t: float) -> int:
        """How many events the live drill had shown when its clock read ``t``: those due before
        ``t`` (``Simulation.run_until(t)`` stops before the events due at ``t``)."""
        return bisect.bisect_left(self.times, t)

    def at(self, t: float) -> ViewModel:
        vm = self.at_index(self.index_at(t))
        vm.now = max(vm.now, t)
        return vm

    def next_mark(self, count: int, kind: str | None, forward: bool = True) -> Mark | None:
        """The first mark (of ``kind``, or any) after the first ``count`` events, or the last before."""
        marks = [m for m in self.marks if kind is None or m.kind == kind]
        if forward:
            return next((m for m in marks if m.index >= count), None)
        return next((m for m in reversed(marks) if m.index < count - 1), None)
