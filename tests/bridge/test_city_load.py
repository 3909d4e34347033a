"""The proof at city scale: ``drill serve`` in its own process, the city SOC and 30 districts each
at its own console, submitting decisions for the length of the drill at high speed — nothing lost,
nothing leaked. The quick version runs by default; two drill hours are marked slow."""

import asyncio

import pytest

from tests.bridge.city_session import check_log, leaks, play, serve
from tests.bridge.helpers import city_drill


@pytest.mark.parametrize(
    ("hours", "speed", "every"),
    [
        pytest.param(0.5, 300, 0.5, id="half-hour"),
        pytest.param(
            2.0,
            720,
            0.25,
            id="two-hours",
            marks=pytest.mark.slow(quick="test_31_consoles_lose_nothing_and_see_only_their_own"),
        ),
    ],
)
def test_31_consoles_lose_nothing_and_see_only_their_own(tmp_path, hours, speed, every):
    scenario = city_drill(tmp_path, hours=hours + 0.5)
    served = serve([str(scenario), "--seed", "3", "--speed", str(speed)], tmp_path / "city.jsonl")
    try:
        consoles = asyncio.run(play(served, minutes=hours * 60, every=every))
    finally:
        assert served.stop() == 0
    assert len(consoles) == 31
    counts = check_log(served.log, consoles)
    assert counts["applied"] >= 31
    assert all(any(a["status"] == "applied" for a in c.answers) for c in consoles)  # every console
    found = [leak for c in consoles for leak in leaks(c)]
    assert found == []
    # each district heard its own call
    for c in consoles:
        if c.seat != "city-soc":
            texts = [m["text"]["en"] for m in c.client.state.ordered_events()]
            assert any(f"secret for {c.seat}" in x for x in texts), c.seat
