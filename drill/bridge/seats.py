"""Seats at a drill: one per team, one for observers, one for the projector, one for the
facilitator — each with its own secret token, compared in constant time, revocable."""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t
from ..outputs import atomic_writer
from .visibility import FACILITATOR, OBSERVER, PROJECTOR, TEAM

TOKEN_BYTES = 24  # 192 bits: not guessable, whatever the rate limit


@dataclass(slots=True)
class Seat:
    name: str  # the team's id, or observer, projector, facilitator
    role: str
    token: str

    @property
    def team(self) -> str | None:
        return self.name if self.role == TEAM else None


class Seats:
    """The seats of one drill; ``find`` answers only to a valid, unrevoked token."""

    def __init__(self, seats: list[Seat]) -> None:
        self.seats = {s.name: s for s in seats}

    @classmethod
    def for_teams(cls, teams: list[str]) -> Seats:
        seats = [Seat(team, TEAM, new_token()) for team in teams]
        seats += [Seat(role, role, new_token()) for role in (OBSERVER, PROJECTOR, FACILITATOR)]
        return cls(seats)

    def find(self, token: object) -> Seat | None:
        """The seat holding ``token``; every seat is compared, so the time taken tells nothing."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        given = token.encode()
        found = None
        for seat in self.seats.values():
            if hmac.compare_digest(given, seat.token.encode()):
                found = seat
        return found

    def revoke(self, name: str) -> Seat:
        """Give ``name`` a new token: the old one opens nothing any more."""
        seat = self.seats.get(name)
        if seat is None:
            raise KeyError(name)
        seat.token = new_token()
        return seat

    # ------------------------------------------------------------ kept beside the log
    def save(self, path: Path) -> None:
        """Write the tokens readable by the owner only: ``--resume`` gives the consoles the same ones,
        so they reconnect by themselves."""
        data = {name: {"role": s.role, "token": s.token} for name, s in self.seats.items()}
        with atomic_writer(path, new_mode=0o600) as out:  # a crash mid-write keeps the old tokens
            json.dump(data, out, indent=1)

    @classmethod
    def load(cls, path: Path, teams: list[str]) -> Seats:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            seats = [Seat(name, str(v["role"]), str(v["token"])) for name, v in data.items()]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DrillError(t("bridge.seats_unreadable", file=str(path), error=str(exc))) from exc
        loaded = cls(seats)
        for team in teams:  # a team added to the scenario since: a new seat
            loaded.seats.setdefault(team, Seat(team, TEAM, new_token()))
        return loaded


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def seats_file(log: Path) -> Path:
    """Where a drill's tokens are kept: beside its log."""
    return log.with_name(log.name + ".seats.json")
