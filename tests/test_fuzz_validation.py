"""Random and mutated documents never make validation raise: every outcome is a list of located,
translated diagnostics, and ``drill validate`` exits 0 or 1.

The documents start from the bundled default scenario, the Hanoi topology and the mini fixture;
keys are deleted, renamed or duplicated and values replaced by random data, or the YAML text itself
is cut and spliced. The default run is quick; ``-m slow`` runs many more examples.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drill.cli import main
from drill.data import bundled_scenarios, bundled_topologies
from drill.diagnostics import Diagnostic, DrillError
from drill.model.check import FileResult, check_file
from drill.model.city import load_city
from drill.model.load import load_scenario
from drill.yamlio import load_file

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
SOURCES = {
    "default-scenario": bundled_scenarios()["ransomware-hoan-kiem"],
    "hanoi-topology": bundled_topologies()["hanoi"],
    "mini-scenario": MINI / "mini-ransomware.yaml",
    "mini-topology": MINI / "mini-topology.yaml",
}
DATA = {name: load_file(path).data for name, path in SOURCES.items()}
TEXT = {name: path.read_text(encoding="utf-8") for name, path in SOURCES.items()}
# pydantic's own English must never reach a trainer: every error type is put in the catalogue's words
RAW_ENGLISH = (
    "Input should",
    "Field required",
    "Value error,",
    "Extra inputs are not permitted",
    "should have at least",
    "should have at most",
    "String should",
    "Traceback",
)
FAST = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEAVY = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the mini topology, which mutated mini scenarios refer to."""
    path = tmp_path_factory.mktemp("fuzz")
    shutil.copy(MINI / "mini-topology.yaml", path / "mini-topology.yaml")
    yield path


# ---------------------------------------------------------------- strategies

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["T+5m", "2h", "-1h", "0", "T1566", "T1566.001", "hoan-kiem", "hk", "soc", "*", "from-backup"]
    ),
    st.sampled_from(
        ["lan", "wan", "smb", "encrypt", "deny", "isolate", "2015-03-04T08:00:00+07:00", "{site}-x"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["id", "en", "vi", "site", "node", "exponential", "x", "at"]), inner, max_size=3
        ),
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _typo(word: str, draw: Any) -> str:
    if not word:
        return "x"
    i = draw(st.integers(0, len(word) - 1))
    how = draw(st.sampled_from(["drop", "double", "swap", "case", "add"]))
    if how == "drop":
        return word[:i] + word[i + 1 :] or "x"
    if how == "double":
        return word[: i + 1] + word[i:]
    if how == "swap" and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "case":
        return word[:i] + word[i].swapcase() + word[i + 1 :]
    return word + draw(st.sampled_from(["s", "_", "-", "1"]))


@st.composite
def mutated(draw: Any, source: str) -> Any:
    """``source``'s data with one to four mutations."""
    data = copy.deepcopy(DATA[source])
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _at(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(["delete", "rename", "replace", "replace", "typo", "duplicate", "swap"]))
        if op == "delete":
            del parent[last]
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.one_of(st.text(max_size=10), st.just(_typo(str(last), draw))))
            parent[new] = parent.pop(last)
        elif op == "typo" and isinstance(parent[last], str):
            parent[last] = _typo(parent[last], draw)
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif op == "swap":
            # a value from elsewhere in the document: a real name in the wrong place
            other = draw(st.sampled_from(paths))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                parent[last] = copy.deepcopy(_at(data, other))
        else:
            parent[last] = draw(values)
    return data


@st.composite
def spliced(draw: Any, source: str) -> str:
    """``source``'s YAML text with characters cut, doubled or inserted."""
    text = TEXT[source]
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 40)))
        piece = draw(
            st.one_of(
                st.text(alphabet=":-[]{},&*!|>'\"#%@`? \n\t\\", max_size=4),
                st.just(text[i:j]),
                st.text(max_size=4),
            )
        )
        text = text[:i] + piece + text[j if draw(st.booleans()) else i :]
    return text


yaml_like = st.text(alphabet=string.ascii_letters[:6] + "0123 :-[]{},&*!|>'\"#%@`?\n\t\\.+", max_size=200)


# ---------------------------------------------------------------- checks


