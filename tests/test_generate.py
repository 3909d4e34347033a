"""``drill topology generate``: large generated topologies, their two forms, and template expansion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drill.cli import main
from drill.diagnostics import DrillError
from drill.engine import Simulation
from drill.generate import (
    COMMON_NODES,
    expand_topology,
    generate_topology,
    node_count,
    worm_scenario,
    write_scenario,
    write_topology,
)
from drill.model.city import build_city, load_city
from drill.model.load import load_scenario
from drill.yamlio import Document, load_file


def city_of(data: dict) -> object:
    city, problems = build_city(Document(data, "<generated>"))
    assert not problems, "\n".join(d.format() for d in problems[:5])
    return city


def generate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["topology", "generate", *args])
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- the generator


def test_same_seed_same_topology_and_other_seeds_differ() -> None:
    one = generate_topology(40, 12, seed=7)
    assert one == generate_topology(40, 12, seed=7)
    assert json.dumps(one) == json.dumps(generate_topology(40, 12, seed=7))  # the same order too
    assert one != generate_topology(40, 12, seed=8)


@pytest.mark.parametrize(("sites", "hosts"), [(1, 1), (2, 3), (25, 4), (61, 30)])
def test_sizes_are_as_documented(sites: int, hosts: int) -> None:
    city = city_of(generate_topology(sites, hosts, seed=3))
    assert len(city.nodes) == node_count(sites, hosts) == sites * (hosts + 2) + COMMON_NODES
    generated = [s for s in city.sites.values() if s.group in ("districts", "communes")]
    assert len(generated) == sites
    for site in generated:
        # a router, a switch and M hosts, each host one machine
        members = [city.nodes[n] for n in city.nodes_by_site[site.id]]
        assert len(members) == hosts + 2
        assert sorted(n.kind for n in members if n.kind in ("router", "switch")) == ["router", "switch"]
        assert all(n.hosts == 1 for n in members)


def test_a_generated_city_is_realistic() -> None:
    data = generate_topology(120, 24, seed=2)
    city = city_of(data)
    for node in (
        "wan-core",
        "sdc-fw",
        "sdc-ad",
        "sdc-onestop-app",
        "sdc-onestop-db",
        "portal-web",
        "internet",
    ):
        assert node in city.nodes
    groups = {s.group for s in city.sites.values()}
    assert {"core", "datacentre", "portal", "districts", "communes"} <= groups
    districts = [s for s in city.sites.values() if s.group == "districts"]
    communes = [s for s in city.sites.values() if s.group == "communes"]
    assert len(districts) == 6 and len(communes) == 114  # one district for about 20 sites, as in Hanoi
    assert districts[0].id == "ba-dinh" and districts[0].name.vi == "Quận Ba Đình"
    # every commune reaches the WAN through its district's router; every district through the core
    for site in communes:
        gateway = city.gateways[site.id]
        uplinks = [o for o in city.graph[gateway] if city.graph[gateway][o]["kind"] == "wan"]
        assert len(uplinks) == 1 and city.nodes[uplinks[0]].site in {d.id for d in districts}
    for site in districts:
        assert "wan-core" in city.graph[city.gateways[site.id]]
        assert {"domain-controller", "file-server"} <= {
            city.nodes[n].kind for n in city.nodes_by_site[site.id]
        }
    assert any(d["kind"] == "trust" for _a, _b, d in city.graph.edges(data=True))
    # services with dependencies, in an order that puts each after what it needs
    assert city.services["one-stop-shop"].requires.services == ("city-wan",)
    assert city.services["ps-land"].requires.services == ("one-stop-shop", "electronic-portal", "land")
    order = city.service_order
    assert order.index("city-wan") < order.index("one-stop-shop") < order.index("ps-land")
    assert all(city.service_nodes[s] or city.services[s].requires.services for s in city.services)


def test_yaml_is_compact_and_json_is_an_inventory_of_the_same_city(tmp_path: Path) -> None:
    data = generate_topology(50, 30, seed=5)
    yaml_size = write_topology(data, tmp_path / "city.yaml")
    json_size = write_topology(data, tmp_path / "city.json")
    assert yaml_size * 5 < json_size  # the templates keep the YAML small
    inventory = json.loads((tmp_path / "city.json").read_text(encoding="utf-8"))
    assert "templates" not in inventory and len(inventory["nodes"]) == node_count(50, 30)
    a, b = load_city(tmp_path / "city.yaml"), load_city(tmp_path / "city.json")
    assert list(a.nodes) == list(b.nodes)
    for nid in a.nodes:
        assert a.nodes[nid] == b.nodes[nid], nid
    assert dict(a.graph.nodes(data=True)) == dict(b.graph.nodes(data=True))
    assert sorted(a.graph.edges(data="id")) == sorted(b.graph.edges(data="id"))
    assert a.gateways == b.gateways and a.service_order == b.service_order


def test_the_yaml_says_how_it_was_made_and_reads_back_as_written(tmp_path: Path) -> None:
    data = generate_topology(5, 3, seed=4)
    path = tmp_path / "small.yml"
    write_topology(data, path, command="drill topology generate --sites 5 --hosts-per-site 3")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# A generated topology: drill topology generate --sites 5")
    assert "Quận Ba Đình" in text  # written as text, not escaped
    assert load_file(path).data == data


def test_generate_topology_refuses_bad_sizes() -> None:
    for sites, hosts in ((0, 5), (-1, 5), (5, 0), (5, -2), (50_001, 1), (1, 10_001), (20_000, 100)):
        with pytest.raises(DrillError):
            generate_topology(sites, hosts)
    with pytest.raises(DrillError):
        generate_topology(3, 3, seed=-1)


# ---------------------------------------------------------------- the command


def test_the_command_writes_a_file_that_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "big.yaml"
    code, out, err = generate(
        capsys, "--sites", "12", "--hosts-per-site", "9", "--seed", "3", "-o", str(out_file)
    )
    assert code == 0, err
    assert f"wrote {out_file}: 12 sites, {node_count(12, 9):,} nodes" in out
    assert out_file.read_text(encoding="utf-8").startswith(
        "# A generated topology: drill topology generate --sites 12 --hosts-per-site 9 --seed 3 -o big.yaml"
    )
    assert main(["validate", str(out_file)]) == 0
    code, _out, err = generate(
        capsys, "--sites", "12", "--hosts-per-site", "9", "-o", str(tmp_path / "big.json")
    )
    assert code == 0, err
    assert main(["validate", str(tmp_path / "big.json")]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sites", "0", "--hosts-per-site", "5"], "--sites must be between 1 and 50,000, not 0"),
        (["--sites", "-4", "--hosts-per-site", "5"], "--sites must be between 1 and 50,000, not -4"),
        (["--sites", "5", "--hosts-per-site", "0"], "--hosts-per-site must be between 1 and 10,000, not 0"),
        (["--sites", "5", "--hosts-per-site", "-1"], "--hosts-per-site must be between 1 and 10,000, not -1"),
        (["--sites", "50000", "--hosts-per-site", "10000"], "more than the 1,000,000 allowed"),
        (["--sites", "5", "--hosts-per-site", "5", "--seed", "-3"], "--seed must be zero or more, not -3"),
    ],
)
def test_bad_sizes_are_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = generate(capsys, *args, "-o", str(tmp_path / "x.yaml"))
    assert code == 1
    assert message in err
    assert not (tmp_path / "x.yaml").exists()


def test_unwritable_or_unknown_outputs_are_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    size = ["--sites", "3", "--hosts-per-site", "3"]
    code, _out, err = generate(capsys, *size, "-o", str(tmp_path / "no-such-folder" / "x.yaml"))
    assert code == 1 and err.startswith(f"cannot write {tmp_path / 'no-such-folder' / 'x.yaml'}: ")
    (tmp_path / "folder.yaml").mkdir()
    code, _out, err = generate(capsys, *size, "-o", str(tmp_path / "folder.yaml"))
    assert code == 1 and "it is a folder" in err
    code, _out, err = generate(capsys, *size, "-o", str(tmp_path / "x.txt"))
    assert code == 1 and "must end in .yaml, .yml, .json" in err


def test_messages_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = generate(
        capsys, "--sites", "0", "--hosts-per-site", "5", "-o", str(tmp_path / "x.yaml")
    )
    assert code == 1
    code = main(
        ["--lang", "vi", "topology", "generate", "--sites", "0", "--hosts-per-site", "5", "-o", "x.yaml"]
    )
    _out, err = capsys.readouterr()
    assert code == 1 and "--sites phải từ 1 đến 50.000, không phải 0" in err


# ---------------------------------------------------------------- a drill on a generated city


def test_drill_run_on_a_generated_city(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = generate_topology(20, 8, seed=1)
    write_topology(data, tmp_path / "city.json")
    write_scenario(worm_scenario(data, "city.json", duration="4h"), tmp_path / "worm.yaml")
    assert main(["validate", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["run", str(tmp_path / "worm.yaml"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"]["hosts_ever"] > 10  # the worm spread beyond the first PC
    scenario = load_scenario(str(tmp_path / "worm.yaml"))
    first = Simulation(scenario, seed=4)
    first.run()
    again = Simulation(scenario, seed=4)
    again.run()
    assert first.events == again.events


# ---------------------------------------------------------------- template expansion


def _templated(sites: list[tuple[str, dict]]) -> dict:
    return {
        "topology": "t",
        "name": "T",
        "sites": [{"id": "core", "name": "Core", "kind": "core", "group": "core"}]
        + [
            {
                "id": sid,
                "name": sid,
                "kind": "commune",
                "group": "communes",
                "template": "lan",
                "params": params,
            }
            for sid, params in sites
        ],
        "templates": {
            "lan": {
                "params": {"cov": 0.2, "n": 1},
                "gateway": "{site}-gw",
                "nodes": [
                    {"id": "{site}-gw", "kind": "router", "zone": "wan"},
                    {
                        "id": "{site}-pc-1",
                        "kind": "workstations",
                        "zone": "lan",
                        "sensors": {"coverage": "{cov}"},
                    },
                    {
                        "id": "{site}-pc-2",
                        "kind": "workstations",
                        "zone": "lan",
                        "sensors": {"coverage": "{cov}"},
                    },
                    {
                        "id": "{site}-pcs",
                        "name": "{name_en} group {n}",
                        "kind": "workstations",
                        "zone": "lan",
                        "hosts": "{n}",
                        "tags": ["group-{n}"],
                    },
                ],
                "links": [
                    {"from": "{site}-gw", "to": "core-r", "kind": "wan"},
                    {"from": "{site}-gw", "to": "{site}-pc-1", "kind": "lan"},
                    {"from": "{site}-gw", "to": "{site}-pc-2", "kind": "lan"},
                ],
            }
        },
        "nodes": [{"id": "core-r", "kind": "wan-core", "site": "core", "zone": "wan"}],
    }


def test_templated_nodes_equal_the_written_out_ones() -> None:
    # the same parameters many times (copies of one validated entry), and ones that differ only in
    # type: 2 and 2.0 are the same number of hosts but not the same name
    sites = [(f"s{i}", {"cov": 0.2}) for i in range(5)] + [
        ("t1", {"n": 2}),
        ("t2", {"n": 2.0}),
        ("t3", {"n": 3}),
    ]
    data = _templated(sites)
    a, b = city_of(data), city_of(expand_topology(data))
    assert list(a.nodes) == list(b.nodes)
    for nid in a.nodes:
        assert a.nodes[nid] == b.nodes[nid]
        assert a.nodes[nid].model_fields_set == b.nodes[nid].model_fields_set
    assert a.nodes["t1-pcs"].name.en == "t1 group 2" and a.nodes["t2-pcs"].name.en == "t2 group 2.0"
    assert a.nodes["t2-pcs"].hosts == 2 and a.nodes["t3-pcs"].hosts == 3
    assert a.nodes["t1-pcs"].tags == ("group-2",) and a.nodes["t2-pcs"].tags == ("group-2.0",)
    assert [link.key for link in a.links] == [link.key for link in b.links]


def test_a_bad_site_among_good_ones_is_reported_at_its_template_entry() -> None:
    # a site id long enough to make its node ids too long, and a bad parameter, between good sites
    long_id = "x" * 76
    data = _templated([("a", {}), (long_id, {}), ("b", {"cov": 2.0}), ("c", {})])
    city, problems = build_city(Document(data, "t.yaml"))
    assert city is None
    messages = [d.message for d in problems]
    # the ids of pc-1 and pc-2, and the links to them, are too long ("-pcs" just fits)
    assert sum(f"for site '{long_id}'" in m for m in messages) == 4
    assert sum("for site 'b'" in m for m in messages) == 2  # coverage 2.0 on pc-1 and pc-2
    assert not any("for site 'a'" in m or "for site 'c'" in m for m in messages)
    assert {d.path.split(".")[0] for d in problems} == {"templates"}
