"""Rewrite the golden event logs after an intended change of the engine or the scenarios.

Run from the repository root: ``python tests/golden/regenerate.py``; review the diff before
committing it — a golden log that changes by accident is a determinism bug.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden_cases import CASES, golden_lines  # noqa: E402

if __name__ == "__main__":
    for name, *_ in CASES:
        lines = golden_lines(name)
        (HERE / f"{name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"{name}: {len(lines)} lines")
