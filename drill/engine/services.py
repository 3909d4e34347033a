"""Services are up while every node and service they need is — and, for those used from the
Internet, while the Internet reaches one of the nodes they run on; sites while their WAN link is."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..i18n import t
from ..model.topology import TRAFFIC_LINKS
from . import events as ev

if TYPE_CHECKING:
    from .simulation import Simulation

# the reasons a service_down event gives, besides node:<id> and service:<id>
OFFLINE = "offline"
UNREACHABLE = "unreachable"


def with_reason(
    text: str,
    reason: str | None,
    lang: str | None = None,
    service: Callable[[str], str] = str,
    node: Callable[[str], str] = str,
) -> str:
    """``text`` (a service is down) followed by why, in words; ``service`` and ``node`` name ids."""
    why = reason_text(reason, lang, service, node)
    return t("services.with_reason", lang, text=text, reason=why) if why else text


def reason_text(
    reason: str | None,
    lang: str | None = None,
    service: Callable[[str], str] = str,
    node: Callable[[str], str] = str,
) -> str:
    """A service_down event's ``reason`` in words ('' for none)."""
    if not reason:
        return ""
    if reason == OFFLINE:
        return t("services.reason_offline", lang)
    if reason == UNREACHABLE:
        return t("services.reason_unreachable", lang)
    what, _, name = reason.partition(":")
    if what == "node":
        return t("services.reason_node", lang, node=node(name))
    if what == "service":
        return t("services.reason_service", lang, service=service(name))
    return reason  # a reason from a later version: as logged


