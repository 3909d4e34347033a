"""Calls at a later drill time, scheduled straight on simpy's queue.

A large drill schedules hundreds of thousands of one-off calls (an effect an hour after a
compromise, an alert some minutes after it). ``env.timeout(d).callbacks.append(...)`` builds a
full event and a closure for each; this pushes the same heap entry — same time, priority and
order — with a small record that simpy's loop runs like any event."""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL


def _run(call: _Call) -> None:
    call.fn(*call.args)


_RUN = [_run]  # shared by every call: simpy only reads an event's callback list, then unbinds it


class _Call:
    """What ``Environment.step`` reads of an event (``callbacks``, ``_ok``), and the call."""

    __slots__ = ("callbacks", "fn", "args")
    _ok = True

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.callbacks = _RUN
        self.fn = fn
        self.args = args


def call_later(env: simpy.Environment, delay: float, fn: Callable[..., Any], *args: Any) -> None:
    """Call ``fn(*args)`` ``delay`` minutes from now (never before now), in the order a timeout
    made at this moment would fire."""
    heappush(env._queue, (env._now + max(0.0, delay), NORMAL, next(env._eid), _Call(fn, args)))
