"""The attacker: campaigns of stages that land, spread along the network, and do harm."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING, Any

from simpy.events import NORMAL

from ..model.scenario import Campaign, Stage
from ..model.topology import TRAFFIC_LINKS
from . import events as ev
from .later import call_later
from .randomness import sample, sampler

if TYPE_CHECKING:
    from .simulation import Simulation

MAX_PARALLEL = 20
LOUD_EFFECTS = frozenset({"encrypt", "deface", "deny", "wipe"})
IMPACT_OF = {
    "encrypt": "encrypted",
    "deface": "defaced",
    "exfiltrate": "exfiltrating",
    "deny": "overloaded",
    "wipe": "wiped",
    "privilege": "privileged",
}


class Attacker:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.campaign_of: dict[str, Campaign] = {}
        self.stages: dict[str, Stage] = {}
        self.followers: dict[str, list[Stage]] = {}
        for campaign in sim.spec.attacker.campaigns:
            for stage in campaign.stages:
                self.stages[stage.id] = stage
                self.campaign_of[stage.id] = campaign
                if stage.after:
                    self.followers.setdefault(stage.after.stage, []).append(stage)
        self.active: dict[str, bool] = {}
        self.succeeded: dict[str, float] = {}
        self.owned: dict[str, list[str]] = {c.id: [] for c in sim.spec.attacker.campaigns}
        self.taken_by: dict[str, list[str]] = {}  # stage → the nodes it compromised first
        self._spreads: dict[str, _Spread] = {}
        # the Internet, where an attacker from outside is: with none in the topology, every node
        # counts as reached from it
        self.entrances = [nid for nid, spec in sim.city.nodes.items() if spec.kind == "internet"]
        self.exfiltrating: dict[str, bool] = {}  # node → whether its data is flowing out now
        self.exfiltrated_by: dict[str, Stage] = {}  # node → the stage copying its data out
        # effects due on nodes with no channel out: node, stage, and the compromise they belong to
        self.waiting: list[tuple[str, Stage, float]] = []
        self.landings_waiting: list[tuple[str, Stage]] = []
        self.targets_cache: dict[str, set[str] | None] = {}
        for stage in self.stages.values():
            self.targets_cache[stage.id] = set(sim.city.select(stage.targets)) if stage.targets else None

    # ------------------------------------------------------------ stage triggers
    def start(self) -> None:
        for stage in self.stages.values():
            if stage.at is not None:
                self._later(stage.at, self.activate, stage, "scheduled")

    def _later(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        call_later(self.sim.env, delay, fn, *args)

    def activate(self, stage: Stage, why: str) -> None:
        if self.active.get(stage.id):
            return
        self.active[stage.id] = True
        campaign = self.campaign_of[stage.id]
        self.sim.emit(ev.STAGE_START, campaign.id, stage.id, technique=stage.technique, why=why)
        rng = self.sim.streams(f"stage/{stage.id}")
        if stage.effect == "deny" and stage.targets is not None:
            # a flood comes from outside and needs no foothold: it lands on its targets, also
            # when it follows another stage (a second wave)
            for node in self.sim.city.select(stage.targets):
                delay = sample(stage.delay, rng)
                self._later(delay, self._land, node, stage)
        elif stage.over:
            sources = list(self.owned[campaign.id])
            if not sources and stage.targets is not None and stage.after is None:
                # a spreading first stage lands on its targets first
                for node in self.sim.city.select(stage.targets):
                    if (
                        rng.random() < stage.success
                        and not (self.sim.nodes[node].patched and stage.closed_by_patch)
                        and self._way_in(node, stage)
                    ):
                        self.compromise(node, stage, source="")
                return
            for node in sources:
                self._spread_from(node, stage)
        elif stage.effect is not None and stage.after is not None:
            for node in list(self.owned[campaign.id]):
                self._effect_later(node, stage)
        else:
            # lands on its targets: initial access, or an attack from outside (a DDoS)
            for node in self.sim.city.select(stage.targets) if stage.targets else []:
                delay = sample(stage.delay, rng)
                self._later(delay, self._land, node, stage)

    def _land(self, node: str, stage: Stage) -> None:
        rng = self.sim.streams(f"stage/{stage.id}")
        if rng.random() >= stage.success:
            return
        if stage.effect == "deny":
            if not self._flood_reaches(node, stage):
                return
            self.deny(node, stage.lasts or 60.0, stage.id)
            self._succeed(stage)
            return
        state = self.sim.nodes[node]
        if stage.exposed is not None and self.sim.city.nodes[node].exposed != stage.exposed:
            return  # `exposed` chooses targets for a landing as it does for a spread
        if stage.after is not None and stage.via and not self._fetched(node, stage):
            return
        if state.patched and stage.closed_by_patch:
            return  # the flaw it exploits is patched
        if not self._way_in(node, stage):
            # an attacker on the Internet keeps trying: the landing waits for a way in to open
            # (a cut link restored, the machine reconnected); closing the door only delays it
            self.landings_waiting.append((node, stage))
            return
        if state.isolated or state.offline:
            return
        self._landed(node, stage)

    def _landed(self, node: str, stage: Stage) -> None:
        self.compromise(node, stage, source="")
        if stage.effect is not None:
            self.apply_effect(node, stage)

    def _retry_landings(self) -> None:
        """Landings that found no way in go ahead once one is open (their chance was drawn)."""
        waiting, self.landings_waiting = self.landings_waiting, []
        for node, stage in waiting:
            state = self.sim.nodes[node]
            if state.status == "compromised" or (state.patched and stage.closed_by_patch):
                continue  # held already, or the flaw is closed meanwhile
            if self._way_in(node, stage):
                self._landed(node, stage)
            else:
                self.landings_waiting.append((node, stage))

    # ------------------------------------------------------------ ways in and out
    def reaches_outside(self, node: str) -> bool:
        """Whether ``node`` and the Internet reach each other: the node is not isolated or switched
        off, and links not cut join it, through gear that is not, to an internet node — directly,
        or relayed by hosts the attacker holds on its way (a pivot: the database behind the web
        server it took). In a topology without an internet node, every node does."""
        if not self.entrances:
            return True
        sim = self.sim
        states = sim.nodes
        state = states[node]
        if state.isolated or state.offline:
            return False
        net = sim.network
        if net.transit[node]:
            return net.reached_from(self.entrances, (node,), TRAFFIC_LINKS)[node]
        campaign = state.campaign
        seen = [node]
        stack = [node]
        while stack:
            host = stack.pop()
            if net.reached_from(self.entrances, (host,), TRAFFIC_LINKS)[host]:
                return True
            for other, kind, link in net.host_links(host):
                held = states[other]
                if (
                    other not in seen
                    and kind in TRAFFIC_LINKS
                    and link not in net.cut
                    and held.status == "compromised"
                    and held.campaign == campaign
                    and not (held.isolated or held.offline)
                ):
                    seen.append(other)
                    stack.append(other)
        return False

    def _way_in(self, node: str, stage: Stage) -> bool:
        """A landing from the Internet needs a way in to its target; one from inside does not."""
        return stage.comes_from != "internet" or self.reaches_outside(node)

    def network_changed(self) -> None:
        """A way through the network opened or closed (an isolation, a reconnection, a cut, gear
        switched off): exfiltration stops or resumes with its way out, and landings that waited for
        a way in and effects that waited for their channel go ahead."""
        if self.exfiltrating:
            self._follow_exfiltration()
        if self.landings_waiting and not self.sim.finished:
            self._retry_landings()
        if self.waiting:
            waiting, self.waiting = self.waiting, []
            for node, stage, since in waiting:
                state = self.sim.nodes[node]
                if state.status != "compromised" or state.compromised_at != since:
                    continue  # cleaned meanwhile: nothing left to act on
                if self.reaches_outside(node):
                    rng = self.sim.streams(f"stage/{stage.id}")
                    self._later(sample(stage.delay, rng), self._effect_go, node, stage)
                else:
                    self.waiting.append((node, stage, since))

    def _follow_exfiltration(self) -> None:
        for node in list(self.exfiltrating):
            self._follow_way_out(node)

    def _follow_way_out(self, node: str) -> None:
        """An exfiltrating node sends while it has a way out: say when that stops or starts again
        (the data-exfiltrated figure follows these events)."""
        sim = self.sim
        flowing = self.reaches_outside(node)
        if flowing == self.exfiltrating[node]:
            return
        self.exfiltrating[node] = flowing
        stage = self.exfiltrated_by[node]
        campaign = self.campaign_of[stage.id].id
        spec = sim.city.nodes[node]
        if flowing:
            sim.emit(
                ev.EFFECT,
                campaign,
                node,
                effect="exfiltrate",
                stage=stage.id,
                hosts=sim.nodes[node].infected,
                site=spec.site,
                rate_gb_per_hour=stage.rate_gb_per_hour,
                data_gb=spec.data_gb,
                resumed=True,
            )
        else:
            sim.emit(ev.EFFECT_END, campaign, node, effect="exfiltrate", site=spec.site, paused=True)

    def _fetched(self, node: str, stage: Stage) -> bool:
        """A landing stage that follows another and names ``via`` comes from the nodes that stage
        took (a poisoned update fetched from its distribution server): one of them, still held and
        not isolated, must reach the target over links that let ``via`` through."""
        assert stage.after is not None
        sim = self.sim
        net = sim.network
        via = tuple(stage.via)
        for source in self.taken_by.get(stage.after.stage, ()):
            held = sim.nodes[source]
            if held.status != "compromised" or held.isolated:
                continue
            if node in net.pool(source, net.pool_key(source, TRAFFIC_LINKS, via), TRAFFIC_LINKS, via):
                return True
        return False

    def _succeed(self, stage: Stage) -> None:
        if stage.id in self.succeeded:
            return
        self.succeeded[stage.id] = self.sim.now
        # the event that told of the success came first: an inject waiting for it looks again now
        self.sim.msel.state_changed()
        for follower in self.followers.get(stage.id, ()):
            wait = follower.after.wait if follower.after else 0.0
            self._later(wait, self.activate, follower, f"after:{stage.id}")

    # ------------------------------------------------------------ compromise and spread
    def compromise(self, node: str, stage: Stage | None, source: str, hosts: int = 1) -> None:
        sim = self.sim
        state = sim.nodes[node]
        campaign = self.campaign_of[stage.id].id if stage else "red-team"
        new_node = state.status != "compromised"
        if new_node:
            state.status = "compromised"
            state.impact = "foothold" if state.impact == "none" else state.impact
            state.infected = 0
            state.detected = False
            state.campaign = campaign
            state.compromised_at = sim.now
            self.owned.setdefault(campaign, []).append(node)
            sim.evidence.taken_with[node] = stage
            if stage is not None:
                self.taken_by.setdefault(stage.id, []).append(node)
        if stage is not None and stage.hosts == "all":
            hosts = state.hosts
        before = state.infected
        state.infected = min(state.hosts, state.infected + hosts)
        sim.emit(
            ev.COMPROMISE,
            campaign,
            node,
            stage=stage.id if stage else "",
            technique=stage.technique if stage else "",
            source=source,
            hosts=state.infected - before,
            infected=state.infected,
            site=sim.city.nodes[node].site,
        )
        sim.evidence.left(node, stage, campaign)
        if stage is not None:
            self._succeed(stage)
        sim.defenders.watch(node, stage, state.infected - before)
        if new_node:
            for other in self.stages.values():
                if not self.active.get(other.id) or self.campaign_of[other.id].id != campaign:
                    continue
                if other.over:
                    self._spread_from(node, other, fresh=True)
                elif other.effect is not None and other.after is not None and other.effect != "deny":
                    self._effect_later(node, other)

    def _flood_reaches(self, node: str, stage: Stage) -> bool:
        """A flood from the Internet reaches a node that is not isolated or switched off, along links
        that are not cut (only of the kinds in ``over`` when given, the last one letting ``via``
        through); in a topology without an Internet node it reaches every target."""
        sim = self.sim
        state = sim.nodes[node]
        if state.isolated or state.offline:
            return False
        sources = [nid for nid, spec in sim.city.nodes.items() if spec.kind == "internet"]
        if not sources or node in sources:
            return True
        net = sim.network
        over = tuple(stage.over) or TRAFFIC_LINKS
        via = tuple(stage.via)
        return any(node in net.pool(src, net.pool_key(src, over, via), over, via) for src in sources)

    def _spread_from(self, node: str, stage: Stage, fresh: bool = False) -> None:
        """Start (or go on with) ``stage``'s attempts from ``node``: one chain of attempts per stage
        and source at most; ``fresh`` for a new foothold, whose count starts again."""
        if stage.effect == "deny":
            return  # a flood's `over` is the way it comes in, not a way to spread
        spread = self._spreads.get(stage.id)
        if spread is None:
            spread = self._spreads[stage.id] = _Spread(self, stage)
        spread.start(node, fresh)

    def resume(self, node: str) -> None:
        """A held node is back on the network: its spreading stages go on where they stopped, with
        the attempts they had left (isolation pauses an attack, it does not renew it)."""
        campaign = self.sim.nodes[node].campaign
        for stage in self.stages.values():
            if self.active.get(stage.id) and stage.over and self.campaign_of[stage.id].id == campaign:
                self._spread_from(node, stage)

    # ------------------------------------------------------------ effects
    def _effect_later(self, node: str, stage: Stage) -> None:
        allowed = self.targets_cache[stage.id]
        if allowed is not None and node not in allowed:
            return
        rng = self.sim.streams(f"stage/{stage.id}")
        self._later(sample(stage.delay, rng), self._effect_now, node, stage)

    def _effect_now(self, node: str, stage: Stage) -> None:
        state = self.sim.nodes[node]
        if state.status != "compromised" or self.sim.finished:
            return
        rng = self.sim.streams(f"stage/{stage.id}")
        if rng.random() >= stage.success:
            return
        self._effect_go(node, stage)

    def _effect_go(self, node: str, stage: Stage) -> None:
        """An effect driven from the Internet needs the node's channel out (its command and
        control): without one it waits until a way out opens again."""
        state = self.sim.nodes[node]
        if state.status != "compromised" or self.sim.finished:
            return
        if stage.comes_from == "internet" and not self.reaches_outside(node):
            self.waiting.append((node, stage, state.compromised_at))
            return
        self.apply_effect(node, stage)
        self._succeed(stage)

    def apply_effect(self, node: str, stage: Stage) -> None:
        sim = self.sim
        state = sim.nodes[node]
        effect = stage.effect or "privilege"
        impact = IMPACT_OF[effect]
        if effect == "deny":
            self.deny(node, stage.lasts or 60.0, stage.id)
            return
        if state.impact in ("encrypted", "wiped") and effect in ("exfiltrate", "privilege"):
            return
        state.impact = impact
        if effect in ("encrypt", "wipe"):
            state.infected = state.hosts if stage.hosts == "all" else max(state.infected, 1)
            spec = sim.city.nodes[node]
            if spec.backup is not None and not spec.backup.offline and effect == "wipe":
                state.backup_lost = True
        data = {
            "effect": effect,
            "stage": stage.id,
            "hosts": state.infected,
            "site": sim.city.nodes[node].site,
        }
        if effect == "exfiltrate":
            data["rate_gb_per_hour"] = stage.rate_gb_per_hour
            data["data_gb"] = sim.city.nodes[node].data_gb
        sim.emit(ev.EFFECT, self.campaign_of[stage.id].id, node, **data)
        sim.evidence.left(node, stage, self.campaign_of[stage.id].id)
        if effect == "exfiltrate":
            self.exfiltrated_by[node] = stage
            # the data flows only while a way out is open (a payload from inside may start without)
            self.exfiltrating[node] = True
            self._follow_exfiltration()
        sim.services.refresh([node])
        loud = stage.loud if stage.loud is not None else effect in LOUD_EFFECTS
        if loud:
            sim.defenders.noticed(node, stage.technique)

    def deny(self, node: str, lasts: float, stage: str) -> None:
        """Overload a node for a while (a DDoS); it recovers by itself when the flood stops."""
        sim = self.sim
        state = sim.nodes[node]
        until = sim.now + lasts
        first = not state.overloaded
        state.overloaded_until = max(state.overloaded_until, until)
        if first:
            state.overloaded = True
            sim.emit(
                ev.EFFECT,
                stage,
                node,
                effect="deny",
                stage=stage,
                lasts=lasts,
                site=sim.city.nodes[node].site,
            )
            sim.services.refresh([node])
            sim.defenders.noticed(node, self.stages[stage].technique if stage in self.stages else "")
        self._later(lasts, self._deny_over, node)

    def _deny_over(self, node: str) -> None:
        sim = self.sim
        state = sim.nodes[node]
        if state.overloaded_until > sim.now or not state.overloaded:
            return
        state.overloaded = False
        sim.emit(ev.EFFECT_END, "", node, effect="deny")
        sim.services.refresh([node])

    def lose_node(self, node: str) -> None:
        """The attacker loses a node that was cleaned."""
        state = self.sim.nodes[node]
        owned = self.owned.get(state.campaign)
        if owned and node in owned:
            owned.remove(node)
        # the copying out ends with the attacker's hold on the node
        self.exfiltrating.pop(node, None)
        self.exfiltrated_by.pop(node, None)


class _Pool:
    """The machines a spreading stage can reach from one part of the network, and how to pick one
    at random weighted by how many machines each node stands for."""

    __slots__ = ("nodes", "states", "cum", "total", "uniform", "index", "members", "version")

    def __init__(
        self, nodes: list[str], states: list[Any], cum: list[float], total: float, version: int
    ) -> None:
        self.nodes = nodes
        self.states = states  # the nodes' NodeStates, in the same order: no lookup per attempt
        self.cum = cum  # running weights: the pick for r in [0, total) is bisect_right(cum, r)
        self.total = total
        self.members = set(nodes)
        self.version = version  # the network's paths_version it was found in
        # the weights are whole numbers, so bisect_right(cum, r) == bisect_right(cum, floor(r)):
        # with one machine per node that is floor(r) itself, and with a few more machines than
        # nodes a table of it answers in one step
        self.uniform = total == len(nodes)
        self.index: array[int] | None = None
        if not self.uniform and total <= 4 * len(nodes) + 1024:
            self.index = array("l", (bisect_right(cum, k) for k in range(int(total))))

    def pick(self, r: float) -> int:
        """The index of the node that ``r`` in [0, total) falls on."""
        if self.uniform:
            return int(r)
        if self.index is not None:
            return self.index[int(r)]
        return bisect_right(self.cum, r)


class _Tick:
    """One source's chain of attempts for one spreading stage, and the bare scheduled moment of its
    next attempt for simpy's loop: what ``Environment.step`` reads of an event (``callbacks``,
    ``_ok``). Attempts are the bulk of a large drill's events, and a full ``Timeout`` costs several
    times as much to make; the chain puts itself back in the queue for its next attempt."""

    __slots__ = ("callbacks", "source", "state", "n", "ready", "pending")
    _ok = True

    def __init__(self, source: str, state: Any, n: int) -> None:
        self.callbacks: list[Any] | None = None  # set when queued: simpy unbinds it when it fires
        self.source = source
        self.state = state  # the source's NodeState: no lookup in a table of every node
        self.n = n  # the attempt it makes next
        self.ready: Any = None  # the source's pool and own weight, found by an earlier attempt
        self.pending = False  # in simpy's queue


class _Spread:
    """One spreading stage's attempts, kept lean: a worm on a large city makes millions of them.

    Each attempt picks a machine at random among those the source can reach (weighted by how many
    machines each node stands for, its own group included when the stage spreads over LANs); an
    attempt that lands on an isolated, switched-off or already infected machine is wasted, and one
    that would take a patched machine with an exploit fails.
    """

    __slots__ = (
        "attacker",
        "sim",
        "stage",
        "stage_id",
        "technique",
        "rng",
        "draw",
        "success",
        "attempts",
        "over",
        "via",
        "lan",
        "allowed",
        "exposed",
        "campaign",
        "pools",
        "version",
        "callbacks",
        "site_of",
        "queue",
        "eid",
        "env",
        "states",
        "network",
        "patchable",
        "chains",
        "watch",
    )

    def __init__(self, attacker: Attacker, stage: Stage) -> None:
        self.attacker = attacker
        self.sim = attacker.sim
        self.stage = stage
        self.rng = self.sim.streams(f"stage/{stage.id}")
        self.draw = sampler(stage.delay, self.rng)
        self.success = stage.success
        self.attempts = stage.attempts
        self.over = tuple(stage.over)
        self.via = tuple(stage.via)
        self.lan = "lan" in stage.over
        self.allowed = attacker.targets_cache[stage.id]
        self.exposed = stage.exposed
        self.campaign = attacker.campaign_of[stage.id].id
        self.pools: dict[Any, _Pool] = {}
        self.version = -1
        self.stage_id = stage.id
        self.technique = stage.technique
        self.site_of = {nid: spec.site for nid, spec in self.sim.city.nodes.items()}
        self.callbacks = [self._fire]
        env = self.sim.env
        self.env = env
        self.queue = env._queue
        self.eid = env._eid
        self.states = self.sim.nodes
        self.network = self.sim.network
        self.patchable = stage.closed_by_patch
        self.chains: dict[str, _Tick] = {}  # source → its one chain of attempts
        self.watch = self.sim.defenders.watch

    def start(self, source: str, fresh: bool) -> None:
        """Queue ``source``'s chain unless it is queued already: a new chain, a fresh foothold's
        count from 1, or a chain that an isolation stopped, with the attempts it had left."""
        chain = self.chains.get(source)
        if chain is None:
            chain = self.chains[source] = _Tick(source, self.states[source], 1)
        elif fresh:
            chain.n = 1
        if chain.pending or chain.n > self.attempts:
            return
        self._queue(chain, self.draw())

    def _queue(self, chain: _Tick, wait: float) -> None:
        # what env.timeout() does, without building a Timeout (same time, priority and order)
        chain.callbacks = self.callbacks
        chain.pending = True
        heappush(self.queue, (self.env._now + wait, NORMAL, next(self.eid), chain))

    def _pool(self, source: str, key: Any) -> _Pool:
        net = self.network
        pool = self.pools.get(key)
        if pool is None:
            city = self.sim.city.nodes
            nodes: list[str] = []
            cum: list[float] = []
            total = 0.0
            for other in net.pool(source, key, self.over, self.via):
                if self.allowed is not None and other not in self.allowed:
                    continue
                if self.exposed is not None and city[other].exposed != self.exposed:
                    continue
                total += city[other].hosts
                nodes.append(other)
                cum.append(total)
            states = [self.states[n] for n in nodes]
            pool = self.pools[key] = _Pool(nodes, states, cum, total, net.paths_version)
        return pool

    def _ready(self, source: str, state: Any) -> tuple[_Pool, float]:
        net = self.network
        if net.paths_version != self.version:
            self.pools.clear()
            self.version = net.paths_version
        key = net.pool_key(source, self.over, self.via)
        pool = self.pools.get(key) or self._pool(source, key)
        own_ok = self.allowed is None or source in self.allowed
        own = float(state.hosts) if self.lan and source not in pool.members and own_ok else 0.0
        return pool, own

    def _fire(self, tick: _Tick) -> None:
        source = tick.source
        state = tick.state
        if state.status != "compromised" or state.isolated or state.offline or self.sim.finished:
            # the chain stops here; its count keeps the attempts it has left, for a reconnection
            tick.pending = False
            return
        entry = tick.ready
        if entry is None or entry[0].version != self.network.paths_version:
            entry = self._ready(source, state)
        pool, own = entry
        total = pool.total
        span = total + own
        if span > 0:
            # every infected machine of a group tries once a round (up to MAX_PARALLEL of them)
            rounds = state.infected
            if rounds > MAX_PARALLEL:
                rounds = MAX_PARALLEL
            random = self.rng.random
            success = self.success
            uniform, index, cum, states = pool.uniform, pool.index, pool.cum, pool.states
            for _ in range(rounds or 1):
                r = random() * span
                if r >= total:
                    i = -1
                    hit = state
                else:
                    # pool.pick(r), inline: this runs millions of times
                    if uniform:
                        i = int(r)
                    elif index is not None:
                        i = index[int(r)]
                    else:
                        i = bisect_right(cum, r)
                    hit = states[i]
                if hit.isolated or hit.offline or random() >= success:
                    continue
                if hit.status != "compromised":
                    if hit.patched and self.patchable:
                        continue  # checked only here, where a compromise would happen
                    target = source if i < 0 else pool.nodes[i]
                    self.attacker.compromise(target, self.stage, source=source)
                    if state.status != "compromised" or state.isolated:
                        # what followed (an inject's effect, a decision) stopped the source
                        tick.pending = False
                        tick.n += 1
                        return
                elif hit.infected < hit.hosts and hit.campaign == self.campaign:
                    if hit.patched and self.patchable:
                        continue  # the group's other machines are patched too
                    target = source if i < 0 else pool.nodes[i]
                    hit.infected += 1
                    self.sim.record(
                        "compromise",
                        self.campaign,
                        target,
                        {
                            "stage": self.stage_id,
                            "technique": self.technique,
                            "source": source,
                            "hosts": 1,
                            "infected": hit.infected,
                            "site": self.site_of[target],
                        },
                    )
                    if not hit.detected:
                        self.watch(target, self.stage, 1)  # one more machine the sensors may see
        tick.n += 1
        if tick.n <= self.attempts:
            tick.ready = entry
            tick.callbacks = self.callbacks
            heappush(self.queue, (self.env._now + self.draw(), NORMAL, next(self.eid), tick))
        else:
            tick.pending = False
