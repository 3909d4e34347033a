"""A drill that uses every kind of event, recorded through the CLI, for the replay and report tests."""

from __future__ import annotations

from pathlib import Path

from drill.cli import main
from drill.engine import Simulation
from drill.engine.commands import TimedCommand, load_decisions
from drill.log import read_log
from drill.model.load import Scenario, load_scenario

SINK = """\
scenario: replay-sink
title: {en: Everything at once, vi: Mọi thứ cùng lúc}
description: {en: A drill that uses every kind of event, vi: Một cuộc diễn tập dùng mọi loại sự kiện}
unit: hoan-kiem
audience: [city-soc, hoan-kiem-it]
topology: hanoi
start: 2015-03-04T08:00:00+07:00
duration: 10h
seed: 11
teams:
  city-soc: {name: {en: City SOC, vi: Tổ giám sát Thành phố}, staff: 2,
             watches: {zone: [datacentre, dmz, wan, management]}}
  hoan-kiem-it: {name: {en: Hoan Kiem IT, vi: CNTT Hoàn Kiếm}, staff: 1, watches: {site: hoan-kiem}}
  national-cert: {name: {en: VNCERT, vi: VNCERT}, staff: 3, on_call: {arrives_after: 1h}}
attacker:
  campaigns:
    - id: rw
      stages:
        - {id: phish, technique: T1566.001, at: T+0m, targets: {node: hoan-kiem-ws}, success: 1.0}
        - {id: lan, technique: T1021.002, after: phish, over: [lan], via: [smb], success: 0.5,
           delay: {exponential: 20m}, attempts: 200}
        - {id: admin, technique: T1078.002, after: {stage: lan, wait: 20m}, over: [trust, lan],
           targets: {site: [sdc, hoan-kiem]}, success: 0.4, delay: {exponential: 30m}, attempts: 60}
        - {id: encrypt, technique: T1486, after: {stage: phish, wait: 2h}, effect: encrypt,
           delay: {exponential: 30m}, from: inside}
    - id: spy
      stages:
        - {id: land, technique: T1190, at: T+30m, targets: {node: sdc-mail}, success: 1.0}
        - {id: steal, technique: T1041, after: {stage: land, wait: 10m}, effect: exfiltrate, delay: 10m,
           rate_gb_per_hour: 5}
        - {id: wipe, technique: T1485, after: {stage: land, wait: 6h}, effect: wipe, delay: 5m}
    - id: flood
      stages:
        - {id: ddos, technique: T1498, at: T+1h, targets: {node: portal-web}, effect: deny, lasts: 45m}
detection:
  # the district's PCs are watched poorly, so the worm lives long enough to encrypt
  - {targets: {site: hoan-kiem}, coverage: 0.01}
playbooks:
  rw:
    steps:
      - {do: triage, takes: {uniform: [10m, 20m]}}
      - {do: isolate, takes: 5m}
      - {do: reimage, takes: {uniform: [1h, 2h]}}
      - {do: restore, takes: from-backup}
deadlines:
  - {action: report, to: so-thong-tin-truyen-thong, within: 2h, by: hoan-kiem-it}
injects:
  - id: calls
    at: T+30m
    to: [hoan-kiem-it]
    title: {en: Slow computers, vi: Máy tính chậm}
    text: {en: Staff say their computers are slow., vi: Cán bộ báo máy tính chậm.}
    expects:
      - {action: isolate, target: {site: hoan-kiem}, within: 1h, by: hoan-kiem-it}
      - {action: escalate, to: national-cert, within: 3h, by: city-soc}
  - id: portal-down
    when: {service_down: {service: electronic-portal, for: 10m}}
    to: [city-soc]
    text: {en: The portal is down., vi: Cổng thông tin bị gián đoạn.}
    expects:
      - {action: communicate, within: 30m, by: city-soc}
  - id: outage
    at: T+3h
    hidden: true
    text: {en: A power cut takes the video server down., vi: Mất điện làm máy chủ hội nghị ngừng.}
    effect: {offline: {node: sdc-meeting-mcu}, staff: {team: city-soc, change: 1}, detect: {site: hoan-kiem}}
  - id: backups-gone
    contingency: true
    text: {en: The backups are encrypted too., vi: Bản sao lưu cũng bị mã hoá.}
    effect: {backups_lost: {site: hoan-kiem}}
objectives:
  - {metric: time_to_contain, under: 3h}
  - {metric: downtime, service: one-stop-shop, under: 1h}
  - {metric: data_exfiltrated_gb, under: 1}
  - {metric: expectations_met, at_least: 0.5}
"""

