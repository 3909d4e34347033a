"""Hostile files: only plain data is read, bombs and oversize files are refused quickly and in
bounded memory, and a scenario cannot make drill read a topology outside its own folder."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from drill.diagnostics import DrillError
from drill.model.check import check_file
from drill.model.load import load_scenario
from drill.yamlio import MAX_ALIASES, MAX_DEPTH, MAX_YAML_BYTES, load_file, load_yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "mini"
MINI_SCENARIO = (FIXTURES / "mini-ransomware.yaml").read_text(encoding="utf-8")
MINI_TOPOLOGY = (FIXTURES / "mini-topology.yaml").read_text(encoding="utf-8")
# generous: each refusal takes well under a second; this only catches a bound that stopped working
QUICK = 5.0


def _bomb(levels: int, width: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _refused(text: str) -> tuple[DrillError, float]:
    """The refusal of ``text``, and the seconds it took."""
    start = time.perf_counter()
    with pytest.raises(DrillError) as info:
        load_yaml(text, "bomb.yaml")
    return info.value, time.perf_counter() - start


def _peak_memory(text: str) -> int:
    """The most memory (bytes) refusing ``text`` used; tracing makes it several times slower."""
    tracemalloc.start()
    try:
        with pytest.raises(DrillError):
            load_yaml(text, "bomb.yaml")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "levels,width",
    [(9, 10), (30, 2), (4, 200)],
    ids=["billion-laughs", "deep-chain", "wide-lists"],
)
def test_alias_bombs_are_refused_quickly(levels: int, width: int) -> None:
    error, elapsed = _refused(_bomb(levels, width))
    assert "alias bomb" in error.message
    assert str(MAX_ALIASES) in error.message
    assert error.diagnostics and error.diagnostics[0].line > 1  # names the key that expands
    assert elapsed < QUICK


def test_a_billion_laughs_is_refused_in_bounded_memory() -> None:
    # fully expanded it would be 10**9 strings; refused, it needs a few tens of megabytes at most
    assert _peak_memory(_bomb(9, 10)) < 100 * 1024 * 1024


def test_a_mapping_bomb_is_refused() -> None:
    lines = ["b0: &b0 {x: 1, y: 2}"]
    for i in range(1, 10):
        entries = ", ".join(f"k{j}: *b{i - 1}" for j in range(10))
        lines.append(f"b{i}: &b{i} {{{entries}}}")
    text = "\n".join(lines) + "\n"
    error, elapsed = _refused(text)
    assert "alias bomb" in error.message and elapsed < QUICK


def test_many_aliases_of_one_scalar_are_refused() -> None:
    text = "a: &a lol\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 10)) + "]\n"
    error, _ = _refused(text)
    assert error.diagnostics[0].path == "b"


def test_moderate_aliases_are_fine() -> None:
    # anchors are a normal way to share settings between nodes
    text = "s: &s {coverage: 0.5, delay: 2h}\nnodes:\n" + "".join(
        f"  - {{id: n{i}, sensors: *s}}\n" for i in range(500)
    )
    doc = load_yaml(text)
    assert doc.data["nodes"][499]["sensors"] == {"coverage": 0.5, "delay": "2h"}


def test_oversize_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w", encoding="utf-8") as out:
        out.write("scenario: big\ndescription: '")
        chunk = "x" * (1024 * 1024)
        for _ in range(MAX_YAML_BYTES // len(chunk) + 1):
            out.write(chunk)
        out.write("'\n")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = check_file(big)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not result.valid
    (diag,) = result.diagnostics
    assert "more than the" in diag.message and str(MAX_YAML_BYTES) in diag.message
    assert elapsed < QUICK
    assert peak < 8 * 1024 * 1024  # refused from its size: never read into memory
    with pytest.raises(DrillError, match="bytes allowed"):
        load_scenario(big)


def test_oversize_text_is_refused() -> None:
    with pytest.raises(DrillError, match="bytes allowed"):
        load_yaml("a: " + "x" * (MAX_YAML_BYTES + 1))


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {mark}']",
        "!!python/object/apply:subprocess.check_output [['touch', '{mark}']]",
        "!!python/object/new:os.system ['touch {mark}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/tuple [1, 2]",
        "!!python/object:builtins.dict {a: 1}",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!custom {a: 1}",
        "!<tag:example.com,2024:x> 1",
    ],
)
def test_tags_other_than_plain_data_are_refused(tagged: str, tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    path = tmp_path / "tagged.yaml"
    path.write_text(f"scenario: x\ntitle: {tagged.replace('{mark}', str(mark))}\n", encoding="utf-8")
    result = check_file(path)
    (diag,) = result.diagnostics
    assert "is not allowed" in diag.message and (diag.line, diag.col) == (2, 8)
    assert not mark.exists()
    with pytest.raises(DrillError, match="is not allowed"):
        load_file(path)


def test_plain_core_tags_are_read() -> None:
    doc = load_yaml(
        "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!bool true\ne: !!null ''\nf: !!map {x: 1}\n"
    )
    assert doc.data == {"a": "12", "b": 7, "c": 1.0, "d": True, "e": None, "f": {"x": 1}}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 5000])
def test_deep_nesting_is_refused_without_a_recursion_error(depth: int, tmp_path: Path) -> None:
    for name, text in (
        ("flow.yaml", "scenario: x\ntitle: " + "[" * depth + "]" * depth + "\n"),
        ("block.yaml", "scenario: x\ntitle:\n" + "- " * depth + "x\n"),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        (diag,) = check_file(path).diagnostics
        assert "nest" in diag.message, diag.message


def test_control_characters_and_byte_order_marks() -> None:
    with pytest.raises(DrillError) as info:
        load_yaml("a: 1\nb: x\x00y\n", "nul.yaml")
    assert info.value.diagnostics[0].line == 2 and "U+0000" in info.value.message
    # a byte order mark, as some Windows editors write, is fine
    assert load_yaml("\ufeffa: 1\n").data == {"a": 1}


def test_yaml_11_words_stay_text_as_keys() -> None:
    # `on:` and `no:` are booleans in YAML 1.1; as keys they are the words written
    assert set(load_yaml("on: 1\nno: 2\nyes: 3\n").data) == {"on", "no", "yes"}


# ---------------------------------------------------------------- topology paths


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    """A scenario folder, and a valid topology just outside it."""
    folder = tmp_path / "drills"
    folder.mkdir()
    outside = tmp_path / "outside-topology.yaml"
    outside.write_text(MINI_TOPOLOGY, encoding="utf-8")
    return folder, outside


def _scenario(folder: Path, topology: str, name: str = "s.yaml") -> Path:
    path = folder / name
    text = MINI_SCENARIO.replace("topology: mini-topology.yaml", f"topology: {topology}")
    assert text != MINI_SCENARIO or topology == "mini-topology.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _topology_problem(path: Path) -> str:
    diags = check_file(path).diagnostics
    assert [d.path for d in diags] == ["topology"], [d.format() for d in diags]
    assert diags[0].line == 6
    return diags[0].message


@pytest.mark.parametrize("written", ["../outside-topology.yaml", "{outside}", "./../outside-topology.yaml"])
def test_a_topology_outside_the_scenario_folder_is_refused(written: str, tmp_path: Path) -> None:
    folder, outside = _layout(tmp_path)
    path = _scenario(folder, written.format(outside=outside))
    assert "outside the scenario's folder" in _topology_problem(path)
    # the loader used by run, play and batch refuses it too
    with pytest.raises(DrillError, match="outside the scenario's folder"):
        load_scenario(path)


def test_a_missing_path_outside_the_folder_is_refused_not_searched(tmp_path: Path) -> None:
    folder, _ = _layout(tmp_path)
    assert "outside the scenario's folder" in _topology_problem(_scenario(folder, "../../etc/x.yaml"))


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    folder, outside = _layout(tmp_path)
    (folder / "linked.yaml").symlink_to(outside)
    assert "outside the scenario's folder" in _topology_problem(_scenario(folder, "linked.yaml"))
    # a symlinked folder is followed to where it really is
    (folder / "sub").symlink_to(tmp_path, target_is_directory=True)
    assert "outside the scenario's folder" in _topology_problem(
        _scenario(folder, "sub/outside-topology.yaml")
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    folder, _ = _layout(tmp_path)
    (folder / "real.yaml").write_text(MINI_TOPOLOGY, encoding="utf-8")
    (folder / "linked.yaml").symlink_to(folder / "real.yaml")
    assert check_file(_scenario(folder, "linked.yaml")).valid


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symlink_loop_is_reported_not_raised(tmp_path: Path) -> None:
    folder, _ = _layout(tmp_path)
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    assert "no bundled topology named 'a.yaml'" in _topology_problem(_scenario(folder, "a.yaml"))


def test_a_topology_in_a_subfolder_is_allowed(tmp_path: Path) -> None:
    folder, _ = _layout(tmp_path)
    (folder / "maps").mkdir()
    (folder / "maps" / "mini.yaml").write_text(MINI_TOPOLOGY, encoding="utf-8")
    assert check_file(_scenario(folder, "maps/mini.yaml")).valid


@pytest.mark.parametrize("written", ["'" + "a" * 300 + "'", '"a\\0b"', "'..'", "''", "."])
def test_odd_topology_names_are_reported_not_raised(written: str, tmp_path: Path) -> None:
    folder, _ = _layout(tmp_path)
    message = _topology_problem(_scenario(folder, written))
    assert "topology" in message


def test_a_bundled_topology_name_still_works_from_any_folder(tmp_path: Path) -> None:
    folder, _ = _layout(tmp_path)
    text = MINI_SCENARIO.replace("topology: mini-topology.yaml", "topology: hanoi")
    (folder / "s.yaml").write_text(text, encoding="utf-8")
    # the mini scenario's names do not exist in Hanoi: reported as references, not as a path problem
    diags = check_file(folder / "s.yaml").diagnostics
    assert diags and all(d.path != "topology" for d in diags)
    assert any("unknown site 'hk'" in d.message for d in diags)
