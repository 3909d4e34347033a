"""Authoring that finds its own mistakes: every problem in one pass, suggestions that follow the
city's hierarchy, valid names listed, and a comma that cut Vietnamese text told as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.data import bundled_scenarios
from drill.i18n import speaking
from drill.model.check import check_file

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "fixtures" / "mini"

# a small city with a level below the districts: Ba Vì with two communes, and Hai Bà Trưng,
# whose id is a closer string to a misspelt Ba Vì commune than the communes themselves are
COMMUNES = """\
topology: communes
name: {en: Communes, vi: Xã}
zones: [{id: wan, name: WAN}, {id: lan, name: LAN}]
sites:
  - {id: core, name: Core, kind: core, group: core}
  - {id: ba-vi, name: {en: Ba Vi District, vi: Huyện Ba Vì}, kind: rural-district, group: districts}
  - {id: ba-vi-ba-trai, name: {en: Ba Trai, vi: Xã Ba Trại}, kind: commune, group: communes}
  - {id: ba-vi-tan-linh, name: {en: Tan Linh, vi: Xã Tản Lĩnh}, kind: commune, group: communes}
  - {id: hai-ba-trung, name: {en: Hai Ba Trung, vi: Hai Bà Trưng}, kind: urban-district, group: districts}
nodes:
  - {id: wan-core, kind: wan-core, site: core, zone: wan}
  - {id: ba-vi-gw, kind: router, site: ba-vi, zone: wan}
  - {id: ba-vi-onestop, kind: app-server, site: ba-vi, zone: lan, services: [mot-cua]}
  - {id: ba-vi-ba-trai-pc, kind: workstations, site: ba-vi-ba-trai, zone: lan, hosts: 4}
  - {id: ba-vi-tan-linh-pc, kind: workstations, site: ba-vi-tan-linh, zone: lan, hosts: 3}
  - {id: hai-ba-trung-gw, kind: router, site: hai-ba-trung, zone: wan}
links:
  - {from: wan-core, to: ba-vi-gw, kind: wan}
  - {from: ba-vi-gw, to: ba-vi-onestop, kind: lan}
  - {from: ba-vi-gw, to: ba-vi-ba-trai-pc, kind: vpn}
  - {from: ba-vi-gw, to: ba-vi-tan-linh-pc, kind: vpn}
  - {from: wan-core, to: hai-ba-trung-gw, kind: wan}
services:
  - {id: mot-cua, name: One-stop shop, kind: shared-app}
"""

SCENARIO = """\
scenario: commune-drill
title: {en: Commune drill, vi: Diễn tập cấp xã}
description: {en: test, vi: thử}
unit: UNIT
audience: [it]
topology: communes.yaml
start: 2015-03-04T08:00:00+07:00
duration: DURATION
teams:
  it: {name: IT, staff: 1, watches: {site: ba-vi}}
attacker:
  campaigns:
    - id: usb
      stages:
        - {id: stick, technique: T1091, at: T+5m, targets: {node: TARGET}}
injects:
  - {id: down, when: {service_down: {service: SERVICE}}, to: [it], text: {en: down, vi: ngừng}}
