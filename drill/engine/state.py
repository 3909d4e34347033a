"""What the engine knows about each node and link, and who can reach whom through the network."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model.city import City
from ..model.topology import TRAFFIC_LINKS

# impacts that make a node unusable for the services it carries
DOWN_IMPACTS = frozenset({"encrypted", "wiped", "overloaded", "defaced"})


@dataclass(slots=True)
class NodeState:
    hosts: int
    status: str = "clean"  # clean, compromised, cleaned, restored
    impact: str = "none"  # none, foothold, privileged, encrypted, defaced, exfiltrating, overloaded, wiped
    infected: int = 0
    detected: bool = False
    isolated: bool = False
    offline: bool = False
    working: bool = False  # being reimaged or restored
    patched: bool = False  # resists exploitation stages; a reimage or restore keeps it
    backup_lost: bool = False
    overloaded: bool = False
    overloaded_until: float = -1.0
    campaign: str = ""
    compromised_at: float = -1.0
    effects: list[str] = field(default_factory=list)

    @property
    def compromised(self) -> bool:
        return self.status == "compromised"

    @property
    def available(self) -> bool:
        return not (
            self.isolated or self.offline or self.working or self.overloaded or self.impact in DOWN_IMPACTS
        )

    @property
    def label(self) -> str:
        """The one word a facilitator sees for this node's state."""
        if self.isolated:
            return "isolated"
        if self.status == "compromised" and not (self.overloaded and self.impact == "foothold"):
            return self.impact if self.impact != "none" else "foothold"
        if self.overloaded:
            return "overloaded"
        if self.offline:
            return "offline"
        return self.status


def new_nodes(city: City) -> dict[str, NodeState]:
    """Every node of the city as a drill starts."""
    return {nid: NodeState(hosts=n.hosts) for nid, n in city.nodes.items()}


