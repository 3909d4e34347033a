"""The after-action report: its figures come from drill.metrics, its names from the scenario, and
both formats and both languages hold every section."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_replay_helpers import record

from drill.cli import main
from drill.engine import Simulation
from drill.engine.events import Event
from drill.log import header_for, write_log
from drill.model.load import load_scenario
from drill.replay import Replay
from drill.report import build_report, render_html, render_markdown


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record(tmp_path_factory.mktemp("report"), seed=4)


@pytest.fixture(scope="module")
def replay(log: Path) -> Replay:
    return Replay.open(log)


class _Tables(HTMLParser):
    """The ids of tables and svgs, and the text of every cell."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: dict[str, int] = {}
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        found = dict(attrs).get("id")
        if found:
            self.ids.append(found)
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


ENGINE = Path(__file__).resolve().parent / "fixtures" / "engine"


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    """A log of the engine test worm written by hand, so every figure is known: 30 machines of
    District 1 fall at T+10, are seen at T+40 and isolated at T+60; the app (1,000 citizens a
    day) is down from T+50 to T+140; the expected isolation is met. The start names its seed and
    planned duration (12h), as every log's does."""
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    header = header_for(Simulation(scenario, seed=1), str(ENGINE / "worm.yaml"), "en")
    stream = [
        (
            0.0,
            "drill_start",
            "engine-worm",
            {"seed": 1, "duration": 720.0, "topology": "engine-test", "teams": {"soc": 2, "cert": 0}},
        ),
        (
            10.0,
            "compromise",
            "d1-ws",
            {"hosts": 30, "infected": 30, "site": "d1", "source": "", "stage": "land"},
        ),
        (40.0, "detection", "d1-ws", {"how": "sensor", "site": "d1", "campaign": "worm"}),
        (50.0, "service_down", "app", {"reason": "node:dc-app"}),
        (60.0, "isolate", "d1-ws", {"site": "d1", "compromised": True}),
        (140.0, "service_up", "app", {"down_for": 90.0}),
        (720.0, "drill_end", "engine-worm", {}),
    ]
    events = [Event(t, i, kind, "x", target, data) for i, (t, kind, target, data) in enumerate(stream)]
    path = tmp_path_factory.mktemp("known") / "known.jsonl"
    write_log(path, header, events)
    return Replay.open(path)


def test_the_figures_are_the_ones_worked_out_by_hand(known: Replay) -> None:
    report = build_report(known, "en")
    figures = {f.label: f.value for f in report.figures}
    assert figures["Time to detect"] == "30m"  # T+10 to T+40
    assert figures["Time to contain"] == "50m"  # T+10 to T+60
    assert figures["Time to recover"] == "2h 10m"  # T+10 to T+140
    assert figures["Hosts compromised"] == "30"
    assert figures["Bodies affected"] == "1"
    # requests not served, per group of people (a service at a body; no populations: the app's
    # 1,000 and the one-stop's 5,000 a day split evenly over the five bodies): the app down for
    # its own reason, T+50 to T+140, harms all its groups: 1,000 × 90 min; d1-ws, District 1's
    # workstations and so its front desk, is isolated from T+60 to the end (T+720): d1's
    # one-stop group (1,000 a day) for 660 min and its app group (200 a day) once the app is
    # back, T+140 to T+720 — each group counted once a minute; ÷ an 8-hour day of 480 minutes
    impact = (1000 * 90 + 1000 * 660 + 200 * 580) / 480  # 1,804.2
    assert figures["Citizen impact"] == f"{impact:,.0f}"
    assert figures["Data exfiltrated"] == "0.0 GB"
    service = report.downtime_services[0]
    assert service.minutes == 90.0
    assert [o.met for o in report.objectives] == [True]  # contained within 4h


def test_the_improvement_plan_covers_every_shortfall(replay: Replay) -> None:
    """Each late or missed action and each objective not met is in the plan — as a row's issue or
    as the evidence of a row with the same cause — with a responsible body and dates to confirm."""
    report = build_report(replay, "en")
    shortfalls = [s for group in report.scores for s in group.rows if s.status in ("late", "missed")]
    unmet = [o for o in report.objectives if o.state == "not_met"]
    assert shortfalls and unmet
    text = " ".join(p.issue + " " + " ".join(p.evidence) for p in report.plan)
    for s in shortfalls:
        assert s.action in text
    for o in unmet:
        assert o.label in text or o.label in " ".join(c.name for c in report.capabilities)
    assert all(
        p.action and p.owner and p.start and p.end and p.priority in ("high", "medium", "low")
        for p in report.plan
    )
    assert any(p.issue.startswith("Objective not met: time to contain") for p in report.plan)