def _write(folder: Path, name: str, data: Any, form: str) -> Path:
    # JSON is YAML too: indented, the document keeps a line per value; as .json it takes the JSON reader
    suffix = ".json" if form == "json" else ".yaml"
    path = folder / f"{name}{suffix}"
    text = json.dumps(data, ensure_ascii=False, indent=None if form == "one-line" else 2, default=str)
    path.write_text(text, encoding="utf-8")
    return path


def _sound(result: FileResult, path: Path) -> None:
    """The result is made of located, readable diagnostics."""
    assert isinstance(result, FileResult)
    for diag in result.diagnostics:
        assert isinstance(diag, Diagnostic)
        assert isinstance(diag.line, int) and diag.line >= 1
        assert isinstance(diag.col, int) and diag.col >= 1
        assert isinstance(diag.message, str) and diag.message.strip()
        assert not any(raw in diag.message for raw in RAW_ENGLISH), diag.format()
        assert diag.code != "internal", diag.format()  # check_file's last guard never fires
        assert diag.format().startswith(f"{diag.file}:{diag.line}:{diag.col}: ")
    assert result.valid == (not result.diagnostics)


def _agrees_with_loading(result: FileResult, path: Path) -> None:
    """What validate says is what loading for a run does."""
    if result.kind == "scenario":
        load = load_scenario
    elif result.kind == "topology":
        load = load_city  # type: ignore[assignment]
    else:
        return
    if result.valid:
        load(path)
    else:
        with pytest.raises(DrillError):
            load(path)


def _cli(path: Path, *extra: str, lang: str = "en") -> int:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--lang", lang, "validate", *extra, str(path)])
    return code


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_the_sources_are_valid(source: str) -> None:
    # the property tests start from valid documents, so a problem found is one the mutation made
    assert check_file(SOURCES[source]).valid


def _mutations(source: str, folder: Path, data: Any, form: str) -> None:
    name = "scenario" if "scenario" in source else "topology"
    path = _write(folder, f"{source}-{name}", data, form)
    result = check_file(path)
    _sound(result, path)
    _agrees_with_loading(result, path)


@FAST
@given(
    data=st.data(),
    source=st.sampled_from(sorted(SOURCES)),
    form=st.sampled_from(["indented", "one-line", "json"]),
)
def test_mutated_documents_give_diagnostics(
    folder: Path, data: st.DataObject, source: str, form: str
) -> None:
    _mutations(source, folder, data.draw(mutated(source)), form)


@FAST
@given(data=st.data(), source=st.sampled_from(sorted(SOURCES)))
def test_spliced_yaml_text_gives_diagnostics(folder: Path, data: st.DataObject, source: str) -> None:
    path = folder / f"spliced-{source}.yaml"
    path.write_text(data.draw(spliced(source)), encoding="utf-8")
    result = check_file(path)
    _sound(result, path)
    _agrees_with_loading(result, path)


@settings(FAST, max_examples=200)
@given(text=yaml_like)
def test_random_yaml_text_gives_diagnostics(folder: Path, text: str) -> None:
    path = folder / "random.yaml"
    path.write_text(text, encoding="utf-8")
    _sound(check_file(path), path)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), source=st.sampled_from(sorted(SOURCES)), lang=st.sampled_from(["en", "vi"]))
def test_the_command_exits_0_or_1(folder: Path, data: st.DataObject, source: str, lang: str) -> None:
    path = _write(folder, f"cli-{source}", data.draw(mutated(source)), "indented")
    expected = 0 if check_file(path).valid else 1
    assert _cli(path, "--format", "json", lang=lang) == expected
    assert _cli(path, lang=lang) == expected


@pytest.mark.slow(quick="test_mutated_documents_give_diagnostics")
@HEAVY
@given(
    data=st.data(),
    source=st.sampled_from(sorted(SOURCES)),
    form=st.sampled_from(["indented", "one-line", "json"]),
)
def test_many_mutated_documents(folder: Path, data: st.DataObject, source: str, form: str) -> None:
    _mutations(source, folder, data.draw(mutated(source)), form)


@pytest.mark.slow(quick="test_spliced_yaml_text_gives_diagnostics")
@HEAVY
@given(data=st.data(), source=st.sampled_from(sorted(SOURCES)))
def test_much_spliced_yaml_text(folder: Path, data: st.DataObject, source: str) -> None:
    path = folder / f"spliced-{source}.yaml"
    path.write_text(data.draw(spliced(source)), encoding="utf-8")
    result = check_file(path)
    _sound(result, path)
    _agrees_with_loading(result, path)
