"""Seats' tokens: one per seat, long, found only when exact, replaced when revoked, kept private."""

import stat

import pytest

from drill.bridge.seats import Seats, seats_file
from drill.diagnostics import DrillError


def test_every_team_and_each_role_has_its_own_long_token():
    seats = Seats.for_teams(["a-it", "b-it"])
    assert list(seats.seats) == ["a-it", "b-it", "observer", "projector", "facilitator"]
    tokens = [s.token for s in seats.seats.values()]
    assert len(set(tokens)) == 5
    assert all(len(tok) >= 32 for tok in tokens)  # 24 random bytes, base64: 192 bits
    assert seats.seats["a-it"].team == "a-it" and seats.seats["observer"].team is None


def test_only_the_exact_token_opens_its_seat():
    seats = Seats.for_teams(["a-it"])
    token = seats.seats["a-it"].token
    assert seats.find(token).name == "a-it"
    for wrong in (
        token[:-1],
        token + "x",
        token.upper() if token.upper() != token else token + "A",
        "",
        None,
        42,
        "x" * 5000,
    ):
        assert seats.find(wrong) is None


def test_a_revoked_token_opens_nothing_and_the_new_one_does():
    seats = Seats.for_teams(["a-it"])
    old = seats.seats["a-it"].token
    new = seats.revoke("a-it").token
    assert new != old
    assert seats.find(old) is None
    assert seats.find(new).name == "a-it"


def test_tokens_are_kept_beside_the_log_for_the_owner_only(tmp_path):
    seats = Seats.for_teams(["a-it"])
    path = seats_file(tmp_path / "drill.jsonl")
    assert path.name == "drill.jsonl.seats.json"
    seats.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = Seats.load(path, ["a-it", "c-it"])
    assert loaded.seats["a-it"].token == seats.seats["a-it"].token
    assert "c-it" in loaded.seats  # a team added since gets a seat


def test_an_unreadable_seats_file_is_explained(tmp_path):
    path = tmp_path / "x.seats.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DrillError, match="x.seats.json"):
        Seats.load(path, [])
