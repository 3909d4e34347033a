"""Topologies that build on each other (``extends``), the topology export that reads back in, and
``drill new`` with a scenario's own topology and ids of other units left alone.

Oracles: hand-written trainers' files whose effect on the bundled city is known from reading them
(a site added, a node changed, a commune removed with its nodes and its uplink), the line each
mistake is written on, and the city itself for the round trip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.cli import main
from drill.model.check import check_file
from drill.model.city import load_city
from drill.model.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
HANOI = load_city(ROOT / "topology" / "hanoi.yaml")

LAYER = """\
topology: my-city
extends: hanoi
name: {en: Hanoi with a training lab, vi: Hà Nội với phòng thực hành}
sites:
  - {id: ba-vi, staff: 250}
  - id: ba-vi-lab
    name: {en: Ba Vi training lab, vi: Phòng thực hành Ba Vì}
    kind: commune
    group: communes
    parent: ba-vi
nodes:
  - {id: ba-vi-lab-pc, kind: workstations, site: ba-vi-lab, zone: commune-lan, hosts: 4}
  - {id: ba-vi-tan-linh-desk, hosts: 3}
  - {id: sdc-mail, criticality: low}
links:
  - {from: ba-vi-lab-pc, to: ba-vi-gw, kind: vpn, allows: [web]}
services:
  - {id: email, serves: {citizens: 0, officials: 5000}}
remove:
  sites: [ba-vi-ba-trai]
  links: [ba-vi-van-thang-gw--ba-vi-gw]
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    return [d.format() for d in check_file(path).diagnostics]


def test_a_layer_adds_changes_and_removes(tmp_path):
    city = load_city(_write(tmp_path, "my-city.yaml", LAYER))
    assert city.id == "my-city"
    # added
    assert city.sites["ba-vi-lab"].parent == "ba-vi"
    assert city.graph.edges["ba-vi-lab-pc", "ba-vi-gw"]["kind"] == "vpn"
    # changed: only the keys given
    assert (
        city.sites["ba-vi"].staff == 250 and city.sites["ba-vi"].population == HANOI.sites["ba-vi"].population
    )
    assert city.nodes["ba-vi-tan-linh-desk"].hosts == 3  # built from a template
    assert "one-stop" in city.nodes["ba-vi-tan-linh-desk"].tags
    assert city.nodes["sdc-mail"].criticality == "low" and city.nodes["sdc-mail"].services == ("email",)
    assert city.services["email"].serves.officials == 5000
    assert city.services["email"].requires.services == HANOI.services["email"].requires.services
    # removed, with what hangs on it
    assert "ba-vi-ba-trai" not in city.sites
    assert not any(n.startswith("ba-vi-ba-trai-") for n in city.nodes)
    assert not city.graph.has_edge("ba-vi-van-thang-gw", "ba-vi-gw")
    assert city.graph.has_node("ba-vi-van-thang-gw")
    # the rest is the city as it was
    assert len(city.nodes) == len(HANOI.nodes) - 3 + 1
    assert len(city.sites) == len(HANOI.sites) - 1 + 1


