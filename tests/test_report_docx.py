"""The report as a Word document: read back with python-docx, and (slow, where LibreOffice is
installed) converted to PDF and rasterised, the way an office would open it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_replay_helpers import record

from drill.cli import main

docx = pytest.importorskip("docx", reason="python-docx is not installed (pip install 'drill[paperwork]')")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docx")
    log = record(folder, seed=4)
    out = folder / "report.docx"
    args = ["--lang", "vi", "report", str(log), "-o", str(out), "--conducted", "2026-12-04"]
    assert main([*args, "--classification", "KHÔNG MẬT"]) == 0
    return out


def test_word_report_has_headings_tables_pictures_and_vietnamese(written: Path) -> None:
    doc = docx.Document(str(written))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    # eight sections for the controllers: overview … timeline, notes, plan
    assert headings[0] == "1. Thông tin chung về cuộc diễn tập"
    assert headings[-1] == "9. Kế hoạch khắc phục"
    assert "4. Phân tích theo năng lực" in headings
    assert len(doc.inline_shapes) == 3  # the three charts, as pictures
    assert len(doc.tables) >= 8
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Quận Hoàn Kiếm" in "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Điểm mạnh" in text and "Điểm cần cải thiện" in text
    # the plan's dates run from the conduct date (4 December 2026): high +7 and +30 days, medium
    # +14 and +60
    plan = doc.tables[-1]
    assert [c.text for c in plan.rows[0].cells][6:] == ["Bắt đầu", "Hoàn thành", "Ưu tiên"]
    dates = {"cao": ["11/12/2026", "03/01/2027"], "trung bình": ["18/12/2026", "02/02/2027"]}
    rows = [[c.text for c in row.cells][6:] for row in plan.rows[1:]]
    assert rows and all(row[:2] == dates[row[2]] for row in rows)


def test_word_report_is_a4_with_page_numbers_classification_and_a_vietnamese_font(written: Path) -> None:
    doc = docx.Document(str(written))
    first, plan = doc.sections[0], doc.sections[-1]
    assert (round(first.page_width.cm, 1), round(first.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(plan.page_width.cm, 1), round(plan.page_height.cm, 1)) == (29.7, 21.0)  # landscape plan
    footer = first.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert first.header.paragraphs[0].text == "KHÔNG MẬT"
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{a}") for a in ("ascii", "hAnsi", "cs")} == {"Times New Roman"}
    # a short table is kept on one page (the objectives' rows keep with the next) …
    objectives = next(t for t in doc.tables if t.rows[0].cells[0].text == "Mục tiêu")
    assert all(c.paragraphs[0].paragraph_format.keep_with_next for r in objectives.rows[:-1] for c in r.cells)
    # … a long one repeats its header on every page, and its rows do not split
    assert "w:tblHeader" in doc.tables[-1].rows[0]._tr.xml
    assert "w:cantSplit" in doc.tables[-1].rows[1]._tr.xml


def test_a_report_never_overwrites_its_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = record(tmp_path, seed=4)
    before = log.read_bytes()
    assert main(["report", str(log), "-o", str(log), "--format", "docx"]) != 0
    assert log.read_bytes() == before
    assert "input" in capsys.readouterr().err


@pytest.mark.slow(quick="test_word_report_is_a4_with_page_numbers_classification_and_a_vietnamese_font")
def test_libreoffice_opens_it_and_prints_its_pages(written: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        pytest.skip(
            "LibreOffice or pdftoppm not installed (apt-get install libreoffice-writer-nogui poppler-utils)"
        )
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5  # overview … plan: several A4 pages, each rasterised
    assert all(p.stat().st_size > 2000 for p in pages)  # each page has something drawn on it


def test_pdf_without_a_browser_says_how_to_get_one(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log = next(written.parent.glob("*.jsonl"))
    monkeypatch.setenv("DRILL_BROWSER", str(tmp_path / "no-such-browser"))
    assert main(["--lang", "en", "report", str(log), "-o", str(tmp_path / "r.pdf")]) != 0
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists()


STUB_BROWSER = """#!{python}
import re, sys
from pathlib import Path
from urllib.parse import unquote, urlparse
out = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
page = Path(unquote(urlparse(sys.argv[-1]).path)).read_text(encoding="utf-8")
title = re.search("<h1>(.*?)</h1>", page).group(1)
Path(out).write_bytes(b"%PDF-1.4\\n% " + title.encode() + b"\\n1 0 obj << /Type /Page\\n>> endobj\\n%%EOF\\n")
"""


def test_pdf_is_what_the_browser_printed(
    written: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow test's check with a stand-in for Chromium (a script that prints the page's title
    into a one-page PDF): the report hands the browser its page and writes what came back."""
    stub = tmp_path / "chromium"
    stub.write_text(STUB_BROWSER.format(python=sys.executable), encoding="utf-8")
    stub.chmod(0o755)
    monkeypatch.setenv("DRILL_BROWSER", str(stub))
    log = next(written.parent.glob("*.jsonl"))
    out = tmp_path / "r.pdf"
    assert main(["--lang", "vi", "report", str(log), "-o", str(out), "--audience", "players"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type/Page") >= 1
    assert "Mọi thứ cùng lúc".encode() in data  # the Vietnamese page went to the browser


@pytest.mark.slow(quick="test_pdf_is_what_the_browser_printed")
def test_pdf_through_chromium_has_its_pages(written: Path, tmp_path: Path) -> None:
    from drill.report.pdf import find_browser

    if find_browser() is None:
        pytest.skip("no chromium found (Debian: apt-get install chromium)")
    log = next(written.parent.glob("*.jsonl"))
    out = tmp_path / "r.pdf"
    assert main(["--lang", "vi", "report", str(log), "-o", str(out), "--audience", "players"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type/Page") >= 1