class Network:
    """Usable links and reachability, given isolations and cuts."""

    def __init__(self, city: City, nodes: dict[str, NodeState]) -> None:
        self.city = city
        self.nodes = nodes
        self.cut: set[str] = set()  # link ids
        self.version = 0
        self.paths_version = 0  # changes only when a way through the network opens or closes
        self._adj: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {}
        for node in city.nodes:
            self._adj[node] = []
        for a, b, data in city.graph.edges(data=True):
            self._adj[a].append((b, data["kind"], data["allows"], data["id"]))
            self._adj[b].append((a, data["kind"], data["allows"], data["id"]))
        for node in self._adj:
            self._adj[node].sort()
        self.transit = {n: city.is_transit(n) for n in city.nodes}
        self._transit_order = [n for n in city.nodes if self.transit[n]]
        # by the link kinds walked over (and the gear down, when some is)
        self._components_cache: dict[Any, tuple[int, dict[str, int], list[list[str]]]] = {}
        self._cache: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[str]] = {}
        self.links_by_id = {data["id"]: (a, b, data) for a, b, data in city.graph.edges(data=True)}

    def changed(self, paths: bool = True) -> None:
        self.version += 1
        self._cache.clear()
        if paths:
            self.paths_version += 1

    def _components(
        self, over: tuple[str, ...], down: tuple[str, ...] = ()
    ) -> tuple[dict[str, int], list[list[str]]]:
        """Network gear joined by usable ``over`` links, labelled by component; gear that is
        isolated or switched off, or named in ``down``, joins none."""
        key = (over, down) if down else over  # the attacker's key stays a plain tuple of kinds
        hit = self._components_cache.get(key)
        if hit is not None and hit[0] == self.paths_version:
            return hit[1], hit[2]
        nodes, transit, cut = self.nodes, self.transit, self.cut
        blocked = set(down)
        label: dict[str, int] = {}
        members: list[list[str]] = []
        for start in self._transit_order:
            if start in label or nodes[start].isolated or nodes[start].offline or start in blocked:
                continue
            comp = len(members)
            group = [start]
            label[start] = comp
            stack = [start]
            while stack:
                current = stack.pop()
                for other, kind, _allows, link in self._adj[current]:
                    if other in label or not transit[other] or kind not in over or link in cut:
                        continue
                    if nodes[other].isolated or nodes[other].offline or other in blocked:
                        continue
                    label[other] = comp
                    group.append(other)
                    stack.append(other)
            members.append(group)
        if down and len(self._components_cache) > 16:
            self._components_cache.clear()  # keys with gear down come and go: keep the cache small
        self._components_cache[key] = (self.paths_version, label, members)
        return label, members

    def reached_from(
        self,
        entrances: Iterable[str],
        targets: Iterable[str],
        over: tuple[str, ...],
        down: tuple[str, ...] = (),
    ) -> dict[str, bool]:
        """Which ``targets`` the gear ``entrances`` (the Internet) reach over usable ``over`` links
        through gear that is not isolated nor in ``down``: gear when it is joined to an entrance, a
        host when one of its links leads to such gear (traffic passes through gear, not hosts)."""
        label, _ = self._components(over, down)
        inside = {label[e] for e in entrances if e in label}
        cut, transit = self.cut, self.transit
        out: dict[str, bool] = {}
        for node in targets:
            if transit[node]:
                out[node] = label.get(node) in inside
            else:
                out[node] = any(
                    kind in over and link not in cut and label.get(other) in inside
                    for other, kind, _allows, link in self._adj[node]
                )
        return out

    def pool_key(self, source: str, over: tuple[str, ...], via: tuple[str, ...]) -> Any:
        """Hosts that reach the network only through gear of the same components share a pool."""
        label, _ = self._components(over)
        comps: list[int] = []
        for other, kind, _allows, link in self._adj[source]:
            if kind not in over or link in self.cut:
                continue
            if not self.transit[other]:
                return source  # a direct link to another host: this source's pool is its own
            comp = label.get(other)
            if comp is not None and comp not in comps:
                comps.append(comp)
        comps.sort()
        return tuple(comps)

    def pool(self, source: str, key: Any, over: tuple[str, ...], via: tuple[str, ...]) -> list[str]:
        """Hosts reachable over ``over`` links through network gear that is not isolated or switched
        off, the last link letting ``via`` through; whether a host itself is isolated or switched
        off is checked per attempt."""
        nodes, transit, cut = self.nodes, self.transit, self.cut
        found: list[str] = []
        seen: set[str] = set()
        if isinstance(key, tuple):
            _, members = self._components(over)
            stack = [hub for comp in key for hub in members[comp]]
            seen.update(stack)
            expand_transit = False  # a component already holds all the gear reachable
        else:
            stack = [source]
            seen.add(source)
            expand_transit = True
        while stack:
            current = stack.pop()
            for other, kind, allows, link in self._adj[current]:
                if other in seen or kind not in over or link in cut:
                    continue
                if kind == "trust" and not self.linked(current, other):
                    continue  # a shared credential is used over the network: no path, no use
                if transit[other]:
                    if expand_transit and not (nodes[other].isolated or nodes[other].offline):
                        seen.add(other)
                        stack.append(other)
                elif not via or "any" in allows or any(v in allows for v in via):
                    seen.add(other)
                    found.append(other)
        found.sort()
        return found

    def host_links(self, node: str) -> list[tuple[str, str, str]]:
        """``node``'s links to other hosts (not network gear): other end, link kind, link id."""
        return [(o, kind, link) for o, kind, _a, link in self._adj[node] if not self.transit[o]]

    def _gear_of(self, node: str) -> set[int]:
        """The components of working gear that ``node`` is part of or joined to by a link that
        carries traffic and is not cut."""
        label, _ = self._components(TRAFFIC_LINKS)
        if self.transit[node]:
            return {label[node]} if node in label else set()
        return {
            label[other]
            for other, kind, _allows, link in self._adj[node]
            if kind in TRAFFIC_LINKS and link not in self.cut and other in label
        }

    def linked(self, a: str, b: str) -> bool:
        """Whether ``a`` and ``b`` can reach each other over links that carry traffic (not a trust
        link), through gear that is not isolated or switched off: a direct link, or gear in common."""
        for other, kind, _allows, link in self._adj[a]:
            if other == b and kind in TRAFFIC_LINKS and link not in self.cut:
                return True
        return not self._gear_of(a).isdisjoint(self._gear_of(b))

    def site_connected(self, site: str, gateway: str | None) -> bool:
        """A site reaches the city WAN while its gateway is up and one of its WAN links, not cut,
        leads to gear that is not isolated or switched off."""
        if gateway is None:
            return True
        state = self.nodes[gateway]
        if state.isolated or state.offline:
            return False
        wan = [(o, link) for o, kind, _a, link in self._adj[gateway] if kind == "wan"]
        if not wan:
            return True
        return any(
            link not in self.cut and not (self.nodes[o].isolated or self.nodes[o].offline) for o, link in wan
        )