def test_the_scorecard_lists_each_expectation_by_team(replay: Replay) -> None:
    report = build_report(replay, "en")
    teams = [group.team for group in report.scores]
    assert teams == ["City SOC", "Hoan Kiem IT"]  # names, not ids, in the scenario's order
    rows = {s.action: s for group in report.scores for s in group.rows}
    isolate = rows["isolate Hoan Kiem District within 1h"]
    assert isolate.source == "Slow computers" and isolate.deadline == "T+01:30 (09:30)"
    assert isolate.status == "late" and isolate.done.startswith("T+02:25 (")
    marked = rows["escalate → VNCERT within 3h"]
    assert marked.status == "met"  # met by the escalation at T+1h30, before the facilitator's mark


def test_html_report_is_one_self_contained_printable_file(replay: Replay) -> None:
    html = render_html(build_report(replay, "en"))
    parsed = _parse(html)
    assert {"chart-hosts", "chart-services", "chart-queue"} <= set(parsed.ids)
    assert {"objectives", "teams", "downtime-services", "timeline-table", "plan-table"} <= set(parsed.ids)
    assert parsed.tags["svg"] == 3 and parsed.tags["table"] >= 8
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html)  # nothing fetched
    assert "<link" not in html and "<script" not in html
    assert "@media print" in html and "break-before: page" in html
    assert "{{" not in html and "{%" not in html
    # the names of sites, services and teams, not their ids
    assert "Hoan Kiem District" in parsed.cells and "Electronic one-stop shop" in " ".join(parsed.cells)
    assert "hoan-kiem-ws" not in " ".join(parsed.cells)
    assert "T+02:25" in parsed.cells and "10:25" in parsed.cells  # drill time and calendar time
    assert "The room debates isolating the district" in parsed.cells
    assert "Hidden note for the evaluators (facilitator only)" in parsed.cells


def test_the_charts_are_drawn_from_the_series(replay: Replay) -> None:
    report = build_report(replay, "en")
    hosts = next(c for c in report.charts if c.id == "chart-hosts")
    peak = max(v for _t, v in replay.metrics.series["hosts"])
    assert hosts.facts[0].startswith(f"Peak {peak:,.0f} compromised hosts")
    assert hosts.svg.startswith('<svg id="chart-hosts" class="chart" role="img"')
    assert "Compromised hosts over time" in hosts.svg and "<path" in hosts.svg
    # the same series gives the same picture: reports compare byte for byte
    assert render_html(build_report(replay, "en")) == render_html(report)


def test_markdown_report_has_every_section_in_tables(replay: Replay) -> None:
    md = render_markdown(build_report(replay, "en"))
    for heading in (
        "Summary",
        "Key figures",
        "Charts",
        "Expectations scorecard",
        "Timeline",
        "Facilitator's notes",
        "Improvement plan",
    ):
        assert re.search(rf"^## \d\. {re.escape(heading)}$", md, re.M), heading
    tables: list[list[str]] = [[]]
    for line in md.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [table for table in tables if table]
    assert len(tables) >= 10 and sum(len(table) for table in tables) > 60
    for table in tables:
        # every row has the header's columns: a pipe inside a cell is escaped
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(widths) == 1, table
    assert "<svg" not in md


def test_the_report_speaks_vietnamese(replay: Replay) -> None:
    md = render_markdown(build_report(replay, "vi"))
    assert md.startswith("# Báo cáo kết quả diễn tập và kế hoạch khắc phục: Mọi thứ cùng lúc")
    for text in (
        "## 9. Kế hoạch khắc phục",
        "## 4. Phân tích theo năng lực",
        "Quận Hoàn Kiếm",
        "Tổ giám sát Thành phố",
        "KHÔNG ĐẠT",
        "trễ hạn",
        "04/03/2015",
    ):
        assert text in md, text
    assert "Cả phòng tranh luận việc cô lập quận" in md
    html = render_html(build_report(replay, "vi"))
    assert '<html lang="vi">' in html and "Số máy bị xâm nhập theo thời gian" in html


def test_report_command_writes_beside_the_log(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["report", str(log)]) == 0
    out = log.with_name("drill.report.html")
    assert out.is_file() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out.strip() == f"report written: {out} (HTML, en)"
    assert main(["report", str(log), "--format", "md", "--lang", "vi"]) == 0
    assert log.with_name("drill.report.md").read_text(encoding="utf-8").startswith("# Báo cáo")
    target = log.with_name("chosen.md")
    assert main(["report", str(log), "-o", str(target)]) == 0  # the format follows the name
    assert target.read_text(encoding="utf-8").startswith("# After-action report")
    capsys.readouterr()
    assert main(["report", str(log), "-o", "-", "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# After-action report")


def test_report_to_an_unwritable_place(log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(log), "-o", str(tmp_path / "missing" / "r.html")]) == 1
    assert "cannot write the report" in capsys.readouterr().err


