"""Investigations: a team examines machines (or an account's trail) with a procedure, and what it
finds becomes what it knows.

Each trace still there (drill/engine/evidence.py) is found with chance
``min(0.95, skill × fit + practised bonus)``: the team's skill, how well the procedure reads the
trace's data source (drill/model/evidence.py), and a bonus when the team has practised the
procedure. A clean node examined turns up a false lead with the scenario's ``false_positives``
chance. The dice are one stream per node and procedure, so investigating one body draws nothing
that investigating another would: two drills that differ in where the teams look meet the same
dice wherever they both look.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model.evidence import MAX_CHANCE, PRACTISED_BONUS, PROCEDURES
from ..team_knowledge import CONFIRMED, SUSPECTED
from . import events as ev
from .artefacts import artefact
from .events import text_record
from .evidence import Trace

if TYPE_CHECKING:
    from .defenders import Task
    from .simulation import Simulation

# what an administrator's everyday work looks like to a hunter: the technique a false lead suggests
FALSE_LEAD_TECHNIQUE = "T1059"


@dataclass(slots=True)
class Investigation:
    number: int
    procedure: str
    nodes: tuple[str, ...]  # the nodes examined, in the city's order
    account: str  # an account's trail (account-audit), or ""
    machines: int  # the machines examined: what the person-time grows with


class Investigations:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.count = 0

    def plan(self, nodes: list[str], procedure: str, account: str = "") -> Investigation:
        """What an investigation examines: the nodes named, or for an account the nodes its trail
        may cross (every node: the directory's logs cover the city); the machines it reads."""
        self.count += 1
        order = list(self.sim.city.nodes)
        chosen = sorted(set(nodes), key=order.index)
        if account and not chosen:
            chosen = order
        machines = (
            0 if PROCEDURES[procedure].scope == "account" else sum(self.sim.nodes[n].hosts for n in chosen)
        )
        return Investigation(self.count, procedure, tuple(chosen), account, machines)

    def _chance(self, team: str, procedure: str, source: str) -> float:
        spec = self.sim.spec.teams[team]
        fit = PROCEDURES[procedure].fit.get(source, 0.0)
        if fit <= 0.0:
            return 0.0
        bonus = PRACTISED_BONUS if procedure in spec.practised else 0.0
        return min(MAX_CHANCE, spec.skill * fit + bonus)

    def conclude(self, task: Task) -> None:
        """The investigation's work is done: roll for each trace, tell what was found, and what
        the team (and the team that watches each node it found something on) now knows."""
        sim = self.sim
        inv = task.investigation
        assert inv is not None
        team = task.team
        found: list[tuple[Trace, bool]] = []  # (trace, a false lead)
        for node in inv.nodes:
            rng = sim.streams(f"investigate/{node}/{inv.procedure}")
            false_roll = rng.random()
            traces = sim.evidence.present(node)
            if inv.account:
                traces = [tr for tr in traces if tr.account == inv.account]
            hits = []
            for trace in traces:
                roll = rng.random()  # one per trace, whatever the chance: the dice stay in step
                if roll < self._chance(team, inv.procedure, trace.source):
                    hits.append(trace)
            found.extend((tr, tr.benign) for tr in hits)
            clean = sim.nodes[node].status != "compromised"
            if not hits and clean and not inv.account and false_roll < sim.spec.false_positives:
                lead = Trace(node, "process", "", "", "", sim.now, benign=True)
                found.append((lead, True))
        start = sim.spec.start
        findings: list[dict[str, Any]] = []
        for trace, false_lead in found:
            item: dict[str, Any] = {
                "node": trace.node,
                "technique": FALSE_LEAD_TECHNIQUE if false_lead and not trace.technique else trace.technique,
                "since": trace.at,
                "artefact": artefact(trace, sim.city, start),
            }
            if false_lead:
                item["false_lead"] = True
            if trace.planted >= 0:
                item["planted"] = trace.planted
                text = sim.spec.planted[trace.planted].text
                if text is not None:
                    item["text"] = text_record(text)
            findings.append(item)
        data: dict[str, Any] = {
            "procedure": inv.procedure,
            "number": inv.number,
            "examined": len(inv.nodes),
            "machines": inv.machines,
            "findings": findings,
        }
        if inv.account:
            data["account"] = inv.account
        if task.actor and task.actor != team:
            data["worked_by"] = task.actor  # outside help led the work
        # the findings are the ordering team's (its `learned` events follow): so is the record
        sim.emit(ev.INVESTIGATED, team, task.node, **data)
        for (trace, false_lead), item in zip(found, findings, strict=True):
            self._learn_from(team, trace, false_lead, item, inv.number)

    def _learn_from(
        self, team: str, trace: Trace, false_lead: bool, item: dict[str, Any], number: int
    ) -> None:
        sim = self.sim
        node = trace.node
        state = sim.nodes[node]
        account = str(item["artefact"].get("account", ""))
        source = f"investigation:{number}"
        technique = str(item["technique"])
        if false_lead:
            sim.learn(
                team, node, "compromise", "investigation", SUSPECTED, technique=technique, source=source
            )
            return
        live = state.status == "compromised" and not trace.stale and trace.campaign == state.campaign
        if live and trace.planted < 0:
            if not state.detected:
                sim.defenders.detect_now(
                    node, "investigation", team=team, technique=technique, account=account
                )
                return
            sim.learn(
                team,
                node,
                "compromise",
                "investigation",
                CONFIRMED,
                technique=technique,
                account=account,
                source=source,
                attacker_since=state.compromised_at,
            )
            sim.defenders.share(team, node, technique=technique, account=account)
            return
        # the attacker is gone from it (or it is a trainer's trace): what it used is still news
        if not technique and not account:
            return  # a tool nobody can name, on a machine the attacker has left: nothing to learn
        sim.learn(
            team,
            node,
            "technique",
            "investigation",
            CONFIRMED,
            technique=technique,
            account=account,
            source=source,
        )