def test_a_scenario_runs_on_a_layer(tmp_path, capsys):
    _write(tmp_path, "my-city.yaml", LAYER)
    text = (ROOT / "scenarios" / "grassroots-commune-drill.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "drill.yaml", text.replace("topology: hanoi", "topology: my-city.yaml"))
    scenario = load_scenario(str(tmp_path / "drill.yaml"))
    assert scenario.city.nodes["ba-vi-tan-linh-desk"].hosts == 3
    assert main(["run", str(tmp_path / "drill.yaml")]) == 0
    assert main(["batch", str(tmp_path / "drill.yaml"), "--runs", "4", "--workers", "1"]) == 0


def test_mistakes_are_told_at_the_trainers_lines(tmp_path):
    text = """\
topology: bad
extends: hanoi
name: {en: Bad, vi: Bad}
sites:
  - {id: ba-vi, staff: -3}
nodes:
  - {id: ba-vi-tan-linh-desk, hosts: zero}
remove:
  sites: [ba-vi-ba-tria]
"""
    problems = _problems(_write(tmp_path, "bad.yaml", text))
    path = str(tmp_path / "bad.yaml")
    assert any(p.startswith(f"{path}:5:") and "sites[0].staff" in p for p in problems), problems
    assert any(p.startswith(f"{path}:9:") and "ba-vi-ba-trai" in p for p in problems), problems


def test_a_changed_template_node_is_told_at_its_line(tmp_path):
    text = "topology: bad\nextends: hanoi\nname: {en: B, vi: B}\n"
    text += "nodes:\n  - {id: ba-vi-tan-linh-desk, hosts: zero}\n"
    problems = _problems(_write(tmp_path, "bad.yaml", text))
    assert len(problems) == 1 and problems[0].startswith(f"{tmp_path / 'bad.yaml'}:5:"), problems
    assert "nodes[0].hosts" in problems[0]


def test_a_comma_that_cut_a_name_in_a_layer_is_told_as_such(tmp_path):
    # the trainer's second site sits far down the merged city's list: the comma hint still finds it
    text = """\
topology: lab
extends: hanoi
name: {en: Lab, vi: Lab}
sites:
  - {id: ba-vi, staff: 250}
  - {id: ba-vi-lab, name: {en: Lab, vi: Phòng lab, Ba Vì}, kind: commune, group: communes, parent: ba-vi}
"""
    found = check_file(_write(tmp_path, "lab.yaml", text)).diagnostics
    assert [(d.line, d.path, d.code) for d in found] == [(6, "sites[1].name.Ba Vì", "comma")], found


def test_a_reference_broken_by_a_removal_is_told(tmp_path):
    text = "topology: bad\nextends: hanoi\nname: {en: B, vi: B}\n"
    text += "links:\n  - {from: ba-vi-ba-trai-gw, to: ba-vi-gw, kind: wan}\n"
    text += "remove:\n  sites: [ba-vi-ba-trai]\n"
    problems = _problems(_write(tmp_path, "bad.yaml", text))
    assert any(":5:" in p and "unknown node 'ba-vi-ba-trai-gw'" in p for p in problems), problems


@pytest.mark.parametrize(
    ("extends", "words"),
    [
        ("../elsewhere.yaml", "leads outside this topology's folder"),
        ("hanio", "did you mean hanoi"),
        ("me.yaml", "cannot build on itself"),
    ],
)
def test_what_a_layer_cannot_extend(tmp_path, extends, words):
    (tmp_path.parent / "elsewhere.yaml").write_text("topology: x\n", encoding="utf-8")
    path = _write(tmp_path, "me.yaml", f"topology: me\nextends: {extends}\nname: {{en: M, vi: M}}\n")
    problems = _problems(path)
    assert len(problems) == 1 and f"{path}:2:" in problems[0] and words in problems[0], problems


def test_a_layer_can_extend_a_file_beside_it(tmp_path):
    _write(tmp_path, "base.yaml", LAYER)
    top = _write(
        tmp_path,
        "top.yaml",
        "topology: top\nextends: base.yaml\nname: {en: T, vi: T}\nremove:\n  nodes: [ba-vi-lab-pc]\n",
    )
    city = load_city(top)
    assert "ba-vi-lab-pc" not in city.nodes and "ba-vi-lab" in city.sites
    assert city.sites["ba-vi"].staff == 250


def test_remove_without_extends_is_a_mistake(tmp_path):
    text = (ROOT / "tests" / "fixtures" / "communes" / "topology.yaml").read_text(encoding="utf-8")
    path = _write(tmp_path, "t.yaml", text + "remove: {sites: [d-c2]}\n")
    problems = _problems(path)
    assert any("add extends:" in p for p in problems), problems


# ---------------------------------------------------------------- export, read back in


def _same_city(a, b) -> None:
    assert dict(a.graph.nodes(data=True)) == dict(b.graph.nodes(data=True))
    assert {frozenset(e): d for *e, d in a.graph.edges(data=True)} == {
        frozenset(e): d for *e, d in b.graph.edges(data=True)
    }
    assert a.nodes == b.nodes and a.sites.keys() == b.sites.keys() and a.services == b.services
    assert list(a.nodes) == list(b.nodes)  # the same order: the same drill
    assert a.gateways == b.gateways


@pytest.mark.parametrize("form", ["yaml", "topology-json"])
@pytest.mark.parametrize("source", ["hanoi", "layer"])
def test_export_reads_back_in_as_the_same_city(tmp_path, capsys, form, source):
    name = "hanoi" if source == "hanoi" else str(_write(tmp_path, "my-city.yaml", LAYER))
    original = HANOI if source == "hanoi" else load_city(name)
    out = tmp_path / ("city.yaml" if form == "yaml" else "city.json")
    assert main(["topology", "export", name, "--format", form, "-o", str(out)]) == 0
    assert "extends" not in out.read_text(encoding="utf-8")
    _same_city(original, load_city(out))


def test_a_scenario_on_the_exported_city_runs_the_same_drill(tmp_path, capsys):
    out = tmp_path / "city.yaml"
    assert main(["topology", "export", "hanoi", "--format", "yaml", "-o", str(out)]) == 0
    text = (ROOT / "scenarios" / "grassroots-commune-drill.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "drill.yaml", text.replace("topology: hanoi", "topology: city.yaml"))
    capsys.readouterr()
    assert main(["run", "grassroots-commune-drill", "--seed", "3", "--json"]) == 0
    bundled = capsys.readouterr().out
    assert main(["run", str(tmp_path / "drill.yaml"), "--seed", "3", "--json"]) == 0
    assert capsys.readouterr().out == bundled


# ---------------------------------------------------------------- drill new


def test_new_rewrites_only_the_ids_of_the_unit_it_retargets(tmp_path, capsys):
    """A scenario for Ba Vì that names a commune's desk: re-targeted at Đông Anh, Ba Vì's own ids
    follow, the commune's stay (it is another unit)."""
    text = (ROOT / "scenarios" / "grassroots-district-drill.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    effect: {compromise: {node: ba-vi-ws}}",
        "    effect: {compromise: {node: [ba-vi-ws, ba-vi-tan-linh-desk]}}",
    )
    _write(tmp_path, "src.yaml", text)
    out = tmp_path / "out"
    assert main(["new", "x", "--from", str(tmp_path / "src.yaml"), "--unit", "dong-anh", "-o", str(out)]) == 0
    copy = (out / "x.yaml").read_text(encoding="utf-8")
    assert "{compromise: {node: [dong-anh-ws, ba-vi-tan-linh-desk]}}" in copy
    assert "targets: {node: dong-anh-onestop}" in copy and "to: [dong-anh-it]" in copy


def test_new_for_a_commune_keeps_its_neighbours_ids(tmp_path, capsys):
    assert main(["new", "x", "--unit", "ba-vi-ba-trai", "-o", str(tmp_path)]) == 0
    copy = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert "targets: {node: ba-vi-ba-trai-desk}" in copy
    assert "ba-vi-ba-trai-tan-linh" not in copy and "ba-vi-ba-trai-onestop" not in copy
    assert "targets: {node: ba-vi-onestop}" in copy and "[ba-vi-it]" in copy


def test_new_copies_a_scenarios_own_topology_beside_it(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    _write(src, "base.yaml", LAYER)
    _write(src, "my-city.yaml", "topology: mine\nextends: base.yaml\nname: {en: M, vi: M}\n")
    text = (ROOT / "scenarios" / "grassroots-commune-drill.yaml").read_text(encoding="utf-8")
    _write(src, "drill.yaml", text.replace("topology: hanoi", "topology: my-city.yaml"))
    out = tmp_path / "out"
    assert main(["new", "x", "--from", str(src / "drill.yaml"), "--unit", "ba-vi-lab", "-o", str(out)]) == 1
    capsys.readouterr()  # the lab has no desk: it cannot host this drill, and nothing is written
    assert not out.exists()
    assert (
        main(["new", "x", "--from", str(src / "drill.yaml"), "--unit", "ba-vi-van-thang", "-o", str(out)])
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "base.yaml",
        "my-city.yaml",
        "scenario.schema.json",
        "x.yaml",
    ]
    assert (out / "base.yaml").read_text(encoding="utf-8") == LAYER
    assert main(["validate", str(out / "x.yaml")]) == 0
    # a different file of that name already there is not overwritten
    _write(out, "base.yaml", "topology: other\n")
    assert (
        main(["new", "y", "--from", str(src / "drill.yaml"), "--unit", "ba-vi-van-thang", "-o", str(out)])
        == 1
    )
    assert "base.yaml exists and is not the copied scenario's topology" in capsys.readouterr().err
