"""The benchmarks keep working: a fast smoke test of generating and loading, and the quick suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drill.generate import generate_topology, node_count, write_topology
from drill.model.city import load_city

ROOT = Path(__file__).resolve().parent.parent


def test_generated_topologies_load_in_either_format(tmp_path: Path) -> None:
    # how fast they load is the benchmarks' business (benchmarks/run.py: "load a 100,000-node
    # topology"); here, that both formats give the same city
    data = generate_topology(100, 60, seed=9)  # 6,259 nodes
    cities = []
    for name in ("city.yaml", "city.json"):
        write_topology(data, tmp_path / name)
        city = load_city(tmp_path / name)
        assert len(city.nodes) == node_count(100, 60)
        assert city.graph.number_of_edges() > len(city.nodes)
        cities.append(city)
    yaml_city, json_city = cities
    assert sorted(yaml_city.nodes) == sorted(json_city.nodes)
    assert sorted(yaml_city.graph.edges) == sorted(json_city.graph.edges)


def _quick_suite(tmp_path: Path, only: list[str]) -> None:
    out_json = tmp_path / "rows.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", *only, "--json", str(out_json)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("drill benchmarks (quick")
    assert lines[1].split()[:5] == ["figure", "value", "target", "ok?", "note"]
    rows = json.loads(out_json.read_text(encoding="utf-8"))
    figures = [r["figure"] for r in rows]
    assert any(f.startswith("load + validate bundled data") for f in figures)
    assert any(f.endswith("compact YAML") for f in figures) and any(
        f.endswith("JSON inventory") for f in figures
    )
    assert "engine / bare simpy" in figures
    assert not [r for r in rows if r["value"] == "error"]
    ratio = next(r for r in rows if r["figure"] == "engine / bare simpy")
    assert 0 < float(ratio["value"]) < 10
    assert len(lines) == 3 + len(rows)  # one table: a title, a header, a rule, a line per figure


def test_some_parts_of_the_quick_suite_print_one_table(tmp_path: Path) -> None:
    # the parts whose figures the table's checks name: the loading and the engine
    _quick_suite(tmp_path, ["--only", "loading", "--only", "engine"])


@pytest.mark.slow(quick="test_some_parts_of_the_quick_suite_print_one_table")
def test_the_quick_suite_runs_and_prints_one_table(tmp_path: Path) -> None:
    _quick_suite(tmp_path, [])
