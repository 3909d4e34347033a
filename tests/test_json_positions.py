"""Problems in JSON documents point at their line and column, found only when there is a problem.

The cases in ``tests/corpus/json`` are JSON inventories with one kind of mistake each; what each must
report is in ``NAME.json.expect``, written as the YAML corpus writes it (see ``test_corpus.py``).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_corpus import Expect, _show, _unmatched, expectations

from drill import json_positions, yamlio
from drill.cli import main
from drill.diagnostics import DrillError
from drill.generate import generate_topology, node_count, write_topology
from drill.i18n import set_language
from drill.json_positions import JsonPositions
from drill.model.check import check_file
from drill.model.city import load_city
from drill.yamlio import load_json

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS / "corpus" / "json"
CASES = sorted(CORPUS.glob("*.json"))
MINI = TESTS / "fixtures" / "mini"


def _expects(path: Path, lang: str) -> list[Expect]:
    return [e for e in expectations(path.with_name(path.name + ".expect")) if e.lang == lang]


def test_the_json_corpus_covers_the_cases() -> None:
    names = {p.stem for p in CASES}
    needed = {"wrong-type-deep", "unknown-key", "link-to-missing-node", "duplicate-node"}
    needed |= {"truncated", "trailing-comma"}
    assert needed <= names
    assert all(p.with_name(p.name + ".expect").is_file() for p in CASES)
    assert sum(1 for p in CASES if _expects(p, "vi")) >= 2


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_each_json_file_reports_exactly_what_it_expects(path: Path) -> None:
    expects = _expects(path, "en")
    assert expects, "a case says what it expects"
    diags = check_file(path).diagnostics
    missing, extra = _unmatched(expects, diags)
    assert not missing, (
        "expected but not reported:\n" + "\n".join(map(str, missing)) + "\ngot:\n" + _show(diags)
    )
    assert not extra, "reported but not expected:\n" + _show(extra)
    # every expectation names its column: a JSON file's lines can be thousands of characters long
    assert all(e.col is not None for e in expects)


@pytest.mark.parametrize("path", [p for p in CASES if _expects(p, "vi")], ids=lambda p: p.name)
def test_json_problems_in_vietnamese(path: Path) -> None:
    set_language("vi")
    diags = check_file(path).diagnostics
    missing, _ = _unmatched(_expects(path, "vi"), diags)
    assert not missing, (
        "expected but not reported:\n" + "\n".join(map(str, missing)) + "\ngot:\n" + _show(diags)
    )


# ---------------------------------------------------------------- the position walk


def _walk(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in ``value``, in document order."""
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_walk(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_walk(item, (*path, i)))
    return out


def _random_value(rng: random.Random, depth: int) -> Any:
    tricky = ['a"b', "x\\y", "{[", "]}", "đường", "tab\there", "line\nbreak", "", "\u00e9,:"]
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([1, -2.5e3, True, False, None, *tricky])
    if roll < 0.65:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    return {rng.choice(tricky) + str(i): _random_value(rng, depth + 1) for i in range(rng.randrange(0, 4))}


def _offset(text: str, line: int, col: int) -> int:
    return sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + col - 1


@pytest.mark.parametrize("seed", range(40))
def test_every_path_points_at_its_key_or_item(seed: int) -> None:
    rng = random.Random(seed)
    data = {"root": _random_value(rng, 0), "tail": [_random_value(rng, 1) for _ in range(3)]}
    indent = rng.choice([None, 0, 1, 2, "\t", " \r\n "])
    text = "\n \r\n" + json.dumps(data, indent=indent, ensure_ascii=rng.random() < 0.5) + "\n"
    if isinstance(indent, str) and indent.strip() == "":
        text = text.replace("\n", "\r\n")
    positions = JsonPositions(text)
    decoder = json.JSONDecoder()
    previous = -1
    for path in _walk(data):
        assert path in positions, path
        at = _offset(text, *positions[path])
        assert at > previous, f"{path} is not after the path before it"  # document order
        previous = at
        if path and isinstance(path[-1], str):
            assert decoder.raw_decode(text, at)[0] == path[-1]  # the key's opening quote
        else:
            value = data
            for part in path:
                value = value[part]
            assert decoder.raw_decode(text, at)[0] == value  # the item's (or root's) first character


