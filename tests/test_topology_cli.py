"""`drill topology show|export` on the bundled city, and the boundaries the package keeps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from drill.cli import main
from drill.data import bundled_topologies
from drill.model.city import load_city


def test_show_lists_what_a_hanoi_it_officer_expects(capsys):
    assert main(["topology", "show", "hanoi"]) == 0
    out = capsys.readouterr().out
    assert "State Data Centre (1)" in out and "Electronic Portal (1)" in out
    assert "Shared applications (5)" in out
    for app in ("document-management", "one-stop-shop", "online-meetings", "digital-signatures", "email"):
        assert f"  {app} " in out
    line = next(line for line in out.splitlines() if line.startswith("Information systems and databases ("))
    assert int(line.split("(")[1].rstrip(")")) >= 20
    line = next(line for line in out.splitlines() if line.startswith("Departments and agencies ("))
    assert int(line.split("(")[1].rstrip(")")) >= 20
    assert "Districts, urban districts and town (30)" in out
    assert "Online public services (9)" in out
    for district in ("Hoan Kiem District", "Son Tay Town", "Ba Vi District"):
        assert district in out


def test_show_in_vietnamese_names_the_bodies_with_diacritics(capsys):
    assert main(["--lang", "vi", "topology", "show"]) == 0
    out = capsys.readouterr().out
    assert "Quận Hoàn Kiếm" in out and "Thị xã Sơn Tây" in out and "Trung tâm Dữ liệu Nhà nước" in out


def test_the_bundled_city_is_connected_and_every_service_runs_somewhere():
    city = load_city(bundled_topologies()["hanoi"])
    assert nx.is_connected(city.graph)
    assert all(city.service_nodes[s] or city.services[s].requires.services for s in city.services)
    assert len(city.gateways) >= 51  # every department and district reaches the WAN through a router


@pytest.mark.parametrize("fmt", ["graphml", "json"])
def test_export_writes_a_file_other_tools_read(tmp_path, capsys, fmt):
    out = tmp_path / f"hanoi.{fmt}"
    assert main(["topology", "export", "hanoi", "--format", fmt, "-o", str(out)]) == 0
    if fmt == "graphml":
        graph = nx.read_graphml(out)
    else:
        import json

        graph = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")))
    city = load_city(bundled_topologies()["hanoi"])
    assert graph.number_of_nodes() == len(city.nodes)
    assert graph.number_of_edges() == city.graph.number_of_edges()
    assert graph.nodes["hoan-kiem-ws"]["site"] == "hoan-kiem"


def test_unknown_topology_gets_a_suggestion(capsys):
    assert main(["topology", "show", "hanoii"]) == 1
    assert "did you mean hanoi" in capsys.readouterr().err


def test_unwritable_export_is_a_message(tmp_path, capsys):
    assert main(["topology", "export", "hanoi", "-o", str(tmp_path / "no" / "such" / "x.graphml")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_the_headless_parts_never_load_the_user_interface():
    """The engine, model, metrics, log, replay, report and batch run without Textual."""
    code = (
        "import sys\n"
        "import drill.engine, drill.metrics, drill.log, drill.session, drill.replay, drill.viewmodel\n"
        "import drill.report.build, drill.batch.runner, drill.model.load\n"
        "from drill.cli import main\n"
        "main(['run', '--seed', '1', '--json'])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_show_nodes_lists_every_node_under_its_body(capsys):
    # the engine test city, read from its file: 11 nodes in 5 bodies, as written there
    topology = str(Path(__file__).resolve().parent / "fixtures" / "engine" / "topology.yaml")
    assert main(["topology", "show", topology]) == 0
    without = capsys.readouterr().out
    assert main(["topology", "show", topology, "--nodes"]) == 0
    out = capsys.readouterr().out
    added = [line.split() for line in out.splitlines() if line not in without.splitlines()]
    assert sorted(row[0] for row in added) == sorted(
        [
            "wan-core",
            "dc-fw",
            "dc-app",
            "dc-db",
            "d1-gw",
            "d1-ws",
            "d1-srv",
            "d2-gw",
            "d2-ws",
            "d2-srv",
            "island-pc",
        ]
    )
    rows = {row[0]: row[1:] for row in added}
    assert rows["d1-ws"] == ["workstations", "lan", "x100"]
    assert rows["island-pc"] == ["workstations", "lan", "x20"]
    assert rows["dc-db"] == ["database", "dc", "x1"]
    lines = out.splitlines()
    body_of = {}
    body = None
    for line in lines:
        if line.startswith("  ") and not line.startswith("      "):
            body = line.split()[0]
        elif line.startswith("      "):
            body_of[line.split()[0]] = body
    assert body_of["d1-ws"] == "d1" and body_of["d2-srv"] == "d2" and body_of["island-pc"] == "island"
    assert body_of["dc-app"] == "dc" and body_of["wan-core"] == "core"
