"""Decisions waiting for the facilitator's approval, kept beside the log: they are in no log yet,
so a crash of the facilitator's machine must not lose them (``--resume`` loads them again)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..diagnostics import DrillError
from ..engine.commands import Command
from ..i18n import t
from ..outputs import atomic_writer


@dataclass(slots=True)
class Pending:
    id: int
    seat: str
    client_id: str
    command: Command
    received: float  # drill minutes

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seat": self.seat,
            "client_id": self.client_id,
            "command": self.command.record(),
            "received": self.received,
        }


def pending_file(log: Path) -> Path:
    """Where a drill's waiting decisions are kept: beside its log."""
    return log.with_name(log.name + ".pending.json")


def read_pending(path: Path) -> tuple[dict[int, Pending], int]:
    """The decisions kept in ``path`` by id, and the next id to give (none kept: nothing, 1)."""
    if not path.exists():
        return {}, 1
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        out: dict[int, Pending] = {}
        for item in data["pending"]:
            number = item["id"]
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise ValueError(f"id {number!r}")
            out[number] = Pending(
                number,
                str(item["seat"]),
                str(item["client_id"]),
                Command.model_validate(item["command"]),
                float(item["received"]),
            )
        following = data.get("next", 1)
        if not isinstance(following, int) or isinstance(following, bool):
            raise ValueError(f"next {following!r}")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DrillError(t("bridge.pending_unreadable", file=str(path), error=_short(exc))) from exc
    return out, max([following, *(n + 1 for n in out)])


def write_pending(path: Path, pending: dict[int, Pending], following: int) -> None:
    """Replace ``path`` at once (a crash mid-write leaves the old file whole), readable by its owner
    only, like the seats' tokens beside it. Raises DrillError."""
    data = {"next": following, "pending": [p.record() for p in pending.values()]}
    with atomic_writer(path, new_mode=0o600) as out:
        json.dump(data, out, ensure_ascii=False, indent=1)


def _short(exc: Exception) -> str:
    """Why, in a line: a command's validation lists every field, the first says enough."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', '')}"[:300]
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
