"""Bad input gets a message and exit 1, never a traceback — checked where a traceback would show:
on the standard error of the real command, in its own process.

(In the same process an unexpected exception reaches pytest instead of stderr, so only a run of
``python -m drill`` can show that a user never sees one.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "tests" / "fixtures" / "engine"


def drill(*args: str, cwd: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DRILL_LANG": lang}  # the drill the tests import: installed, or on PYTHONPATH
    return subprocess.run(
        [sys.executable, "-m", "drill", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def _bad_log(tmp: Path) -> Path:
    # a sound header (the reader refuses a header without its scenario before any line), then a
    # damaged first event
    header = {
        "format": "drill-log",
        "version": 1,
        "scenario": "engine-worm",
        "scenario_ref": str(ENGINE / "worm.yaml"),
        "topology": "engine-test",
        "seed": 3,
        "duration": 720.0,
    }
    path = tmp / "bad.jsonl"
    path.write_text(json.dumps(header) + "\n{not json\n", encoding="utf-8")
    return path


def _bad_decisions(tmp: Path) -> Path:
    path = tmp / "decisions.yaml"
    path.write_text("- {at: soon, action: isolat}\n", encoding="utf-8")
    return path


def _garbage(tmp: Path) -> Path:
    path = tmp / "garbage.yaml"
    path.write_bytes(b"scenario: [\x00\xff\xfe: {{{\n  - - -\n")
    return path


# what the catch-all in cli.main prints for an exception nobody expected (a bug, not bad input)
BUG = "this is a bug in drill"

# one bad input for each command whose in-process tests check the message (test_badlogs — whose
# own subprocess test covers --verify —, test_cli_run, test_cli_new, test_generate, test_batch,
# test_fuzz_validation, tui/test_drill_flow)
CASES = {
    "replay a damaged log": (lambda t: ["replay", str(_bad_log(t))], "line 2"),
    "report a damaged log": (lambda t: ["report", str(_bad_log(t)), "-o", "-"], "line 2"),
    "run with bad decisions": (
        lambda t: ["run", str(ENGINE / "worm.yaml"), "--decisions", str(_bad_decisions(t))],
        "not a duration",
    ),
    "new with a bad id": (lambda t: ["new", "Bad ID", "-o", str(t)], "cannot be a scenario id"),
    "generate too large a city": (
        lambda t: ["topology", "generate", "--sites", "50000", "--hosts-per-site", "10000", "-o", "x.yaml"],
        "more than the 1,000,000 allowed",
    ),
    "batch with a bad override": (
        lambda t: ["batch", "--runs", "2", "--set", "teams.city-soc.staff=abc"],
        "expected a whole number",
    ),
    "validate garbage": (lambda t: ["validate", str(_garbage(t))], "garbage.yaml"),
    "play without a terminal": (lambda t: ["play"], "drill run"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gets_a_message_and_exit_1_never_a_traceback(case: str, tmp_path: Path) -> None:
    make_args, message = CASES[case]
    result = drill(*make_args(tmp_path), cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    # bad input is said by the code that met it, not left to the catch-all for bugs
    assert BUG not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert message in result.stderr + result.stdout
    assert not (tmp_path / "x.yaml").exists()


def test_a_crash_would_be_seen_here(tmp_path: Path) -> None:
    # the checks can fail: an exception nobody expected is caught by cli.main and said in one
    # line as a bug (exit 1); with DRILL_DEBUG=1 it shows as a traceback on stderr
    env = {k: v for k, v in os.environ.items() if k != "DRILL_DEBUG"}
    env["DRILL_LANG"] = "en"
    code = "import drill.cli, sys; drill.cli.build_parser = None; sys.exit(drill.cli.main(['run']))"

    def crash(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={**env, **extra}
        )

    caught = crash({})
    assert caught.returncode == 1 and "Traceback" not in caught.stderr
    assert BUG in caught.stderr and "TypeError" in caught.stderr
    assert len(caught.stderr.strip().splitlines()) == 1
    debug = crash({"DRILL_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr
