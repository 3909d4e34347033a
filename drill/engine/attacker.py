"""The attacker: campaigns of stages that land, spread along the network, and do harm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.scenario import Campaign, Stage
from . import events as ev
from .randomness import sample

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
        self.targets_cache: dict[str, set[str] | None] = {}
        for stage in self.stages.values():
            self.targets_cache[stage.id] = set(sim.city.select(stage.targets)) if stage.targets else None

    # ------------------------------------------------------------ stage triggers
    def start(self) -> None:
        for stage in self.stages.values():
            if stage.at is not None:
                self._later(stage.at, lambda s=stage: self.activate(s, "scheduled"))

    def _later(
        self,
        delay: float,
        action,
    ) -> None:  # type: ignore[no-untyped-def]
        timeout = self.sim.env.timeout(max(0.0, delay))
        timeout.callbacks.append(lambda _e: action())

    def activate(self, stage: Stage, why: str) -> None:
        if self.active.get(stage.id):
            return
        self.active[stage.id] = True
        campaign = self.campaign_of[stage.id]
        self.sim.emit(ev.STAGE_START, campaign.id, stage.id, technique=stage.technique, why=why)
        rng = self.sim.streams(f"stage/{stage.id}")
        if stage.over:
            sources = list(self.owned[campaign.id])
            if not sources and stage.targets is not None and stage.after is None:
                # a spreading first stage lands on its targets first
                for node in self.sim.city.select(stage.targets):
                    if rng.random() < stage.success:
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
                self._later(delay, lambda n=node: self._land(n, stage))

    def _land(self, node: str, stage: Stage) -> None:
        rng = self.sim.streams(f"stage/{stage.id}")
        if rng.random() >= stage.success:
            return
        if stage.effect == "deny":
            self.deny(node, stage.lasts or 60.0, stage.id)
            self._succeed(stage)
            return
        state = self.sim.nodes[node]
        if state.isolated or state.offline:
            return
        self.compromise(node, stage, source="")
        if stage.effect is not None:
            self.apply_effect(node, stage)

    def _succeed(self, stage: Stage) -> None:
        if stage.id in self.succeeded:
            return
        self.succeeded[stage.id] = self.sim.now
        for follower in self.followers.get(stage.id, ()):
            wait = follower.after.wait if follower.after else 0.0
            self._later(wait, lambda f=follower: self.activate(f, f"after:{stage.id}"))

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
        if stage is not None:
            self._succeed(stage)
        if new_node:
            sim.defenders.watch(node, stage)
            for other in self.stages.values():
                if not self.active.get(other.id) or self.campaign_of[other.id].id != campaign:
                    continue
                if other.over:
                    self._spread_from(node, other)
                elif other.effect is not None and other.after is not None:
                    self._effect_later(node, other)

    def _spread_from(self, node: str, stage: Stage) -> None:
        rng = self.sim.streams(f"stage/{stage.id}")
        self._later(sample(stage.delay, rng), lambda: self._attempt(node, stage, 1))

    def _attempt(self, source: str, stage: Stage, n: int) -> None:
        sim = self.sim
        state = sim.nodes[source]
        if state.status != "compromised" or state.isolated or sim.finished:
            return
        rng = sim.streams(f"stage/{stage.id}")
        target = self._pick_target(source, stage, rng)
        if target is None:
            return
        if rng.random() < stage.success:
            self.compromise(target, stage, source=source)
        if n < stage.attempts:
            # a group of machines tries from every infected host: more hosts, more attempts
            wait = sample(stage.delay, rng) / min(max(1, state.infected), MAX_PARALLEL)
            self._later(wait, lambda: self._attempt(source, stage, n + 1))

    def _pick_target(self, source: str, stage: Stage, rng) -> str | None:  # type: ignore[no-untyped-def]
        sim = self.sim
        allowed = self.targets_cache[stage.id]
        nodes = sim.nodes
        candidates: list[str] = []
        weights: list[int] = []
        src = nodes[source]
        if "lan" in stage.over and src.infected < src.hosts and (allowed is None or source in allowed):
            candidates.append(source)
            weights.append(src.hosts - src.infected)
        city_nodes = sim.city.nodes
        for other in sim.network.reachable_hosts(source, stage.over, stage.via):
            if allowed is not None and other not in allowed:
                continue
            st = nodes[other]
            if st.status == "compromised" or st.offline:
                continue
            if stage.exposed is not None and city_nodes[other].exposed != stage.exposed:
                continue
            candidates.append(other)
            weights.append(st.hosts)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        return rng.choices(candidates, weights)[0]

    # ------------------------------------------------------------ effects
    def _effect_later(self, node: str, stage: Stage) -> None:
        allowed = self.targets_cache[stage.id]
        if allowed is not None and node not in allowed:
            return
        rng = self.sim.streams(f"stage/{stage.id}")
        self._later(sample(stage.delay, rng), lambda: self._effect_now(node, stage))

    def _effect_now(self, node: str, stage: Stage) -> None:
        state = self.sim.nodes[node]
        if state.status != "compromised" or self.sim.finished:
            return
        rng = self.sim.streams(f"stage/{stage.id}")
        if rng.random() >= stage.success:
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
        sim.services.refresh([node])
        loud = stage.loud if stage.loud is not None else effect in LOUD_EFFECTS
        if loud:
            sim.defenders.noticed(node)

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
            sim.defenders.noticed(node)
        self._later(lasts, lambda: self._deny_over(node))

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
