"""Rewrite the golden event logs after an intended change of the engine or the scenarios.

Run from the repository root. Without ``--reason`` it only prints what would change (events
added, removed and changed, by kind and node) and exits 1 without writing:

    python tests/golden/regenerate.py
    python tests/golden/regenerate.py --reason "isolation now also stops exfiltration"

Review the summary before giving a reason: a golden log that changes where the intended change
cannot reach (another kind of event, another body) is a bug to find, not a file to rewrite.
Commit the rewritten logs on their own, with the summary and the reason in the message.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from golden_cases import CASES, golden_lines  # noqa: E402
from golden_diff import compare  # noqa: E402


def main(argv: list[str] | None = None, folder: Path = HERE) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reason", default="", help="why the golden logs change (required to write them)")
    parser.add_argument("names", nargs="*", help="only these cases (default: all)")
    args = parser.parse_args(argv)
    names = args.names or [name for name, *_ in CASES]
    unknown = [n for n in names if n not in {c[0] for c in CASES}]
    if unknown:
        print(f"unknown case: {', '.join(unknown)}", file=sys.stderr)
        return 2
    fresh: dict[str, list[str]] = {}
    for name in names:
        path = folder / f"{name}.jsonl"
        old = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        new = golden_lines(name)
        changes = compare(name, old, new)
        print("\n".join(changes.lines()))
        if not changes.unchanged:
            fresh[name] = new
    if not fresh:
        return 0
    reason = args.reason.strip()
    if not reason:
        print(
            '\nNot written: review the changes above, then run again with --reason "..." saying why '
            "they are intended.",
            file=sys.stderr,
        )
        return 1
    for name, lines in fresh.items():
        (folder / f"{name}.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f'\nWritten: {", ".join(fresh)}. Commit them alone, as "Golden logs: {reason}", with this summary.')
    return 0


if __name__ == "__main__":
    sys.exit(main())
