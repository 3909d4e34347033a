"""The report as PDF, printed from its HTML by a headless Chromium where one is installed (the
page numbers and the classification line come from the HTML's print styles)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..diagnostics import DrillError
from ..i18n import t

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
TIMEOUT = 180  # seconds

# a headless browser that prints and nothing else: no network of its own, no first-run work
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
)


def find_browser() -> str | None:
    """A Chromium-family browser: ``DRILL_BROWSER``, else the first one on the PATH."""
    chosen = os.environ.get("DRILL_BROWSER")
    if chosen:
        return shutil.which(chosen) or (chosen if Path(chosen).is_file() else None)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def render_pdf(html: str) -> bytes:
    browser = find_browser()
    if browser is None:
        raise DrillError(t("report.no_browser"))
    with tempfile.TemporaryDirectory(prefix="drill-pdf-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(folder) / "report.pdf"
        try:
            result = subprocess.run(
                [
                    browser,
                    *HEADLESS,
                    f"--user-data-dir={Path(folder) / 'profile'}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={out}",
                    page.as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DrillError(t("report.browser_failed", browser=browser, reason=str(exc))) from exc
        if not out.is_file() or out.stat().st_size == 0:
            reason = (result.stderr or "").strip().splitlines()[-1:] or [f"exit {result.returncode}"]
            raise DrillError(t("report.browser_failed", browser=browser, reason=reason[0]))
        return out.read_bytes()
