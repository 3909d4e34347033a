"""The figures a batch keeps of each run: a flat mapping read off a metrics snapshot.

Every number comes from :class:`drill.metrics.Snapshot`; nothing is derived anew here, so a
batch and a single ``drill run`` never disagree.
"""

from __future__ import annotations

from ..i18n import pick, t
from ..metrics import Snapshot
from ..model.durations import format_duration
from ..model.load import Scenario

# name → (how to show it, whether a run may have no value: never detected, never contained…)
BASE_METRICS: dict[str, tuple[str, bool]] = {
    "time_to_detect": ("duration", True),
    "time_to_contain": ("duration", True),
    "time_to_recover": ("duration", True),
    "dwell_mean": ("duration", True),
    "hosts_ever": ("count", False),
    "nodes_ever": ("count", False),
    "bodies_affected": ("count", False),
    "citizen_impact": ("count", False),
    "data_exfiltrated_gb": ("gb", False),
    "expectations_met": ("share", False),
    "downtime": ("duration", False),
}
DOWNTIME_PREFIX = "downtime:"


def services_of_interest(scenario: Scenario) -> list[str]:
    """Services a scenario names (objectives, triggers, expected actions), in order of first mention."""
    spec = scenario.spec
    names: list[str] = []
    for objective in spec.objectives:
        if objective.service:
            names.append(objective.service)
    for inject in spec.injects:
        if inject.when and inject.when.service_down:
            names.append(inject.when.service_down.service)
        names.extend(e.service for e in inject.expects if e.service)
    return [s for i, s in enumerate(names) if s in scenario.city.services and s not in names[:i]]


def metric_names(scenario: Scenario) -> list[str]:
    return [*BASE_METRICS, *(DOWNTIME_PREFIX + s for s in services_of_interest(scenario))]


def read_figures(scenario: Scenario, snap: Snapshot, services: list[str]) -> dict[str, float | None]:
    """One run's figures, by metric name; None where a run has no value (e.g. never contained)."""
    out: dict[str, float | None] = {
        "time_to_detect": snap.time_to_detect,
        "time_to_contain": snap.time_to_contain,
        "time_to_recover": snap.time_to_recover,
        "dwell_mean": snap.dwell_mean,
        "hosts_ever": float(snap.hosts_ever),
        "nodes_ever": float(snap.nodes_ever),
        "bodies_affected": snap.figure("bodies_affected"),
        "citizen_impact": float(snap.citizen_impact),
        "data_exfiltrated_gb": float(snap.data_exfiltrated_gb),
        "expectations_met": snap.figure("expectations_met"),
        "downtime": snap.figure("downtime"),
    }
    for sid in services:
        out[DOWNTIME_PREFIX + sid] = snap.figure("downtime", service=sid)
    return out


def kind_of(metric: str) -> str:
    if metric.startswith(DOWNTIME_PREFIX):
        return "duration"
    return BASE_METRICS[metric][0]


def bounds(metric: str) -> tuple[float, float | None]:
    """Where a figure can lie: every one is zero or more, a share is at most one."""
    return 0.0, (1.0 if kind_of(metric) == "share" else None)


def can_be_missing(metric: str) -> bool:
    return not metric.startswith(DOWNTIME_PREFIX) and BASE_METRICS[metric][1]


_LABEL_KEYS = {
    "hosts_ever": "metrics.hosts_ever",
    "nodes_ever": "metrics.nodes_compromised",
    "downtime": "batch.downtime_worst",
}


def metric_label(scenario: Scenario, metric: str) -> str:
    if metric.startswith(DOWNTIME_PREFIX):
        sid = metric[len(DOWNTIME_PREFIX) :]
        service = scenario.city.services.get(sid)
        name = pick(service.name.model_dump()) if service else sid
        return t("batch.downtime_of", service=name)
    return t(_LABEL_KEYS.get(metric, f"metrics.{metric}"))


def format_figure(metric: str, value: float | None, signed: bool = False) -> str:
    """A figure as people read it: ``2h 5m``, ``12.5``, ``40%``, ``3.2 GB``; ``signed`` for differences."""
    if value is None:
        return "—"
    kind = kind_of(metric)
    magnitude = abs(value)
    if kind == "share" and signed:
        return format_points(value)  # a difference of two shares is in percentage points
    if kind == "duration":
        text = format_duration(magnitude)
    elif kind == "share":
        text = f"{magnitude:.0%}"
    elif kind == "gb":
        text = f"{magnitude:,.1f} GB"
    elif magnitude >= 100:
        text = f"{magnitude:,.0f}"
    else:
        text = f"{magnitude:,.1f}".removesuffix(".0")
    return _signed(text, value, signed)


def _signed(text: str, value: float, signed: bool) -> str:
    # the sign of what is shown: a difference that rounds to nothing is ±0, never −0
    if not any(c in "123456789" for c in text):
        return ("±" if signed else "") + text
    if value < 0:
        return "−" + text
    return ("+" if signed else "") + text


def format_share(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return _signed(f"{abs(value):.0%}", value, signed)


def format_points(value: float | None, precise: bool = False) -> str:
    """A difference of two shares in percentage points: ``+28 pp``; ``precise`` for the bounds of
    an interval, which keep the digits that tell them from zero."""
    if value is None:
        return "—"
    points = abs(value) * 100
    text = _precise(points) if precise else f"{points:.0f}"
    return t("batch.points", value=_signed(text, value, True))


def format_bound(metric: str, value: float | None) -> str:
    """A bound of a difference's interval, signed, never rounded to zero when it is not zero
    (an interval that excludes zero must show it)."""
    if value is None:
        return "—"
    kind = kind_of(metric)
    magnitude = abs(value)
    if kind == "duration" and magnitude >= 60:
        text = format_duration(magnitude)
    elif kind == "share":
        return format_points(value, precise=True)
    else:
        text = _precise(magnitude)
        if kind == "duration":
            text += "m"
        elif kind == "gb":
            text += " GB"
    return _signed(text, value, True)


def _precise(magnitude: float) -> str:
    """One decimal from 1 up; below, two significant digits (0.05, not 0)."""
    if magnitude == 0:
        return "0"
    if magnitude >= 100:
        return f"{magnitude:,.0f}"
    if magnitude >= 1:
        return f"{magnitude:,.1f}"
    return f"{magnitude:.2g}"
