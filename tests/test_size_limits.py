"""The size limits on topologies: a YAML file over 16 MiB, a JSON file over 512 MiB and a document
of more than 2,000,000 values are refused with a message, wherever a topology is read — by
``drill validate``, by the topology loader, and through a scenario that names it.

The large files are sparse (their size is set, not written), so the tests cost nothing: the size
check reads the file's size before its content. The value limit is lowered for its test, which
shows the check is wired in; the real limit is the constant checked below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drill import yamlio
from drill.cli import main
from drill.diagnostics import DrillError
from drill.model.city import load_city
from drill.model.load import load_scenario

MIB = 1024 * 1024
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


def test_the_limits_are_the_documented_ones():
    assert yamlio.MAX_YAML_BYTES == 16 * MIB
    assert yamlio.MAX_JSON_BYTES == 512 * MIB
    assert yamlio.MAX_NODES == 2_000_000


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        out.truncate(size)
    return path


def _scenario_naming(folder: Path, topology: str) -> Path:
    text = (MINI / "mini-ransomware.yaml").read_text(encoding="utf-8")
    path = folder / "drill.yaml"
    path.write_text(text.replace("topology: mini-topology.yaml", f"topology: {topology}"), encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "limit"), [("city.yaml", 16 * MIB), ("city.json", 512 * MIB)])
def test_a_topology_one_byte_over_its_limit_is_refused_everywhere(tmp_path, capsys, name, limit):
    big = _sparse(tmp_path / name, limit + 1)
    message = f"{limit + 1} bytes, more than the {limit} bytes allowed"
    with pytest.raises(DrillError, match=message):
        load_city(big)
    assert main(["validate", str(big)]) == 1
    assert message in capsys.readouterr().out
    with pytest.raises(DrillError, match=message) as refused:
        load_scenario(str(_scenario_naming(tmp_path, name)))
    assert refused.value.diagnostics[0].path == "topology"


def test_a_json_topology_is_allowed_more_than_a_yaml_one(tmp_path):
    # one byte over the YAML limit: a JSON file that size is read (and found not to be JSON)
    over_yaml = 16 * MIB + 1
    with pytest.raises(DrillError) as refused:
        load_city(_sparse(tmp_path / "city.json", over_yaml))
    assert "bytes allowed" not in refused.value.message
    with pytest.raises(DrillError) as refused:
        load_scenario(str(_scenario_naming(tmp_path, "city.json")))
    assert "bytes allowed" not in refused.value.message
    with pytest.raises(DrillError, match="bytes allowed"):
        load_city(_sparse(tmp_path / "city.yaml", over_yaml))


def test_a_topology_at_its_limit_passes_the_size_check(tmp_path):
    with pytest.raises(DrillError) as refused:
        load_city(_sparse(tmp_path / "city.yaml", 16 * MIB))  # zeros: not YAML, but not too big
    assert "bytes allowed" not in refused.value.message


def test_a_topology_of_more_values_than_allowed_is_refused(tmp_path, monkeypatch, capsys):
    topology = (MINI / "mini-topology.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mini-topology.yaml"
    path.write_text(topology, encoding="utf-8")
    load_city(path)  # within the limit as it stands
    monkeypatch.setattr(yamlio, "MAX_NODES", 40)  # the mini topology has more values than that
    with pytest.raises(DrillError, match="expands to more than 40 values"):
        load_city(path)
    assert main(["validate", str(path)]) == 1
    assert "more than 40 values" in capsys.readouterr().out
    scenario = tmp_path / "drill.yaml"
    scenario.write_text((MINI / "mini-ransomware.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(yamlio, "MAX_NODES", 92)  # the scenario (89 values) fits, its topology (95) does not
    with pytest.raises(DrillError, match="more than 92 values"):
        load_scenario(str(scenario))
