"""The HTML report opened in a real headless browser: the charts and tables are there, and it prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_replay_helpers import record

from drill.cli import main
from drill.report.pdf import HEADLESS

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("DRILL_REQUIRE_BROWSER"):  # CI installs one: its absence is a failure there
        pytest.fail("no chromium found, and DRILL_REQUIRE_BROWSER is set")
    pytest.skip("no chromium found (Debian: apt-get install chromium)")


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            *HEADLESS,
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    log = record(folder, seed=4)
    out = folder / "report.html"
    assert main(["--lang", "en", "report", str(log), "-o", str(out)]) == 0
    return out


def _check_dom(html: str, title: str) -> None:
    # the browser parsed the charts as SVG with drawn paths, and every table
    for chart in ("chart-hosts", "chart-services", "chart-queue"):
        svg = re.search(rf'<svg id="{chart}"[^>]*>(.*?)</svg>', html, re.S)
        assert svg is not None, chart
        assert svg.group(1).count("<path") > 3, chart
    for table in ("objectives", "teams", "downtime-services", "timeline-table", "plan-table"):
        assert f'<table id="{table}"' in html, table
    assert html.count("<tr") > 60
    assert f"<h1>{title}</h1>" in html


def test_the_browser_sees_the_charts_and_tables(page: Path, tmp_path: Path) -> None:
    """One quick look (a second or two): the DOM as the browser built it."""
    dom = _chromium(_browser(), tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    _check_dom(dom.stdout, "Everything at once")


@pytest.mark.slow(quick="test_the_browser_sees_the_charts_and_tables")
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_report_renders_screenshots_and_prints(tmp_path: Path, lang: str) -> None:
    browser = _browser()
    log = record(tmp_path, seed=4)
    page = tmp_path / "report.html"
    assert main(["--lang", lang, "report", str(log), "-o", str(page)]) == 0

    dom = _chromium(browser, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    _check_dom(dom.stdout, "Mọi thứ cùng lúc" if lang == "vi" else "Everything at once")

    shot = tmp_path / "report.png"
    result = _chromium(
        browser, tmp_path / "profile", "--window-size=1100,3000", f"--screenshot={shot}", page.as_uri()
    )
    assert result.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a page of text and charts, not a blank one

    pdf = tmp_path / "report.pdf"
    result = _chromium(
        browser, tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert result.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= 3  # A4: the summary, the timeline and the improvement plan on its own page
