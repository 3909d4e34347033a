"""Durations as trainers write them (``90m``, ``2h``, ``1d 4h``, ``T+45m``), in minutes."""

from __future__ import annotations

import math
import re

_UNITS = {"s": 1 / 60, "m": 1.0, "min": 1.0, "h": 60.0, "d": 1440.0, "w": 10080.0}
# ASCII digits only, as the editor's schema (a JavaScript pattern) reads them
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(min|s|m|h|d|w)", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:[0-9]+(?:\.[0-9]+)?\s*(?:min|s|m|h|d|w)\s*)+$", re.IGNORECASE)
# The same forms for the JSON Schemas (no flags there: the cases are spelt out). A duration has no
# T+ (``duration: T+8h`` is refused); an offset may have one, or be ``T`` alone (the start).
_UNITS_ANY_CASE = r"([mM][iI][nN]|[sSmMhHdDwW])"
_AMOUNT = rf"(0|([0-9]+(\.[0-9]+)?\s*{_UNITS_ANY_CASE}\s*)+)"
DURATION_PATTERN = rf"^\s*{_AMOUNT}\s*$"
OFFSET_PATTERN = rf"^\s*(([tT]\+\s*)?{_AMOUNT}|[tT])\s*$"


# longer than any drill (about 190 years): a bound that keeps every figure a finite number
MAX_MINUTES = 1e8


class DurationError(ValueError):
    pass


class DurationTooLong(DurationError):
    pass


def _bounded(minutes: float) -> float:
    """``minutes`` unless it is longer than any drill (a written infinity is the model's to refuse)."""
    if math.isfinite(minutes) and minutes > MAX_MINUTES:
        raise DurationTooLong(f"a duration of at most {MAX_MINUTES:.0f} minutes")
    return minutes


def parse_duration(value: object) -> float:
    """Minutes in ``value``: a number of minutes, or text such as ``1d 4h`` or ``45m``."""
    if isinstance(value, bool):
        raise DurationError("a duration such as 45m, 2h or 1d 4h")
    if isinstance(value, (int, float)):
        if value < 0:
            raise DurationError("a duration cannot be negative")
        if isinstance(value, int) and value > MAX_MINUTES:  # too large to be a float, maybe
            raise DurationTooLong(f"a duration of at most {MAX_MINUTES:.0f} minutes")
        return _bounded(float(value))
    if not isinstance(value, str):
        raise DurationError("a duration such as 45m, 2h or 1d 4h")
    text = value.strip()
    if text == "0":
        return 0.0
    if not _WHOLE.match(text):
        raise DurationError(f"'{value}' is not a duration; write e.g. 45m, 2h or 1d 4h")
    total = sum(float(n) * _UNITS[u.lower()] for n, u in _PART.findall(text))
    return _bounded(total if math.isfinite(total) else MAX_MINUTES * 2)  # digits beyond a float


def parse_offset(value: object) -> float:
    """Minutes after the drill's start in ``T+45m`` (``T+0`` is the start)."""
    if isinstance(value, str):
        text = value.strip()
        if text.upper().startswith("T+"):
            return parse_duration(text[2:])
        if text.upper() == "T":
            return 0.0
    return parse_duration(value)


def format_duration(minutes: float | None, lang: str | None = None) -> str:
    """``125.0`` → ``2h 5m`` (``2 giờ 5 phút`` in Vietnamese, where "m" reads as metres);
    ``None`` → ``—``. ``lang`` defaults to the language being spoken."""
    if minutes is None:
        return "—"
    from ..i18n import get_language

    total = int(round(minutes))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    units = _UNITS_VI if (lang or get_language()) == "vi" else _UNITS_EN
    parts = []
    if days:
        parts.append(units[0].format(days))
    if hours:
        parts.append(units[1].format(hours))
    if mins or not parts:
        parts.append(units[2].format(mins))
    return " ".join(parts)


# a duration's units: the scenario's own short forms in English, words in Vietnamese
_UNITS_EN = ("{}d", "{}h", "{}m")
_UNITS_VI = ("{} ngày", "{} giờ", "{} phút")


def format_offset(minutes: float) -> str:
    """Drill clock: ``T+01:05``."""
    total = int(minutes)
    hours, mins = divmod(total, 60)
    return f"T+{hours:02d}:{mins:02d}"
