"""Independent, named random streams from one seed, so adding a source does not shift the others."""

from __future__ import annotations

import hashlib
import math
import random
from functools import partial
from typing import Any

from ..model.common import Exponential, Fixed, LogNormal, Normal, Triangular, Uniform


class Streams:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __call__(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            digest = hashlib.sha256(f"{self.seed}/{name}".encode()).digest()
            stream = self._streams[name] = random.Random(int.from_bytes(digest[:8], "big"))
        return stream


def sample(dist: Any, rng: random.Random) -> float:
    """Minutes drawn from a scenario's time distribution (never negative)."""
    if isinstance(dist, (int, float)):
        return float(dist)
    if isinstance(dist, Fixed):
        return dist.fixed
    if isinstance(dist, Exponential):
        return rng.expovariate(1.0 / dist.exponential) if dist.exponential > 0 else 0.0
    if isinstance(dist, Uniform):
        low, high = dist.uniform
        return rng.uniform(min(low, high), max(low, high))
    if isinstance(dist, LogNormal):
        p = dist.lognormal
        return rng.lognormvariate(math.log(p.median), p.sigma) if p.median > 0 else 0.0
    if isinstance(dist, Triangular):
        low, mode, high = sorted(dist.triangular)
        return rng.triangular(low, high, mode)
    if isinstance(dist, Normal):
        return max(0.0, rng.gauss(dist.normal.mean, dist.normal.sd))
    raise TypeError(f"not a distribution: {dist!r}")


def sampler(dist: Any, rng: random.Random):  # type: ignore[no-untyped-def]
    """A function drawing from ``dist`` with ``rng``: the hot paths call it without dispatch."""
    if isinstance(dist, (int, float)):
        value = float(dist)
        return lambda: value
    if isinstance(dist, Fixed):
        fixed = dist.fixed
        return lambda: fixed
    if isinstance(dist, Exponential) and dist.exponential > 0:
        return partial(rng.expovariate, 1.0 / dist.exponential)
    return lambda: sample(dist, rng)