def test_a_drill_without_objectives_injects_or_incident(tmp_path: Path) -> None:
    """The quietest drill still gives a whole report."""
    scenario = tmp_path / "quiet.yaml"
    scenario.write_text(
        """\
scenario: quiet
title: Quiet
description: Nothing happens
unit: hoan-kiem
audience: [soc]
topology: hanoi
start: 2015-03-04T08:00:00+07:00
duration: 1h
teams:
  soc: {name: SOC, staff: 1, watches: {site: hoan-kiem}}
attacker:
  campaigns:
    - id: none
      stages:
        - {id: try, technique: T1566.001, at: T+10m, targets: {node: hoan-kiem-ws}, success: 0}
""",
        encoding="utf-8",
    )
    log = tmp_path / "quiet.jsonl"
    assert main(["run", str(scenario), "--log", str(log)]) == 0
    report = build_report(Replay.open(log), "en")
    assert report.plan == [] and report.objectives == [] and report.scores == []
    html = render_html(report)
    assert "Every expected action was met on time" in html and "No interruption." in html
    assert _parse(html).tags["svg"] == 3


def test_markdown_cells_escape_pipes_and_newlines() -> None:
    from drill.report.render import _cell

    assert _cell("a | b\nc") == "a \\| b c"
    assert _cell("") == " "


def test_every_action_metric_and_effect_has_its_words() -> None:
    """Keys built from names (``corrective.<action>``) exist for every name the scenario language has."""
    from drill.engine.commands import ALL_ACTIONS
    from drill.i18n import LANGUAGES, catalogue
    from drill.model.scenario import ACTIONS, EFFECTS, METRICS

    for lang in LANGUAGES:
        words = catalogue(lang)
        missing = [f"report.corrective.{a}" for a in ACTIONS if f"report.corrective.{a}" not in words]
        missing += [
            f"report.corrective_metric.{m}" for m in METRICS if f"report.corrective_metric.{m}" not in words
        ]
        missing += [f"report.ev_effect_{e}" for e in EFFECTS if f"report.ev_effect_{e}" not in words]
        missing += [f"replay.action.{a}" for a in ALL_ACTIONS if f"replay.action.{a}" not in words]
        missing += [f"metrics.{m}" for m in METRICS if f"metrics.{m}" not in words]
        assert not missing, (lang, missing)


def _worm_log(path: Path, stream: list[tuple[float, str, str, dict]], stop: float | None) -> Replay:
    scenario = load_scenario(str(ENGINE / "worm.yaml"))
    sim = Simulation(scenario, seed=1)
    if stop is not None:
        sim.end = stop
    header = header_for(sim, str(ENGINE / "worm.yaml"), "en")
    events = [Event(t, i, kind, "x", target, data) for i, (t, kind, target, data) in enumerate(stream)]
    write_log(path, header, events)
    return Replay.open(path)


def test_the_report_of_a_run_stopped_early_says_when_it_stopped(tmp_path: Path) -> None:
    """``run --until 3h`` of the 12-hour worm: 30 machines of District 1 fall at T+10 and the app
    goes down at T+50; neither is over when the run stops at T+3h. What is left is left at T+3h,
    not "at the end" (nobody knows how the drill would have ended)."""
    start = {"seed": 1, "duration": 720.0, "stop": 180.0, "topology": "engine-test", "teams": {"soc": 2}}
    hit = {"hosts": 30, "infected": 30, "site": "d1", "source": "", "stage": "land"}
    stream = [
        (0.0, "drill_start", "engine-worm", start),
        (10.0, "compromise", "d1-ws", hit),
        (50.0, "service_down", "app", {"reason": "node:dc-app"}),
        (180.0, "drill_end", "engine-worm", {}),
    ]
    cut = _worm_log(tmp_path / "cut.jsonl", stream, stop=180.0)
    report = build_report(cut, "en")
    notes = {f.label: f.note for f in report.figures}
    assert notes["Hosts compromised"] == "30 still compromised at T+03:00; 1 group of machines"
    # the app serves all five bodies: each could not work while it was down
    assert notes["Services interrupted"] == "1 still down at T+03:00; 5 could not work or serve for a while"
    assert report.timeline[-1].what == "The run stops at T+03:00: 3h played of 12h planned"
    facts = {c.id: c.facts for c in report.charts}
    assert facts["chart-hosts"] == ["Peak 30 compromised hosts at T+00:10; 30 at T+03:00."]
    markdown = render_markdown(report)
    assert "at the end" not in markdown and "The drill ends" not in markdown
    vietnamese = render_markdown(build_report(cut, "vi"))
    assert "30 máy vẫn bị xâm nhập lúc T+03:00" in vietnamese and "khi kết thúc" not in vietnamese
    # the same drill played to its planned end: there, it is the end
    whole = [*stream[:3], (720.0, "drill_end", "engine-worm", {})]
    whole[0] = (0.0, "drill_start", "engine-worm", {k: v for k, v in start.items() if k != "stop"})
    ended = build_report(_worm_log(tmp_path / "whole.jsonl", whole, stop=None), "en")
    assert {f.label: f.note for f in ended.figures}["Hosts compromised"] == (
        "30 still compromised at the end; 1 group of machines"
    )
    assert ended.timeline[-1].what == "The drill ends"
