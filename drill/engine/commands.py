"""Commands: the one way anything outside the engine changes a drill.

A player's decision, a facilitator's inject or note, a red-team move: each is a Command, applied
at the current simulated time and recorded in the log, so a drill can be replayed exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from ..diagnostics import Diagnostic, DrillError, problems_text
from ..i18n import t
from ..model.common import Boolean, Duration, Integer, NodeSelector, Offset, Strict, Text
from ..model.durations import format_duration, format_offset
from ..model.evidence import PROCEDURE_NAMES
from ..model.validation import validate_model
from ..yamlio import load_file

PLAYER_ACTIONS = (
    "isolate",
    "reconnect",
    "cut-link",
    "restore-link",
    "block-trust",
    "unblock-trust",
    "reimage",
    "restore",
    "offline",
    "online",
    "escalate",
    "report",
    "notify",
    "patch",
    "reset-credentials",
    "communicate",
    "investigate",
)
FACILITATOR_ACTIONS = ("inject", "skip-inject", "delay-inject", "mark", "note", "free-inject")
ATTACKER_ACTIONS = ("compromise", "start-stage", "ddos")
ALL_ACTIONS = PLAYER_ACTIONS + FACILITATOR_ACTIONS + ATTACKER_ACTIONS
CommandAction = Literal[ALL_ACTIONS]  # type: ignore[valid-type]

# the fields each action needs (anything else it names is checked if given)
NEEDS: dict[str, tuple[str, ...]] = {
    "isolate": ("target",),
    "reconnect": ("target",),
    "cut-link": ("target",),
    "restore-link": ("target",),
    "block-trust": ("target",),
    "unblock-trust": ("target",),
    "reimage": ("target",),
    "restore": ("target",),
    "offline": ("service",),
    "online": ("service",),
    "escalate": ("to",),
    "report": ("to",),
    "notify": (),
    "patch": ("target",),
    "reset-credentials": ("target",),
    "communicate": (),
    "investigate": ("procedure",),
    "inject": ("inject",),
    "skip-inject": ("inject",),
    "delay-inject": ("inject", "delay"),
    "mark": ("inject",),
    "note": ("text",),
    "free-inject": ("text",),
    "compromise": ("target",),
    "start-stage": ("stage",),
    "ddos": ("target", "lasts"),
}


class Command(Strict):
    action: CommandAction  # type: ignore[valid-type]
    target: NodeSelector | None = None
    service: str | None = None
    to: str | None = None
    by: str | None = Field(None, description="the team that acts")
    entered_by: str | None = Field(
        None, max_length=80, description="who entered the decision (a person at a bridge site's console)"
    )
    inject: str | None = None
    expectation: Integer | None = Field(None, ge=0, description="which expected action of the inject (mark)")
    stage: str | None = None
    text: str | Text | None = None
    delay: Duration | None = None
    lasts: Duration | None = None
    hidden: Boolean = False
    source: Literal["player", "facilitator", "red-team", "script"] = "player"
    procedure: Literal[PROCEDURE_NAMES] | None = Field(  # type: ignore[valid-type]
        None, description="how to investigate (investigate)"
    )
    account: str | None = Field(None, max_length=80, description="the account to investigate (investigate)")
    ref: str | None = Field(
        None,
        max_length=160,
        description="the console's id for this decision: one sent again after a reconnect or a restart "
        "is applied once",
    )

    @model_validator(mode="after")
    def _needs(self) -> Command:
        missing = [name for name in NEEDS[self.action] if getattr(self, name) is None]
        if missing:
            raise ValueError(t("engine.command_needs", action=self.action, fields=", ".join(missing)))
        if self.action == "investigate" and self.target is None and self.account is None:
            raise ValueError(t("engine.command_needs", action=self.action, fields="target | account"))
        return self

    def record(self) -> dict[str, Any]:
        """The command as logged: only what was given, in a fixed order."""
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True) | {"action": self.action}


class TimedCommand(Command):
    at: Offset


def check_before_end(commands: Iterable[TimedCommand], end: float) -> None:
    """Refuse decisions due at or after the drill's end: they would never be applied, in any run,
    and a silent drop would read as a decision that changed nothing. (Those after where
    ``run --until`` stops are only not reached, and ``drill run`` says so.)"""
    late = [c for c in commands if c.at >= end]
    if not late:
        return
    lines = [
        t(
            "engine.after_end",
            action=c.action,
            at=format_offset(c.at),
            end=format_offset(end),
            duration=format_duration(end),
        )
        for c in sorted(late, key=lambda c: c.at)
    ]
    raise DrillError("\n".join(lines))


def load_decisions(path: Path | str) -> list[TimedCommand]:
    """A decisions file: a YAML list of timed commands; raise DrillError listing every problem."""
    doc = load_file(path, "io.too_large_decisions")
    problems: list[Diagnostic] = list(doc.problems)
    out: list[TimedCommand] = []
    if not isinstance(doc.data, list):
        problems.append(Diagnostic(doc.file, 1, 1, "", t("engine.decisions_not_list")))
    else:
        for i in range(len(doc.data)):
            item, errors = validate_model(doc, TimedCommand, (i,))
            problems.extend(errors)
            if item is not None:
                out.append(item)
    if problems:
        raise DrillError(problems_text(problems), problems)
    # stable: decisions at one time keep the file's order
    return sorted(out, key=lambda c: c.at)
