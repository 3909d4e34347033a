"""A batch comparison adds up: B − A beside the means it is the difference of, the share of
runs that reached a figure, bounds that keep their precision, shares in percentage points."""

from __future__ import annotations

import json

import pytest

from drill.batch.figures import format_bound, format_figure, format_points
from drill.batch.stats import paired
from drill.cli import main


def test_the_difference_comes_with_the_means_it_is_the_difference_of():
    # A contained in runs 0, 1, 3; B in runs 0, 2, 3: the pairs are runs 0 and 3
    a = [235.0, 100.0, None, 220.0]
    b = [232.0, None, 50.0, 180.0]
    d = paired(a, b)
    assert d.pairs == 2
    assert d.mean_a == pytest.approx((235 + 220) / 2) and d.mean_b == pytest.approx((232 + 180) / 2)
    assert d.mean == pytest.approx(d.mean_b - d.mean_a) == pytest.approx((-3 - 40) / 2)


def test_an_interval_bound_is_never_rounded_to_zero():
    assert format_bound("time_to_contain", -0.05) == "−0.05m"
    assert format_bound("time_to_contain", -5.0) == "−5.0m"
    assert format_bound("time_to_contain", 0.0) == "±0m"
    assert format_bound("time_to_contain", -75.0) == "−1h 15m"


def test_a_difference_of_shares_is_in_percentage_points():
    assert format_points(0.28) == "+28 pp"
    assert format_figure("expectations_met", -0.28, signed=True) == "−28 pp"
    assert format_figure("expectations_met", 0.28) == "28%"  # a share itself stays a share


def test_a_comparison_shows_the_paired_means_and_the_share_that_reached_it(capsys):
    args = ["batch", "--runs", "12", "--seed", "5", "--workers", "1", "--vs-set", "teams.city-soc.staff=1"]
    assert main([*args, "--json"]) == 0
    comp = json.loads(capsys.readouterr().out)["comparison"]
    for name, c in comp["metrics"].items():
        d = c["difference"]
        if d["pairs"]:
            assert d["mean_b"] - d["mean_a"] == pytest.approx(d["mean"]), name
        reached = c["reached"]
        assert reached["pairs"] == comp["pairs"]
        assert reached["mean"] == pytest.approx(c["b"]["share"] - c["a"]["share"]), name
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "A mean (pairs)" in text and "reached A → B" in text and " pp" in text


def test_two_investigation_strategies_compare_on_the_same_seeds(capsys, tmp_path):
    # in the quiet drill nothing alerts: looking in a body the attacker never touched detects
    # nothing in any run, while the sample decisions (Finance's logs, then the stolen account's
    # trail) detect it in most; the arms are labelled by their decisions files
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        "- {at: T+50m, action: investigate, procedure: log-review,"
        " target: {site: so-noi-vu}, by: so-tai-chinh-it}\n",
        encoding="utf-8",
    )
    args = ["batch", "docmgmt-quiet-theft", "--runs", "12", "--seed", "3", "--workers", "1"]
    args += ["--decisions", str(wrong), "--vs-decisions", "scenarios/decisions/docmgmt-quiet-theft.yaml"]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [a["label"] for a in out["arms"]] == [
        "docmgmt-quiet-theft + wrong.yaml",
        "docmgmt-quiet-theft + docmgmt-quiet-theft.yaml",
    ]
    reached = out["comparison"]["metrics"]["time_to_detect"]["reached"]
    assert reached["mean"] >= 0.5  # B detects in at least half the runs more than A
    assert out["comparison"]["metrics"]["time_to_detect"]["a"]["share"] == 0
