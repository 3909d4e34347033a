"""The ``drill`` command line: a thin layer that parses arguments and calls the package."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .diagnostics import DrillError
from .i18n import LANGUAGES, language_from_environment, set_language, t

# command name → module under drill.commands; each module may register several names
COMMANDS = (
    "play",
    "run",
    "validate",
    "topology",
    "scenarios",
    "new",
    "schema",
    "replay",
    "report",
    "msel",
    "batch",
)


def _language(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    return language_from_environment()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(t("cli.usage_error", prog=self.prog, message=message), file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="drill", description=t("cli.description"))
    parser.add_argument("--lang", choices=LANGUAGES, help=t("cli.lang_help"))
    parser.add_argument("--version", action="version", version=f"drill {__version__}")
    sub = parser.add_subparsers(dest="command", metavar=t("cli.command_metavar"), parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".commands.{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue  # a command not built yet
            raise
        module.add(sub)
    # `--lang` may also follow the command's name: drill scenarios --lang vi
    for command in sub.choices.values():
        if "--lang" not in command._option_string_actions:
            command.add_argument(
                "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang_help")
            )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(_language(argv))
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.lang:
            set_language(args.lang)
        if not args.command:
            args = parser.parse_args([*argv, "play"]) if "play" in _commands(parser) else args
            if not args.command:
                parser.print_help()
                return 0
        return int(args.handler(args) or 0)
    except DrillError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
