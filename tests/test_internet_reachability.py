"""Services used from the Internet (``from_internet: true``) are down while the Internet cannot reach
any node they run on: cut links, isolated, switched-off or overloaded gear on the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.diagnostics import DrillError
from drill.engine import Simulation
from drill.engine.commands import Command
from drill.engine.state import Network
from drill.generate import generate_topology
from drill.log import read_log
from drill.metrics import Metrics
from drill.model.city import load_city
from drill.model.common import Selector
from drill.model.load import Scenario, load_scenario
from drill.replay import Replay
from drill.report.build import build_report
from drill.session import Session, first_difference, resimulate
from drill.viewmodel import describe

# The Internet reaches the portal through its firewall; behind the firewall the WAN leads to the
# data centre's records system. `filing` runs on no node of its own: it needs the portal and the
# records. `records` is used only inside the city (no flag).
TOPOLOGY = """\
topology: reach
name: {en: Reach, vi: Truy cập}
sites:
  - {id: internet, name: Internet, kind: external, group: external}
  - {id: core, name: Core, kind: core, group: core, gateway: wan-core}
  - {id: portal, name: {en: Portal, vi: Cổng}, kind: portal, group: portal, gateway: portal-fw}
  - {id: dc, name: {en: Data centre, vi: Trung tâm dữ liệu}, kind: datacentre, group: datacentre}
nodes:
  - {id: internet, kind: internet, site: internet, zone: internet}
  - {id: wan-core, kind: wan-core, site: core, zone: wan}
  - {id: portal-fw, kind: firewall, site: portal, zone: dmz}
  - {id: portal-web, kind: web-server, site: portal, zone: dmz, services: [portal]}
  - {id: portal-db, kind: database, site: portal, zone: dmz, services: [portal]}
  - {id: dc-app, kind: app-server, site: dc, zone: dc, services: [records]}
links:
  - {from: internet, to: portal-fw, kind: internet, allows: [web]}
  - {from: portal-fw, to: portal-web, kind: dmz, allows: [web]}
  - {from: portal-web, to: portal-db, kind: dmz, allows: [db]}
  - {from: portal-fw, to: wan-core, kind: wan}
  - {from: wan-core, to: dc-app, kind: wan}
services:
  - {id: records, name: {en: Records, vi: Hồ sơ}, kind: system, serves: {officials: 300}}
  - id: portal
    name: {en: City portal, vi: Cổng thành phố}
    kind: system
    serves: {citizens: 4800}
    from_internet: true
  - id: filing
    name: {en: Online filing, vi: Nộp hồ sơ trực tuyến}
    kind: public-service
    level: 3
    requires: {services: [portal, records]}
    serves: {citizens: 960}
    from_internet: true
"""

# a second way in: another firewall in front of the web servers
SECOND_WAY = """\
  - {from: internet, to: backup-fw, kind: internet, allows: [web]}
  - {from: backup-fw, to: portal-web, kind: dmz, allows: [web]}
