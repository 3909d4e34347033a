"""Monte Carlo batches: many runs of a scenario, their spread, and comparisons of two defences.

``load_arm`` checks a scenario with its overrides; ``run_batch`` runs the arms on common seeds
in any executor (``backends.executor``); ``report.summarise`` turns the runs into statistics.
"""

from __future__ import annotations

from .backends import executor
from .job import run_seed
from .plan import load_arm
from .report import summarise
from .runner import Arm, BatchResult, run_batch

__all__ = ["Arm", "BatchResult", "executor", "load_arm", "run_batch", "run_seed", "summarise"]
