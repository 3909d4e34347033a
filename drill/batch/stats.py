"""The few statistics a batch reports: spread, a confidence interval of the mean, paired
differences (common random numbers) and a Wilson interval for a probability.

The standard library is enough for these; no numpy or scipy.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

Z95 = 1.959963984540054
# Student's t, two-sided 95%, for 1…30 degrees of freedom; beyond, a Cornish–Fisher expansion
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError(df)
    if df <= len(_T95):
        return _T95[df - 1]
    z = Z95
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def percentile(ordered: Sequence[float], p: float) -> float:
    """Linear interpolation between order statistics (numpy's default), ``p`` in [0, 1]."""
    if not ordered:
        raise ValueError("no values")
    pos = p * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def mean_ci(values: Sequence[float]) -> tuple[float, float] | None:
    """The 95% confidence interval of the mean (t), or None with fewer than two values."""
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    half = t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean - half, mean + half


@dataclass(frozen=True)
class Spread:
    """A metric over the runs that have a value (``count`` of ``runs``)."""

    runs: int
    count: int
    mean: float | None
    sd: float | None
    p10: float | None
    p50: float | None
    p90: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def share(self) -> float:
        """The share of runs with a value (e.g. that were contained at all)."""
        return self.count / self.runs if self.runs else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"share": self.share}


def spread(values: Sequence[float | None], lower: float | None = None, upper: float | None = None) -> Spread:
    """Mean, sd, p10/p50/p90 and the 95% CI of the mean over the values present. The interval
    is cut to [lower, upper] where the figure cannot go (a mean time is never negative): the cut
    interval still holds the mean whenever the whole one does."""
    present = sorted(v for v in values if v is not None)
    if not present:
        return Spread(len(values), 0, None, None, None, None, None, None, None)
    ci = mean_ci(present)
    if ci is not None:
        low, high = ci
        if lower is not None:
            low = max(low, lower)
        if upper is not None:
            high = min(high, upper)
        ci = (low, high)
    return Spread(
        runs=len(values),
        count=len(present),
        mean=statistics.fmean(present),
        sd=statistics.stdev(present) if len(present) > 1 else None,
        p10=percentile(present, 0.10),
        p50=percentile(present, 0.50),
        p90=percentile(present, 0.90),
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
    )


@dataclass(frozen=True)
class Difference:
    """``b − a`` over the seeds where both arms have a value, with the two means it is the
    difference of (over those same seeds: so ``mean_b − mean_a == mean``)."""

    pairs: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    mean_a: float | None = None
    mean_b: float | None = None

    @property
    def significant(self) -> bool:
        """The 95% interval excludes zero."""
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low > 0 or self.ci_high < 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"significant": self.significant}


def paired(a: Sequence[float | None], b: Sequence[float | None]) -> Difference:
    """The mean paired difference ``b − a`` (run i of each arm shares a seed) with its 95% CI."""
    both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not both:
        return Difference(0, None, None, None)
    diffs = [y - x for x, y in both]
    mean = statistics.fmean(diffs)
    mean_a = statistics.fmean(x for x, _ in both)
    mean_b = statistics.fmean(y for _, y in both)
    if len(diffs) < 2:
        return Difference(1, mean, None, None, mean_a, mean_b)
    # no spread at all (a scenario against itself) gives the interval [mean, mean]
    low, high = mean_ci(diffs) or (None, None)
    return Difference(len(diffs), mean, low, high, mean_a, mean_b)


@dataclass(frozen=True)
class Proportion:
    met: int
    runs: int
    low: float | None
    high: float | None

    @property
    def p(self) -> float | None:
        return self.met / self.runs if self.runs else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"p": self.p}


def wilson(met: int, runs: int, z: float = Z95) -> Proportion:
    """A probability with its Wilson score interval (sound near 0 and 1, unlike p ± z·se)."""
    if runs == 0:
        return Proportion(0, 0, None, None)
    p = met / runs
    denom = 1 + z * z / runs
    centre = (p + z * z / (2 * runs)) / denom
    half = z * math.sqrt(p * (1 - p) / runs + z * z / (4 * runs * runs)) / denom
    low = 0.0 if met == 0 else max(0.0, centre - half)  # exact ends: rounding leaves 1e-18
    high = 1.0 if met == runs else min(1.0, centre + half)
    return Proportion(met, runs, low, high)
