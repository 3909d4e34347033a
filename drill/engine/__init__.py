"""The headless simulation engine (simpy). It never imports the user interface."""

from .events import Event
from .simulation import Simulation

__all__ = ["Event", "Simulation"]