class Services:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        city = sim.city
        self.up: dict[str, bool] = {s: True for s in city.service_order}
        self.down_since: dict[str, float] = {}
        self.reason: dict[str, str] = {}  # why each service that is down is down
        self.forced_offline: set[str] = set()
        self.dependants: dict[str, list[str]] = {s: [] for s in city.service_order}
        for sid in city.service_order:
            for dep in city.services[sid].requires.services:
                if dep in self.dependants:
                    self.dependants[dep].append(sid)
        self.by_node: dict[str, list[str]] = {}
        for sid, nodes in city.service_nodes.items():
            for node in nodes:
                self.by_node.setdefault(node, []).append(sid)
        self.rank = {s: i for i, s in enumerate(city.service_order)}
        self.gateways: dict[str, str | None] = {site: city.gateways.get(site) for site in city.sites}
        self.gateway_site = {gw: site for site, gw in self.gateways.items() if gw}
        self.connected = {site: True for site in city.sites}
        self.transit = sim.network.transit
        # services used from the Internet, and the nodes through which the Internet reaches each
        self.from_internet = [s for s in city.service_order if city.services[s].from_internet]
        self.entrances = [n for n, spec in city.nodes.items() if spec.kind == "internet"]
        runs_on = city.reached_through()
        self.reached_through = {sid: runs_on[sid] for sid in self.from_internet}
        self._targets = list(dict.fromkeys(n for sid in self.from_internet for n in runs_on[sid]))
        self.reachable = {sid: True for sid in self.from_internet}
        # network gear switched off or overloaded, which the Internet's traffic cannot pass; an
        # isolated one is the network's own business (``paths_version``)
        self._gear_down: set[str] = set()
        self._down: tuple[str, ...] = ()
        self._reach_key: tuple[int, tuple[str, ...]] | None = None

    def start(self) -> None:
        self.refresh(list(self.sim.city.nodes))

    def _is_up(self, sid: str) -> tuple[bool, str]:
        sim = self.sim
        if sid in self.forced_offline:
            return False, OFFLINE
        own = sim.city.service_nodes[sid]
        for node in own:
            if not sim.nodes[node].available:
                return False, f"node:{node}"
        # its own problems first: a service that runs on no node is reached through what it needs
        reached = self.reachable.get(sid, True)
        if not reached and own:
            return False, UNREACHABLE
        for dep in sim.city.services[sid].requires.services:
            if not self.up.get(dep, True):
                return False, f"service:{dep}"
        if not reached:
            return False, UNREACHABLE
        return True, ""

    def refresh(self, nodes: list[str] | None = None, services: list[str] | None = None) -> None:
        """Re-evaluate the services carried by ``nodes`` (and ``services``) and those whose way from
        the Internet opened or closed, then their dependants; then the sites' WAN links."""
        todo: set[str] = set(services or ())
        for node in nodes or ():
            todo.update(self.by_node.get(node, ()))
        gear = nodes is None or any(self.transit[n] for n in nodes)
        if gear and self.from_internet:
            self._note_gear(nodes)
        todo.update(self._reach_changes())
        self._evaluate(todo)
        self._refresh_sites(nodes, gear)

    def _evaluate(self, todo: set[str]) -> None:
        if not todo:
            return
        seen: set[str] = set()
        pending = sorted(todo, key=self.rank.__getitem__)
        while pending:
            sid = pending.pop(0)
            if sid in seen:
                continue
            seen.add(sid)
            up, reason = self._is_up(sid)
            if up == self.up[sid]:
                if not up and reason != self.reason.get(sid):
                    # still down, for another reason (the flood ended, but the link is still cut):
                    # the debrief must not blame the first cause for the whole outage
                    self.reason[sid] = reason
                    self.sim.emit(ev.SERVICE_REASON, "", sid, reason=reason)
            else:
                self.up[sid] = up
                if up:
                    self.reason.pop(sid, None)
                    since = self.down_since.pop(sid, self.sim.now)
                    # a float, as the event's own time: a drill advanced to a whole minute has an
                    # int clock, and its log must read the same as a re-run's
                    self.sim.emit(ev.SERVICE_UP, "", sid, down_for=float(self.sim.now - since))
                else:
                    self.down_since[sid] = self.sim.now
                    self.reason[sid] = reason
                    self.sim.emit(ev.SERVICE_DOWN, "", sid, reason=reason)
                pending.extend(d for d in self.dependants[sid] if d not in seen)
                pending.sort(key=self.rank.__getitem__)

    # ------------------------------------------------------------ what the network decides
    def _note_gear(self, nodes: list[str] | None) -> None:
        """Follow which network gear is switched off or overloaded (it changes with a node's state,
        not with a path, so ``paths_version`` does not see it)."""
        states, transit, down = self.sim.nodes, self.transit, self._gear_down
        changed = False
        for node in self.sim.city.nodes if nodes is None else nodes:
            if not transit[node]:
                continue
            state = states[node]
            if state.offline or state.overloaded:
                if node not in down:
                    down.add(node)
                    changed = True
            elif node in down:
                down.discard(node)
                changed = True
        if changed:
            self._down = tuple(sorted(down))

    def _reach_changes(self) -> list[str]:
        """The services used from the Internet whose reachability changed since last asked; the
        walk runs only when a way through the network opened or closed, or gear went down or up."""
        if not self.from_internet:
            return []
        net = self.sim.network
        key = (net.paths_version, self._down)
        if key == self._reach_key:
            return []
        self._reach_key = key
        reached = net.reached_from(self.entrances, self._targets, TRAFFIC_LINKS, self._down)
        changed = []
        for sid in self.from_internet:
            through = self.reached_through[sid]
            now = not through or any(reached[n] for n in through)
            if now != self.reachable[sid]:
                self.reachable[sid] = now
                changed.append(sid)
        return changed

    def refresh_sites(self, nodes: list[str] | None = None) -> None:
        """After links are cut or restored (between ``nodes``): what the network decides — the
        Internet's way to the services used from it, and each site's WAN link."""
        self._evaluate(set(self._reach_changes()))
        self._refresh_sites(nodes, nodes is None or any(self.transit[n] for n in nodes))

    def _refresh_sites(self, nodes: list[str] | None, gear: bool) -> None:
        net = self.sim.network
        if gear:
            sites = list(self.gateways)  # network gear changed: any site's way out may have
        else:
            # a host's state never changes whether its site reaches the WAN
            sites = sorted({s for n in nodes or () if (s := self.gateway_site.get(n))})
            if not sites:
                return
        for site in sites:
            now = net.site_connected(site, self.gateways.get(site))
            if now != self.connected[site]:
                self.connected[site] = now
                self.sim.emit(ev.SITE_CONNECTED if now else ev.SITE_DISCONNECTED, "", site)

    def refresh_all_sites(self) -> None:
        self.refresh_sites(None)
