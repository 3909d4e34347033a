"""The live drill: the app owns the wall clock and advances the session in slices at the chosen
speed; pausing is not advancing. Every event folds into the view-model as it happens; the panels
redraw a few times a second at most."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..diagnostics import DrillError
from ..engine import events as ev
from ..engine.events import Event
from ..i18n import LANGUAGES, pick, t
from ..pacing import Pacer
from ..session import Session
from ..viewmodel import ViewModel, first_words
from .actions import TARGET_ACTIONS, LiveActions, both_names
from .base import TICK, DrillBaseApp
from .follow import ClockFile
from .keys import LIVE, description_key
from .messages import ClockTick
from .palette import Entry, entry
from .screens.dialogs import ConfirmScreen
from .screens.views import DrillScreen, PlayersScreen
from .search import fold
from .widgets.network import NetworkMap

BUDGET = 0.05  # seconds of simulation per tick at most, so keys stay responsive
CHUNK = 10.0  # drill minutes per slice within a tick
SYNC_EVERY = 1.0  # seconds between forcing the log to disk
PALETTE_NODES = 5000  # nodes named one by one in the command palette, at most


def _both(key: str) -> str:
    """A message in every language, as the palette matches it (search.fold)."""
    return " ".join(fold(t(key, lang)) for lang in LANGUAGES)


def _log_header(path: Path | None) -> dict[str, Any]:
    """The first line of the drill's log (what it names: a branch's origin …); {} if unreadable."""
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError):
        return {}
    return header if isinstance(header, dict) else {}


class LiveApp(LiveActions, DrillBaseApp):
    mode = "live"

    def __init__(
        self,
        session: Session,
        *,
        speed: float = 60.0,
        running: bool = False,
        players: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], datetime] | None = None,
        lang: str | None = None,
        tick: float = TICK,
        warnings: list[str] | None = None,
    ) -> None:
        vm = ViewModel(session.scenario).feed_all(session.sim.events)
        super().__init__(session.scenario, vm, lang=lang, wallclock=wallclock)
        self.session = session
        session.listeners.append(self._on_event)
        self.pacer = Pacer(speed, clock)
        self.tick_seconds = tick
        self._start_running = running
        self._start_players = players
        self._lagging = False
        self._changed = False
        self._synced = time.monotonic()
        self._log_warned = False
        self.advanced_minutes = 0.0  # drill minutes run by the clock (the benchmark reads it)
        self.startup_warnings = list(warnings or [])
        self.header = _log_header(session.log_path)
        # the clock beside the log, for the players' screen on a second terminal
        self.clock_file = ClockFile(session.log_path) if session.log_path else None
        self._clock_written: tuple[float, bool, float] | None = None

    def get_default_screen(self) -> DrillScreen:
        return DrillScreen("live")

    def on_mount(self) -> None:
        self.set_interval(self.tick_seconds, self._tick)
        if self._start_players:
            self.push_screen(PlayersScreen())
        if self._start_running and not self.session.finished:
            self.pacer.start()
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10)
        if self.session.log_path is not None:
            self.notify(t("tui.log_at", file=str(self.session.log_path)), timeout=10)
        self.call_after_refresh(self.freeze_heap)

    def on_unmount(self) -> None:
        self.session.close(ended=self.wallclock())
        if self.clock_file is not None:
            self.clock_file.remove()

    def branched_from(self) -> dict[str, object] | None:
        origin = self.header.get("branched_from")
        return origin if isinstance(origin, dict) else None

    def _write_clock(self) -> None:
        """Tell the players' screen where the clock stands: at once when it starts, stops or
        changes speed, and once a second while it runs."""
        if self.clock_file is None:
            return
        running = self.pacer.running and not self.session.finished
        last = self._clock_written
        wall = time.monotonic()
        if last is not None and last[1:] == (running, self.pacer.speed) and wall - last[0] < SYNC_EVERY:
            return
        self._clock_written = (wall, running, self.pacer.speed)
        self.clock_file.write(self.session.now, running, self.pacer.speed)

    # ------------------------------------------------------------ the clock
    @property
    def now(self) -> float:
        return self.session.now

    @property
    def finished(self) -> bool:
        return self.session.finished

    @property
    def lagging(self) -> bool:
        return self._lagging and self.pacer.running

    def _on_event(self, event: Event) -> None:
        self.vm.feed(event)
        self._changed = True
        if event.kind == ev.COMMAND_REFUSED:
            reason = pick(event.data.get("reason", ""))
            self.notify(t("tui.refused", reason=reason), severity="error", timeout=8)
        elif event.kind == ev.DRILL_END:
            self.pacer.pause()
            self.notify(t("tui.drill_ended"), timeout=8)
            self.call_later(self.show_closing)  # after this slice of the drill has run

    def _tick(self) -> None:
        try:
            minutes = self.pacer.due()
            if minutes > 0 and not self.session.finished:
                self._advance(minutes)
            if self.pacer.running or self._changed:
                self.clock_moved()
            if self._changed:
                self._changed = False
                self.drill_changed()
            self._sync_log()
            self._write_clock()
            self.refreeze_if_grown()
        except Exception as exc:  # a bug must not end a drill: stop the clock and say so
            self.pacer.pause()
            self.log.error(repr(exc))
            self.notify(t("tui.internal_error", error=repr(exc)), severity="error", timeout=15)

    def _advance(self, minutes: float) -> None:
        deadline = time.perf_counter() + BUDGET
        start = self.session.now
        target = min(start + minutes, self.session.sim.end)
        while self.session.now < target - 1e-9 and not self.session.finished:
            self.session.advance(min(CHUNK, target - self.session.now))
            if time.perf_counter() > deadline:
                break
        self.advanced_minutes += self.session.now - start
        self._lagging = self.session.now < target - 1e-6 and not self.session.finished

    def _sync_log(self) -> None:
        """Force the log to disk about once a second: a closed laptop loses at most that."""
        now = time.monotonic()
        if now - self._synced < SYNC_EVERY:
            return
        self._synced = now
        self.session.sync()
        if self.session.log_error and not self._log_warned:
            self._log_warned = True  # a lasting warning, and the offer to save the drill elsewhere
            self.notify(t("tui.log_failed", reason=self.session.log_error), severity="error", timeout=86400)
            self.action_save_log()

    def action_save_log(self) -> None:
        """Save the drill so far to another file and carry on writing there."""
        suggestion = str(Path.home() / (self.session.log_path or Path("drill.jsonl")).name)

        def save(path: str) -> None:
            saved = self.session.save_log(path)
            self._log_warned = False
            self.notify(t("tui.log_saved_to", file=str(saved)), timeout=10)

        self.ask(t("tui.save_log_title"), lambda path: self.guarded_call(save, path)(), suggestion)

    def action_bridge(self) -> None:
        """Bridge sites: only a served drill has them (``drill serve``)."""
        self.notify(t("tui.not_served"), severity="warning")

    def pause(self) -> None:
        self.pacer.pause()
        self.clock_moved()

    def after_advance(self) -> None:
        self._changed = False
        self.post_message(ClockTick())
        self.refresh_now()

    # ------------------------------------------------------------ actions on the clock
    def action_play_pause(self) -> None:
        """Start or stop the drill clock."""
        if self.session.finished:
            self.notify(t("tui.drill_over"), severity="warning")
            return
        self.pacer.toggle()
        self.clock_moved()

    async def action_quit(self) -> None:
        """Quit, after confirming (the log is already written; the drill can be resumed)."""
        release = self.hold_clock()

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit(0)  # the log is closed as the app unmounts
            else:
                release()

        detail = ""
        if self.session.log_path and not self.session.log_error:
            key = "tui.quit_detail_ended" if self.session.finished else "tui.quit_detail"
            detail = t(key, file=str(self.session.log_path))
        self.push_screen(ConfirmScreen(t("tui.quit_question"), detail), answer)

    def log_file(self) -> str | None:
        return str(self.session.log_path) if self.session.log_path else None

    # ------------------------------------------------------------ never a traceback
    async def run_action(self, action: Any, default_namespace: Any = None, namespaces: Any = None) -> bool:
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except DrillError as exc:
            self.notify(exc.message, severity="error")
        except Exception as exc:  # a bug in an action must not end a drill
            self.log.error(repr(exc))
            self.notify(t("tui.internal_error", error=repr(exc)), severity="error", timeout=15)
        return True

    def guarded(self, fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except DrillError as exc:
                self.notify(exc.message, severity="error")
            except Exception as exc:  # as in run_action
                self.log.error(repr(exc))
                self.notify(t("tui.internal_error", error=repr(exc)), severity="error", timeout=15)

        return run

    def show_body(self, site: str) -> None:
        """Select a body on the network panel, opening its district's wards and communes."""
        maps = self.screen.query(NetworkMap)
        for network in maps:
            if network.display:
                network.focus_body(site)
                return
        if maps:
            show = getattr(self.screen, "show_page", None)
            if show is not None:
                show("network")
            maps.first().focus_body(site)

    # ------------------------------------------------------------ the command palette
    def palette_entries(self) -> list[Entry]:
        out: list[Entry] = []
        view_only = isinstance(self.screen, PlayersScreen)
        for key in LIVE:
            name = key.id.split("(")[0]
            if view_only and name not in ("players", "language", "quit", "help"):
                continue
            text = t(description_key(key))
            help = t("tui.palette_key", key=key.display or key.keys)
            out.append(
                Entry(
                    text,
                    help,
                    lambda a=key.action: self.call_next(self.run_action, a),
                    general=True,
                    search=_both(description_key(key)),
                )
            )
        for sid, site in self.scenario.city.sites.items():  # find any body, a ward among 584
            out.append(
                Entry(
                    f"{t('tui.act_show')}: {pick(site.name.model_dump())} ({sid})",
                    t("tui.palette_show"),
                    lambda s=sid: self.show_body(s),
                    search=f"{_both('tui.act_show')} {both_names(site.name)} {sid}",
                )
            )
        if view_only:
            return out
        if self.session.log_error:
            out.insert(
                0, Entry(t("tui.save_log_title"), self.session.log_error, self.action_save_log, general=True)
            )
        city = self.scenario.city
        # the names once, not once per action (a city of 639 bodies)
        bodies = [
            (sid, pick(site.name.model_dump()), both_names(site.name)) for sid, site in city.sites.items()
        ]
        body_words = {sid: words for sid, _name, words in bodies}
        # a city of many thousand nodes names its nodes through the pickers instead; so do the
        # wards and communes (their own entries act on their few machines at once)
        machines = [
            (
                nid,
                pick(node.name.model_dump()) if node.name else "",
                f"{both_names(node.name)} {body_words[node.site]}",
            )
            for nid, node in (city.nodes.items() if len(city.nodes) <= PALETTE_NODES else ())
            if not city.sites[node.site].parent
        ]
        body_help, node_help = t("tui.palette_body"), t("tui.palette_node")
        for action in TARGET_ACTIONS:
            method = getattr(self, "action_" + action.replace("-", "_"))
            verb_key = f"tui.act_{action.replace('-', '_')}"
            verb, verbs = t(verb_key), _both(verb_key)
            for sid, name, words in bodies:
                out.append(
                    entry(
                        f"{verb}: {name} ({sid})",
                        body_help,
                        self.guarded_call(method, f"site:{sid}"),
                        search=f"{verbs} {words}",
                    )
                )
            for nid, name, words in machines:
                out.append(
                    entry(
                        f"{verb}: {nid} — {name}" if name else f"{verb}: {nid}",
                        node_help,
                        self.guarded_call(method, f"node:{nid}"),
                        search=f"{verbs} {words}",
                    )
                )
        for action in ("offline", "online"):
            verb, verbs = t(f"tui.act_{action}"), _both(f"tui.act_{action}")
            for sid, svc in city.services.items():
                out.append(
                    entry(
                        f"{verb}: {pick(svc.name.model_dump())} ({sid})",
                        t("tui.palette_service"),
                        self.guarded_call(getattr(self, f"action_{action}"), sid),
                        search=f"{verbs} {both_names(svc.name)}",
                    )
                )
        for view in self.vm.injects():
            if view.trigger in ("free", "deadlines") or view.done:
                continue
            title = pick(view.title) if view.title else first_words(pick(view.text), 48)
            for action, verb in (
                ("deliver", "act_inject"),
                ("skip", "act_skip_inject"),
                ("delay", "act_delay_inject"),
            ):
                if action == "delay" and view.status != "upcoming":
                    continue
                out.append(
                    entry(
                        f"{t(f'tui.{verb}')}: {view.id} — {title}",
                        t("tui.palette_inject"),
                        self.guarded_call(getattr(self, f"action_{action}"), view.id),
                        search=f"{_both(f'tui.{verb}')} {both_names(view.title or view.text)}",
                    )
                )
        for team, spec in self.scenario.spec.teams.items():
            name = pick(spec.name.model_dump())
            out.append(
                entry(
                    f"{t('tui.act_escalate')}: {name} ({team})",
                    "",
                    self.guarded_call(self.action_escalate, team),
                    search=f"{_both('tui.act_escalate')} {both_names(spec.name)}",
                )
            )
            out.append(
                entry(
                    f"{t('tui.act_report')}: {name} ({team})",
                    "",
                    self.guarded_call(self.action_report, team),
                    search=f"{_both('tui.act_report')} {both_names(spec.name)}",
                )
            )
        for sid, site in city.sites.items():
            name = pick(site.name.model_dump())
            out.append(
                entry(
                    f"{t('tui.act_report')}: {name} ({sid})",
                    "",
                    self.guarded_call(self.action_report, sid),
                    search=f"{_both('tui.act_report')} {both_names(site.name)}",
                )
            )
        for campaign in self.scenario.spec.attacker.campaigns:
            for stage in campaign.stages:
                if stage.id not in self.vm.stages_started:
                    out.append(
                        entry(
                            f"{t('tui.act_start_stage')}: {stage.id} ({stage.technique})",
                            t("tui.palette_red"),
                            self.guarded_call(self.action_start_stage, stage.id),
                        )
                    )
        for exp in self.vm.open_expectations():
            if exp.inject == "deadlines":
                continue
            action = t(f"tui.act_{exp.action.replace('-', '_')}")
            out.append(
                entry(
                    f"{t('tui.act_mark')}: {exp.inject} #{exp.index + 1} {action}",
                    "",
                    self.guarded_call(self.action_mark, exp.inject, exp.index),
                )
            )
        return out

    def guarded_call(self, fn: Callable[..., object], *args: object) -> Callable[[], None]:
        return self.guarded(lambda: fn(*args))