def test_paths_not_in_the_document_fall_back_to_their_nearest_ancestor() -> None:
    text = '{\n  "nodes": [\n    {"id": "a"},\n    {"id": "b", "hosts": [1, 2]}\n  ]\n}\n'
    doc = load_json(text, "x.json")
    assert doc.where(("nodes", 1, "hosts", 1)) == (4, 30)
    assert doc.where(("nodes", 1, "zone")) == (4, 5)  # a missing key: its mapping
    assert doc.where(("nodes", 7, "id")) == (2, 3)  # no such item: the list's key
    assert doc.where(("nodes", "id")) == (2, 3)  # a key asked of a list
    assert doc.where(("nodes", 0, "id", 0)) == (3, 6)  # an index asked of a string
    assert doc.where(()) == (1, 1)
    assert load_json("  \n\t[1]", "y.json").where(()) == (2, 2)


def test_a_key_written_twice_is_placed_where_json_takes_its_value() -> None:
    text = '{"a": {"b": 1},\n "a": {"c": 2}}'
    doc = load_json(text, "x.json")
    assert doc.data == {"a": {"c": 2}}
    assert doc.where(("a", "c")) == (2, 8)


def test_columns_count_characters_not_bytes() -> None:
    text = '{"tên": "Hoàn Kiếm", "đ": [1, "ả", 3]}'
    doc = load_json(text, "x.json")
    assert doc.where(("đ", 2)) == (1, text.index("3") + 1)


# ---------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "line", "col", "path", "piece"),
    [
        ('{"a": 1,}', 1, 8, "", "a comma after the last entry"),
        ('{"a": [1, 2,\n  ]}', 1, 12, "a", "a comma after the last entry"),
        ('{"a": [1, 2', 1, 12, "a", "the file ends before this list is closed (it opens on line 1)"),
        ('{"a": {"b": "c', 1, 13, "a", "text in double quotes starts here and the file ends"),
        ('{"a": 1 "b": 2}', 1, 9, "", "a ',' was expected"),
        ('{"a" 1}', 1, 6, "", "a ':' was expected"),
        ('[{"a": tru}]', 1, 8, "[0]", "a value was expected here"),
        ('{"a": ["x\\q"]}', 1, 10, "a", "a backslash in text"),
        ('{"a": "x\ny"}', 1, 9, "", "is a closing quote missing?"),
        ("{} x", 1, 4, "", "more text after the end"),
        ("\ufeff{}", 1, 1, "", "byte order mark"),
        ("", 1, 1, "", "the file is empty"),
        ("[1, 2] [", 1, 8, "", "more text after the end"),
        ("[NaN, {1: 2}]", 1, 8, "[1]", "a key in double quotes was expected here"),
    ],
)
def test_syntax_errors_are_located_and_said_in_the_catalogues_words(
    text: str, line: int, col: int, path: str, piece: str
) -> None:
    with pytest.raises(DrillError) as caught:
        load_json(text, "x.json")
    (diag,) = caught.value.diagnostics
    assert (diag.line, diag.col, diag.path) == (line, col, path), diag.format()
    assert piece in diag.message
    assert diag.code == "syntax"
    assert "Expecting" not in diag.message  # the json module's English is not shown


def test_a_message_the_catalogue_does_not_know_still_says_what_json_said() -> None:
    exc = json.JSONDecodeError("Something new", '{"a": 1}', 3)
    diag = json_positions.syntax_problem(exc, "x.json")
    assert (diag.line, diag.col) == (1, 4)
    assert diag.message == "not valid JSON: Something new"