DECISIONS = """\
- at: T+40m
  action: note
  text: {en: The room debates isolating the district, vi: Cả phòng tranh luận việc cô lập quận}
  source: facilitator
- {at: T+1h10m, action: offline, service: one-stop-shop, by: city-soc}
- {at: T+1h30m, action: escalate, to: national-cert, by: city-soc}
- {at: T+1h40m, action: cut-link, target: {site: hoan-kiem}, by: city-soc}
- {at: T+2h, action: block-trust, target: {node: hoan-kiem-dc}, by: city-soc}
- {at: T+2h15m, action: inject, inject: backups-gone, source: facilitator}
- {at: T+2h20m, action: online, service: one-stop-shop, by: city-soc}
- {at: T+2h25m, action: isolate, target: {node: hoan-kiem-ws}, by: hoan-kiem-it}
- {at: T+2h30m, action: report, to: so-thong-tin-truyen-thong, by: hoan-kiem-it}
- {at: T+3h5m, action: reconnect, target: {node: hoan-kiem-ws}, by: hoan-kiem-it}
- {at: T+3h30m, action: restore-link, target: {site: hoan-kiem}, by: city-soc}
- {at: T+4h, action: reimage, target: {node: hoan-kiem-srv}, by: national-cert}
- {at: T+4h10m, action: communicate, by: city-soc,
   text: {en: Services are being restored, vi: Dịch vụ đang được khôi phục}}
- {at: T+4h20m, action: ddos, target: {node: portal-web}, lasts: 20m, source: red-team}
- {at: T+5h, action: restore, target: {node: hoan-kiem-onestop}, by: hoan-kiem-it}
- {at: T+5h10m, action: isolate, target: {node: no-such-node}, by: city-soc}
- {at: T+5h30m, action: note, text: Hidden note for the evaluators, hidden: true, source: facilitator}
- {at: T+6h, action: mark, inject: calls, expectation: 1, source: facilitator}
"""


def write_sink(folder: Path) -> tuple[Path, Path]:
    """The scenario and its decisions, written into ``folder``."""
    scenario = folder / "sink.yaml"
    decisions = folder / "decisions.yaml"
    scenario.write_text(SINK, encoding="utf-8")
    decisions.write_text(DECISIONS, encoding="utf-8")
    return scenario, decisions


def record(folder: Path, seed: int = 4, name: str = "drill.jsonl", decisions: bool = True) -> Path:
    """Run the sink drill with ``drill run`` and return its log."""
    scenario, script = write_sink(folder)
    log = folder / name
    args = ["--lang", "en", "run", str(scenario), "--seed", str(seed), "--log", str(log)]
    if decisions:
        args += ["--decisions", str(script)]
    main(args)  # exit 1: one decision names a node that does not exist, on purpose
    assert read_log(log).events, "the drill wrote no log"
    return log


def sink(folder: Path) -> tuple[Scenario, list[TimedCommand]]:
    scenario, script = write_sink(folder)
    return load_scenario(scenario), load_decisions(script)


def run_to(scenario: Scenario, seed: int, decisions: list[TimedCommand], until: float) -> Simulation:
    """The simulation itself run to ``until`` with the decisions due before it: the truth a replay
    must reproduce."""
    sim = Simulation(scenario, seed=seed)
    sim.start()
    for command in decisions:
        if command.at >= until:
            break
        sim.run_until(command.at)
        sim.apply(command)
    sim.run_until(until)
    return sim
