"""`drill topology export` files open in the graph tools users have: networkx and igraph read the
GraphML (one type per attribute, real GraphML booleans), networkx reads the node-link JSON with its
defaults, and nothing of the model is left out unsaid. graph-tool is not on PyPI: not tried here.

The expected values come from a small topology written below, in the units the export documents
(minutes, gigabytes, lists joined by commas in GraphML).
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from drill.cli import main

TOPOLOGY = """\
topology: two-sites
name: {en: Two sites, vi: Hai đơn vị}
zones: [{id: wan, name: WAN}, {id: lan, name: LAN}, {id: dc, name: {en: Data centre, vi: Trung tâm}}]
sites:
  - {id: a, name: {en: District A, vi: Quận A}, kind: urban-district, group: districts, population: 150000,
     gateway: a-gw}
  - {id: dc, name: Data centre, kind: datacentre, group: datacentre, staff: 12}
nodes:
  - {id: a-gw, kind: router, site: a, zone: wan}
  - {id: a-ws, kind: workstations, site: a, zone: lan, hosts: 120, tags: [finance, legacy]}
  - id: dc-db
    name: {en: Records database, vi: CSDL hồ sơ}
    kind: database
    site: dc
    zone: dc
    criticality: critical
    services: [records, portal-web]
    backup: {restore: 4h, offline: true}
    rebuild: 2d
    sensors: {coverage: 0.8, delay: {uniform: [10m, 30m]}}
    data_gb: 12.5
    exposed: true
links:
  - {from: a-gw, to: a-ws, kind: lan, allows: [smb, web]}
  - {from: a-gw, to: dc-db, kind: wan, id: a-uplink}
services:
  - {id: records, name: Records, kind: system, requires: {nodes: [dc-db]}, serves: {officials: 300}}
  - {id: portal-web, name: Portal, kind: public-service, level: 4, requires: {services: [records]}}
"""


@pytest.fixture
def exported(tmp_path: Path):
    source = tmp_path / "two-sites.yaml"
    source.write_text(TOPOLOGY, encoding="utf-8")

    def export(fmt: str) -> Path:
        out = tmp_path / f"two-sites.{fmt}"
        assert main(["topology", "export", str(source), "--format", fmt, "-o", str(out)]) == 0
        return out

    return export


def test_graphml_declares_each_attribute_once_with_one_type(exported) -> None:
    root = ET.parse(exported("graphml")).getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = root.findall("g:key", ns)
    names = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(names) == len(set(names)), "an attribute declared twice (igraph refuses the file)"
    booleans = {k.get("id") for k in keys if k.get("attr.type") == "boolean"}
    values = {d.text for d in root.iter(f"{{{ns['g']}}}data") if d.get("key") in booleans}
    assert values == {"true", "false"}  # XML Schema booleans, not Python's True/False
    assert all(k.find("g:desc", ns) is not None for k in keys), "every key says what it holds"


def test_networkx_reads_the_graphml_with_its_types_and_units(exported) -> None:
    graph = nx.read_graphml(exported("graphml"))
    db, ws = graph.nodes["dc-db"], graph.nodes["a-ws"]
    assert db["backup"] is True and db["backup_offline"] is True and db["backup_restore"] == 240.0
    assert db["rebuild"] == 2880.0 and db["data_gb"] == 12.5 and db["exposed"] is True
    assert db["coverage"] == 0.8 and json.loads(db["sensor_delay"]) == {"uniform": [10.0, 30.0]}
    assert db["services"] == "records,portal-web" and db["name_vi"] == "CSDL hồ sơ"
    assert ws["hosts"] == 120 and ws["tags"] == "finance,legacy"
    assert ws["backup"] is False and "backup_restore" not in ws  # no backup: no restore time
    assert ws["rebuild"] == 1440.0  # the default: a day
    assert ws["sensor_delay"] == '{"exponential":120.0}'  # the default: 2 h on average
    assert graph.nodes["a-gw"]["gateway"] is True and ws["gateway"] is False
    assert graph.edges["a-gw", "a-ws"]["allows"] == "smb,web"
    assert graph.edges["a-gw", "dc-db"] == {"kind": "wan", "allows": "any", "id": "a-uplink"}


def test_the_tables_ride_on_the_graph(exported) -> None:
    graph = nx.read_graphml(exported("graphml"))
    assert graph.graph["name"] == "two-sites" and graph.graph["name_vi"] == "Hai đơn vị"
    sites = json.loads(graph.graph["sites"])
    assert [(s["id"], s["population"], s["staff"], s["gateway"]) for s in sites] == [
        ("a", 150000, 0, "a-gw"),
        ("dc", 0, 12, None),
    ]
    zones = json.loads(graph.graph["zones"])
    assert zones[2] == {"id": "dc", "name": {"en": "Data centre", "vi": "Trung tâm"}}
    services = {s["id"]: s for s in json.loads(graph.graph["services"])}
    assert services["records"]["runs_on"] == ["dc-db"] and services["records"]["serves"]["officials"] == 300
    portal = services["portal-web"]
    assert portal["requires"]["services"] == ["records"] and portal["level"] == 4
    assert portal["runs_on"] == ["dc-db"]


def test_igraph_reads_the_graphml(exported) -> None:
    igraph = pytest.importorskip("igraph")
    graph = igraph.Graph.Read_GraphML(str(exported("graphml")))
    assert (graph.vcount(), graph.ecount()) == (3, 2)
    db = graph.vs.find(id="dc-db")
    assert db["backup_offline"] is True and db["backup_restore"] == 240.0 and db["hosts"] == 1
    assert math.isnan(graph.vs.find(id="a-ws")["backup_restore"])  # igraph's mark for "not given"
    assert [s["id"] for s in json.loads(graph["sites"])] == ["a", "dc"]
    edge = graph.es[graph.get_eid(graph.vs.find(id="a-gw").index, graph.vs.find(id="a-ws").index)]
    assert edge["allows"] == "smb,web"


def test_node_link_json_is_what_current_networkx_reads_by_default(exported) -> None:
    data = json.loads(exported("json").read_text(encoding="utf-8"))
    assert "edges" in data and "links" not in data
    graph = nx.node_link_graph(data)  # networkx 3.6 reads "edges" unless told otherwise
    assert graph.number_of_edges() == 2
    db = graph.nodes["dc-db"]
    assert db["services"] == ["records", "portal-web"] and db["sensor_delay"] == {"uniform": [10.0, 30.0]}
    assert db["backup_restore"] == 240.0 and "backup_restore" not in graph.nodes["a-ws"]
    assert [s["id"] for s in graph.graph["sites"]] == ["a", "dc"]
    assert graph.edges["a-gw", "a-ws"]["allows"] == ["smb", "web"]


def test_the_bundled_city_exports_for_igraph(tmp_path: Path) -> None:
    """The file of the issue: Hanoi, where some nodes have a backup and others not."""
    igraph = pytest.importorskip("igraph")
    out = tmp_path / "hanoi.graphml"
    assert main(["topology", "export", "hanoi", "-o", str(out)]) == 0
    graph = igraph.Graph.Read_GraphML(str(out))
    backed = [v for v in graph.vs if v["backup"]]
    assert backed and all(v["backup_restore"] > 0 for v in backed)
    assert graph.vcount() == nx.read_graphml(out).number_of_nodes()