def test_syntax_errors_in_vietnamese() -> None:
    set_language("vi")
    with pytest.raises(DrillError) as caught:
        load_json('{"a": [1, 2,]}', "x.json")
    assert "dấu phẩy" in caught.value.message and "comma" not in caught.value.message


def test_a_broken_json_file_is_one_line_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "city.json"
    text = (CORPUS / "wrong-type-deep.json").read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and not err
    assert f"{path}:" in out and "cut short" in out and "Traceback" not in out


# ---------------------------------------------------------------- where JSON topologies are loaded


def test_a_scenario_on_a_broken_json_topology_points_into_the_topology(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "link-to-missing-node.json", tmp_path / "city.json")
    scenario = (MINI / "mini-ransomware.yaml").read_text(encoding="utf-8")
    (tmp_path / "drill.yaml").write_text(
        scenario.replace("topology: mini-topology.yaml", "topology: city.json"), encoding="utf-8"
    )
    diags = check_file(tmp_path / "drill.yaml").diagnostics
    inside = [d for d in diags if d.file.endswith("city.json")]
    assert [(d.line, d.col, d.path) for d in inside] == [(23, 21, "links[2].to")], _show(diags)


def test_load_city_reports_json_problems_at_their_place() -> None:
    with pytest.raises(DrillError) as caught:
        load_city(CORPUS / "duplicate-node.json")
    assert ":19:4: nodes[4].id:" in caught.value.message


def _city_json(folder: Path) -> Path:
    path = folder / "city.json"
    write_topology(generate_topology(100, 60, seed=9), path)  # 6,259 nodes
    return path


def test_a_valid_json_topology_is_never_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _city_json(tmp_path)
    walks: list[tuple[Any, ...]] = []
    real = JsonPositions._find

    def counted(self: JsonPositions, where: object) -> Any:
        walks.append(where)  # type: ignore[arg-type]
        return real(self, where)

    monkeypatch.setattr(JsonPositions, "_find", counted)
    assert len(load_city(path).nodes) == node_count(100, 60)
    assert check_file(path).valid
    assert walks == []
    # and the same check does walk once there is a problem (so the count above can fail)
    broken = tmp_path / "broken.json"
    broken.write_text(
        path.read_text(encoding="utf-8").replace('"hosts": 2', '"hosts": 0', 1), encoding="utf-8"
    )
    assert not check_file(broken).valid and walks


def test_a_valid_6000_node_json_loads(tmp_path: Path) -> None:
    # its speed is measured by benchmarks/run.py ("load a 100,000-node topology … JSON inventory")
    path = _city_json(tmp_path)
    city = load_city(path)
    assert len(city.nodes) == node_count(100, 60)


def test_problems_deep_in_a_6000_node_json_are_found_at_their_place(tmp_path: Path) -> None:
    path = _city_json(tmp_path)
    text = path.read_text(encoding="utf-8")
    rows = text.split("\n")
    last = max(i for i, row in enumerate(rows) if row.startswith('  {"id": ') and '"zone"' in row)
    rows[last] = rows[last].replace('"zone"', '"zonee"', 1)
    every = "\n".join(rows).replace('"kind": "workstations"', '"kind": 5')  # thousands of problems
    path.write_text(every, encoding="utf-8")
    diags = check_file(path).diagnostics
    assert len(diags) > 5000
    misspelt = [d for d in diags if d.path.endswith(".zonee")]
    row = every.split("\n")[last]
    assert [(d.line, d.col) for d in misspelt] == [(last + 1, row.index('"zonee"') + 1)]
    assert all(d.line > 1 for d in diags)


def test_positions_work_for_json_read_by_the_batch_and_decisions_loaders() -> None:
    # every loader of JSON goes through yamlio.load_json: the positions come with the document
    doc = yamlio.load_file(CORPUS / "wrong-type-deep.json")
    assert isinstance(doc.positions, JsonPositions)
    assert doc.where(("nodes", 3, "sensors", "coverage")) == (18, 98)
