"""What a scenario cannot know about the exercise it was played in: when and where it was
conducted, who organised, facilitated and evaluated it, who took part, its classification, and the
evaluators' ratings and contacts. It comes from an optional exercise file (YAML) and command-line
options; whatever is not given is left blank in the report for the organiser to fill in.

An exercise file::

    name: Hanoi ransomware tabletop, December 2026
    type: tabletop                 # tabletop | functional | full-scale
    date: 2026-12-04               # the conduct date
    start: "08:30"                 # conduct time (wall clock), optional
    end: "12:00"
    location: Hanoi DIC, meeting room 3
    sites: [Hoan Kiem District People's Committee]
    organiser: Hanoi Department of Information and Communications
    facilitators: [Nguyen Van A]
    evaluators: [Tran Thi B]
    organisations: [Hoan Kiem District, City SOC]
    classification: KHÔNG MẬT
    capabilities:                  # a capability's name, by key or by action / metric
      containment: Ngăn chặn sự cố
    ratings:                       # the evaluators' rating of a capability overrides the rule
      containment: {rating: M, note: Isolation waited for the chairman's approval}
    contacts:                      # point of contact per team id, for the improvement plan
      hoan-kiem-it: Le Van C, 024 3825 xxxx
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..diagnostics import DrillError
from ..i18n import t

RATINGS = ("P", "S", "M", "U")


class Rating(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rating: Literal["P", "S", "M", "U"]
    note: str = ""


class Exercise(BaseModel):
    """The exercise's particulars; every field is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = ""
    type: str = ""
    date: dt.date | None = None
    start: str = ""
    end: str = ""
    location: str = ""
    sites: tuple[str, ...] = ()
    organiser: str = ""
    facilitators: tuple[str, ...] = ()
    evaluators: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    classification: str = ""
    capabilities: dict[str, str] = Field(default_factory=dict)
    ratings: dict[str, Rating] = Field(default_factory=dict)
    contacts: dict[str, str] = Field(default_factory=dict)


def load_exercise(path: str | Path | None) -> Exercise:
    """The exercise file, checked; none given: an empty one (the report shows blanks)."""
    if path is None:
        return Exercise()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DrillError(
            t("report.exercise_unreadable", file=str(path), reason=exc.strerror or str(exc))
        ) from exc
    except yaml.YAMLError as exc:
        raise DrillError(t("report.exercise_bad_yaml", file=str(path), reason=str(exc))) from exc
    if raw is None:
        return Exercise()
    if not isinstance(raw, dict):
        raise DrillError(t("report.exercise_not_mapping", file=str(path)))
    for key in ("sites", "facilitators", "evaluators", "organisations"):
        if isinstance(raw.get(key), str):
            raw[key] = [raw[key]]
    for key in ("start", "end"):
        if isinstance(raw.get(key), int):  # YAML 1.1 reads 08:30 as a number of minutes
            raw[key] = f"{raw[key] // 60:02d}:{raw[key] % 60:02d}"
    try:
        return Exercise.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '-'}: {err['msg']}" for err in exc.errors()
        )
        raise DrillError(t("report.exercise_invalid", file=str(path), problems=problems)) from exc


def with_options(
    exercise: Exercise, conducted: str | None = None, classification: str | None = None
) -> Exercise:
    """Command-line options win over the file."""
    changes: dict[str, object] = {}
    if conducted:
        changes.update(parse_conducted(conducted))
    if classification:
        changes["classification"] = classification
    return exercise.model_copy(update=changes) if changes else exercise


def parse_conducted(text: str) -> dict[str, object]:
    """``2026-12-04`` or ``2026-12-04 08:30`` (a date and an optional start time)."""
    parts = text.strip().replace("T", " ").split()
    try:
        day = dt.date.fromisoformat(parts[0])
        out: dict[str, object] = {"date": day}
        if len(parts) > 1:
            out["start"] = dt.time.fromisoformat(parts[1]).strftime("%H:%M")
    except (ValueError, IndexError) as exc:
        raise DrillError(t("report.bad_conducted", value=text)) from exc
    return out


def with_conduct(exercise: Exercise, header: Mapping[str, Any]) -> Exercise:
    """What a drill played live recorded of its conduct (``conducted`` in the log's header: the
    wall clock where it was played) fills the date and times the file and options left blank."""
    conducted = header.get("conducted")
    if not isinstance(conducted, Mapping):
        return exercise
    moments: dict[str, dt.datetime] = {}
    for key in ("started", "ended"):
        with contextlib.suppress(TypeError, ValueError):
            moments[key] = dt.datetime.fromisoformat(str(conducted.get(key)))
    changes: dict[str, object] = {}
    if "started" in moments and exercise.date is None:
        changes["date"] = moments["started"].date()
    if "started" in moments and not exercise.start:
        changes["start"] = moments["started"].strftime("%H:%M")
    if "ended" in moments and not exercise.end:
        overnight = "started" in moments and moments["ended"].date() != moments["started"].date()
        changes["end"] = moments["ended"].strftime("%Y-%m-%d %H:%M" if overnight else "%H:%M")
    return exercise.model_copy(update=changes) if changes else exercise
