"""What a console's typed line means: a decision, a reply, or (the facilitator's) a control.

``isolate hoan-kiem-ws`` · ``escalate national-cert`` · ``offline onestop`` ·
``investigate log-review site:hoan-kiem`` · ``investigate account-audit account=so-tai-chinh\\admin`` ·
``reply helpdesk-calls We are isolating the machines`` · ``report to=city-soc text=…`` ·
the facilitator's ``approve 3`` · ``reject 3 too early`` · ``pause`` · ``run`` · ``speed 120`` ·
``message hoan-kiem-it Call the vendor`` · ``as hoan-kiem-it isolate hoan-kiem-ws`` ·
``revoke ba-vi-it`` · ``approval ba-vi-it on`` · ``end`` · ``note …`` · ``inject ID`` …
"""

from __future__ import annotations

from typing import Any

from ..engine.commands import ALL_ACTIONS, PLAYER_ACTIONS
from .visibility import FACILITATOR

# the word after an action, when it is not key=value: which field it fills
POSITIONAL = {
    "offline": "service",
    "online": "service",
    "escalate": "to",
    "report": "to",
    "notify": "text",
    "communicate": "text",
    "inject": "inject",
    "skip-inject": "inject",
    "delay-inject": "inject",
    "mark": "inject",
    "note": "text",
    "free-inject": "text",
    "start-stage": "stage",
}
TEXT_ACTIONS = frozenset({"notify", "communicate", "note", "free-inject", "report"})
FIELDS = frozenset(
    {
        "target",
        "service",
        "to",
        "text",
        "inject",
        "stage",
        "delay",
        "lasts",
        "expectation",
        "procedure",
        "account",
    }
)
# a target word ``site:hoan-kiem`` names a body (any key of a decisions file's node selector)
SELECTOR_KEYS = frozenset({"node", "site", "kind", "zone", "tag", "match", "group"})
CONTROLS = frozenset(
    {"approve", "reject", "pause", "run", "speed", "end", "message", "revoke", "approval", "links"}
)


class EntryError(ValueError):
    """A line that says nothing the console can send: ``key`` and ``values`` for the catalogue."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def parse(line: str, role: str) -> tuple[str, dict[str, Any]]:
    """``(message type, fields)`` for a typed line; ``("help", {})`` for help."""
    words = line.split()
    if not words:
        raise EntryError("bridge.err_no_command")
    head = words[0].lower()
    if head in ("help", "?"):
        return "help", {}
    if head == "reply":
        if len(words) < 3:
            raise EntryError("bridge.needs_value", word="reply")
        return "reply", {"inject": words[1], "text": " ".join(words[2:])}
    if role == FACILITATOR:
        if head in CONTROLS:
            return _control(head, words[1:])
        if head == "as":
            if len(words) < 3:
                raise EntryError("bridge.needs_value", word="as")
            _, fields = parse(" ".join(words[2:]), "team")
            return "submit", {**fields, "as": words[1]}
    allowed = ALL_ACTIONS if role == FACILITATOR else PLAYER_ACTIONS
    if head not in allowed:
        raise EntryError("bridge.unknown_action", action=head)
    return "submit", {"command": _command(head, words[1:])}


def _command(action: str, words: list[str]) -> dict[str, Any]:
    command: dict[str, Any] = {"action": action}
    free: list[str] = []
    for word in words:
        key, eq, value = word.partition("=")
        if eq and key in FIELDS:
            command[key] = value
        else:
            free.append(word)
    positional = POSITIONAL.get(action, "target")
    if free:
        if action in TEXT_ACTIONS and positional != "text" and positional not in command:
            command[positional] = free.pop(0)  # report city-soc the text …
            if free:
                command.setdefault("text", " ".join(free))
        elif positional == "text" or action in TEXT_ACTIONS:
            command.setdefault("text", " ".join(free))
        elif action == "delay-inject" and len(free) >= 2:
            command.setdefault("inject", free[0])
            command.setdefault("delay", free[1])
        elif action == "investigate":  # investigate PROCEDURE [TARGET]
            if "procedure" not in command:
                command["procedure"] = free.pop(0)
            if free:
                command.setdefault("target", free[0])
        else:
            command.setdefault(positional, free[0])
    target = command.get("target")
    if isinstance(target, str):
        key, colon, value = target.partition(":")
        if colon and key in SELECTOR_KEYS and value:
            command["target"] = {key: value}
    if "expectation" in command:
        try:
            command["expectation"] = int(command["expectation"])
        except ValueError:
            raise EntryError("bridge.needs_value", word="expectation") from None
    return command


def _control(head: str, words: list[str]) -> tuple[str, dict[str, Any]]:
    if head in ("pause", "run", "end", "links"):
        return head, {}
    if not words:
        raise EntryError("bridge.needs_value", word=head)
    if head in ("approve", "reject"):
        try:
            number = int(words[0].lstrip("#"))
        except ValueError:
            raise EntryError("bridge.needs_value", word=head) from None
        fields: dict[str, Any] = {"pending": number}
        if head == "reject":
            fields["reason"] = " ".join(words[1:])
        return head, fields
    if head == "speed":
        try:
            return "speed", {"speed": float(words[0])}
        except ValueError:
            raise EntryError("bridge.needs_value", word=head) from None
    if head == "message":
        if len(words) < 2:
            raise EntryError("bridge.needs_value", word=head)
        team = None if words[0] == "all" else words[0]
        return "message", {"team": team, "text": " ".join(words[1:])}
    if head == "revoke":
        return "revoke", {"seat": words[0]}
    # approval TEAM on|off
    return "approval", {"team": words[0], "on": (words[1:] or ["on"])[0].lower() in ("on", "yes", "1")}