"""

SCENARIO = """\
scenario: reach
title: {en: Reach, vi: Truy cập}
description: {en: The Internet's way to the portal, vi: Đường từ Internet tới Cổng}
unit: portal
audience: [soc]
topology: topology.yaml
start: 2015-03-04T08:00:00+07:00
duration: 8h
seed: 3
teams:
  soc: {name: SOC, staff: 2, watches: {site: [portal, dc]}}
attacker:
  campaigns:
    - id: idle
      stages:
        - {id: probe, technique: T1595, at: T+7h, targets: {node: dc-app}, success: 0}
"""


def _write(folder: Path, topology: str = TOPOLOGY) -> Path:
    (folder / "topology.yaml").write_text(topology, encoding="utf-8")
    path = folder / "reach.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _scenario(folder: Path, topology: str = TOPOLOGY) -> Scenario:
    return load_scenario(_write(folder, topology))


def _downs(sim: Simulation) -> dict[str, str]:
    return {e.target: e.data["reason"] for e in sim.events if e.kind == "service_down"}


def _cmd(action: str, **target: str) -> Command:
    return Command(action=action, target=Selector(**{k: (v,) for k, v in target.items()}), by="soc")


def _with_metrics(scenario: Scenario) -> tuple[Simulation, Metrics]:
    sim = Simulation(scenario)
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    return sim, metrics


def test_cutting_the_internet_link_takes_the_portal_down_until_it_is_restored(tmp_path: Path) -> None:
    sim, metrics = _with_metrics(_scenario(tmp_path))
    sim.run_until(60)
    assert all(sim.services.up.values())
    sim.apply(_cmd("cut-link", node="portal-fw"))
    assert not sim.services.up["portal"] and not sim.services.up["filing"]
    assert sim.services.up["records"]  # the WAN still reaches it; it is not used from outside
    assert _downs(sim) == {"portal": "unreachable", "filing": "service:portal"}
    sim.run_until(150)
    sim.apply(_cmd("restore-link", node="portal-fw"))
    assert all(sim.services.up.values())
    ups = [e for e in sim.events if e.kind == "service_up"]
    assert [(e.target, e.t, e.data["down_for"]) for e in ups] == [("portal", 150, 90), ("filing", 150, 90)]
    snap = metrics.snapshot(sim.now)
    assert snap.downtime_by_service["portal"] == pytest.approx(90)
    assert snap.downtime_by_service["filing"] == pytest.approx(90)
    assert "records" not in snap.downtime_by_service
    # 4,800 + 960 citizens a working day of 8 hours, for an hour and a half
    # filing is down only because the portal its citizens come through is: the same people,
    # counted once (the portal's 4800 a day), not again for filing
    assert snap.citizen_impact == pytest.approx(4800 * 1.5 / 8)


def test_isolating_the_portal_firewall_does_the_same(tmp_path: Path) -> None:
    sim, metrics = _with_metrics(_scenario(tmp_path))
    sim.run_until(30)
    sim.apply(_cmd("isolate", node="portal-fw"))
    assert _downs(sim) == {"portal": "unreachable", "filing": "service:portal"}
    sim.run_until(75)
    sim.apply(_cmd("reconnect", node="portal-fw"))
    assert all(sim.services.up.values())
    assert metrics.snapshot(sim.now).downtime_by_service["portal"] == pytest.approx(45)


def test_gear_switched_off_or_overloaded_closes_the_way_in_while_it_lasts(tmp_path: Path) -> None:
    sim = Simulation(_scenario(tmp_path))
    sim.run_until(20)
    sim.apply(Command(action="ddos", target=Selector(node=("portal-fw",)), lasts=40, source="red-team"))
    assert _downs(sim) == {"portal": "unreachable", "filing": "service:portal"}
    sim.run_until(59)
    assert not sim.services.up["portal"]
    sim.run_until(61)
    assert sim.services.up["portal"] and sim.services.up["filing"]
    # switched off (an inject's effect sets it; here by hand, as the inject handler does)
    sim.nodes["portal-fw"].offline = True
    sim.services.refresh(["portal-fw"])
    assert not sim.services.up["portal"]
    sim.nodes["portal-fw"].offline = False
    sim.services.refresh(["portal-fw"])
    assert sim.services.up["portal"]


def test_a_service_without_the_flag_stays_up_and_with_it_goes_down(tmp_path: Path) -> None:
    # isolating the portal firewall leaves the records system with no way from the Internet
    for flagged in (False, True):
        folder = tmp_path / str(flagged)
        folder.mkdir()
        topology = TOPOLOGY
        if flagged:
            topology = topology.replace(
                "kind: system, serves: {officials: 300}}",
                "kind: system, serves: {officials: 300}, from_internet: true}",
            )
        sim = Simulation(_scenario(folder, topology))
        sim.run_until(10)
        sim.apply(_cmd("isolate", node="portal-fw"))
        assert sim.services.up["records"] is not flagged
        assert ("records" in _downs(sim)) is flagged


def test_a_second_way_in_keeps_the_service_up_when_one_is_cut(tmp_path: Path) -> None:
    topology = TOPOLOGY.replace(
        "  - {id: dc-app,", "  - {id: backup-fw, kind: firewall, site: portal, zone: dmz}\n  - {id: dc-app,"
    ).replace("services:\n  - {id: records", SECOND_WAY + "services:\n  - {id: records")
    sim = Simulation(_scenario(tmp_path, topology))
    sim.run_until(10)
    sim.apply(_cmd("cut-link", node="portal-fw"))
    assert all(sim.services.up.values())
    sim.apply(_cmd("isolate", node="backup-fw"))  # and now the last way in closes
    assert _downs(sim) == {"portal": "unreachable", "filing": "service:portal"}
    sim.apply(_cmd("restore-link", node="portal-fw"))
    assert all(sim.services.up.values())


def test_a_flag_without_an_internet_node_is_refused_with_its_line_and_key(tmp_path: Path) -> None:
    topology = (
        TOPOLOGY.replace("  - {id: internet, kind: internet, site: internet, zone: internet}\n", "")
        .replace("  - {from: internet, to: portal-fw, kind: internet, allows: [web]}\n", "")
        .replace("  - {id: internet, name: Internet, kind: external, group: external}\n", "")
    )
    path = tmp_path / "topology.yaml"
    path.write_text(topology, encoding="utf-8")
    with pytest.raises(DrillError) as caught:
        load_city(path)
    lines = topology.splitlines()
    flags = [i + 1 for i, line in enumerate(lines) if "from_internet: true" in line]
    found = [(d.line, d.path) for d in caught.value.diagnostics]
    assert found == [(flags[0], "services[1].from_internet"), (flags[1], "services[2].from_internet")]
    message = str(caught.value)
    assert f"topology.yaml:{flags[0]}:" in message
    assert "'portal' is used from the Internet" in message and "kind 'internet'" in message
    # without the flags the same file is a valid topology
    path.write_text(topology.replace("    from_internet: true\n", ""), encoding="utf-8")
    assert load_city(path).id == "reach"


def test_the_replay_and_a_re_run_reproduce_the_service_states(tmp_path: Path) -> None:
    scenario_path = _write(tmp_path)
    scenario = load_scenario(scenario_path)
    log = tmp_path / "drill.jsonl"
    session = Session(scenario, log_path=log, scenario_ref=str(scenario_path))
    for at, command in (
        (40, _cmd("cut-link", node="internet")),
        (100, _cmd("restore-link", node="internet")),
        (200, _cmd("isolate", node="portal-fw")),
        (260, _cmd("reconnect", node="portal-fw")),
    ):
        session.advance_to(at)
        session.apply(command)
    session.advance_to(480)
    session.close()
    data = read_log(log)
    rerun = resimulate(scenario, int(data.header["seed"]), data.events)
    assert first_difference(data.events, rerun.events) is None
    replay = Replay.open(log)
    for when, down in (
        (39, []),
        (41, ["filing", "portal"]),
        (101, []),
        (230, ["filing", "portal"]),
        (300, []),
    ):
        assert sorted(replay.seek(when).world.services_down) == down, when
    # the report's timeline says why, once for the cascade's cause
    for lang, why in (
        ("en", "cannot be reached from the Internet"),
        ("vi", "không truy cập được từ Internet"),
    ):
        rows = [row.what for row in build_report(replay, lang).timeline if why in row.what]
        assert len(rows) == 2 and all(row.count(why) == 1 for row in rows), rows


def test_the_reason_is_told_in_both_languages(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path)
    sim = Simulation(scenario)
    sim.run_until(10)
    sim.apply(_cmd("cut-link", node="portal-fw"))
    portal, filing = (e for e in sim.events if e.kind == "service_down")
    assert (
        describe(portal, scenario, "en") == "Service down: City portal — cannot be reached from the Internet"
    )
    assert describe(portal, scenario, "vi").endswith("không truy cập được từ Internet")
    assert describe(filing, scenario, "en").endswith("needs City portal, which is down")
    assert describe(filing, scenario, "vi").endswith("cần Cổng thành phố, hiện đang gián đoạn")


def test_the_walk_runs_only_when_the_network_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = Network.reached_from

    def counted(self: Network, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(self.paths_version)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "reached_from", counted)
    sim = Simulation(_scenario(tmp_path))
    sim.run_until(10)
    assert len(calls) == 1  # at the start
    for _ in range(50):  # host changes: no walk
        sim.nodes["dc-app"].offline = not sim.nodes["dc-app"].offline
        sim.services.refresh(["dc-app"])
    sim.apply(_cmd("isolate", node="dc-app"))
    assert len(calls) == 1
    sim.apply(_cmd("cut-link", node="portal-fw"))
    sim.apply(_cmd("isolate", node="portal-fw"))
    assert len(calls) == 3


# ---------------------------------------------------------------- the bundled and generated cities


def test_hanoi_portal_needs_both_ways_in_closed_and_the_desks_keep_working() -> None:
    scenario = load_scenario("ddos-filing-deadline")
    flagged = [s for s, spec in scenario.city.services.items() if spec.from_internet]
    assert flagged[0] == "electronic-portal" and len(flagged) == 10
    assert all(scenario.city.services[s].level in (3, 4) for s in flagged[1:])
    sim = Simulation(scenario, seed=1)
    sim.run_until(30)
    # the portal's own Internet link: the data centre's link still leads to the portal's firewall
    sim.apply(Command(action="cut-link", target=Selector(site=("portal",)), by="city-soc"))
    assert all(sim.services.up.values())
    sim.apply(Command(action="cut-link", target=Selector(node=("internet",)), by="city-soc"))
    downs = _downs(sim)
    assert downs["electronic-portal"] == "unreachable"
    assert set(downs) == set(flagged)
    assert sim.services.up["one-stop-shop"]  # the district desks work over the WAN
    sim.apply(Command(action="restore-link", target=Selector(node=("internet",)), by="city-soc"))
    assert all(sim.services.up.values())


def test_generated_topologies_flag_the_portal_and_the_online_services() -> None:
    data = generate_topology(3, 20, seed=2)
    flagged = {s["id"] for s in data["services"] if s.get("from_internet")}
    assert "electronic-portal" in flagged
    assert {s["id"] for s in data["services"] if s["id"].startswith("ps-")} <= flagged
    assert any(n["kind"] == "internet" for n in data["nodes"])


def test_a_service_still_down_for_another_reason_says_so_and_the_downtime_is_one_outage(
    tmp_path: Path,
) -> None:
    scenario_path = _write(tmp_path)
    scenario = load_scenario(scenario_path)
    log = tmp_path / "drill.jsonl"
    session = Session(scenario, log_path=log, scenario_ref=str(scenario_path))
    sim = session.sim
    metrics = Metrics(scenario)
    sim.subscribe(metrics.feed)
    session.advance_to(20)
    session.apply(Command(action="ddos", target=Selector(node=("portal-web",)), lasts=40, source="red-team"))
    assert _downs(sim) == {"portal": "node:portal-web", "filing": "service:portal"}
    session.advance_to(30)
    session.apply(_cmd("cut-link", node="portal-fw"))  # cut while the flood lasts
    session.advance_to(120)  # the flood ends at T+1h, the link stays cut
    reasons = [(e.t, e.target, e.data["reason"]) for e in sim.events if e.kind == "service_reason"]
    assert reasons == [(60.0, "portal", "unreachable")]  # filing still needs the portal: unchanged
    session.apply(_cmd("restore-link", node="portal-fw"))
    session.close()
    assert all(sim.services.up.values())
    assert [e.target for e in sim.events if e.kind == "service_down"] == ["portal", "filing"]
    assert metrics.snapshot(sim.now).downtime_by_service["portal"] == pytest.approx(100)  # one outage
    reason = next(e for e in sim.events if e.kind == "service_reason")
    assert describe(reason, scenario, "en") == (
        "Service still down: City portal — cannot be reached from the Internet"
    )
    assert describe(reason, scenario, "vi").startswith("Dịch vụ vẫn gián đoạn: Cổng thành phố")
    rows = [r.what for r in build_report(Replay.open(log), "en").timeline]
    assert any("City portal still down" in r and "Internet" in r for r in rows), rows
