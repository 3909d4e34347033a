"""`drill new`: a starting scenario copied from a bundled one and re-targeted at another unit."""

from __future__ import annotations

import json

import pytest

from drill.cli import main
from drill.model.check import check_file
from drill.model.load import load_scenario

# an urban district, a rural district and the town
UNITS = [
    ("cau-giay", "Cau Giay District", "Quận Cầu Giấy"),
    ("ung-hoa", "Ung Hoa District", "Huyện Ứng Hòa"),
    ("son-tay", "Son Tay Town", "Thị xã Sơn Tây"),
]


@pytest.mark.parametrize(("unit", "name_en", "name_vi"), UNITS)
def test_new_copy_for_a_unit_validates_and_names_it(tmp_path, capsys, unit, name_en, name_vi):
    assert main(["new", f"drill-{unit}", "--unit", unit, "-o", str(tmp_path)]) == 0
    path = tmp_path / f"drill-{unit}.yaml"
    assert str(path) in capsys.readouterr().out
    assert check_file(path).diagnostics == []
    text = path.read_text(encoding="utf-8")
    assert "ba-vi" not in text and "Ba Vi" not in text and "Ba Vì" not in text
    scenario = load_scenario(path)
    spec = scenario.spec
    assert spec.scenario == f"drill-{unit}" and spec.unit == unit and spec.topology == "hanoi"
    assert spec.audience == (f"{unit}-it",)
    assert name_en in spec.title.en and name_vi in spec.title.vi
    assert spec.attacker.campaigns[0].stages[0].targets.node == (f"{unit}-onestop",)
    assert text.startswith("# ")  # still a commented file
    assert main(["run", str(path)]) == 0


def test_new_writes_into_the_current_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "my-drill"]) == 0
    scenario = load_scenario(tmp_path / "my-drill.yaml")
    assert scenario.spec.unit == "ba-vi"  # a plain copy keeps the source's unit


def test_new_from_the_default_for_a_rural_district(tmp_path):
    assert (
        main(
            [
                "new",
                "ransomware-dong-anh",
                "--from",
                "ransomware-hoan-kiem",
                "--unit",
                "dong-anh",
                "-o",
                str(tmp_path),
            ]
        )
        == 0
    )
    path = tmp_path / "ransomware-dong-anh.yaml"
    assert check_file(path).diagnostics == []
    spec = load_scenario(path).spec
    assert "dong-anh-it" in spec.teams and "hoan-kiem-it" not in spec.teams
    assert spec.title.vi.endswith("Huyện Đông Anh")
    assert "Hoan Kiem" not in path.read_text(encoding="utf-8")


def test_new_writes_the_schema_its_modeline_points_at(tmp_path):
    """No manual fix of the first line: the schema is beside the new file (an old one replaced)."""
    (tmp_path / "scenario.schema.json").write_text("{}", encoding="utf-8")
    assert main(["new", "with-schema", "-o", str(tmp_path)]) == 0
    first = (tmp_path / "with-schema.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=scenario.schema.json"
    schema = json.loads((tmp_path / "scenario.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "drill scenario" and "teams" in schema["properties"]


def test_new_refuses_to_overwrite_without_force(tmp_path, capsys):
    assert main(["new", "twice", "-o", str(tmp_path)]) == 0
    (tmp_path / "twice.yaml").write_text("# mine\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "twice", "-o", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "twice.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert main(["new", "twice", "-o", str(tmp_path), "--force"]) == 0
    assert check_file(tmp_path / "twice.yaml").diagnostics == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "Bad ID"], "'Bad ID' cannot be a scenario id"),
        (
            ["new", "x", "--unit", "cau-giai"],
            # the district first; its wards follow it now that the city has them
            "no unit (site) 'cau-giai' in the topology; did you mean cau-giay,",
        ),
        (["new", "x", "--from", "ransomware-hoan-kim"], "did you mean ransomware-hoan-kiem?"),
        (["new", "x", "--unit", "so-tai-chinh"], "cannot host scenario grassroots-district-drill"),
    ],
)
def test_new_explains_bad_inputs(tmp_path, capsys, argv, message):
    assert main([*argv, "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_new_explains_which_nodes_a_department_lacks(tmp_path, capsys):
    assert main(["new", "x", "--unit", "so-tai-chinh", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "so-tai-chinh-onestop" in err and "did you mean" in err


def test_new_speaks_vietnamese(tmp_path, capsys):
    assert main(["--lang", "vi", "new", "x", "--unit", "cau-giai", "-o", str(tmp_path)]) == 1
    assert "mô hình mạng không có đơn vị 'cau-giai'" in capsys.readouterr().err
    assert main(["new", "y", "--unit", "cau-giay", "-o", str(tmp_path), "--lang", "vi"]) == 0
    assert "đã ghi" in capsys.readouterr().out