"""


def write(
    tmp_path: Path,
    unit: str = "ba-vi",
    duration: str = "1h",
    target: str = "ba-vi-onestop",
    service: str = "mot-cua",
) -> Path:
    (tmp_path / "communes.yaml").write_text(COMMUNES, encoding="utf-8")
    text = (
        SCENARIO.replace("UNIT", unit)
        .replace("DURATION", duration)
        .replace("TARGET", target)
        .replace("SERVICE", service)
    )
    path = tmp_path / "drill.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def messages(path: Path) -> dict[str, str]:
    """Problems by their key path."""
    result = check_file(path)
    return {d.path: d.message for d in result.diagnostics}


def test_the_hand_built_files_are_valid(tmp_path: Path) -> None:
    assert messages(write(tmp_path)) == {}


def test_shape_and_name_problems_are_reported_in_one_pass(tmp_path: Path) -> None:
    # a duration that is not one (shape) and a misspelt node (name), in the same file
    found = messages(write(tmp_path, duration="soon", target="ba-vi-onestp"))
    assert set(found) == {"duration", "attacker.campaigns[0].stages[0].targets.node"}
    assert "'soon' is not a duration" in found["duration"]
    assert "did you mean ba-vi-onestop" in found["attacker.campaigns[0].stages[0].targets.node"]


def test_names_in_a_misshapen_list_are_not_called_missing(tmp_path: Path) -> None:
    # the team's own entry is broken: whether 'it' exists cannot be known, so only the shape is told
    path = write(tmp_path)
    path.write_text(path.read_text().replace("it: {name: IT, staff: 1,", "it: {name: IT, staff: many,"))
    assert set(messages(path)) == {"teams.it.staff"}


def test_an_unknown_commune_is_looked_for_under_its_district(tmp_path: Path) -> None:
    found = messages(write(tmp_path, unit="ba-vi-ba-trat"))["unit"]
    assert found.startswith("unknown site 'ba-vi-ba-trat'; did you mean ba-vi-ba-trai")
    assert "under 'ba-vi', Ba Vi District" in found
    assert "hai-ba-trung" not in found


def test_an_unknown_unit_with_nothing_near_lists_its_districts_units(tmp_path: Path) -> None:
    found = messages(write(tmp_path, unit="ba-vi-xyzzy"))["unit"]
    assert "the 2 units under 'ba-vi' (Ba Vi District) are: ba-vi-ba-trai, ba-vi-tan-linh" in found
    assert "hai-ba-trung" not in found


def test_a_district_with_no_level_below_says_so(tmp_path: Path) -> None:
    # in the hand-built city Hai Bà Trưng has no wards under it: nothing to offer below it, and
    # Ba Vì's communes (close strings across the city) are no answer
    found = messages(write(tmp_path, unit="hai-ba-trung-ba-trai"))["unit"]
    assert "'hai-ba-trung' (Hai Ba Trung) has no units under it in this topology" in found
    assert "ba-vi-ba-trai" not in found


def test_a_misspelt_commune_of_the_bundled_city_is_found_under_its_district() -> None:
    # the bundled city has Ba Vì's communes (sites whose parent is ba-vi): a misspelt one is
    # looked for among them, not across the city (Hai Bà Trưng is a close string)
    base = bundled_scenarios()["grassroots-district-drill"]
    text = base.read_text(encoding="utf-8").replace("\nunit: ba-vi\n", "\nunit: ba-vi-ba-trat\n")
    found = _check_text(text, base.parent, "unit")
    assert found.startswith("unknown site 'ba-vi-ba-trat'; did you mean ba-vi-ba-trai")
    assert "under 'ba-vi', Ba Vi" in found
    assert "hai-ba-trung" not in found


def _check_text(text: str, folder: Path, key: str) -> str:
    from drill.model.load import parse_scenario

    scenario, problems = parse_scenario(text, "drill.yaml", folder)
    assert scenario is None
    return {d.path: d.message for d in problems}[key]


def test_an_unknown_node_is_looked_for_in_its_site(tmp_path: Path) -> None:
    found = messages(write(tmp_path, target="ba-vi-ba-trai-pcs"))[
        "attacker.campaigns[0].stages[0].targets.node"
    ]
    assert "did you mean ba-vi-ba-trai-pc" in found
    assert "under 'ba-vi-ba-trai', Ba Trai" in found


def test_an_unknown_service_lists_the_valid_ones(tmp_path: Path) -> None:
    found = messages(write(tmp_path, service="portal"))["injects[0].when.service_down.service"]
    assert found == "unknown service 'portal'; valid names: mot-cua"


def test_an_unknown_zone_lists_the_valid_ones_after_the_near_one(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text().replace("targets: {node: ba-vi-onestop}", "targets: {zone: lam}"))
    found = messages(path)["attacker.campaigns[0].stages[0].targets.zone"]
    assert found == "unknown zone 'lam'; did you mean lan? Valid names: lan, wan"


def test_a_topology_without_tags_says_there_are_none(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text().replace("targets: {node: ba-vi-onestop}", "targets: {tag: citizen}"))
    found = messages(path)["attacker.campaigns[0].stages[0].targets.tag"]
    assert found == "unknown tag 'citizen'; there is no tag at all here"


def test_the_suggestions_speak_vietnamese(tmp_path: Path) -> None:
    path = write(tmp_path, unit="ba-vi-xyzzy")
    with speaking("vi"):
        found = messages(path)["unit"]
    assert "2 đơn vị thuộc 'ba-vi' (Huyện Ba Vì) là: ba-vi-ba-trai, ba-vi-tan-linh" in found


# ---------------------------------------------------------------- commas in Vietnamese text


def test_a_comma_in_plain_block_text_is_just_text(tmp_path: Path) -> None:
    # in block style a comma is part of the text: nothing to warn about
    path = write(tmp_path)
    path.write_text(
        path.read_text().replace(
            "title: {en: Commune drill, vi: Diễn tập cấp xã}",
            "title:\n  en: Commune drill\n  vi: xã, thị trấn",
        )
    )
    assert messages(path) == {}


def test_a_comma_inside_braces_gets_a_hint_to_quote(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text().replace("vi: Diễn tập cấp xã}", "vi: xã, thị trấn}"))
    result = check_file(path)
    [diag] = result.diagnostics
    assert (diag.line, diag.path, diag.code) == (2, "title.thị trấn", "comma")
    assert diag.message == (
        "'thị trấn' reads as a key of its own: inside { … } a comma ends the text before it; "
        'put the whole text in quotes: vi: "xã, thị trấn"'
    )
    with speaking("vi"):
        [diag] = check_file(path).diagnostics
    assert "dấu ngoặc kép" in diag.message and 'vi: "xã, thị trấn"' in diag.message


def test_a_key_with_a_colon_inside_braces_is_no_comma_slip(tmp_path: Path) -> None:
    # ``{…, extra: }`` was written as a key: the usual unknown-key message, not the comma hint
    path = write(tmp_path)
    path.write_text(path.read_text().replace("vi: Diễn tập cấp xã}", "vi: Diễn tập, extra: }"))
    [diag] = check_file(path).diagnostics
    assert diag.code == "unknown-key" and diag.path == "title.extra"


def test_a_colon_inside_braces_gets_a_hint_to_quote(tmp_path: Path) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text().replace("vi: Diễn tập cấp xã}", "vi: Sở Nội vụ: báo cáo}"))
    [diag] = check_file(path).diagnostics
    assert diag.code == "syntax" and diag.line == 2
    assert "text that holds ': ' or ', ' must be in quotes" in diag.message


# ---------------------------------------------------------------- valid, but cannot do what it says


def _warnings(path: Path) -> dict[str, str]:
    result = check_file(path)
    assert result.valid, result.diagnostics
    return {w.path: w.message for w in result.warnings}


def test_an_inject_waiting_for_a_service_no_stage_takes_down_is_warned(tmp_path: Path) -> None:
    # the trainer's first file: the desk PCs are encrypted, the one-stop server never goes down
    path = write(tmp_path, target="ba-vi-ba-trai-pc")
    path.write_text(
        path.read_text().replace(
            "targets: {node: ba-vi-ba-trai-pc}}", "targets: {node: ba-vi-ba-trai-pc}, effect: encrypt}"
        )
    )
    found = _warnings(path)
    assert set(found) == {"injects[0].when.service_down.service"}
    assert "waits for service 'mot-cua' to go down" in found["injects[0].when.service_down.service"]
    assert "(ba-vi-onestop)" in found["injects[0].when.service_down.service"]
    # the server it runs on encrypted: the inject can fire, nothing to say
    path.write_text(
        path.read_text().replace("{node: ba-vi-ba-trai-pc}, effect", "{node: ba-vi-onestop}, effect")
    )
    assert _warnings(path) == {}


def test_a_service_the_players_are_asked_to_take_down_is_no_warning(tmp_path: Path) -> None:
    path = write(tmp_path, target="ba-vi-ba-trai-pc")
    expect = (
        "\n  - {id: ask, at: T+10m, to: [it], text: x,"
        " expects: [{action: isolate, target: {node: ba-vi-onestop}, within: 10m}]}\n"
    )
    path.write_text(path.read_text() + expect)
    assert _warnings(path) == {}


def test_a_spreading_stage_that_no_link_of_its_kinds_reaches_is_warned(tmp_path: Path) -> None:
    # the communes hang off the district's router by VPN: a spread over the LAN never gets there
    spread = (
        "\n        - {id: hop, technique: T1021.002, after: stick, over: [lan],"
        " targets: {node: ba-vi-tan-linh-pc}}"
    )
    path = write(tmp_path, target="ba-vi-ba-trai-pc")
    path.write_text(
        path.read_text().replace(
            "targets: {node: ba-vi-ba-trai-pc}}", "targets: {node: ba-vi-ba-trai-pc}}" + spread
        )
    )
    found = _warnings(path)
    assert "attacker.campaigns[0].stages[1].targets" in found
    assert "stage 'hop' spreads over lan" in found["attacker.campaigns[0].stages[1].targets"]
    path.write_text(path.read_text().replace("over: [lan]", "over: [vpn]"))
    assert "attacker.campaigns[0].stages[1].targets" not in _warnings(path)


def test_an_inject_after_the_end_and_an_expectation_of_an_empty_team_are_warned(tmp_path: Path) -> None:
    path = write(tmp_path, target="ba-vi-onestop")
    text = path.read_text().replace(
        "stick, technique: T1091, at: T+5m, targets: {node: ba-vi-onestop}}",
        "stick, technique: T1091, at: T+5m, targets: {node: ba-vi-onestop}, effect: encrypt}",
    )
    text = text.replace(
        "  it: {name: IT, staff: 1, watches: {site: ba-vi}}",
        "  it: {name: IT, staff: 1, watches: {site: ba-vi}}\n  soc: {name: SOC, staff: 0}",
    )
    text += "  - {id: late, at: T+1h, to: [it], text: x}\n"
    text += "  - {id: ask, at: T+10m, to: [it], text: x,"
    text += " expects: [{action: report, to: soc, within: 10m, by: soc}]}\n"
    path.write_text(text)
    found = _warnings(path)
    assert set(found) == {"injects[1].at", "injects[2].expects[0].by"}
    assert "timed at or after the drill's end" in found["injects[1].at"]
    assert "team 'soc', which has no staff" in found["injects[2].expects[0].by"]


def test_warnings_are_printed_with_their_place_and_keep_the_file_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from drill.cli import main

    path = write(tmp_path, target="ba-vi-ba-trai-pc")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:17:38: warning: injects[0].when.service_down.service: inject 'down' waits" in out


def test_drill_run_lists_the_injects_that_fired_and_those_that_never_did(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from drill.cli import main

    # the bundled grassroots drill, seed 14, nobody deciding: the desk calls at T+12m, the
    # citizens' inject waits for the desk PC to be isolated — which the engine's own crew does
    # (as the golden run shows); the server is never encrypted in the hour, so files-locked never fires
    assert main(["run", "grassroots-district-drill"]) == 0
    out = capsys.readouterr().out
    assert "Injects\n  fired: 2 — desk-pc (T+00:12), citizens-waiting (T+00:42)\n" in out
    assert "  never fired: 1 — files-locked\n" in out
    assert "  held back for the facilitator, not used: 2 — second-stick, chief-asks\n" in out
    assert main(["--lang", "vi", "run", "grassroots-district-drill"]) == 0
    out = capsys.readouterr().out
    assert "Tình huống\n  đã đưa ra: 2 — desk-pc (T+00:12), citizens-waiting (T+00:42)\n" in out
    assert "  không được đưa ra: 1 — files-locked\n" in out
    assert "đơn vị bị ảnh hưởng: 1 (Huyện Ba Vì)" in out and "4 phút" in out


def test_a_run_stopped_early_and_a_replay_midway_say_not_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from drill.cli import main

    # the same run as above, stopped at T+30m: only the desk's call (T+12m) has come
    log = tmp_path / "g.jsonl"
    assert main(["run", "grassroots-district-drill", "--until", "30m", "--log", str(log)]) == 0
    out = capsys.readouterr().out
    assert "  fired: 1 — desk-pc (T+00:12)\n  not fired yet: 2 — citizens-waiting, files-locked\n" in out
    assert main(["replay", str(log), "--at", "T+20m"]) == 0
    assert "  not fired yet: 2 — citizens-waiting, files-locked\n" in capsys.readouterr().out
    assert main(["run", "grassroots-district-drill", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["injects_fired"] == ["citizens-waiting", "desk-pc"]


def test_an_inject_waiting_for_more_machines_than_the_stages_reach_is_warned(tmp_path: Path) -> None:
    # the stick lands on Ba Trại's PCs: 4 machines at most, never 5
    path = write(tmp_path, target="ba-vi-ba-trai-pc")
    text = path.read_text().replace(
        "when: {service_down: {service: mot-cua}}",
        "when: {hosts_compromised: {at_least: 5, site: ba-vi-ba-trai}}",
    )
    path.write_text(text)
    found = _warnings(path)
    assert found == {
        "injects[0].when.hosts_compromised": "inject 'down' waits for 5 compromised machines, but the stages "
        "can reach only 4 there: it never fires"
    }
    path.write_text(text.replace("at_least: 5", "at_least: 4"))
    assert _warnings(path) == {}


def test_an_inject_waiting_for_an_encryption_no_stage_does_is_warned_in_both_languages(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, target="ba-vi-onestop")
    text = path.read_text().replace(
        "when: {service_down: {service: mot-cua}}",
        "when: {node: {targets: {node: ba-vi-onestop}, state: encrypted}}",
    )
    path.write_text(text)
    assert list(_warnings(path)) == ["injects[0].when.node.targets"]
    with speaking("vi"):
        [message] = _warnings(path).values()
    assert message.startswith("tình huống 'down' chờ một nút ở trạng thái 'encrypted'")
    # the stage that lands there encrypts: the inject can fire
    path.write_text(
        text.replace("targets: {node: ba-vi-onestop}}", "targets: {node: ba-vi-onestop}, effect: encrypt}", 1)
    )
    assert _warnings(path) == {}
