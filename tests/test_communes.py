"""The bundled city down to its wards, communes and townships, and what their people depend on.

Oracles: Hanoi's 2015 totals (584 commune-level units: 177 wards, 386 communes, 21 townships;
Ba Vì's 31, Hoàn Kiếm's 18), the reference CSV read as plain text, and citizen impact worked out
by hand on a district of two communes (tests/fixtures/communes: 1,000 people, 600 and 400 of them
in the communes; one service of 480 citizens a working day, so 1 a minute: 0.6 and 0.4).
"""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from drill.cli import main
from drill.engine.events import Event
from drill.metrics import DistrictFigures, by_district, fold
from drill.model.city import load_city
from drill.model.load import load_scenario
from drill.summary import summary_lines

ROOT = Path(__file__).resolve().parent.parent
HANOI = load_city(ROOT / "topology" / "hanoi.yaml")
COMMUNES = {sid: s for sid, s in HANOI.sites.items() if s.kind == "commune"}
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "communes"


def _tool():
    spec = importlib.util.spec_from_file_location("build_communes", ROOT / "tools" / "build_communes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the bundled data


def test_every_commune_level_unit_of_2015_is_there_under_its_district():
    assert len(COMMUNES) == 584
    kinds = Counter(
        s.name.vi.split(" ")[0] if not s.name.vi.startswith("Thị trấn") else "Thị trấn"
        for s in COMMUNES.values()
    )
    assert kinds == {"Phường": 177, "Xã": 386, "Thị trấn": 21}
    districts = {sid for sid, s in HANOI.sites.items() if s.group == "districts"}
    assert len(districts) == 30
    assert {s.parent for s in COMMUNES.values()} == districts
    per = Counter(s.parent for s in COMMUNES.values())
    assert per["ba-vi"] == 31 and per["hoan-kiem"] == 18


def test_names_keep_their_diacritics_and_have_english_forms():
    tan_linh = HANOI.sites["ba-vi-tan-linh"]
    assert (tan_linh.name.vi, tan_linh.name.en, tan_linh.parent) == (
        "Xã Tản Lĩnh",
        "Tan Linh Commune",
        "ba-vi",
    )
    assert HANOI.sites["hoan-kiem-hang-bac"].name.en == "Hang Bac Ward"
    # Gia Lâm has a township and a commune both named Yên Viên: the type tells them apart
    assert HANOI.sites["gia-lam-thi-tran-yen-vien"].name.vi == "Thị trấn Yên Viên"
    assert HANOI.sites["gia-lam-xa-yen-vien"].name.vi == "Xã Yên Viên"


def test_each_commune_is_a_small_site_linked_to_its_district():
    for sid, site in COMMUNES.items():
        nodes = HANOI.nodes_by_site[sid]
        assert nodes == [f"{sid}-gw", f"{sid}-pcs", f"{sid}-desk"]
        assert "one-stop" in HANOI.nodes[f"{sid}-desk"].tags
        uplink = HANOI.graph.edges[f"{sid}-gw", f"{site.parent}-gw"]
        ward = site.name.vi.startswith("Phường")
        assert uplink["kind"] == ("wan" if ward else "vpn"), sid
        assert "smb" in uplink["allows"]
        assert HANOI.nodes[f"{sid}-pcs"].hosts == (10 if ward else 8 if "Thị trấn" in site.name.vi else 6)


def test_a_districts_communes_hold_its_people():
    for district in {s.parent for s in COMMUNES.values()}:
        held = sum(s.population for s in COMMUNES.values() if s.parent == district)
        assert held == HANOI.sites[district].population, district
    assert all(s.population > 0 and s.staff == 23 for s in COMMUNES.values())


def test_the_reference_csv_lists_what_the_topology_holds():
    with (ROOT / "topology" / "hanoi-communes.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["id"] for r in rows] == list(COMMUNES)
    for row in rows:
        site = COMMUNES[row["id"]]
        assert (row["name_vi"], row["name_en"], row["district"]) == (site.name.vi, site.name.en, site.parent)
        assert int(row["population"]) == site.population
    assert len({r["gso_code"] for r in rows}) == 584


# ---------------------------------------------------------------- the build script, on a small source


def test_the_build_script_shares_people_and_names_units_from_its_source():
    tool = _tool()
    source = [
        {
            "name": "Huyện Ba Vì",
            "wards": [
                {"name": "Thị trấn Tây Đằng", "code": 9619},
                {"name": "Xã Tản Lĩnh", "code": 9661},
                {"name": "Xã Ba Trại", "code": 9664},
            ],
        },
        {
            "name": "Quận Hoàn Kiếm",
            "wards": [{"name": "Phường Hàng Bạc", "code": 1}, {"name": "Phường Đồng Xuân", "code": 2}],
        },
    ]
    rows = tool.build(source, {"ba-vi": 1000, "hoan-kiem": 777})
    assert [r["id"] for r in rows] == [
        "ba-vi-tay-dang",
        "ba-vi-tan-linh",
        "ba-vi-ba-trai",
        "hoan-kiem-hang-bac",
        "hoan-kiem-dong-xuan",
    ]
    # weights 2, 2, 2 of 1,000 in hundreds: 300, 300 and the rest; wards share 777 as 400 and 377
    assert [r["population"] for r in rows] == [300, 300, 400, 400, 377]
    assert [r["name_en"] for r in rows] == [
        "Tay Dang Township",
        "Tan Linh Commune",
        "Ba Trai Commune",
        "Hang Bac Ward",
        "Dong Xuan Ward",
    ]
    assert [r["link"] for r in rows] == ["vpn", "vpn", "vpn", "wan", "wan"]
    same_name = [
        {
            "name": "Huyện Gia Lâm",
            "wards": [{"name": "Thị trấn Yên Viên", "code": 1}, {"name": "Xã Yên Viên", "code": 2}],
        }
    ]
    assert [r["id"] for r in tool.build(same_name, {"gia-lam": 200})] == [
        "gia-lam-thi-tran-yen-vien",
        "gia-lam-xa-yen-vien",
    ]


def test_the_build_script_refuses_a_list_that_is_not_2015s(tmp_path):
    tool = _tool()
    source = tmp_path / "divisions.json"
    source.write_text('[{"code": 1, "districts": [{"name": "Quận Ba Đình", "wards": []}]}]', encoding="utf-8")
    with pytest.raises(SystemExit, match="0 commune-level units, not the 584"):
        tool.read_source(source)


def test_the_bundled_topology_is_what_the_script_writes_from_the_csv():
    """The commune block of hanoi.yaml, rebuilt from the CSV's rows, is the block in the file."""
    tool = _tool()
    with (ROOT / "topology" / "hanoi-communes.csv").open(encoding="utf-8") as stream:
        rows = [dict(r) for r in csv.DictReader(stream)]
    text = (ROOT / "topology" / "hanoi.yaml").read_text(encoding="utf-8")
    assert tool.splice(text, tool.yaml_block(rows)) == text


# ---------------------------------------------------------------- a commune's people


def _impact(*events: tuple[float, str, str]) -> dict[str, float]:
    scenario = load_scenario(str(FIXTURE / "quiet.yaml"))
    stream = [Event(0.0, 0, "drill_start", "x", "s", {"teams": {"it": 1}})]
    for t, kind, target in events:
        stream.append(Event(float(t), len(stream), kind, "x", target, {}))
    snap = fold(scenario, stream, now=480.0)
    return snap.citizen_impact_by_body


def test_a_commune_desk_out_harms_its_own_people_only():
    impact = _impact((60, "isolate", "d-c1-desk"), (120, "reconnect", "d-c1-desk"))
    assert impact == pytest.approx({"d-c1": 36.0})


def test_the_district_desk_out_harms_the_people_of_all_its_communes():
    impact = _impact((60, "isolate", "d-desk"), (120, "reconnect", "d-desk"))
    assert impact == pytest.approx({"d-c1": 36.0, "d-c2": 24.0})


def test_both_desks_out_at_once_count_each_minute_once():
    impact = _impact(
        (60, "isolate", "d-c1-desk"),
        (90, "isolate", "d-desk"),
        (120, "reconnect", "d-c1-desk"),
        (150, "reconnect", "d-desk"),
    )
    # C1 harmed 60–150 (90 min × 0.6), C2 90–150 (60 min × 0.4)
    assert impact == pytest.approx({"d-c1": 54.0, "d-c2": 24.0})


def test_a_district_cut_off_takes_its_communes_with_it():
    impact = _impact((0, "site_disconnected", "d"), (30, "site_connected", "d"))
    assert impact == pytest.approx({"d-c1": 18.0, "d-c2": 12.0})


# ---------------------------------------------------------------- everything works at that size


def test_the_commune_drill_runs_and_its_sample_decisions_meet_its_objectives(capsys):
    assert (
        main(
            [
                "run",
                "grassroots-commune-drill",
                "--decisions",
                str(ROOT / "scenarios/decisions/grassroots-commune-drill.yaml"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "1h played of 1h planned" in out
    assert "[NOT MET]" not in out


def test_a_commune_is_a_unit_for_drill_new(tmp_path, capsys):
    assert main(["new", "x", "--unit", "dong-anh-xuan-non", "-o", str(tmp_path)]) == 0
    text = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert "unit: dong-anh-xuan-non" in text
    assert "targets: {node: dong-anh-xuan-non-desk}" in text
    assert "targets: {node: dong-anh-onestop}" in text  # the commune's own district's desk
    assert "ba-vi" not in text
    assert main(["validate", str(tmp_path / "x.yaml")]) == 0


# ---------------------------------------------------------------- figures rolled up by district


def _rolled(*events: tuple[float, str, str, dict]):
    scenario = load_scenario(str(FIXTURE / "quiet.yaml"))
    stream = [Event(0.0, 0, "drill_start", "x", "s", {"teams": {"it": 1}})]
    for t, kind, target, data in events:
        stream.append(Event(float(t), len(stream), kind, "x", target, data))
    return scenario, fold(scenario, stream, now=480.0)


def test_figures_roll_up_to_the_district():
    scenario, snap = _rolled(
        (10, "compromise", "d-c1-desk", {"hosts": 1}),
        (60, "isolate", "d-desk", {}),
        (120, "reconnect", "d-desk", {}),
    )
    rows = by_district(scenario.city, snap)
    # one body affected (the commune's desk), a ward-level one; the district's desk out an hour
    # stops all three bodies for that hour; its people, all in the communes, lose 60 requests
    assert rows == [DistrictFigures("d", bodies=1, units=1, hosts=1, longest_down=60.0, citizens=60.0)]
    lines = summary_lines(scenario, snap, 1)
    row = "    District: 1 affected (1 of its wards and communes), 1 hosts, longest out 1h, "
    row += "60 requests not served"
    assert row in lines, lines


def test_nothing_to_roll_up_without_wards_or_communes_touched(capsys):
    assert main(["run", "ransomware-hoan-kiem"]) == 0
    assert "by district" not in capsys.readouterr().out


def test_the_report_rolls_up_by_district(tmp_path, capsys):
    log = tmp_path / "drill.jsonl"
    assert main(["run", "grassroots-commune-drill", "--seed", "1", "--log", str(log)]) == 0
    for audience, hosts in (("controllers", "24"), ("players", "—")):
        out = tmp_path / f"{audience}.md"
        assert main(["report", str(log), "-o", str(out), "--audience", audience]) == 0
        text = out.read_text(encoding="utf-8")
        assert "### By district, with its wards and communes" in text
        assert f"| Ba Vi District | 2, of them 1 wards or communes | {hosts} |" in text
