"""The evidence the attacker leaves on each node, as it acts: what an investigation can find.

A stage that takes a node or acts on it leaves traces in the data sources its technique touches
(drill/model/evidence.py, or the scenario's ``evidence`` and ``leaves``). A reimage or restore
destroys what is kept on the machine; what is kept centrally (logs, the directory) stays, but
is from before the cleaning; logs roll over after their retention. A trainer's ``planted``
traces are there from their time on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model.evidence import CREDENTIAL_TECHNIQUES, DATA_SOURCES, sources_of
from ..model.scenario import Stage

if TYPE_CHECKING:
    from .simulation import Simulation


@dataclass(slots=True)
class Trace:
    node: str
    source: str
    technique: str  # "" for a benign planted trace
    stage: str
    campaign: str
    at: float
    account: str = ""
    planted: int = -1  # the index of the scenario's planted trace, else -1
    benign: bool = False
    stale: bool = False  # from before the node was last cleaned: the attacker is gone from it

    def present(self, now: float) -> bool:
        retention = DATA_SOURCES[self.source].retention
        return self.at <= now and (retention is None or now - self.at <= retention)


def admin_account(site: str) -> str:
    """The administrator account of a site, as the directory names it."""
    return f"{site}\\administrator"


class Evidence:
    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.traces: dict[str, list[Trace]] = {}
        self.overrides = {k: tuple(v) for k, v in sim.spec.evidence.items()}
        self.accounts: dict[str, str] = {}  # campaign → the last account it took
        # node → the stage that took it (the technique an alert there names)
        self.taken_with: dict[str, Stage | None] = {}
        for i, p in enumerate(sim.spec.planted):
            trace = Trace(p.node, p.source, p.technique or "", "", "", p.at, planted=i, benign=p.benign)
            self.traces.setdefault(p.node, []).append(trace)

    def account_for(self, node: str, stage: Stage | None, campaign: str) -> str:
        """The account a stage takes or uses on ``node``: its own, else the campaign's last one
        (a valid-account stage uses what a credential stage took), else the site's administrator."""
        if stage is None:
            return ""
        if stage.account:
            self.accounts[campaign] = stage.account
            return stage.account
        parent = stage.technique.split(".", 1)[0]
        if parent not in CREDENTIAL_TECHNIQUES:
            return self.accounts.get(campaign, "")
        if parent == "T1078" and campaign in self.accounts:
            return self.accounts[campaign]
        account = admin_account(self.sim.city.nodes[node].site)
        self.accounts[campaign] = account
        return account

    def left(self, node: str, stage: Stage | None, campaign: str) -> None:
        """``stage`` acted on ``node`` now: its traces, once per stage and node while it holds it."""
        technique = stage.technique if stage else ""
        stage_id = stage.id if stage else ""
        traces = self.traces.setdefault(node, [])
        if any(tr.stage == stage_id and tr.campaign == campaign and not tr.stale for tr in traces):
            return
        sources = tuple(stage.leaves) if stage is not None and stage.leaves is not None else None
        if sources is None:
            sources = sources_of(technique, self.overrides)
        account = self.account_for(node, stage, campaign)
        now = self.sim.now
        for source in sources:
            traces.append(Trace(node, source, technique, stage_id, campaign, now, account))

    def cleaned(self, node: str) -> None:
        """A reimage or restore: what was on the machine is gone, the logs elsewhere are history."""
        kept = []
        for tr in self.traces.get(node, ()):
            if tr.planted >= 0:
                kept.append(tr)
            elif DATA_SOURCES[tr.source].kept != "host":
                tr.stale = True
                kept.append(tr)
        self.traces[node] = kept

    def present(self, node: str) -> list[Trace]:
        now = self.sim.now
        return [tr for tr in self.traces.get(node, ()) if tr.present(now)]
