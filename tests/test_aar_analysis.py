"""The after-action report's analysis by capability and its improvement plan, on small drills
whose outcome can be reasoned out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.cli import main
from drill.replay import Replay
from drill.report import build_report, render_html, render_markdown
from drill.report.exercise import Exercise, Rating

# One machine group phished at T+0; nobody watches Hoan Kiem (the only team watches Ba Dinh),
# and no inject reveals the incident: it is never detected. An inject at T+10m asks Hoan Kiem IT
# to isolate the workstations within 30m and to report to the DIC twice (after the inject and
# under the standing deadline, which starts at the first detection and so never starts).
QUIET = """\
scenario: quiet-phish
title: Quiet phish
description: A phish nobody sees.
unit: hoan-kiem
audience: [hoan-kiem-it]
topology: hanoi
start: 2015-03-04T08:00:00+07:00
duration: 4h
seed: 3
teams:
  hoan-kiem-it: {name: {en: Hoan Kiem IT, vi: CNTT Hoàn Kiếm}, staff: 1, watches: {site: ba-dinh}}
attacker:
  campaigns:
    - id: rw
      stages:
        - {id: phish, technique: T1566.001, at: T+0m, targets: {node: hoan-kiem-ws}, success: 1.0}
injects:
  - id: ask
    at: T+10m
    to: [hoan-kiem-it]
    title: Strange e-mail
    text: Someone clicked a strange invoice.
    expects:
      - {action: isolate, target: {node: hoan-kiem-ws}, within: 30m, by: hoan-kiem-it}
      - {action: report, to: so-thong-tin-truyen-thong, within: 1h, by: hoan-kiem-it}
      - {action: report, to: so-thong-tin-truyen-thong, within: 2h, by: hoan-kiem-it}
objectives:
  - {metric: time_to_contain, under: 2h}
