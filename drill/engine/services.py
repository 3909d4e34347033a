"""Services are up while every node and service they need is; sites while their WAN link is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import events as ev

if TYPE_CHECKING:
    from .simulation import Simulation


class Services:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        city = sim.city
        self.up: dict[str, bool] = {s: True for s in city.service_order}
        self.down_since: dict[str, float] = {}
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

    def start(self) -> None:
        self.refresh(list(self.sim.city.nodes))

    def _is_up(self, sid: str) -> tuple[bool, str]:
        sim = self.sim
        if sid in self.forced_offline:
            return False, "offline"
        for node in sim.city.service_nodes[sid]:
            if not sim.nodes[node].available:
                return False, f"node:{node}"
        for dep in sim.city.services[sid].requires.services:
            if not self.up.get(dep, True):
                return False, f"service:{dep}"
        return True, ""

    def refresh(self, nodes: list[str] | None = None, services: list[str] | None = None) -> None:
        """Re-evaluate the services carried by ``nodes`` (and ``services``), then their dependants."""
        todo: set[str] = set(services or ())
        for node in nodes or ():
            todo.update(self.by_node.get(node, ()))
        seen: set[str] = set()
        pending = sorted(todo, key=self.rank.__getitem__)
        while pending:
            sid = pending.pop(0)
            if sid in seen:
                continue
            seen.add(sid)
            up, reason = self._is_up(sid)
            if up != self.up[sid]:
                self.up[sid] = up
                if up:
                    since = self.down_since.pop(sid, self.sim.now)
                    self.sim.emit(ev.SERVICE_UP, "", sid, down_for=self.sim.now - since)
                else:
                    self.down_since[sid] = self.sim.now
                    self.sim.emit(ev.SERVICE_DOWN, "", sid, reason=reason)
                pending.extend(d for d in self.dependants[sid] if d not in seen)
                pending.sort(key=self.rank.__getitem__)
        self.refresh_sites(nodes)

    def refresh_sites(self, nodes: list[str] | None = None) -> None:
        net = self.sim.network
        transit = net.transit
        if nodes is None or any(transit[n] for n in nodes):
            sites = list(self.gateways)  # network gear changed: any site's way out may have
        else:
            # a host's state never changes whether its site reaches the WAN
            sites = sorted({s for n in nodes if (s := self.gateway_site.get(n))})
            if not sites:
                return
        for site in sites:
            now = net.site_connected(site, self.gateways.get(site))
            if now != self.connected[site]:
                self.connected[site] = now
                self.sim.emit(ev.SITE_CONNECTED if now else ev.SITE_DISCONNECTED, "", site)

    def refresh_all_sites(self) -> None:
        self.refresh_sites(None)
