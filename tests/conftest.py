"""Shared test helpers: paths to fixtures and the repository's bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English, whatever the machine's locale, unless it asks otherwise."""
    from drill.i18n import set_language

    monkeypatch.setenv("DRILL_LANG", "en")
    set_language("en")
