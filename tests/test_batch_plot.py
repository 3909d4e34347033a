"""The batch pictures and the CSV form for Excel in Vietnamese settings."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib
import pytest
from test_aar_analysis import QUIET

from drill.cli import main

# the quiet phish, bounded on hosts: a phish with no effect harms nothing, so no run has a time to
# recover; one machine group is hit in every run
BOUNDED = QUIET.replace(
    "objectives:\n  - {metric: time_to_contain, under: 2h}\n",
    "objectives:\n  - {metric: time_to_contain, under: 2h}\n  - {metric: hosts_compromised, under: 5}\n",
)


@pytest.fixture()
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "bounded.yaml"
    path.write_text(BOUNDED, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("lang", "none", "target", "hint"),
    [
        ("en", "no run reached this figure", "objective: under 5<", "left is better"),
        ("vi", "không lần chạy nào đạt tới chỉ số này", "mục tiêu: dưới 5<", "càng về bên trái càng tốt"),
    ],
)
def test_a_panel_no_run_reached_says_so_and_targets_are_drawn(
    scenario: Path, tmp_path: Path, lang: str, none: str, target: str, hint: str
) -> None:
    out = tmp_path / "cdf.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text, to be read here
        args = ["--lang", lang, "batch", str(scenario), "--runs", "4", "--workers", "1", "--plot", str(out)]
        assert main(args) == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.count(none) == 1  # time to recover: nothing to recover in any run
    assert target in svg  # the hosts panel's bound from the objectives, in the legend
    assert hint in svg
    assert "−0.04" not in svg and "-0.04" not in svg  # no empty axis around zero


def test_csv_for_excel_in_vietnamese_settings(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"
    args = ["--lang", "en", "batch", str(scenario), "--runs", "3", "--workers", "1", "--csv", str(out)]
    assert main([*args, "--csv-dialect", "excel-vi"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    header = rows[0]
    assert "time to detect (min)" in header
    assert "hosts compromised (< 5): met (1) or not (0)" in header  # named, not objective_1
    assert not any(h.startswith("objective_") for h in header)
    hosts = header.index("hosts compromised in all")
    # one machine group phished in each run: a whole number written with a decimal comma
    assert all("," in r[hosts] and "." not in r[hosts] for r in rows[1:])
