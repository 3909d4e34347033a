"""Decisions that would do nothing, said so before they are entered: reconnecting what is not
isolated, bringing back a service nobody took offline, delivering an inject already delivered …
The facilitator gets a notice and the log stays free of decisions that never happened.

Only what the drill's state settles for certain is refused here; a decision whose effect depends
on what the players cannot know (reimaging a machine that may hold no attacker) is entered, and
names that do not exist are the engine's to refuse, with the nearest valid ones."""

from __future__ import annotations

from ..engine.commands import Command
from ..i18n import t
from ..narration import name_of, selector_words
from ..viewmodel import ViewModel


def why_not(vm: ViewModel, command: Command) -> str:
    """Why ``command`` would do nothing now ("" when it would do something, or may)."""
    city = vm.city
    action = command.action
    nodes = [n for n in city.select(command.target) if n in vm.nodes] if command.target is not None else []
    # in words, names for bodies (never ``site=hoan-kiem``); a link's body by its name alone
    target = command.record().get("target") or {}
    what = selector_words(target, vm.scenario)
    bodies = ", ".join(name_of(vm.scenario, "site", s) for s in target.get("site", ()))
    link_of = bodies if bodies and set(target) == {"site"} else what
    if action == "reconnect" and nodes and not any(vm.nodes[n].isolated for n in nodes):
        return t("tui.noop_not_isolated", what=what)
    if action == "isolate" and nodes and all(vm.nodes[n].isolated for n in nodes):
        return t("tui.noop_already_isolated", what=what)
    if action == "patch" and nodes and all(vm.nodes[n].patched for n in nodes):
        return t("tui.noop_already_patched", what=what)
    if action == "restore-link" and nodes:
        chosen = set(nodes)
        if not any(a in chosen or b in chosen for a, b in vm.cut_links.values()):
            return t("tui.noop_not_cut", what=link_of)
    if action == "online" and command.service in city.services and command.service not in vm.forced_offline:
        return t("tui.noop_not_offline", what=command.service)
    if action == "offline" and command.service in vm.forced_offline:
        return t("tui.noop_already_offline", what=command.service)
    view = vm.msel.get(command.inject or "") if command.inject else None
    if view is not None and view.trigger not in ("free", "deadlines"):
        if action in ("inject", "skip-inject") and view.done:
            return t(f"tui.noop_inject_{view.status}", what=view.id)
        if action == "delay-inject" and view.status != "upcoming":
            return t("tui.noop_not_upcoming", what=view.id)
        if action == "mark" and command.expectation is not None and command.expectation < len(view.expects):
            exp = view.expects[command.expectation]
            if exp.status not in ("open", "overdue"):
                return t(
                    "tui.noop_not_open",
                    what=f"{view.id} #{command.expectation + 1}",
                    status=t(f"tui.exp_{exp.status}"),
                )
    if action == "start-stage" and command.stage in vm.stages_started:
        return t("tui.noop_stage_started", what=command.stage)
    return ""
