"""The messages between a drill server and its consoles: versioned JSON objects.

Every message is ``{"v": VERSION, "type": …, …}``. A console first sends ``hello`` with its
token; the server answers ``welcome`` (the seat's state) or ``refused`` and closes.

From a console: hello, submit (a decision), reply (to an inject), ping; the facilitator also:
approve, reject, pause, run, speed, message, revoke, approval, end, links.
From the server: welcome, event, tick, pong, ack, pending, approval, activity, error, refused,
tokens, links.
"""

from __future__ import annotations

import json
from typing import Any

VERSION = 1
MAX_MESSAGE = 16 * 1024  # bytes: a decision or a reply fits many times over
HELLO_TIMEOUT = 5.0  # seconds a new connection has to say who it is

CLIENT_TYPES = frozenset(
    {
        "hello",
        "submit",
        "reply",
        "ping",
        "approve",
        "reject",
        "pause",
        "run",
        "speed",
        "message",
        "revoke",
        "approval",
        "end",
        "links",
    }
)
FACILITATOR_TYPES = frozenset(
    {"approve", "reject", "pause", "run", "speed", "message", "revoke", "approval", "end", "links"}
)


class ProtocolError(ValueError):
    """A message that is not one: its code names what was wrong (``bridge.err_<code>``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def encode(kind: str, **fields: Any) -> str:
    return json.dumps({"v": VERSION, "type": kind, **fields}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str | bytes) -> dict[str, Any]:
    """A client's message, checked for shape: raise ProtocolError for anything else."""
    if len(text) > MAX_MESSAGE:
        raise ProtocolError("too_large")
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ProtocolError("not_json") from None
    if not isinstance(message, dict):
        raise ProtocolError("not_object")
    if message.get("v") != VERSION:
        raise ProtocolError("version")
    if message.get("type") not in CLIENT_TYPES:
        raise ProtocolError("unknown_type")
    return message


def decode_server(text: str | bytes) -> dict[str, Any]:
    """A server's message, for a console: the same envelope, any type."""
    message = json.loads(text)
    if not isinstance(message, dict) or message.get("v") != VERSION:
        raise ProtocolError("version")
    return message
