"""The messages the drill's widgets and screens exchange: small, and the frequent ones coalesce."""

from __future__ import annotations

from textual.message import Message


class ClockTick(Message):
    """The drill clock moved (or started, or stopped); a newer tick replaces a waiting one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClockTick)


class DrillChanged(Message):
    """New events were folded into the view-model; a newer notice replaces a waiting one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DrillChanged)


class BodySelected(Message):
    """A body (site) was chosen on the network map."""

    def __init__(self, site: str, open_detail: bool = False) -> None:
        super().__init__()
        self.site = site
        self.open_detail = open_detail


class NodeSelected(Message):
    """A node was highlighted in the body's detail (None: the body as a whole)."""

    def __init__(self, node: str | None) -> None:
        super().__init__()
        self.node = node


class MselSelected(Message):
    """An inject, or one of its expected actions, was highlighted in the MSEL."""

    def __init__(self, inject: str | None, expectation: int | None) -> None:
        super().__init__()
        self.inject = inject
        self.expectation = expectation


class SeekRequested(Message):
    """The replay's timeline bar was clicked at a drill time."""

    def __init__(self, minutes: float) -> None:
        super().__init__()
        self.minutes = minutes
