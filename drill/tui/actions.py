"""The facilitator's actions on a live drill: each is one ``action_*`` method, which a key, a
palette command and a button all call; each change to the drill is a Command, applied through the
session and so recorded in the log.

An action with nothing to act on asks (pick from a list, or type a line); an action given its
argument (from the palette) acts at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..engine import events as ev
from ..engine.commands import ATTACKER_ACTIONS, FACILITATOR_ACTIONS, Command
from ..engine.events import Event
from ..i18n import LANGUAGES, pick, t
from ..model.common import Selector
from ..model.durations import DurationError, format_duration, format_offset, parse_duration
from ..model.evidence import PROCEDURE_NAMES, PROCEDURES, expected_minutes
from ..narration import command_text, expect_detail, first_words, procedure_name
from .feasibility import why_not
from .screens.dialogs import AskScreen, Choice, ConfirmScreen, PickScreen
from .search import fold

if TYPE_CHECKING:
    from ..session import Session
    from .base import Selection

# decisions on nodes or bodies, by action; the rest take a service, a team, an inject, a text…
TARGET_ACTIONS = (
    "isolate",
    "reconnect",
    "cut-link",
    "restore-link",
    "block-trust",
    "reimage",
    "restore",
    "patch",
    "compromise",
    "ddos",
)
RED_TEAM = ATTACKER_ACTIONS
FACILITATOR = FACILITATOR_ACTIONS
STEP_LIMIT = 200_000  # events stepped through at most when jumping to the next inject


def both_names(value: Any) -> str:
    """A bilingual name (a scenario's model or a logged ``{en, vi}``) in every language, for
    matching what is typed (either language, with or without accents)."""
    if value is None:
        return ""
    data = value.model_dump() if hasattr(value, "model_dump") else value
    return " ".join(fold(pick(data, lang)) for lang in LANGUAGES)


def duration_problem(text: str) -> str:
    """Why ``text`` is not a duration ("" when it is one)."""
    try:
        parse_duration(text)
    except DurationError as exc:
        return str(exc)
    return ""


def source_of(action: str) -> str:
    if action in RED_TEAM:
        return "red-team"
    if action in FACILITATOR:
        return "facilitator"
    return "player"


def while_running(method: Callable[..., None]) -> Callable[..., None]:
    """A decision, or a change to the drill: after its end, refused at once with the reason,
    before any question or list (only a note for the debrief goes in then)."""

    @functools.wraps(method)
    def act(self: LiveActions, *args: Any, **kwargs: Any) -> None:
        if self.session.finished:
            self.notify(t("tui.drill_over"), severity="warning")
            return
        method(self, *args, **kwargs)

    return act


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False)
        if errors:
            return str(errors[0].get("msg", exc))
    return str(exc)


class LiveActions:
    """Mixed into the live app (which provides ``session``, ``vm``, ``selection``, ``notify`` …)."""

    session: Session
    selection: Selection
    scenario: Any
    vm: Any
    notify: Callable[..., None]
    push_screen: Callable[..., Any]
    refresh_now: Callable[[], None]
    pause: Callable[[], None]
    after_advance: Callable[[], None]
    hold_clock: Callable[[], Callable[[], None]]
    guarded: Callable[[Callable[[], object]], Callable[[], None]]

    # ------------------------------------------------------------ applying
    def submit(self, action: str, **fields: Any) -> Event | None:
        """Apply one command now and record it; a wrong entry is a notification, never a crash.
        After the end, only a note goes in (for the debrief)."""
        if self.session.finished and action != "note":
            self.notify(t("tui.drill_over"), severity="warning")
            return None
        command = self._command(action, **fields)
        if command is None:
            return None
        event = self.session.apply(command)
        if event.kind == ev.COMMAND:
            said = command_text(event.data["command"], scenario=self.scenario)
            self.notify(t("tui.recorded", command=said), timeout=3)
        self.refresh_now()
        return event

    def _command(self, action: str, **fields: Any) -> Command | None:
        """The command, or None with a notice: a wrong entry, or one that would do nothing."""
        try:
            command = Command(action=action, source=source_of(action), **fields)
        except (ValidationError, ValueError) as exc:
            self.notify(t("tui.bad_entry", reason=_reason(exc)), severity="error")
            return None
        reason = why_not(self.vm, command)
        if reason:
            self.notify(t("tui.noop", reason=reason), severity="warning")
            return None
        return command

    def confirm(self, question: str, detail: str, then: Callable[[], None]) -> None:
        """Yes (Enter or y) or no (Esc or n) before a decision that is hard to take back; the
        clock waits, so the decision lands when its key was pressed."""
        release = self.hold_clock()

        def answered(yes: bool | None) -> None:
            try:
                if yes:
                    self.guarded(then)()
            finally:
                release()

        self.push_screen(ConfirmScreen(question, detail, default_yes=True), answered)

    def target_words(self, target: str) -> str:
        """``site:hoan-kiem`` → "all of Hoan Kiem District (219 hosts)", for a question."""
        kind, _, name = target.partition(":")
        city = self.scenario.city
        if kind == "site" and name in city.sites:
            hosts = sum(city.nodes[n].hosts for n in city.nodes_by_site.get(name, ()))
            return t("tui.confirm_body", name=pick(city.sites[name].name.model_dump()), hosts=hosts)
        if kind == "node" and name in city.nodes:
            node = city.nodes[name]
            label = pick(node.name.model_dump()) if node.name else ""
            return t("tui.confirm_node", id=name, name=label or name, hosts=node.hosts)
        return target

    def ask(
        self,
        title: str,
        then: Callable[[str], None],
        value: str = "",
        hint: str = "",
        check: Callable[[str], str] | None = None,
        lines: bool = False,
    ) -> None:
        release = self.hold_clock()

        def done(text: str | None) -> None:
            try:
                if text:
                    self.guarded(lambda: then(text))()
            finally:
                release()

        self.push_screen(AskScreen(title, value=value, hint=hint, check=check, lines=lines), done)

    def choose(
        self, title: str, choices: list[Choice], then: Callable[[str], None], free: bool = False
    ) -> None:
        if not choices and not free:
            self.notify(t("tui.nothing_to_choose"), severity="warning")
            return

        release = self.hold_clock()

        def done(value: str | None) -> None:
            try:
                if value:
                    self.guarded(lambda: then(value))()
            finally:
                release()

        self.push_screen(PickScreen(title, choices, free=free), done)

    # ------------------------------------------------------------ what to act on
    def selected_target(self) -> str:
        if self.selection.node:
            return f"node:{self.selection.node}"
        if self.selection.site:
            return f"site:{self.selection.site}"
        return ""

    def selector(self, target: str) -> dict[str, list[str]]:
        """``node:x``, ``site:x`` or a bare name (a node, else a body) as a node selector."""
        kind, sep, name = target.partition(":")
        if not sep:
            name = target
            city = self.scenario.city
            kind = "site" if name in city.sites and name not in city.nodes else "node"
        return {kind if kind in ("node", "site") else "node": [name]}

    def target_choices(self) -> list[Choice]:
        city = self.scenario.city
        site_names = {sid: both_names(site.name) for sid, site in city.sites.items()}

        def body(sid: str) -> Choice:
            return Choice(
                f"site:{sid}",
                f"{t('tui.pick_body')} · {pick(city.sites[sid].name.model_dump())}",
                site_names[sid],
            )

        # districts and the like, then their machines, then the wards and communes and theirs: a
        # district's name finds the district and its machines before its wards (whose ids begin
        # with the district's)
        units = {sid for sid, site in city.sites.items() if site.parent}
        out = [body(sid) for sid in city.sites if sid not in units]
        first = self.selection.site
        nodes = list(city.nodes.values())
        nodes.sort(key=lambda n: (n.site in units, n.site != first))  # the selected body's first (stable)
        shown_units = False
        for node in nodes:
            if node.site in units and not shown_units:
                out += [body(sid) for sid in city.sites if sid in units]
                shown_units = True
            name = pick(node.name.model_dump()) if node.name else ""
            out.append(
                Choice(
                    f"node:{node.id}",
                    f"{node.id} · {name}" if name else node.id,
                    f"{node.site} {both_names(node.name)} {site_names.get(node.site, '')}",
                )
            )
        if not shown_units:
            out += [body(sid) for sid in city.sites if sid in units]
        return out

    def on_target(self, action: str, target: str, then: Callable[[str], None]) -> None:
        target = target or self.selected_target()
        if target:
            then(target)
        else:
            self.choose(
                t(f"tui.pick_target_{action.replace('-', '_')}"), self.target_choices(), then, free=True
            )

    def _target_action(self, action: str, target: str = "", confirm: bool = False) -> None:
        """Act on ``target``, the selection or a target picked; with ``confirm``, a decision on
        the selection (a key, a button) asks first (one picked, or named in the palette, was
        chosen with care already)."""

        def act(chosen: str) -> None:
            self.submit(action, target=self.selector(chosen))

        chosen = target or self.selected_target()
        if confirm and chosen:
            if self._command(action, target=self.selector(chosen)) is None:
                return  # wrong, or would do nothing: said so already
            self.confirm(
                t(f"tui.confirm_{action.replace('-', '_')}", what=self.target_words(chosen)),
                t("tui.confirm_detail"),
                lambda: act(chosen),
            )
            return
        self.on_target(action, target, act)

    # ------------------------------------------------------------ the players' decisions
    @while_running
    def action_isolate(self, target: str = "") -> None:
        """Isolate the selected node or body from the network (asks first)."""
        self._target_action("isolate", target, confirm=not target)

    @while_running
    def action_reconnect(self, target: str = "") -> None:
        self._target_action("reconnect", target)

    def _link_target(self, target: str) -> str:
        """A WAN link belongs to a body: the selected node's only if it has one itself (a router)."""
        node = self.selection.node
        if target or not node or not self.selection.site:
            return target
        city = self.scenario.city
        kinds = {city.graph.edges[node, other]["kind"] for other in city.graph.neighbors(node)}
        return target if kinds & {"wan", "vpn", "internet"} else f"site:{self.selection.site}"

    @while_running
    def action_cut_link(self, target: str = "") -> None:
        """Cut the selected body's WAN link (or the selected router's; asks first)."""
        self._target_action("cut-link", self._link_target(target), confirm=not target)

    @while_running
    def action_restore_link(self, target: str = "") -> None:
        self._target_action("restore-link", self._link_target(target))

    @while_running
    def action_block_trust(self, target: str = "") -> None:
        self._target_action("block-trust", target)

    @while_running
    def action_reimage(self, target: str = "") -> None:
        self._target_action("reimage", target)

    @while_running
    def action_restore(self, target: str = "") -> None:
        """Restore from backup (or rebuild, when there is none)."""
        self._target_action("restore", target)

    @while_running
    def action_patch(self, target: str = "") -> None:
        """Patch the selected node or body (team work: a patched node resists exploits)."""
        self._target_action("patch", target)

    def action_investigate(self, target: str = "") -> None:
        """Investigate the selected body or node, or an account (``account:NAME``): pick the
        procedure (each with its expected time for what it examines), then the team."""

        def with_target(chosen: str) -> None:
            kind, _, name = chosen.partition(":")
            fields: dict[str, Any] = (
                {"account": name} if kind == "account" else {"target": self.selector(chosen)}
            )
            nodes = [] if kind == "account" else self.scenario.city.select(Selector(**fields["target"]))
            machines = sum(self.scenario.city.nodes[n].hosts for n in nodes)
            what = name if kind == "account" else self.target_words(chosen)
            choices = [
                Choice(
                    p,
                    t(
                        "tui.procedure_choice",
                        procedure=procedure_name(p),
                        time=format_duration(expected_minutes(p, machines)),
                        machines=0 if PROCEDURES[p].scope == "account" else machines,
                    ),
                    fold(procedure_name(p) + " " + p),
                )
                for p in PROCEDURE_NAMES
            ]

            def with_procedure(procedure: str) -> None:
                def by(team: str) -> None:
                    self.submit("investigate", procedure=procedure, by=team, **fields)

                self.choose(t("tui.pick_team_investigate"), self._team_choices(False), by, free=True)

            self.choose(t("tui.pick_procedure", what=what), choices, with_procedure, free=True)

        self.on_target("investigate", target, with_target)

    def _service_choices(self, prefer_down: bool) -> list[Choice]:
        city = self.scenario.city
        mine = set(city.nodes[self.selection.node].services) if self.selection.node in city.nodes else set()
        order = sorted(
            city.services,
            key=lambda s: (
                s not in mine,
                (s not in self.vm.forced_offline and s not in self.vm.services_down)
                if prefer_down
                else False,
            ),
        )
        return [
            Choice(
                sid,
                f"{sid} · {pick(city.services[sid].name.model_dump())}",
                both_names(city.services[sid].name),
            )
            for sid in order
        ]

    def _service_action(self, action: str, service: str) -> None:
        if not service and self.selection.node in self.scenario.city.nodes:
            carried = self.scenario.city.nodes[self.selection.node].services
            if len(carried) == 1:
                service = carried[0]
        if service:
            self.submit(action, service=service)
        else:
            self.choose(
                t(f"tui.pick_service_{action}"),
                self._service_choices(action == "online"),
                lambda s: self.submit(action, service=s),
                free=True,
            )

    @while_running
    def action_offline(self, service: str = "") -> None:
        """Take a service offline (the selected node's, or one picked)."""
        self._service_action("offline", service)

    @while_running
    def action_online(self, service: str = "") -> None:
        self._service_action("online", service)

    def _team_choices(self, on_call_first: bool = True, sites: bool = False) -> list[Choice]:
        teams = self.scenario.spec.teams
        order = sorted(teams, key=lambda k: (teams[k].on_call is None) if on_call_first else False)
        out = [
            Choice(k, f"{k} · {pick(teams[k].name.model_dump())}", both_names(teams[k].name)) for k in order
        ]
        if sites:
            out += [
                Choice(s, f"{s} · {pick(v.name.model_dump())}", both_names(v.name))
                for s, v in self.scenario.city.sites.items()
            ]
        return out

    @while_running
    def action_escalate(self, team: str = "") -> None:
        """Escalate to outside help (a team on call)."""
        if team:
            self.submit("escalate", to=team)
        else:
            self.choose(t("tui.pick_team_escalate"), self._team_choices(), self.action_escalate, free=True)

    @while_running
    def action_report(self, to: str = "") -> None:
        """Report the incident to a team or a body (the authority)."""
        if to:
            self.submit("report", to=to)
        else:
            self.choose(
                t("tui.pick_report_to"), self._team_choices(False, sites=True), self.action_report, free=True
            )

    @while_running
    def action_communicate(self, text: str = "") -> None:
        """A statement to the public (press, citizens)."""
        if text:
            self.submit("communicate", text=text)
        else:
            self.ask(t("tui.ask_communicate"), self.action_communicate, lines=True)

    # ------------------------------------------------------------ the MSEL
    def _inject_choices(self, statuses: tuple[str, ...]) -> list[Choice]:
        out = []
        for view in self.vm.injects():
            if view.status in statuses and view.trigger not in ("free", "deadlines"):
                title = pick(view.title) if view.title else first_words(pick(view.text), 50)
                out.append(
                    Choice(
                        view.id,
                        f"{view.id} — {title} ({t(f'tui.msel_status_{view.status}')})",
                        both_names(view.title or view.text),
                    )
                )
        return out

    def _inject_action(
        self, action: str, inject: str, statuses: tuple[str, ...], then: Callable[[str], None]
    ) -> None:
        chosen = inject or (
            self.selection.inject
            if self.selection.inject in self.vm.msel
            and self.vm.msel[self.selection.inject].status in statuses
            else ""
        )
        if chosen:
            then(chosen)
            return
        choices = self._inject_choices(statuses)
        if not choices:  # nothing a name typed could find either
            self.notify(t("tui.nothing_upcoming" if action == "delay" else "tui.nothing_to_deliver"))
            return
        self.choose(t(f"tui.pick_inject_{action}"), choices, then, free=True)

    @while_running
    def action_deliver(self, inject: str = "") -> None:
        """Deliver an inject now: the selected one, or one picked (scheduled, waiting or contingency)."""
        self._inject_action(
            "deliver", inject, ("upcoming", "pending", "held"), lambda i: self.submit("inject", inject=i)
        )

    @while_running
    def action_skip(self, inject: str = "") -> None:
        """Skip an inject: the selected one (asks first), or one picked."""
        statuses = ("upcoming", "pending", "held")
        selected = self.selection.inject
        if not inject and selected in self.vm.msel and self.vm.msel[selected].status in statuses:
            self.confirm(
                t("tui.confirm_skip_inject", what=selected),
                t("tui.confirm_detail"),
                lambda: self.submit("skip-inject", inject=selected),
            )
            return
        self._inject_action("skip", inject, statuses, lambda i: self.submit("skip-inject", inject=i))

    def with_duration(self, given: str, question: str, default: str, then: Callable[[float], None]) -> None:
        """Use a duration given with the action, or ask for one; a wrong one is said in the
        dialog, which keeps it to be put right (given with the action: a notification)."""
        if given:
            problem = duration_problem(given)
            if problem:
                self.notify(t("tui.bad_entry", reason=problem), severity="error")
            else:
                then(parse_duration(given))
            return
        self.ask(
            question,
            lambda text: then(parse_duration(text)),
            value=default,
            hint=t("tui.ask_duration_hint"),
            check=duration_problem,
        )

    @while_running
    def action_delay(self, inject: str = "", delay: str = "") -> None:
        """Delay a scheduled inject (asks by how long: 15m, 1h …)."""

        def with_delay(chosen: str) -> None:
            self.with_duration(
                delay,
                t("tui.ask_delay", inject=chosen),
                "15m",
                lambda minutes: self.submit("delay-inject", inject=chosen, delay=minutes),
            )

        self._inject_action("delay", inject, ("upcoming",), with_delay)

    @while_running
    def action_free_inject(self, text: str = "") -> None:
        """Deliver a message typed on the spot."""
        if text:
            self.submit("free-inject", text=text)
        else:
            self.ask(t("tui.ask_free_inject"), self.action_free_inject, lines=True)

    @while_running
    def action_mark(self, inject: str = "", index: int = -1) -> None:
        """Mark an expected action as done (the selected one, or one picked)."""
        if inject and index >= 0:
            self.submit("mark", inject=inject, expectation=index)
            return
        sel = self.selection
        if sel.inject and sel.expectation is not None:
            self.submit("mark", inject=sel.inject, expectation=sel.expectation)
            return
        choices = []
        for e in self.vm.open_expectations():
            if e.inject == "deadlines":
                continue
            action = t("tui.act_" + e.action.replace("-", "_"))
            status = t(f"tui.exp_{e.status}")
            choices.append(
                Choice(
                    f"{e.inject}:{e.index}",
                    f"{e.inject} #{e.index + 1} · {action} {expect_detail(e.spec, self.scenario)} · {status}",
                )
            )

        def chosen(value: str) -> None:
            inject_id, _, number = value.rpartition(":")
            self.submit("mark", inject=inject_id, expectation=int(number))

        if not choices:
            self.notify(t("tui.nothing_open"))
            return
        self.choose(t("tui.pick_expectation"), choices, chosen)

    def action_note(self, text: str = "") -> None:
        """A timestamped note for the debrief (never on the players' screen)."""
        if text:
            self.submit("note", text=text, hidden=True)
        else:
            question = t("tui.ask_note_ended" if self.session.finished else "tui.ask_note")
            self.ask(question, self.action_note, lines=True)

    # ------------------------------------------------------------ the red team
    @while_running
    def action_compromise(self, target: str = "") -> None:
        """Red team: compromise the selected node (or body; asks first)."""
        self._target_action("compromise", target, confirm=not target)

    @while_running
    def action_start_stage(self, stage: str = "") -> None:
        """Red team: start a stage of the attack now."""
        if stage:
            self.submit("start-stage", stage=stage)
            return
        started = set(self.vm.stages_started)
        choices = []
        for campaign in self.scenario.spec.attacker.campaigns:
            for s in campaign.stages:
                if s.id not in started:
                    name = pick(s.name.model_dump()) if s.name else ""
                    choices.append(Choice(s.id, f"{s.id} · {s.technique} {name}".strip(), both_names(s.name)))
        self.choose(t("tui.pick_stage"), choices, self.action_start_stage, free=True)

    @while_running
    def action_ddos(self, target: str = "", lasts: str = "") -> None:
        """Red team: flood the selected node (or body) for a while."""

        def with_target(chosen: str) -> None:
            self.with_duration(
                lasts,
                t("tui.ask_ddos", target=chosen),
                "1h",
                lambda minutes: self.submit("ddos", target=self.selector(chosen), lasts=minutes),
            )

        self.on_target("ddos", target, with_target)

    # ------------------------------------------------------------ the clock
    def action_step(self) -> None:
        """Pause and run to the next event."""
        if self.session.finished:
            self.notify(t("tui.drill_over"), severity="warning")
            return
        self.pause()
        self.session.step()
        self.after_advance()

    def action_next_inject(self) -> None:
        """Pause and run until the next inject is delivered."""
        if self.session.finished:
            self.notify(t("tui.drill_over"), severity="warning")
            return
        self.pause()
        steps = 0
        sim = self.session.sim
        while not self.session.finished and steps < STEP_LIMIT:
            if sim.next_event_time() >= sim.end:
                # no inject before the end: a jump stops short of it (ending the drill, after
                # which no decision goes in, is the clock's to do, not a key's that looks ahead)
                self.notify(
                    t("tui.no_inject_before_end", end=format_offset(sim.end), now=format_offset(sim.now)),
                    severity="warning",
                )
                break
            seen = len(self.vm.events)
            self.session.step()
            steps += 1
            if any(e.kind == ev.INJECT for e in self.vm.events[seen:]):
                break
        self.after_advance()
