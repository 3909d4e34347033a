"""The bundled scenario library: every drill validates, runs in both languages, and its sample
decisions make the outcome better over many seeds; `drill scenarios` lists them."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import pytest

from drill.cli import main
from drill.data import bundled_scenarios
from drill.engine import Simulation
from drill.engine.commands import load_decisions
from drill.metrics import Metrics, Snapshot
from drill.model.check import check_file
from drill.model.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = ROOT / "scenarios" / "decisions"
LIBRARY = [
    "ransomware-hoan-kiem",
    "portal-defacement",
    "ddos-filing-deadline",
    "docmgmt-credential-theft",
    "docmgmt-quiet-theft",
    "supply-chain-update",
    "grassroots-district-drill",
    "grassroots-commune-drill",
    "commune-desks-ransomware",
]
SEEDS = range(1, 21)
MODELINE = "# yaml-language-server: $schema=scenario.schema.json"


def test_the_library_holds_the_nine_drills():
    assert sorted(bundled_scenarios()) == sorted(LIBRARY)


@pytest.mark.parametrize("sid", LIBRARY)
def test_scenario_file_is_valid_and_named_by_its_id(sid):
    path = bundled_scenarios()[sid]
    result = check_file(path)
    assert result.kind == "scenario"
    assert result.diagnostics == []
    assert path.read_text(encoding="utf-8").splitlines()[0] == MODELINE
    scenario = load_scenario(sid)
    assert scenario.id == sid == path.stem


@pytest.mark.parametrize("sid", LIBRARY)
def test_scenario_speaks_both_languages(sid):
    spec = load_scenario(sid).spec
    for text in (spec.title, spec.description, *(i.text for i in spec.injects)):
        assert text.en != text.vi
        assert re.search(r"[à-ỹÀ-Ỹđ]", text.vi), text.vi  # Vietnamese with its diacritics


@pytest.mark.parametrize("sid", LIBRARY)
def test_scenario_has_a_real_msel(sid):
    injects = load_scenario(sid).spec.injects
    assert any(i.at is not None for i in injects)
    assert any(i.when is not None for i in injects)
    assert any(i.contingency for i in injects)
    assert any(i.expects for i in injects)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("sid", LIBRARY)
def test_scenario_runs_from_the_cli_with_its_decisions(sid, lang, capsys):
    decisions = DECISIONS / f"{sid}.yaml"
    assert check_file(decisions).diagnostics == []
    # 0: no decision was refused (every name in the decisions file exists)
    assert main(["--lang", lang, "run", sid, "--decisions", str(decisions)]) == 0
    out = capsys.readouterr().out
    assert sid in out
    assert main(["run", sid, "--lang", lang, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == sid


# ---------------------------------------------------------------- outcomes over many seeds


def _runs(sid: str, with_decisions: bool) -> list[tuple[Snapshot, list]]:
    scenario = load_scenario(sid)
    commands = load_decisions(DECISIONS / f"{sid}.yaml") if with_decisions else []
    out = []
    for seed in SEEDS:
        sim = Simulation(scenario, seed=seed)
        metrics = Metrics(scenario)
        sim.subscribe(metrics.feed)
        sim.run(commands)
        out.append((metrics.snapshot(sim.now), sim.events))
    return out


_CACHE: dict[tuple[str, bool], list[tuple[Snapshot, list]]] = {}


def runs(sid: str, with_decisions: bool) -> list[tuple[Snapshot, list]]:
    key = (sid, with_decisions)
    if key not in _CACHE:
        _CACHE[key] = _runs(sid, with_decisions)
    return _CACHE[key]


def mean(values) -> float:
    return statistics.mean(list(values))


def contained_within(snaps, minutes: float) -> int:
    return sum(1 for s in snaps if s.time_to_contain is not None and s.time_to_contain < minutes)


@pytest.mark.parametrize("sid", LIBRARY)
def test_outcomes_vary_with_the_seed(sid):
    # how long a run takes is measured by benchmarks/run.py ("default scenario run")
    for decided in (False, True):
        results = runs(sid, decided)
        outcomes = {
            (s.hosts_ever, round(s.data_exfiltrated_gb), round(sum(s.downtime_by_service.values())))
            for s, _ in results
        }
        assert len(outcomes) > 3


def test_default_usually_escapes_without_decisions_and_is_contained_with_them():
    plain = [s for s, _ in runs("ransomware-hoan-kiem", False)]
    decided = [s for s, _ in runs("ransomware-hoan-kiem", True)]
    assert contained_within(plain, 240) <= len(SEEDS) // 2
    assert sum(1 for s in plain if len(s.bodies_affected) > 1) >= len(SEEDS) // 3
    assert contained_within(decided, 240) >= len(SEEDS) * 3 // 4
    assert mean(s.hosts_ever for s in decided) < mean(s.hosts_ever for s in plain)
    assert mean(len(s.bodies_affected) for s in decided) < mean(len(s.bodies_affected) for s in plain)
    assert mean(s.figure("expectations_met") for s in decided) >= 0.6
    assert mean(s.figure("expectations_met") for s in plain) < 0.2


def _effects(events, effect: str, node: str) -> bool:
    return any(e.kind == "effect" and e.target == node and e.data.get("effect") == effect for e in events)


def test_portal_is_defaced_in_most_seeds_and_decisions_keep_the_data_in():
    plain = runs("portal-defacement", False)
    decided = runs("portal-defacement", True)
    defaced = [_effects(events, "deface", "portal-web") for _, events in plain]
    assert sum(defaced) >= 13
    # the defacement is driven from the Internet: a web server that the team isolated before it
    # came is not defaced; only a failed attempt (one in ten) spares another one
    isolated_first = [
        not hit and any(e.kind == "isolate" and e.target == "portal-web" for e in events)
        for hit, (_, events) in zip(defaced, plain, strict=True)
    ]
    assert sum(defaced) + sum(isolated_first) >= len(SEEDS) - 2
    assert 0 < contained_within([s for s, _ in plain], 180) < len(SEEDS)
    assert mean(s.data_exfiltrated_gb for s, _ in decided) < mean(s.data_exfiltrated_gb for s, _ in plain)
    assert mean(s.downtime_by_service.get("electronic-portal", 0.0) for s, _ in decided) < mean(
        s.downtime_by_service.get("electronic-portal", 0.0) for s, _ in plain
    )


def test_ddos_hits_the_portal_and_cutting_the_internet_links_shortens_the_outage():
    plain = runs("ddos-filing-deadline", False)
    decided = runs("ddos-filing-deadline", True)
    assert all(_effects(events, "deny", "portal-web") for _, events in plain)
    assert mean(s.downtime_by_service.get("one-stop-shop", 0.0) for s, _ in decided) < 0.7 * mean(
        s.downtime_by_service.get("one-stop-shop", 0.0) for s, _ in plain
    )
    assert mean(s.citizen_impact for s, _ in decided) < mean(s.citizen_impact for s, _ in plain)


def test_stolen_credentials_leak_documents_unless_the_way_in_is_closed():
    plain = [s for s, _ in runs("docmgmt-credential-theft", False)]
    decided = [s for s, _ in runs("docmgmt-credential-theft", True)]
    assert sum(1 for s in plain if s.data_exfiltrated_gb > 0) >= len(SEEDS) // 2
    assert sum(1 for s in plain if "sdc" in s.bodies_affected) >= len(SEEDS) // 2
    assert mean(s.data_exfiltrated_gb for s in decided) < 0.5 * mean(s.data_exfiltrated_gb for s in plain)
    assert contained_within(decided, 240) > contained_within(plain, 240)


def test_poisoned_update_reaches_many_units_and_stopping_it_spares_some():
    plain = [s for s, _ in runs("supply-chain-update", False)]
    decided = [s for s, _ in runs("supply-chain-update", True)]
    assert mean(len(s.bodies_affected) for s in plain) > 20
    assert mean(len(s.bodies_affected) for s in decided) < mean(len(s.bodies_affected) for s in plain)
    assert mean(s.data_exfiltrated_gb for s in decided) < mean(s.data_exfiltrated_gb for s in plain)


def test_grassroots_drill_is_short_and_rewards_a_quick_officer():
    scenario = load_scenario("grassroots-district-drill")
    assert scenario.spec.duration <= 90
    assert len(scenario.spec.injects) <= 6
    plain = [s for s, _ in runs("grassroots-district-drill", False)]
    decided = [s for s, _ in runs("grassroots-district-drill", True)]
    assert mean(s.hosts_ever for s in decided) < mean(s.hosts_ever for s in plain)
    assert contained_within(decided, 40) > contained_within(plain, 40)
    assert scenario.city.sites[scenario.spec.unit].kind == "rural-district"


# ---------------------------------------------------------------- drill scenarios


def test_scenarios_lists_every_bundled_drill(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for sid in LIBRARY:
        assert sid in out
    assert "Hoan Kiem District" in out and "8h" in out and "1h" in out


def test_scenarios_in_vietnamese(capsys):
    assert main(["scenarios", "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    for sid in LIBRARY:
        title = load_scenario(sid).spec.title.vi
        assert title in out
    assert "Quận Hoàn Kiếm" in out and "Huyện Ba Vì" in out


def test_scenarios_json(capsys):
    assert main(["scenarios", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == sorted(LIBRARY)
    default = next(d for d in data if d["id"] == "ransomware-hoan-kiem")
    assert default["unit"] == "hoan-kiem" and default["unit_name"]["vi"] == "Quận Hoàn Kiếm"
    assert default["duration_minutes"] == 480 and default["title"]["en"].startswith("Ransomware")


def test_the_annotated_default_in_the_guide_is_the_default():
    from drill.yamlio import load_yaml

    guide = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    block = (
        guide.split("## The default scenario, annotated", 1)[1].split("```yaml\n", 1)[1].split("\n```", 1)[0]
    )
    annotated = load_yaml(block, "README.md").data
    bundled = load_yaml(
        bundled_scenarios()["ransomware-hoan-kiem"].read_text(encoding="utf-8"), "default"
    ).data
    assert annotated == bundled


# ---------------------------------------------------------------- engine rules the library relies on


def _events(sid: str, seed: int, decisions: list[dict]) -> list:
    from drill.engine.commands import TimedCommand

    sim = Simulation(load_scenario(sid), seed=seed)
    return sim.run([TimedCommand.model_validate(d) for d in decisions])


def test_floods_come_in_waves_and_only_while_the_internet_reaches_the_target():
    waves = [_events("ddos-filing-deadline", seed, []) for seed in range(1, 6)]
    # a wave that follows another lands on its targets (it needs no foothold)
    assert any(_effects(events, "deny", "sdc-onestop-app") for events in waves)
    for block in (
        {"at": "T+1h", "action": "cut-link", "target": {"node": "internet"}},
        {"at": "T+1h", "action": "isolate", "target": {"node": "portal-fw"}},
    ):
        for seed in range(1, 6):
            events = _events("ddos-filing-deadline", seed, [block])
            assert not _effects(events, "deny", "portal-web")
            assert not any(e.kind == "stage_start" and e.target == "wave-2" for e in events)


def test_a_poisoned_update_lands_only_while_its_server_is_reachable():
    for seed in range(1, 4):
        plain = _events("supply-chain-update", seed, [])
        stopped = _events(
            "supply-chain-update",
            seed,
            [{"at": "T+1m", "action": "isolate", "target": {"node": "sdc-docmgmt-app"}}],
        )
        installs = [e for e in plain if e.kind == "compromise" and e.data.get("stage") == "install"]
        # the control arm: many units install it (through the morning, as PCs restart) …
        assert len(installs) > 10
        assert not any(e.kind == "compromise" and e.data.get("stage") == "install" for e in stopped)
