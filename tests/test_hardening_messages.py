"""What drill says when something is wrong: usage errors exit 2 (as the README says), other
mistakes exit 1; a misspelt command gets the nearest ones; argparse speaks Vietnamese too;
--lang goes anywhere; each file gets the message meant for its kind; numbers too long to read
are located; long lists of problems are capped; nothing leaks pydantic's internals."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from drill.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
INTERNAL = "bug in drill"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own exits
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------------------------------------- exits
def test_the_readme_says_what_drill_does_with_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "exits with status 2, as usage errors do" in readme and "exits with status 1" in readme
    assert run(capsys, "run", "--seed", "x")[0] == 2  # a usage error
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "run", "no-such-scenario")[0] == 1  # a mistake in what was asked for
    assert run(capsys, "replay", "/no/such/log.jsonl", "--verify")[0] == 1


def test_a_misspelt_command_gets_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "rnu")
    assert code == 2 and "invalid choice: 'rnu'" in err and err.rstrip().endswith("did you mean run?")
    code, _out, err = run(capsys, "topology", "shwo")
    assert code == 2 and "did you mean show?" in err


def test_argparse_speaks_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--lang", "vi", "rnu")
    assert code == 2
    assert err.startswith("cách dùng: drill")
    assert "lựa chọn không hợp lệ: 'rnu'" in err and "có phải ý bạn là run?" in err
    code, _out, err = run(capsys, "run", "--seed", "x", "--lang", "vi")  # --lang after the rest
    assert code == 2 and "tham số --seed: giá trị int không hợp lệ: 'x'" in err
    code, out, _err = run(capsys, "--lang", "vi", "run", "--help")
    assert code == 0 and "tuỳ chọn:" in out and "hiện trợ giúp này rồi thoát" in out
    assert "show this help message" not in out


def _every_command(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append((*path, name))
                out += _every_command(sub, (*path, name))
    return out


def test_every_command_at_every_depth_takes_lang(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = _every_command(parser)
    assert ("topology", "show") in commands and len(commands) >= 12
    for command in commands:
        code, out, _err = run(capsys, *command, "--lang", "vi", "--help")
        assert code == 0 and "tuỳ chọn:" in out, command
    code, out, err = run(capsys, "topology", "show", "--lang", "vi")
    assert code == 0 and "nút" in out, err


# ---------------------------------------------------------------------------------------------- validate
BAD_DECISIONS = """\
- {at: T+1h, action: isolate, target: {site: hoan-kiem}, by: hoan-kiem-it}
- {at: T+2h, acton: escalate, to: national-cert}
"""


def test_validate_says_of_a_decisions_file_what_run_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    decisions = tmp_path / "d.yaml"
    decisions.write_text(BAD_DECISIONS, encoding="utf-8")
    expected = f"{decisions}:2:14: [1].acton: unknown key 'acton'; did you mean action, account?"
    code, out, _err = run(capsys, "validate", str(decisions))
    assert code == 1 and out.splitlines()[0] == expected
    assert "expected a scenario or topology" not in out
    code, _out, err = run(capsys, "run", "--decisions", str(decisions))
    assert code == 1 and err.strip() == expected


def test_validate_takes_a_bundled_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "validate", "ransomware-hoan-kiem", "hanoi")
    assert code == 0
    assert "ransomware-hoan-kiem.yaml: valid (scenario)" in out and "hanoi.yaml: valid (topology)" in out


def test_validate_does_not_follow_links_out_of_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "drills"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    (folder / "leak.yaml").symlink_to(secret)
    (folder / "good.yaml").write_bytes((ROOT / "scenarios" / "portal-defacement.yaml").read_bytes())
    (folder / "same.yaml").symlink_to(folder / "good.yaml")  # a link inside the folder is fine
    code, out, _err = run(capsys, "validate", str(folder))
    assert "hunter2" not in out and "password" not in out
    assert f"{folder / 'leak.yaml'}: skipped, a link that leads out of the folder checked" in out
    assert f"{folder / 'same.yaml'}: valid (scenario)" in out
    assert code == 0


def test_no_pydantic_internals_in_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decisions = tmp_path / "d.yaml"
    decisions.write_text("- {at: T+1h, action: note, text: [1, 2]}\n", encoding="utf-8")
    for command in (["validate", str(decisions)], ["run", "--decisions", str(decisions)]):
        code, out, err = run(capsys, *command)
        text = out + err
        assert code == 1 and "[0].text: [1, 2] is not in an accepted form" in text
        assert "{en: …, vi: …} for the two languages" in text
        assert not re.search(r"function-|_Text|\[_", text), text


# ---------------------------------------------------------------------------------------------- numbers
DIGITS = "9" * 5000


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("seed.yaml", None, ":27:7:"),
        ("at.yaml", f"- {{at: {DIGITS}, action: note, text: hi}}\n", ":1:8:"),
        ("city.json", None, ":"),
    ],
    ids=["scenario-seed", "decision-at", "json-topology"],
)
def test_a_number_too_long_to_read_is_located_not_a_bug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str | None, where: str
) -> None:
    path = tmp_path / name
    if name == "seed.yaml":
        scenario = (ROOT / "scenarios" / "ransomware-hoan-kiem.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^seed: .*$", f"seed: {DIGITS}", scenario)
        assert text.splitlines()[26].startswith("seed: 999")
    elif name == "city.json":
        assert main(["topology", "generate", "--sites", "2", "--hosts-per-site", "2", "-o", str(path)]) == 0
        text = re.sub(r'"hosts": *\d+', f'"hosts": {DIGITS}', path.read_text(encoding="utf-8"), count=1)
    path.write_text(text or "", encoding="utf-8")
    code, out, _err = run(capsys, "validate", str(path))
    assert code == 1 and INTERNAL not in out
    assert f"{path}{where}" in out and "a number with more than 4300 digits; refused" in out
    command = {"seed.yaml": ["run", str(path)], "at.yaml": ["run", "--decisions", str(path)]}.get(name)
    if command:
        code, _out, err = run(capsys, *command)
        assert code == 1 and "Traceback" not in err and "more than 4300 digits" in err


def test_a_decision_at_a_time_too_far_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "far.yaml"
    path.write_text(f"- {{at: {'9' * 400}, action: note, text: hi}}\n", encoding="utf-8")
    code, out, _err = run(capsys, "validate", str(path))
    assert (
        code == 1 and INTERNAL not in out and "is too long for a duration: at most 100000000 minutes" in out
    )
    code, _out, err = run(capsys, "run", "--seed", str(2**70))
    assert code == 1 and "the seed must be zero or more and at most 9223372036854775807" in err


# ---------------------------------------------------------------------------------------------- sizes
@pytest.mark.parametrize(
    ("kind", "says"), [("scenario", "allowed for a scenario"), ("decisions", "decisions file")]
)
def test_a_file_too_large_gets_advice_for_its_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kind: str, says: str
) -> None:
    import drill.model.load
    import drill.yamlio

    # the scenario's limit, or the decisions file's (the bundled scenario stays readable)
    monkeypatch.setattr(drill.model.load if kind == "scenario" else drill.yamlio, "MAX_YAML_BYTES", 100)
    path = tmp_path / f"{kind}.yaml"
    path.write_text("# " + "x" * 200 + "\n", encoding="utf-8")
    if kind == "scenario":
        code, _out, err = run(capsys, "run", str(path))
        assert code == 1
    else:  # as `run --decisions` and `batch --decisions` read it (the topology keeps its limit)
        from drill.diagnostics import DrillError
        from drill.engine.commands import load_decisions

        with pytest.raises(DrillError) as caught:
            load_decisions(path)
        err = caught.value.message
    assert says in err
    assert "topolog" not in err  # the advice for large topologies is for topologies


# ---------------------------------------------------------------------------------------------- caps
def test_many_bad_decisions_are_counted_not_all_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [f"- {{at: T+{i}m, acton: note, text: x}}" for i in range(3000)]
    lines += [f"- {{at: T+{i}m, action: nope, text: x}}" for i in range(1000)]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in (["run", "--decisions", str(path)], ["validate", str(path)]):
        code, out, err = run(capsys, *command)
        shown = [line for line in (out + err).splitlines() if line.startswith(str(path))]
        assert code == 1 and len(shown) == 20
        assert (
            "… and 3,980 more problems of the same kinds (2,980 × unknown-key, 1,000 × unknown-name)"
            in out + err
        )
    code, out, _err = run(capsys, "validate", "--format", "json", str(path))
    assert len(json.loads(out)["files"][0]["diagnostics"]) == 4000  # the JSON form has every one


# ---------------------------------------------------------------------------------------------- the end
def test_after_the_drill_ended_quitting_suggests_the_debrief_not_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from drill.commands.play import finish
    from drill.model.load import load_scenario
    from drill.session import Session

    session = Session(load_scenario(None), seed=7, log_path=tmp_path / "drill.jsonl")
    session.advance_to(60)
    assert finish(session, 0) == 0
    assert "Carry on with: drill play --resume" in capsys.readouterr().out
    session.advance_to(session.sim.end)
    session.close()
    assert finish(session, 0) == 0
    out = capsys.readouterr().out
    assert "The drill has ended: debrief with drill replay" in out and "--resume" not in out
    from drill.log import read_log

    assert read_log(tmp_path / "drill.jsonl").ended  # the log records that it ended


def test_resuming_an_ended_drill_says_it_has_ended(tmp_path: Path) -> None:
    from drill.model.load import load_scenario
    from drill.session import Session

    session = Session(load_scenario(None), seed=7, log_path=tmp_path / "drill.jsonl")
    session.advance_to(session.sim.end)
    session.close()
    resumed, warnings = Session.resume(tmp_path / "drill.jsonl")
    resumed.close()
    assert resumed.finished
    assert any("has ended" in w and "drill report" in w for w in warnings)
