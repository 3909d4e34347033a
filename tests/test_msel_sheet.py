"""The MSEL as a spreadsheet: out to .xlsx and .csv, edited, and back into the scenario file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drill.cli import main
from drill.data import bundled_scenarios
from drill.model.load import load_scenario

openpyxl = pytest.importorskip(
    "openpyxl", reason="openpyxl is not installed (pip install 'drill[paperwork]')"
)
pytest.importorskip("ruamel.yaml", reason="ruamel.yaml is not installed (pip install 'drill[paperwork]')")

SCENARIOS = sorted(bundled_scenarios())


def _copy(sid: str, folder: Path) -> Path:
    source = Path(load_scenario(sid).file)
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


@pytest.mark.parametrize("sid", SCENARIOS)
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_gives_the_same_scenario(sid: str, suffix: str, tmp_path: Path) -> None:
    copy = _copy(sid, tmp_path)
    before = copy.read_text(encoding="utf-8")
    sheet = tmp_path / f"msel{suffix}"
    assert main(["msel", "export", sid, "-o", str(sheet)]) == 0
    assert main(["msel", "import", str(sheet), "--into", str(copy)]) == 0
    assert load_scenario(str(copy)).spec == load_scenario(sid).spec
    # nothing changed: the file is left as it was, comments and layout and all
    assert copy.read_text(encoding="utf-8") == before


def test_the_workbook_has_frozen_headers_lists_and_a_sheet_of_expected_actions(tmp_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    assert main(["msel", "export", "ransomware-hoan-kiem", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    msel, expected = book["MSEL"], book["Expected actions"]
    spec = load_scenario("ransomware-hoan-kiem").spec
    assert msel.max_row == 1 + len(spec.injects)
    assert expected.max_row == 1 + sum(len(i.expects) for i in spec.injects)
    assert msel.freeze_panes == "B2" and expected.freeze_panes == "B2"
    header = [c.value for c in msel[1]]
    assert header[:4] == ["id", "at", "when", "contingency"]
    assert msel.column_dimensions["K"].width > msel.column_dimensions["B"].width  # the text is wide
    lists = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in msel.data_validations.dataValidation
    }
    channel = header.index("channel")
    assert lists[chr(ord("A") + channel)].startswith("Lists!")
    choices = [c.value for c in book["Lists"]["A"] if c.value]
    assert choices == ["phone", "email", "in-person", "chat", "news", "ticket", "letter", "radio", "system"]
    first = next(r for r in msel.iter_rows(min_row=2, values_only=True) if r[0] == "helpdesk-calls")
    assert first[1] == "T+45m" and first[header.index("text (vi)")].startswith("Ba cán bộ báo máy tính")


def test_each_problem_is_reported_at_its_cell_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _copy("ransomware-hoan-kiem", tmp_path)
    before = copy.read_bytes()
    out = tmp_path / "m.xlsx"
    assert main(["msel", "export", "ransomware-hoan-kiem", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    book["MSEL"]["H2"] = "phnoe"  # the first inject's channel
    book.save(out)
    assert main(["msel", "import", str(out), "--into", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "m.xlsx:MSEL!H2: injects[0].channel:" in err and "did you mean phone?" in err
    assert copy.read_bytes() == before


def test_an_unknown_team_is_found_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _copy("ransomware-hoan-kiem", tmp_path)
    out = tmp_path / "m.xlsx"
    assert main(["msel", "export", "ransomware-hoan-kiem", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    book["Expected actions"]["G2"] = "hoan-kiem-iit"  # by, of the first expected action
    book.save(out)
    assert main(["msel", "import", str(out), "--into", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "m.xlsx:Expected actions!G2:" in err and "hoan-kiem-it" in err


def test_an_edited_inject_is_written_back_and_the_comments_stay(tmp_path: Path) -> None:
    copy = _copy("ransomware-hoan-kiem", tmp_path)
    comments = [line for line in copy.read_text(encoding="utf-8").splitlines() if "#" in line]
    out = tmp_path / "m.xlsx"
    assert main(["msel", "export", "ransomware-hoan-kiem", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    msel = book["MSEL"]
    header = [c.value for c in msel[1]]
    msel.cell(row=2, column=header.index("at") + 1, value="T+30m")
    msel.cell(row=3, column=header.index("to") + 1, value="city-soc, hoan-kiem-it")
    book["Expected actions"].append(
        ["helpdesk-calls", "escalate", None, None, "national-cert", "3h", "city-soc"]
    )
    book.save(out)
    assert main(["msel", "import", str(out), "--into", str(copy)]) == 0
    text = copy.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if "#" in line] == comments
    assert "to: [city-soc, hoan-kiem-it]" in text
    spec = load_scenario(str(copy)).spec
    first = spec.injects[0]
    assert (
        first.at == 30.0
        and first.expects[-1].action == "escalate"
        and first.expects[-1].to == "national-cert"
    )
    assert spec.injects[1].to == ("city-soc", "hoan-kiem-it")


def test_csv_for_excel_in_vietnamese_settings(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    assert main(["msel", "export", "ddos-filing-deadline", "-o", str(out), "--csv-dialect", "excel-vi"]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads UTF-8
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.split(";")[:3] == ["id", "at", "when"]
    copy = _copy("ddos-filing-deadline", tmp_path)
    assert main(["msel", "import", str(out), "--into", str(copy)]) == 0
    assert load_scenario(str(copy)).spec == load_scenario("ddos-filing-deadline").spec


def test_import_needs_an_existing_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.xlsx"
    assert main(["msel", "export", "portal-defacement", "-o", str(out)]) == 0
    assert main(["msel", "import", str(out), "--into", str(tmp_path / "none.yaml")]) == 1
    assert "drill new" in capsys.readouterr().err


def test_a_named_capability_goes_out_and_back(tmp_path: Path) -> None:
    copy = _copy("portal-defacement", tmp_path)
    text = copy.read_text(encoding="utf-8")
    first = text.index("    expects:\n      - {")
    end = text.index("}\n", first)  # the end of the first expected action's line
    copy.write_text(text[:end] + ", capability: web-hardening" + text[end:], encoding="utf-8")
    named = load_scenario(str(copy)).spec
    assert any(e.capability == "web-hardening" for i in named.injects for e in i.expects)
    out = tmp_path / "m.xlsx"
    assert main(["msel", "export", str(copy), "-o", str(out)]) == 0
    header = [c.value for c in openpyxl.load_workbook(out)["Expected actions"][1]]
    assert "capability" in header
    assert main(["msel", "import", str(out), "--into", str(copy)]) == 0
    assert load_scenario(str(copy)).spec == named
