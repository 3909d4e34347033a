"""The one catalogue of user-facing text, in Vietnamese and English.

Messages live in ``drill/locales/<lang>/<area>.toml``; keys are ``area.key``. Every file of one
language must have the same keys and placeholders as the other (a test checks it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES: tuple[str, ...] = ("en", "vi")
DEFAULT_LANGUAGE = "en"

_current = [DEFAULT_LANGUAGE]


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language asked for by DRILL_LANG, else by the locale variables, else English."""
    env = os.environ if environ is None else environ
    for var in ("DRILL_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip().lower()
        if not value:
            continue
        code = value.split("_")[0].split(".")[0].split("-")[0]
        if code in LANGUAGES:
            return code
        if var == "DRILL_LANG":
            continue
        return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(lang)
    _current[0] = lang


def get_language() -> str:
    return _current[0]


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Messages made inside are in ``lang``; the language before comes back after."""
    before = _current[0]
    set_language(lang)
    try:
        yield
    finally:
        _current[0] = before


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, flattened to ``area.key`` → text."""
    out: dict[str, str] = {}
    folder = resources.files("drill") / "locales" / lang
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        area = entry.name[: -len(".toml")]
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        _flatten(area, data, out)
    return out


def _flatten(prefix: str, data: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in data.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


def t(key: str, lang: str | None = None, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` (default: the current language), filled with ``values``."""
    text = catalogue(lang or _current[0]).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def pick(text: Mapping[str, str] | str | None, lang: str | None = None) -> str:
    """Choose one language from a bilingual ``{en: …, vi: …}`` value of a scenario or topology."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    lang = lang or _current[0]
    return text.get(lang) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")
