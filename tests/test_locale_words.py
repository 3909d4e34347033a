"""No English word leaks into the Vietnamese catalogue (drill/locales/GLOSSARY-vi.md).

A word is suspect when it is plain ASCII and cannot be one Vietnamese syllable (written without
tone marks, many Vietnamese syllables are ASCII: "trong", "cho", "theo"). What a user types —
commands, options, keys, file formats — and names and acronyms are allowed by name below."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import drill

LOCALES = Path(drill.__file__).resolve().parent / "locales"

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_NUCLEUS = (
    r"(?:oai|oay|uoi|uya|uyu|ieu|uou|yeu|oeo|uay|ai|ao|au|ay|eo|ia|iu|oa|oe|oi|ua|ue|ui|uo|uy|ie|uu|ye"
    r"|a|e|i|o|u|y)"
)
_CODA = r"(?:ng|nh|ch|[cmnpt])?"
SYLLABLE = re.compile(f"^{_ONSET}{_NUCLEUS}{_CODA}$")

# typed by the user or named as such: commands, options and their values, keys of the files,
# file formats, products, keys of the keyboard
ALLOWED = frozenset(
    re.findall(
        r"\S+",
        """
    drill play replay report run validate resume install new verify show until force branch
    byte log jsonl json yaml yml csv xlsx markdown md html docx pdf png svg word excel standard
    esc enter tab home end internet dask chromium openpyxl gephi yed hanoi monte carlo vs
    local backend scheduler cluster workers plot lines speed english
    players controllers decisions scenario schema unit sites nodes services requires
    targets over deny site kind zone tag match group detected under lead order takes effort base
    isolate escalate communicate offline online phone email news ticket letter radio
    detection containment recovery reporting communication coordination
    expected id value null false alias anchor infinity boolean code type choices duration
    message option matches format from web seed runs node dmz wan vpn
    http https proxy token port host headless certfile keyfile
    approve reject pause revoke reply help approval off all none links as reimage investigate
    graphml remove extends
    """,
    )
)


def _words(text: str) -> list[str]:
    while True:  # placeholders, nested ones too: {{at: T+50m, target: {{site: x}}}}
        shorter = re.sub(r"\{[^{}]*\}", " ", text)
        if shorter == text:
            break
        text = shorter
    text = re.sub(r"%\([^)]*\)\w|'[^']*'|`[^`]*`|\"[^\"]*\"", " ", text)
    text = re.sub(r"\bdrill [a-z]+", " ", text)  # a command, as typed
    text = re.sub(r"--[a-z][a-z-]*", " ", text)  # an option, as typed
    out = []
    for token in re.findall(r"[^\W\d_][\w./:+=-]*", text):
        if not token.isascii() or re.search(r"[0-9_./:+=-]", token) or len(token) == 1:
            continue  # Vietnamese, or an id, path, option or time (T+90m)
        if sum(c.isupper() for c in token) >= 2:
            continue  # an acronym: MSEL, SOC, CERT, LAN
        out.append(token)
    return out


def _strings(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.extend(_strings(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def leaks(text: str) -> list[str]:
    return [w for w in _words(text) if not SYLLABLE.match(w.lower()) and w.lower() not in ALLOWED]


def test_no_english_word_in_the_vietnamese_catalogue() -> None:
    found = []
    for path in sorted((LOCALES / "vi").glob("*.toml")):
        for key, text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            found.extend(f"{path.stem}.{key}: {w}" for w in leaks(text))
    assert not found, "English in the Vietnamese catalogue:\n" + "\n".join(found)


def test_the_check_catches_english_and_spares_vietnamese() -> None:
    # the words the glossary replaced would be caught …
    assert leaks("Hạt giống 14; topology hợp lệ; mỗi worker") == ["topology", "worker"]
    assert leaks("the team escalated") == ["team", "escalated"]  # "the" could be Vietnamese
    # … while Vietnamese without tone marks, placeholders, ids, options and acronyms pass
    assert leaks("trong {count} phút, theo ba-vi-onestop, --seed, MSEL, SOC") == []


def test_the_glossary_is_kept_beside_the_catalogue() -> None:
    glossary = (LOCALES / "GLOSSARY-vi.md").read_text(encoding="utf-8")
    for term in ("mã khởi tạo", "chuyển cấp xử lý", "mô hình mạng", "phút"):
        assert term in glossary
    catalogue = " ".join(p.read_text(encoding="utf-8") for p in (LOCALES / "vi").glob("*.toml"))
    for banned in ("hạt giống", "Hạt giống", "vượt cấp"):
        assert banned not in catalogue


def test_durations_read_in_words_in_vietnamese_and_as_written_in_english() -> None:
    from drill.i18n import speaking
    from drill.model.durations import format_duration

    # 1 day, 2 hours and 5 minutes = 1440 + 120 + 5
    assert format_duration(1565, "en") == "1d 2h 5m"
    assert format_duration(1565, "vi") == "1 ngày 2 giờ 5 phút"
    assert format_duration(4, "vi") == "4 phút" and format_duration(60, "vi") == "1 giờ"
    with speaking("vi"):
        assert format_duration(0.4) == "0 phút"  # the spoken language by default


def test_a_topology_is_valid_in_vietnamese_words(capsys) -> None:
    from drill.cli import main

    assert main(["--lang", "vi", "validate", "hanoi"]) == 0
    out = capsys.readouterr().out
    assert "hợp lệ (mô hình mạng)" in out and "topology)" not in out


def test_a_long_list_of_bodies_counts_the_rest_as_bodies() -> None:
    from drill.i18n import speaking
    from drill.summary import _first

    with speaking("vi"):
        text = _first([f"Xã {i}" for i in range(10)], most=8)
    assert text.endswith("… và 2 đơn vị khác") and "dịch vụ" not in text


def test_commands_quoted_in_vietnamese_are_drills_own() -> None:
    # a translation must not translate what the user types: where the English message names
    # "drill topology show", the Vietnamese one does too (not "drill mô hình mạng show")
    commands = ("topology", "validate", "play", "replay", "report", "run", "new", "batch", "scenarios")

    def catalogue(lang: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for path in sorted((LOCALES / lang).glob("*.toml")):
            for key, text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
                out[f"{path.stem}.{key}"] = text
        return out

    english, vietnamese = catalogue("en"), catalogue("vi")
    lost = []
    for key, text in english.items():
        for command in re.findall(r"\bdrill (\w+)", text):
            if command in commands and f"drill {command}" not in vietnamese.get(key, ""):
                lost.append(f"{key}: drill {command}")
    assert not lost, lost
