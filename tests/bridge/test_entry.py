"""A console's typed line, read as the message it sends."""

import pytest

from drill.bridge.entry import EntryError, parse


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("isolate ba-vi-ws", ("submit", {"command": {"action": "isolate", "target": "ba-vi-ws"}})),
        ("escalate national-cert", ("submit", {"command": {"action": "escalate", "to": "national-cert"}})),
        ("offline onestop", ("submit", {"command": {"action": "offline", "service": "onestop"}})),
        (
            "report city-soc files encrypted at the desk",
            (
                "submit",
                {"command": {"action": "report", "to": "city-soc", "text": "files encrypted at the desk"}},
            ),
        ),
        (
            "communicate Service paused",
            ("submit", {"command": {"action": "communicate", "text": "Service paused"}}),
        ),
        ("reply call-1 We are on it", ("reply", {"inject": "call-1", "text": "We are on it"})),
        ("help", ("help", {})),
        # investigate PROCEDURE TARGET, as in a decisions file (target: {site: …} is site:…)
        (
            "investigate endpoint-analysis ba-vi-ws",
            (
                "submit",
                {
                    "command": {
                        "action": "investigate",
                        "procedure": "endpoint-analysis",
                        "target": "ba-vi-ws",
                    }
                },
            ),
        ),
        (
            "investigate log-review site:hoan-kiem",
            (
                "submit",
                {
                    "command": {
                        "action": "investigate",
                        "procedure": "log-review",
                        "target": {"site": "hoan-kiem"},
                    }
                },
            ),
        ),
        (
            "investigate account-audit account=so-tai-chinh\\administrator",
            (
                "submit",
                {
                    "command": {
                        "action": "investigate",
                        "procedure": "account-audit",
                        "account": "so-tai-chinh\\administrator",
                    }
                },
            ),
        ),
        (
            "investigate procedure=threat-hunt target=ba-vi-*",
            (
                "submit",
                {"command": {"action": "investigate", "procedure": "threat-hunt", "target": "ba-vi-*"}},
            ),
        ),
    ],
)
def test_a_team_types_a_decision(line, expected):
    assert parse(line, "team") == expected


def test_a_team_cannot_type_the_facilitators_actions():
    for line in ("inject call-1", "approve 3", "pause", "note hello"):
        with pytest.raises(EntryError):
            parse(line, "team")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("approve #3", ("approve", {"pending": 3})),
        ("reject 3 too early", ("reject", {"pending": 3, "reason": "too early"})),
        ("pause", ("pause", {})),
        ("links", ("links", {})),
        ("speed 120", ("speed", {"speed": 120.0})),
        ("message ba-vi-it Call the vendor", ("message", {"team": "ba-vi-it", "text": "Call the vendor"})),
        ("message all Lunch at noon", ("message", {"team": None, "text": "Lunch at noon"})),
        ("revoke ba-vi-it", ("revoke", {"seat": "ba-vi-it"})),
        ("approval ba-vi-it off", ("approval", {"team": "ba-vi-it", "on": False})),
        (
            "as ba-vi-it isolate ba-vi-ws",
            ("submit", {"command": {"action": "isolate", "target": "ba-vi-ws"}, "as": "ba-vi-it"}),
        ),
        (
            "delay-inject call-1 10m",
            ("submit", {"command": {"action": "delay-inject", "inject": "call-1", "delay": "10m"}}),
        ),
        ("note good call", ("submit", {"command": {"action": "note", "text": "good call"}})),
    ],
)
def test_the_facilitator_types_a_control_or_any_command(line, expected):
    assert parse(line, "facilitator") == expected


def test_a_line_that_says_too_little_is_explained():
    for line in ("", "approve", "approve x", "reply call-1", "speed fast", "frobnicate x"):
        with pytest.raises(EntryError):
            parse(line, "facilitator")