"""


def _record(folder: Path, decisions: str | None = None) -> Replay:
    scenario = folder / "quiet.yaml"
    scenario.write_text(QUIET, encoding="utf-8")
    log = folder / "quiet.jsonl"
    args = ["run", str(scenario), "--log", str(log)]
    if decisions is not None:
        (folder / "d.yaml").write_text(decisions, encoding="utf-8")
        args += ["--decisions", str(folder / "d.yaml")]
    assert main(args) == 0
    return Replay.open(log)


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    return _record(tmp_path_factory.mktemp("quiet"))


@pytest.fixture(scope="module")
def handled(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    # isolated at T+15m (5m after the ask, 25m before its deadline); reported at T+20m
    return _record(
        tmp_path_factory.mktemp("handled"),
        "- {at: T+15m, action: isolate, target: {node: hoan-kiem-ws}, by: hoan-kiem-it}\n"
        "- {at: T+20m, action: report, to: so-thong-tin-truyen-thong, by: hoan-kiem-it}\n",
    )


def test_nothing_detected_is_one_detection_row_not_advice_to_isolate_faster(quiet: Replay) -> None:
    report = build_report(quiet, "en")
    ratings = {c.key: c.rating for c in report.capabilities}
    # nothing was done and nothing was ever seen: unable, by the rule
    assert ratings["detection"] == "U"
    assert ratings["containment"] == "U"  # the isolation was missed and containment never reached
    assert ratings["reporting"] == "U"
    text = " ".join(p.action for p in report.plan)
    assert "Nothing raised the alarm on Hoan Kiem" in text
    assert "detection to isolation" not in text  # the canned advice for a run that detected nothing
    detect = [p for p in report.plan if p.capability == "Detection and analysis"]
    assert len(detect) == 1  # "never detected" and "never contained" have one root cause
    assert any("time to contain" in e for e in detect[0].evidence)
    assert not any(p.issue.startswith("Objective not met: time to contain") for p in report.plan)


def test_two_misses_with_one_cause_share_one_row(quiet: Replay) -> None:
    report = build_report(quiet, "en")
    reports = [p for p in report.plan if "report → Department of Information" in p.issue]
    assert len(reports) == 1
    assert len(reports[0].evidence) == 2  # its own evidence, and the second miss merged into it
    assert reports[0].owner == "Hoan Kiem IT"
    assert "Department of Information and Communications" in reports[0].action


def test_a_well_handled_drill_shows_its_strengths_with_evidence(handled: Replay) -> None:
    report = build_report(handled, "en")
    containment = next(c for c in report.capabilities if c.key == "containment")
    texts = [f"{f.text} — {f.evidence}" for f in containment.strengths]
    # done at T+15m against a deadline of T+10m + 30m: 25m to spare
    assert any("isolate" in t and "T+00:15" in t and "25m before the deadline" in t for t in texts), texts
    # isolated 15m after the phish at T+0: an early isolation
    assert any("isolated soon after" in t and "15m after its first compromise" in t for t in texts), texts
    reporting = next(c for c in report.capabilities if c.key == "reporting")
    assert reporting.rating == "P"
    assert not [p for p in report.plan if p.capability == "Containment" and p.issue.startswith("Missed")]


def test_dates_follow_the_conduct_date_and_contacts_the_exercise_file(quiet: Replay) -> None:
    import datetime as dt

    ex = Exercise(date=dt.date(2026, 12, 4), contacts={"hoan-kiem-it": "Le Van C"}, classification="MẬT")
    report = build_report(quiet, "en", ex)
    high = next(p for p in report.plan if p.priority == "high")
    assert (high.start, high.end) == ("11 December 2026", "03 January 2027")  # +7 and +30 days
    hk = next(p for p in report.plan if p.owner == "Hoan Kiem IT")
    assert hk.contact == "Le Van C"
    overview = {f.label: f.value for f in report.overview}
    assert overview["Conducted on"] == "04 December 2026"
    assert overview["Location"] == ""  # not known: a blank to fill, not an invented place
    html = render_html(report)
    assert "MẬT" in html and "counter(page)" in html


def test_without_a_conduct_date_the_report_does_not_date_the_drill_2015(quiet: Replay) -> None:
    report = build_report(quiet, "en")
    overview = {f.label: f.value for f in report.overview}
    assert overview["Conducted on"] == ""
    assert "2015" in overview["Scenario clock"]  # the scenario's own clock, labelled as such
    md = render_markdown(report)
    assert "to be filled in" in md


def test_an_evaluator_overrides_a_rating_with_a_note(quiet: Replay) -> None:
    ex = Exercise(ratings={"detection": Rating(rating="M", note="The SOC saw it on a wall screen")})
    report = build_report(quiet, "en", ex)
    detection = next(c for c in report.capabilities if c.key == "detection")
    assert (detection.rating, detection.overridden) == ("M", True)
    assert "wall screen" in render_html(report)


def test_players_edition_leaves_out_ground_truth_hidden_injects_and_notes(tmp_path: Path) -> None:
    from test_replay_helpers import record

    replay = Replay.open(record(tmp_path, seed=4))
    full = build_report(replay, "en")
    players = build_report(replay, "en", audience="players")
    assert any(r.kind == "attack" for r in full.timeline) and full.notes
    assert not any(r.kind == "attack" for r in players.timeline)
    assert not players.notes and not players.hosts_by_body
    assert not any("power cut" in r.what for r in players.timeline)  # the hidden inject
    assert any(r.who == "Red team" for r in full.timeline)  # the sink's red team floods the portal
    assert not any(r.who == "Red team" for r in players.timeline)
    assert any("power cut" in r.what for r in full.timeline)
    md = render_markdown(players)
    assert "Hidden note for the evaluators" not in md and "Facilitator's notes" not in md
    # which machines the attacker still held at the end is the controllers' ground truth: a drill
    # in which nobody acted, and whose teams respond only when told, leaves it on them
    from test_replay_helpers import write_sink

    from drill.cli import main

    (tmp_path / "idle").mkdir()
    sink, _ = write_sink(tmp_path / "idle")
    text = sink.read_text(encoding="utf-8")
    sink.write_text(text.replace("  rw:\n    steps:", "  rw:\n    auto: false\n    steps:"), encoding="utf-8")
    main(["--lang", "en", "run", str(sink), "--seed", "4", "--log", str(tmp_path / "idle" / "idle.jsonl")])
    idle = Replay.open(tmp_path / "idle" / "idle.jsonl")
    full_plan = " ".join(p.action for p in build_report(idle, "en").plan)
    players_plan = " ".join(p.action for p in build_report(idle, "en", audience="players").plan)
    held = "still active at the end on City e-mail server, Hoan Kiem District civil servants' PCs"
    assert held in full_plan
    assert "still active at the end on the affected systems" in players_plan
    assert "Hidden note for the evaluators" in render_markdown(full)


def test_one_of_a_thing_is_singular(quiet: Replay) -> None:
    report = build_report(quiet, "en")
    hosts = next(f for f in report.figures if f.label == "Hosts compromised")
    assert "1 group of machines" in hosts.note  # one machine group was phished, nothing else
    md = render_markdown(report)
    assert "1 groups" not in md and "1 tasks" not in md


def test_a_value_that_never_held_is_not_a_peak() -> None:
    from drill.report.charts import held

    # a task queued at T+10m and taken at the same moment never waited; one queued at T+20m did
    points = [(0.0, 0.0), (10.0, 1.0), (10.0, 0.0), (20.0, 2.0), (25.0, 0.0)]
    assert max(v for _t, v in held(points, 30.0)) == 2.0
    assert max(v for _t, v in held(points[:3], 30.0)) == 0.0


def test_markdown_headings_stand_after_a_blank_line(tmp_path: Path) -> None:
    from test_replay_helpers import record

    md = render_markdown(build_report(Replay.open(record(tmp_path, seed=4)), "vi"))
    lines = md.split("\n")
    stuck = [line for i, line in enumerate(lines) if line.startswith("#") and i and lines[i - 1].strip()]
    assert not stuck  # pandoc reads "text\n## 4." as a paragraph


def test_bodies_out_for_the_same_time_share_a_row(tmp_path: Path) -> None:
    from test_replay_helpers import record

    report = build_report(Replay.open(record(tmp_path, seed=4)), "en")
    values = [d.value for d in report.downtime_bodies]
    assert all(values.count(v) <= 3 for v in values)  # more than three at one figure: one row
    assert [d.minutes for d in report.downtime_bodies] == sorted(
        (d.minutes for d in report.downtime_bodies), reverse=True
    )


def test_cutting_the_internet_reads_as_such(tmp_path: Path) -> None:
    log = tmp_path / "ddos.jsonl"
    assert main(["run", "ddos-filing-deadline", "--log", str(log)]) == 0
    report = build_report(Replay.open(log), "en")
    actions = [s.action for g in report.scores for s in g.rows]
    assert any(a.startswith("cut the city's Internet connection") for a in actions), actions
    assert not any("of Internet" in a for a in actions)
    # nobody cut it in this run: the plan's action is about the Internet link, not a body's WAN link
    [cut] = [p for p in report.plan if "Internet connection" in p.issue]
    assert "Internet connection" in cut.action and "network links of" not in cut.action


def test_the_scenario_names_a_capability(tmp_path: Path) -> None:
    scenario = tmp_path / "named.yaml"
    scenario.write_text(
        QUIET.replace(
            "within: 30m, by: hoan-kiem-it}",
            "within: 30m, by: hoan-kiem-it, capability: network-segmentation}",
        ).replace(
            "{metric: time_to_contain, under: 2h}",
            "{metric: time_to_contain, under: 2h, capability: detection}",
        ),
        encoding="utf-8",
    )
    log = tmp_path / "named.jsonl"
    assert main(["run", str(scenario), "--log", str(log)]) == 0
    report = build_report(Replay.open(log), "en")
    caps = {c.key: c for c in report.capabilities}
    own = caps["network-segmentation"]
    assert own.name == "Network segmentation" and own.rating == "U"
    assert [f.text for f in own.improvements] == [
        "Missed: isolate Hoan Kiem District civil servants' PCs within 30m (after Strange e-mail)"
    ]
    assert "containment" not in caps  # its only action went to the named capability …
    assert caps["detection"].objectives == ["time to contain"]  # … and its objective to detection


def test_a_run_with_everything_met_still_shows_what_it_cost(tmp_path: Path) -> None:
    # the sample decisions isolate Hoan Kiem at T+50m and never reconnect it: every objective is
    # met, and the district cannot serve from T+50m to the end at 8h — 7h 10m
    log = tmp_path / "good.jsonl"
    decisions = Path(__file__).parent.parent / "scenarios" / "decisions" / "ransomware-hoan-kiem.yaml"
    assert main(["run", "ransomware-hoan-kiem", "--decisions", str(decisions), "--log", str(log)]) == 0
    report = build_report(Replay.open(log), "en")
    assert all(o.state == "met" for o in report.objectives)
    [row] = report.plan
    # its 18 wards, whose people need the district's desk too, are out with it: counted, not named
    assert (
        row.issue
        == "Hoan Kiem District and 18 of its wards and communes: could not work or serve citizens for 7h 10m"
    )
    assert row.evidence == ["Hoan Kiem District cut off from the city network from T+00:50 to the end"]
    assert row.priority == "medium"
    recovery = next(c for c in report.capabilities if c.key == "recovery")
    assert recovery.rating == "S"  # done, at a cost


def test_the_exercise_file_fills_the_overview_and_says_what_is_wrong(
    quiet: Replay, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from drill.diagnostics import DrillError
    from drill.report.exercise import load_exercise

    good = tmp_path / "exercise.yaml"
    good.write_text(
        "name: Diễn tập Hoàn Kiếm 2026\ntype: tabletop\ndate: 2026-12-04\nstart: 8:30\nend: 12:00\n"
        "location: Phòng họp 3\nsites: Quận Hoàn Kiếm\nevaluators: [Trần Thị B]\n",
        encoding="utf-8",
    )
    ex = load_exercise(good)
    # YAML 1.1 reads 8:30 and 12:00 as minutes (510, 720): they are times of day here
    assert (ex.start, ex.end) == ("08:30", "12:00")
    overview = {f.label: f.value for f in build_report(quiet, "vi", ex).overview}
    assert overview["Hình thức"] == "diễn tập trên bàn"
    assert overview["Thời gian tổ chức"] == "08:30 – 12:00"
    assert overview["Các điểm cầu"] == "Quận Hoàn Kiếm"
    assert overview["Người điều phối"] == ""  # not given: left to fill in
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nevaluater: [B]\n", encoding="utf-8")
    with pytest.raises(DrillError, match="evaluater"):
        load_exercise(bad)
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DrillError, match="not valid YAML"):
        load_exercise(bad)
    log = tmp_path / "l.jsonl"
    log.write_bytes(Path(quiet.log.path).read_bytes())
    assert main(["report", str(log), "--conducted", "4 Dec"]) == 1
    assert "2026-12-04" in capsys.readouterr().err


def test_the_classification_is_safe_inside_the_print_styles() -> None:
    from drill.report.render import _css_string

    # CSS reads "\22 " as one double quote (the space ends the escape) and "\3c " as "<":
    # a classification cannot end the string or the <style> element
    assert _css_string('MẬT "A" </style>') == "MẬT \\22 A\\22  \\3c /style\\3e "


def test_a_cut_log_does_not_rate_what_can_still_change(tmp_path: Path) -> None:
    """docmgmt-credential-theft stopped at T+3h: containment is not yet done and its objective is
    undecided — no 'performed without challenges' for it before the drill can no longer change it."""
    from drill.cli import main

    log = tmp_path / "cut.jsonl"
    decisions = (
        Path(__file__).resolve().parents[1] / "scenarios" / "decisions" / "docmgmt-credential-theft.yaml"
    )
    # (its decisions after T+3h are refused, said, and the run stops at T+3h all the same)
    main(["--lang", "en", "run", "docmgmt-credential-theft", "--until", "3h", "--log", str(log)]
         + ["--decisions", str(decisions)])  # fmt: skip
    report = build_report(Replay.open(log), "en")
    containment = next(c for c in report.capabilities if c.key == "containment")
    # its actions so far were all met on time: nothing wrong yet, but not contained yet either
    assert containment.rating == "N", (containment.rating, containment.reason)
