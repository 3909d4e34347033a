"""The ``drill`` command line: a thin layer that parses arguments and calls the package."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from . import __version__
from .diagnostics import DrillError, nearest
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
    "serve",
)


def _language(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    return language_from_environment()


# argparse's own messages (usage, errors, help titles), said in the catalogue's words
_ARGPARSE = {
    "usage: ": "cli.ap_usage",
    "argument %(argument_name)s: %(message)s": "cli.ap_argument",
    "positional arguments": "cli.ap_positionals",
    "options": "cli.ap_options",
    "show this help message and exit": "cli.ap_help",
    "show program's version number and exit": "cli.ap_version",
    "unrecognized arguments: %s": "cli.ap_unrecognized",
    "not allowed with argument %s": "cli.ap_not_allowed",
    "ignored explicit argument %r": "cli.ap_ignored",
    "the following arguments are required: %s": "cli.ap_required",
    "one of the arguments %s is required": "cli.ap_one_required",
    "expected one argument": "cli.ap_expected_one",
    "expected at most one argument": "cli.ap_expected_at_most_one",
    "expected at least one argument": "cli.ap_expected_at_least_one",
    "expected %s argument": "cli.ap_expected_n",
    "expected %s arguments": "cli.ap_expected_n",
    "ambiguous option: %(option)s could match %(matches)s": "cli.ap_ambiguous",
    "invalid %(type)s value: %(value)r": "cli.ap_invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.ap_invalid_choice",
}


def _argparse_text(message: str) -> str:
    key = _ARGPARSE.get(message)
    return t(key) if key else message


def _argparse_plural(singular: str, plural: str, n: int) -> str:
    return _argparse_text(singular if n == 1 else plural)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(t("cli.usage_error", prog=self.prog, message=message), file=sys.stderr)
        raise SystemExit(2)

    def _check_value(self, action: argparse.Action, value: object) -> None:
        # a misspelt command or choice: say the nearest ones (drill rnu → run)
        if action.choices is not None and value not in action.choices:
            choices = [str(c) for c in action.choices]
            message = _argparse_text("invalid choice: %(value)r (choose from %(choices)s)") % {
                "value": value,
                "choices": ", ".join(map(repr, choices)),
            }
            close = nearest(str(value), choices)
            if close:
                message += t("validate.did_you_mean", names=", ".join(close))
            raise argparse.ArgumentError(action, message)


def build_parser() -> argparse.ArgumentParser:
    # argparse looks its messages up through these names at the moment it needs them
    argparse._ = _argparse_text  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_plural  # type: ignore[attr-defined]
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
    _lang_everywhere(parser)
    return parser


def _lang_everywhere(parser: argparse.ArgumentParser) -> None:
    """``--lang`` may also follow a command's name, at any depth: drill topology show --lang vi."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for command in action.choices.values():
            if "--lang" not in command._option_string_actions:
                command.add_argument(
                    "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("cli.lang_help")
                )
            _lang_everywhere(command)


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
    except MemoryError:
        print(t("cli.out_of_memory"), file=sys.stderr)
        return 1
    except Exception as exc:  # a bug in drill: one line to report it by, never a traceback
        if os.environ.get("DRILL_DEBUG"):
            raise
        print(t("cli.internal", error=f"{type(exc).__name__}: {exc}"[:300]), file=sys.stderr)
        return 1


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
