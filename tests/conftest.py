"""Shared test helpers: paths to fixtures and the repository's bundled data."""

from __future__ import annotations

import gc
from collections.abc import Iterator
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


@pytest.fixture(autouse=True)
def _nothing_stays_frozen() -> Iterator[None]:
    """Opening a replay or a timeline freezes the heap (drill/replay.py, drill/timeline.py), for a
    process that then lives with that one drill. A test worker opens hundreds: each freeze would
    pin every cycle not yet collected, a test's drills among them, for the worker's life (about
    2 MB a default drill). After each test, what is frozen goes back to the collector."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Before ``-m 'not slow'`` leaves the slow tests out: does each name its quick counterpart?"""
    from tests.slow_pairs import PAIRING, check

    config.stash[PAIRING] = check(items)
