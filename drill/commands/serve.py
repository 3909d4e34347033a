"""``drill serve``: a drill as a session server for bridge sites, and ``drill join``: a team's console."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import ssl
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import DrillError
from ..engine.events import text_record
from ..i18n import LANGUAGES, get_language, pick, t
from ..log import conduct_stamp
from ..outputs import add_force, check_output
from .run import check_seed

if TYPE_CHECKING:
    from ..model.scenario import Team


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help=t("bridge.serve_help"), description=t("bridge.serve_description"))
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help=t("cli.scenario_arg"))
    p.add_argument("--seed", type=int, help=t("cli.seed_help"))
    p.add_argument("--log", metavar="FILE", help=t("bridge.arg_log"))
    p.add_argument("--resume", metavar="LOG", help=t("bridge.arg_resume"))
    p.add_argument("--host", default="127.0.0.1", help=t("bridge.arg_host"))
    p.add_argument("--port", type=int, default=8765, help=t("bridge.arg_port"))
    p.add_argument("--certfile", metavar="FILE", help=t("bridge.arg_certfile"))
    p.add_argument("--keyfile", metavar="FILE", help=t("bridge.arg_keyfile"))
    p.add_argument("--origin", action="append", default=[], metavar="URL", help=t("bridge.arg_origin"))
    p.add_argument("--speed", type=float, default=60.0, metavar="X", help=t("tui.arg_speed"))
    p.add_argument("--run", action="store_true", help=t("tui.arg_run"))
    p.add_argument("--approve", metavar="TEAMS", help=t("bridge.arg_approve"))
    p.add_argument("--headless", action="store_true", help=t("bridge.arg_headless"))
    add_force(p)
    p.set_defaults(handler=run_serve)

    j = sub.add_parser("join", help=t("bridge.join_help"), description=t("bridge.join_description"))
    j.add_argument("url", metavar="URL", help=t("bridge.arg_url"))
    j.add_argument("--token", metavar="T", help=t("bridge.arg_token"))
    j.add_argument("--name", default="", metavar="WHO", help=t("bridge.arg_name"))
    j.add_argument("--cafile", metavar="FILE", help=t("bridge.arg_cafile"))
    j.set_defaults(handler=run_join)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _ssl(args: argparse.Namespace) -> ssl.SSLContext | None:
    if bool(args.certfile) != bool(args.keyfile):
        raise DrillError(t("bridge.cert_and_key"))
    if not args.certfile:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(args.certfile, args.keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise DrillError(t("bridge.cert_unreadable", error=str(exc))) from exc
    return context


def _session(args: argparse.Namespace):  # noqa: ANN202 — the session and its seats
    from ..bridge.pending import pending_file, read_pending
    from ..bridge.seats import Seats, seats_file
    from ..session import Session

    if args.resume:
        if args.scenario or args.seed is not None or args.log:
            raise DrillError(t("tui.resume_conflict"))
        read_pending(pending_file(Path(args.resume)))  # unreadable: said before anything is served
        session, warnings = Session.resume(args.resume)
        for warning in warnings:
            print(warning, file=sys.stderr)
        teams = list(session.scenario.spec.teams)
        path = seats_file(Path(args.resume))
        seats = Seats.load(path, teams) if path.is_file() else Seats.for_teams(teams)
        seats.save(path)
        return session, seats, path
    from ..model.load import load_scenario

    scenario = load_scenario(args.scenario)
    _approval(args.approve, scenario.spec.teams)  # a mistake here leaves no log behind
    seed = scenario.spec.seed if args.seed is None else args.seed
    log = args.log or f"drill-{scenario.id}-{seed}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.jsonl"
    check_output(log, inputs=[scenario.file], force=args.force, exists=t("tui.log_exists", file=log))
    # the log keeps when the drill was really played (the report's conduct date and time)
    started = {"conducted": {"started": conduct_stamp(datetime.now())}}
    session = Session(
        scenario, seed=seed, log_path=log, scenario_ref=args.scenario or scenario.id, header_extra=started
    )
    seats = Seats.for_teams(list(scenario.spec.teams))
    path = seats_file(Path(log))
    seats.save(path)
    pending_file(Path(log)).unlink(missing_ok=True)  # a replaced log's decisions waited in another drill
    return session, seats, path


def run_serve(args: argparse.Namespace) -> int:
    from ..bridge.server import DrillServer

    if not 1 <= args.speed <= 3600:
        raise DrillError(t("tui.bad_speed", speed=args.speed))
    if not 0 <= args.port <= 65535:
        raise DrillError(t("bridge.bad_port", port=args.port))
    check_seed(args.seed)
    context = _ssl(args)
    if not args.headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(t("bridge.no_terminal"), file=sys.stderr)
        return 1
    if not is_loopback(args.host) and context is None:
        print(t("bridge.no_tls", host=args.host), file=sys.stderr)
    session, seats, seats_path = _session(args)
    approval = _approval(args.approve, session.scenario.spec.teams)
    server = DrillServer(
        session,
        seats,
        speed=args.speed,
        running=args.run,
        approval=approval,
        seats_path=seats_path,
        origins=tuple(args.origin),
    )
    lang = get_language()
    if args.headless:
        return _serve_headless(args, server, session, context, lang)
    from ..bridge.server import address, listen

    # bound before the console takes the screen: the links printed here already work
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        session.close()
        raise DrillError(t("bridge.cannot_listen", host=args.host, port=args.port, error=str(exc))) from exc
    address(server, args.host, sock, context is not None)
    print_links(server, lang)
    from ..tui.served import ServedLiveApp

    app = ServedLiveApp(
        session,
        server,
        sock,
        host=args.host,
        ssl_context=context,
        cafile=args.certfile,
        speed=args.speed,
        running=args.run,
        lang=lang,
    )
    try:
        app.run()
    except KeyboardInterrupt:
        pass
    finally:
        session.close()
        sock.close()
    return _saved(session)


def _serve_headless(args: argparse.Namespace, server, session, context, lang: str) -> int:  # noqa: ANN001
    """The server alone, until Ctrl+C or SIGTERM: a server room, or tests."""
    from ..bridge.server import start

    failure: list[BaseException] = []
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            runner = await start(server, args.host, args.port, context)
        except OSError as exc:
            failure.append(
                DrillError(t("bridge.cannot_listen", host=args.host, port=args.port, error=str(exc)))
            )
            return
        print_links(server, lang)
        # a server room stops it with SIGTERM, a terminal with Ctrl+C: the log is closed whole
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    print(t("bridge.headless_stop"), file=sys.stderr)
    try:
        asyncio.run(serve())
        if failure:
            raise failure[0]
    except KeyboardInterrupt:
        pass
    finally:
        session.close(ended=datetime.now())
    return _saved(session)


def _saved(session) -> int:  # noqa: ANN001 — a Session
    key = "tui.log_saved_ended" if session.finished else "bridge.log_saved"
    print(t(key, file=str(session.log_path), count=len(session.sim.events)))
    return 0


def _approval(value: str | None, teams: Mapping[str, Team]) -> set[str]:
    """Whose decisions wait for the facilitator: ``--approve`` (all, none, or team ids separated by
    commas) when given, else the teams the scenario marks ``approval: true``."""
    if value is None:
        return {tid for tid, team in teams.items() if team.approval}
    value = value.strip()
    if value in ("", "none"):
        return set()
    if value == "all":
        return set(teams)
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in teams]
    if unknown:
        raise DrillError(t("bridge.bad_approve", names=", ".join(unknown), teams=", ".join(teams)))
    return set(names)


def print_links(server, lang: str) -> None:  # noqa: ANN001 — a DrillServer
    """For each seat: its name, the browser link, and the terminal command that joins it."""
    scenario = server.scenario
    print(t("bridge.serving", url=server.public_url, scenario=scenario.id), flush=True)
    for name, seat in server.seats.seats.items():
        team = scenario.spec.teams.get(name)
        label = pick(text_record(team.name), lang) if team else t(f"bridge.seat_{seat.role}")
        print(t("bridge.seat_line", name=name, label=label), flush=True)
        print(f"    {server.link(seat)}", flush=True)
        print(f"    drill join {server.public_url} --token {seat.token}", flush=True)


def run_join(args: argparse.Namespace) -> int:
    from urllib.parse import parse_qs, urlsplit

    from ..bridge.client import socket_url

    token = (
        args.token
        or os.environ.get("DRILL_TOKEN")
        or parse_qs(urlsplit(args.url).query).get("token", [""])[0]
    )
    if not token:
        raise DrillError(t("bridge.no_token"))
    try:
        socket_url(args.url)
    except ValueError as exc:
        raise DrillError(t("bridge.bad_url", url=args.url)) from exc
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not os.environ.get("DRILL_WEB_CONSOLE"):
        print(t("bridge.no_terminal"), file=sys.stderr)
        return 1
    from ..tui.bridge_console import ConsoleApp

    app = ConsoleApp(args.url, token, who=args.name, cafile=args.cafile, lang=get_language())
    return int(app.run() or 0)


__all__ = ["LANGUAGES", "add"]
