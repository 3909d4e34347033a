"""Runs many ``drill`` command lines in one process, for the hardening tests: each through the real
``drill.cli.main`` as the program runs it, with its stderr and exit code kept, and any exception
that escapes ``main`` (which the program would print as a traceback) reported.

Reads a JSON list of argument lists on stdin; writes one JSON line per command on stdout:
``{"args": [...], "code": 1, "out": "...", "err": "...", "escaped": null}``. ``play`` believes it
has a terminal and its app returns at once: what it reads (``--resume``, ``--players --log``) is
read as usual.
Started as a subprocess, so whatever the program would print on its own stderr stays visible.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback


def main() -> int:
    from textual.app import App

    from drill.cli import main as drill
    from drill.i18n import set_language

    App.run = lambda self, *args, **kwargs: 0  # type: ignore[method-assign]
    sys.stdin.isatty = lambda: True  # type: ignore[method-assign]
    commands = json.loads(sys.stdin.read())
    real_stdout = sys.stdout
    real_stdout.isatty = lambda: True  # type: ignore[method-assign]
    for args in commands:
        err = io.StringIO()
        out = io.StringIO()
        escaped = None
        code = None
        set_language("en")
        try:
            out.isatty = lambda: True  # type: ignore[method-assign]
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                code = drill(args)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # what the program would print as a traceback
            escaped = traceback.format_exc()
        result = {"args": args, "code": code, "out": out.getvalue()[-2000:], "err": err.getvalue()}
        print(json.dumps({**result, "escaped": escaped}))
        real_stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
