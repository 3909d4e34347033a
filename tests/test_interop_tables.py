"""The batch CSV in a spreadsheet: its 19-digit seeds stay exact, and a row re-runs from its seed.

A spreadsheet keeps 15 significant digits of a number: 6447385398986112003 becomes
6447385398986109952, another run. The seed column is written ``="6447385398986112003"``, a formula
whose value is the digits as text. The slow test converts with LibreOffice, headless.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drill.cli import main

SCENARIO = "grassroots-district-drill"  # one hour of drill: quick runs
SEED_CELL = re.compile(r'^="([0-9]+)"$')
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NEEDS_OFFICE = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
)


def batch_rows(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    table = folder / "runs.csv"
    args = ["batch", SCENARIO, "--runs", "4", "--workers", "1", "--seed", "11", "--csv", str(table)]
    assert main(args) == 0
    capsys.readouterr()
    return list(csv.DictReader(table.open(encoding="utf-8", newline="")))


def seed_of(row: dict[str, str]) -> int:
    match = SEED_CELL.match(row["seed"])
    assert match, row["seed"]
    return int(match.group(1))


def test_a_row_re_runs_from_its_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's recipe: drill run SCENARIO --seed SEED gives the row's figures again."""
    rows = batch_rows(tmp_path, capsys)
    seeds = [seed_of(r) for r in rows]
    assert max(seeds) > 2**53, "a seed no spreadsheet keeps as a number, or the test proves nothing"
    row = rows[seeds.index(max(seeds))]
    assert main(["run", SCENARIO, "--seed", str(max(seeds)), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["seed"] == max(seeds)
    for figure in ("time_to_detect", "dwell_mean"):
        assert float(row[figure]) == again["metrics"][figure]


def _convert(source: Path, fmt: str, out: Path, profile: Path) -> Path:
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",  # its own profile: no clash with another office
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (made,) = out.glob(f"{source.stem}.{fmt.split(':')[0]}")
    return made


def _round_trip(table: Path, via: str, work: Path) -> list[list[str]]:
    sheet = _convert(table, via, work / via, work / "profile")
    back = _convert(sheet, "csv", work / f"{via}-csv", work / "profile")
    return list(csv.reader(back.open(encoding="utf-8", newline="")))


@pytest.mark.slow(quick="test_a_row_re_runs_from_its_seed")
@NEEDS_OFFICE
@pytest.mark.parametrize("via", ["xlsx", "ods"])
def test_seeds_survive_a_spreadsheet(tmp_path: Path, capsys: pytest.CaptureFixture[str], via: str) -> None:
    rows = batch_rows(tmp_path, capsys)
    back = _round_trip(tmp_path / "runs.csv", via, tmp_path)
    column = back[0].index("seed")
    assert [int(r[column]) for r in back[1:]] == [seed_of(r) for r in rows]


def test_a_bare_seed_is_rounded_as_a_spreadsheet_number() -> None:
    """The slow test's rounding without the office: a spreadsheet keeps a number's 15 significant
    digits, so the bare seed comes back as another run's seed; the text cell keeps every digit."""
    bare = "6447385398986112003"
    assert int(float(f"{float(bare):.15g}")) == 6447385398986109952 != int(bare)
    cell = SEED_CELL.match(f'="{bare}"')
    assert cell is not None and int(cell.group(1)) == int(bare)


@pytest.mark.slow(quick="test_a_bare_seed_is_rounded_as_a_spreadsheet_number")
@NEEDS_OFFICE
def test_a_bare_seed_would_not(tmp_path: Path) -> None:
    """Why the seed column is written as it is: the bare number comes back rounded."""
    table = tmp_path / "bare.csv"
    table.write_text("run,seed\n0,6447385398986112003\n", encoding="utf-8")
    back = _round_trip(table, "xlsx", tmp_path)
    assert float(back[1][1]) == 6447385398986109952 != 6447385398986112003
