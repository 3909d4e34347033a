"""What each command does to the simulation, and the refusals for names that do not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..diagnostics import nearest
from ..i18n import LANGUAGES, speaking, t
from ..model.city import check_selector
from ..model.common import Selector
from ..model.evidence import PROCEDURES
from ..model.scenario import Step
from . import events as ev
from .commands import Command
from .defenders import DEFAULT_WORK
from .events import text_record

if TYPE_CHECKING:
    from .simulation import Simulation


class Refused(Exception):
    def __init__(self, reason: str, suggestions: list[str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.suggestions = suggestions or []


class CommandHandler:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.blocked_trust: set[str] = set()
        self.isolated_by: dict[str, str] = {}
        # restored machines kept off the network while their body has a known live compromise
        self.held: dict[str, str] = {}
        self._site_nodes: dict[str, list[str]] | None = None
        # nodes a team took off the network while working an alert on them: a decision to
        # reconnect their site leaves them to the team (only one that names them brings them back)
        self.held_by_team: set[str] = set()

    # ------------------------------------------------------------ entry
    def apply(self, command: Command) -> ev.Event:
        sim = self.sim
        record = command.record()
        record.pop("at", None)
        actor = command.by or command.source
        try:
            self._check(command)
        except Refused as exc:
            return sim.emit(
                ev.COMMAND_REFUSED,
                actor,
                command.action,
                command=record,
                reason=self._reason_in_every_language(command, exc),
                suggestions=exc.suggestions,
            )
        event = sim.emit(ev.COMMAND, actor, command.action, command=record)
        getattr(self, "do_" + command.action.replace("-", "_"))(command)
        sim.msel.command_applied(command, event)
        return event

    def _reason_in_every_language(self, command: Command, refused: Refused) -> dict[str, str]:
        """``{en, vi}``: the log must not depend on the language the console showed when the
        decision was entered (a replay in the other language would differ); each reader picks
        its own. The checks are pure, so asking them again in each language is safe."""
        out = {}
        for lang in LANGUAGES:
            with speaking(lang):
                try:
                    self._check(command)
                    out[lang] = refused.reason  # cannot happen: the same check, the same answer
                except Refused as again:
                    out[lang] = again.reason
        return out

    def _name(self, what: str, name: str, pool: Any) -> None:
        pool = list(pool)
        if name not in pool:
            close = nearest(name, pool)
            raise Refused(
                t("validate.unknown_ref", what=t(f"validate.what_{what}"), name=name)
                + (t("validate.did_you_mean", names=", ".join(close)) if close else ""),
                close,
            )

    def _check(self, command: Command) -> None:
        sim = self.sim
        if command.target is not None:
            problems = check_selector(command.target, sim.city)
            if problems:
                reason = problems[0][1]
                field = problems[0][0] or "node"
                names = getattr(command.target, field, ()) if field else ()
                close = nearest(names[0], sim.city.names(field)) if names else []
                raise Refused(reason, close)
        if command.service is not None:
            self._name("service", command.service, sim.city.services)
        if command.by is not None:
            self._name("team", command.by, sim.spec.teams)
        if command.action == "escalate" and command.to is not None:
            self._name("team", command.to, sim.spec.teams)
        if command.action in ("report", "notify") and command.to is not None:
            self._name("team", command.to, [*sim.spec.teams, *sim.city.sites])
        if command.inject is not None:
            self._name("inject", command.inject, [i.id for i in sim.spec.injects])
        if command.stage is not None:
            self._name("stage", command.stage, sim.attacker.stages)
        if command.action == "mark":
            inject = next(i for i in sim.spec.injects if i.id == command.inject)
            index = command.expectation or 0
            if index >= len(inject.expects):
                raise Refused(
                    t("engine.no_expectation", inject=inject.id, index=index, count=len(inject.expects))
                )
        if command.action in ("reimage", "restore", "patch", "investigate"):
            team = command.by or sim.defenders.home
            if sim.defenders.staff.get(team, 0) == 0 and not sim.spec.teams[team].on_call:
                raise Refused(t("engine.no_staff", team=team))

    def nodes(self, selector: Selector | None) -> list[str]:
        return self.sim.city.select(selector) if selector else []

    # ------------------------------------------------------------ network
    def isolate_nodes(self, nodes: list[str], by: str, decision: bool = False) -> None:
        """Take ``nodes`` off the network; ``decision``: the players' (or the facilitator's) call,
        else a team's step in working an alert."""
        sim = self.sim
        changed = []
        for node in nodes:
            state = sim.nodes[node]
            if not state.isolated:
                state.isolated = True
                self.isolated_by[node] = by
                if not decision:
                    self.held_by_team.add(node)
                changed.append(node)
                sim.emit(
                    ev.ISOLATE,
                    by,
                    node,
                    site=sim.city.nodes[node].site,
                    compromised=state.status == "compromised",
                )
        if changed:
            sim.network.changed(paths=any(sim.network.transit[n] for n in changed))
            sim.services.refresh(changed)
            sim.attacker.network_changed()
            self._release_held()

    def reconnect_nodes(self, nodes: list[str], by: str) -> None:
        sim = self.sim
        changed = []
        for node in nodes:
            state = sim.nodes[node]
            if state.isolated:
                state.isolated = False
                self.isolated_by.pop(node, None)
                self.held_by_team.discard(node)
                changed.append(node)
                sim.emit(
                    ev.RECONNECT,
                    by,
                    node,
                    site=sim.city.nodes[node].site,
                    compromised=state.status == "compromised",
                )
        if changed:
            sim.network.changed(paths=any(sim.network.transit[n] for n in changed))
            sim.services.refresh(changed)
            sim.attacker.network_changed()
            # a still-compromised node that comes back goes on spreading where it stopped
            for node in changed:
                if sim.nodes[node].status == "compromised":
                    sim.attacker.resume(node)
                    sim.defenders.reconnected(node)

    def _links(self, selector: Selector, kinds: tuple[str, ...]) -> list[str]:
        """Links of ``kinds`` touching the selected nodes (a site's WAN link when a site is named)."""
        sim = self.sim
        nodes = set(self.nodes(selector))
        if selector.site:
            for site in selector.site:
                gw = sim.services.gateways.get(site)
                if gw:
                    nodes.add(gw)
        out = []
        for lid, (a, b, data) in sim.network.links_by_id.items():
            if data["kind"] in kinds and (a in nodes or b in nodes):
                if (
                    "wan" in kinds
                    and selector.site
                    and not ({a, b} & {sim.services.gateways.get(s) for s in selector.site})
                ):
                    continue
                out.append(lid)
        return out

    def cut(self, links: list[str], by: str, restore: bool) -> None:
        sim = self.sim
        changed = False
        touched: list[str] = []
        for lid in links:
            if restore == (lid in sim.network.cut):
                a, b, data = sim.network.links_by_id[lid]
                if restore:
                    sim.network.cut.discard(lid)
                else:
                    sim.network.cut.add(lid)
                changed = True
                touched += [a, b]
                # "kind" is emit()'s own first argument, so the link's kind goes under another name
                sim.emit(
                    ev.LINK_RESTORED if restore else ev.LINK_CUT, by, lid, a=a, b=b, link_kind=data["kind"]
                )
        if changed:
            sim.network.changed()
            sim.services.refresh_sites(touched)
            sim.attacker.network_changed()

    def block_trust(self, nodes: list[str], by: str) -> None:
        links = [
            lid
            for lid, (a, b, d) in self.sim.network.links_by_id.items()
            if d["kind"] == "trust" and (a in nodes or b in nodes)
        ]
        self.cut(links, by, restore=False)

    # ------------------------------------------------------------ hosts
    def clean(self, node: str, by: str) -> None:
        sim = self.sim
        state = sim.nodes[node]
        if state.status != "compromised":
            return
        damaged = state.impact in ("encrypted", "wiped", "defaced")
        if damaged:
            # the machines a restore will have to bring back
            hit = sim.defenders.damaged
            hit[node] = max(hit.get(node, 0), state.infected)
        state.status = "cleaned"
        state.infected = 0
        state.impact = state.impact if damaged else "none"
        state.detected = False
        sim.attacker.lose_node(node)
        sim.evidence.cleaned(node)
        sim.emit(ev.CLEANED, by, node, site=sim.city.nodes[node].site, damaged=damaged)
        sim.services.refresh([node])
        self._release_held()
        sim.attacker.network_changed()  # a pivot lost: what went out through it no longer does

    def restored(self, node: str, by: str, reconnect: bool, owner: str | None = None) -> None:
        sim = self.sim
        state = sim.nodes[node]
        if state.status == "compromised":
            self.clean(node, by)
        state.status = "restored"
        state.impact = "none"
        sim.defenders.damaged.pop(node, None)
        state.infected = 0
        sim.emit(
            ev.RESTORED,
            by,
            node,
            site=sim.city.nodes[node].site,
            from_backup=sim.city.nodes[node].backup is not None and not state.backup_lost,
        )
        sim.services.refresh([node])
        isolated_by = self.isolated_by.get(node)
        if reconnect and isolated_by is not None and isolated_by in (by, owner):
            # not back into a body where a compromise the team knows of is still on the network:
            # the machine waits, isolated, until that is contained
            self.held[node] = isolated_by
            self._release_held()

    def _live_known(self, site: str, team: str) -> bool:
        """A compromise ``team`` knows of (the players: any team), still on the network, in ``site``."""
        if self._site_nodes is None:
            self._site_nodes = {}
            for nid, spec in self.sim.city.nodes.items():
                self._site_nodes.setdefault(spec.site, []).append(nid)
        nodes = self.sim.nodes
        book = self.sim.knowledge.teams
        knowers = [book[team]] if team in book else list(book.values())
        return any(
            nodes[n].status == "compromised" and not nodes[n].isolated and any(k.holds(n) for k in knowers)
            for n in self._site_nodes.get(site, ())
        )

    def _release_held(self) -> None:
        """Reconnect the restored machines whose body has no known live compromise left."""
        if not self.held or self.sim.finished:
            return
        city = self.sim.city.nodes
        for node, by in list(self.held.items()):
            if not self.sim.nodes[node].isolated or self.isolated_by.get(node) != by:
                del self.held[node]  # someone else reconnected or re-isolated it meanwhile
            elif not self._live_known(city[node].site, by):
                del self.held[node]
                self.reconnect_nodes([node], by)

    def patched(self, node: str, by: str) -> None:
        """A patch is in: exploitation stages no longer take the node. An attacker already on it
        stays (that is what a reimage is for), and what it did is not undone."""
        sim = self.sim
        state = sim.nodes[node]
        if state.patched:
            return
        state.patched = True
        sim.emit(
            ev.PATCHED,
            by,
            node,
            site=sim.city.nodes[node].site,
            compromised=state.status == "compromised",
        )

    # ------------------------------------------------------------ the commands
    def do_isolate(self, c: Command) -> None:
        self.isolate_nodes(self.nodes(c.target), c.by or c.source, decision=True)

    def do_reconnect(self, c: Command) -> None:
        # an infected node that a team isolated to work its alert stays off until the team is done
        # (its restore brings it back), unless the decision names it: reconnecting a site does not
        # plug back the infected PCs the IT staff pulled off
        named = set(c.target.node) if c.target else set()
        states = self.sim.nodes
        nodes = [
            n
            for n in self.nodes(c.target)
            if n in named or n not in self.held_by_team or states[n].status != "compromised"
        ]
        self.reconnect_nodes(nodes, c.by or c.source)

    def do_cut_link(self, c: Command) -> None:
        assert c.target is not None
        self.cut(self._links(c.target, ("wan", "vpn", "internet")), c.by or c.source, restore=False)

    def do_restore_link(self, c: Command) -> None:
        assert c.target is not None
        self.cut(self._links(c.target, ("wan", "vpn", "internet")), c.by or c.source, restore=True)

    def do_block_trust(self, c: Command) -> None:
        self.block_trust(self.nodes(c.target), c.by or c.source)

    def do_unblock_trust(self, c: Command) -> None:
        nodes = self.nodes(c.target)
        links = [
            lid
            for lid, (a, b, d) in self.sim.network.links_by_id.items()
            if d["kind"] == "trust" and (a in nodes or b in nodes)
        ]
        self.cut(links, c.by or c.source, restore=True)

    def _work(self, c: Command, steps: tuple[str, ...]) -> None:
        defenders = self.sim.defenders
        for node in self.nodes(c.target):
            team = c.by or defenders.team_for(node)
            chosen = []
            playbook = defenders.playbook.get(team)
            for want in steps:
                step = next((s for s in (playbook.steps if playbook else ()) if s.do == want), None)
                if step is None:
                    step = next(s for s in DEFAULT_WORK if s.do == want)
                chosen.append(step)
            defenders.enqueue(team, node, tuple(chosen), auto=False)

    def do_reimage(self, c: Command) -> None:
        self._work(c, ("reimage",))

    def do_restore(self, c: Command) -> None:
        self._work(c, ("restore",))

    def do_reset_credentials(self, c: Command) -> None:
        self.block_trust(self.nodes(c.target), c.by or c.source)

    def do_patch(self, c: Command) -> None:
        self._work(c, ("patch",))

    def do_investigate(self, c: Command) -> None:
        sim = self.sim
        assert c.procedure is not None
        nodes = self.nodes(c.target)
        defenders = sim.defenders
        team = c.by or (defenders.team_for(nodes[0]) if nodes else defenders.home)
        inv = sim.investigations.plan(nodes, c.procedure, c.account or "")
        procedure = PROCEDURES[c.procedure]
        step = Step(do="investigate", procedure=c.procedure, crew=procedure.crew)
        # an account's trail is read where accounts live: the directory, when the city has one
        directory = [n for n, spec in sim.city.nodes.items() if spec.kind == "domain-controller"]
        lead = inv.nodes[0] if nodes or not directory else directory[0]
        defenders.enqueue(team, lead, (step,), auto=False, investigation=inv)

    def do_offline(self, c: Command) -> None:
        sim = self.sim
        assert c.service is not None
        sim.services.forced_offline.add(c.service)
        sim.emit(ev.OFFLINE, c.by or c.source, c.service)
        sim.services.refresh(services=[c.service])

    def do_online(self, c: Command) -> None:
        sim = self.sim
        assert c.service is not None
        sim.services.forced_offline.discard(c.service)
        sim.emit(ev.ONLINE, c.by or c.source, c.service)
        sim.services.refresh(services=[c.service])

    def do_escalate(self, c: Command) -> None:
        assert c.to is not None
        self.sim.defenders.escalate(c.to, c.by or self.sim.defenders.home)

    def do_report(self, c: Command) -> None:
        self.sim.emit(ev.REPORT, c.by or c.source, c.to or "", text=text_record(c.text))

    def do_notify(self, c: Command) -> None:
        self.sim.emit(ev.REPORT, c.by or c.source, c.to or "", text=text_record(c.text), notify=True)

    def do_communicate(self, c: Command) -> None:
        self.sim.emit(ev.REPORT, c.by or c.source, c.to or "public", text=text_record(c.text), public=True)

    def do_note(self, c: Command) -> None:
        self.sim.emit(ev.NOTE, c.source, "", text=text_record(c.text), hidden=c.hidden)

    def do_inject(self, c: Command) -> None:
        assert c.inject is not None
        self.sim.msel.deliver(c.inject, why="facilitator")

    def do_free_inject(self, c: Command) -> None:
        self.sim.msel.deliver_free(text_record(c.text), to=c.to, hidden=c.hidden)

    def do_skip_inject(self, c: Command) -> None:
        assert c.inject is not None
        self.sim.msel.skip(c.inject)

    def do_delay_inject(self, c: Command) -> None:
        assert c.inject is not None and c.delay is not None
        self.sim.msel.delay(c.inject, c.delay)

    def do_mark(self, c: Command) -> None:
        assert c.inject is not None
        self.sim.msel.mark(c.inject, c.expectation or 0)

    def do_compromise(self, c: Command) -> None:
        for node in self.nodes(c.target):
            self.sim.attacker.compromise(node, None, source="red-team")

    def do_start_stage(self, c: Command) -> None:
        assert c.stage is not None
        attacker = self.sim.attacker
        attacker.activate(attacker.stages[c.stage], "red-team")

    def do_ddos(self, c: Command) -> None:
        assert c.lasts is not None
        for node in self.nodes(c.target):
            self.sim.attacker.deny(node, c.lasts, "red-team")
