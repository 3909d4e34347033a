"""The scenario language: what a trainer writes to describe one drill."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from .common import (
    Distribution,
    Duration,
    Id,
    Names,
    NodeSelector,
    Offset,
    Probability,
    Strict,
    Text,
)

TECHNIQUE_PATTERN = r"^T\d{4}(\.\d{3})?$"
Technique = Annotated[str, Field(pattern=TECHNIQUE_PATTERN, description="a MITRE ATT&CK technique id")]
# ATT&CK's exploitation techniques (and their sub-techniques): a patched node resists them
EXPLOIT_TECHNIQUES = ("T1068", "T1190", "T1203", "T1210", "T1211", "T1212")

EFFECTS = ("encrypt", "deface", "exfiltrate", "deny", "wipe", "privilege")
Effect = Literal[EFFECTS]  # type: ignore[valid-type]

# what a player or facilitator may decide; also what an expected action may ask for
ACTIONS = (
    "isolate",
    "reconnect",
    "cut-link",
    "restore-link",
    "block-trust",
    "reimage",
    "restore",
    "offline",
    "online",
    "escalate",
    "report",
    "notify",
    "patch",
    "reset-credentials",
    "communicate",
)
Action = Literal[ACTIONS]  # type: ignore[valid-type]
PLAYBOOK_STEPS = ("triage", "isolate", "reimage", "restore", "patch", "reset-credentials", "report")
METRICS = (
    "time_to_detect",
    "time_to_contain",
    "time_to_recover",
    "hosts_compromised",
    "nodes_compromised",
    "bodies_affected",
    "downtime",
    "citizen_impact",
    "data_exfiltrated_gb",
    "expectations_met",
)


class Watches(Strict):
    """The part of the network a team watches; an alert there goes to this team."""

    site: Names = ()
    zone: Names = ()
    kind: Names = ()
    group: Names = ()
    tag: Names = ()


class OnCall(Strict):
    arrives_after: Duration = Field(description="time from an escalation to the team's arrival")


class Team(Strict):
    name: Text
    staff: int = Field(ge=0, le=1000, description="people who can work an alert at once")
    watches: Watches | None = Field(None, description="where its alerts come from; none: outside help")
    on_call: OnCall | None = Field(None, description="joins only when escalated to")
    playbook: Id | None = Field(None, description="the playbook it works (default: the first one)")


class After(Strict):
    stage: Id
    wait: Duration = 0.0


def _after(value: Any) -> Any:
    return {"stage": value} if isinstance(value, str) else value


class Stage(Strict):
    """One step of a campaign on the kill chain."""

    id: Id
    technique: Technique
    name: Text | None = None
    at: Offset | None = Field(None, description="when it starts (T+…), for a first stage")
    after: Annotated[After | None, BeforeValidator(_after, json_schema_input_type=str | After | None)] = (
        Field(None, description="starts when another stage first succeeds (plus an optional wait)")
    )
    targets: NodeSelector | None = Field(None, description="which nodes it may hit")
    over: Names = Field((), description="link kinds it spreads over (lan, wan, trust, vpn, dmz, internet)")
    via: Names = Field((), description="traffic the link must allow (smb, rdp, web, mail …)")
    exposed: bool | None = Field(
        None, description="the target must (true) or must not (false) face the Internet"
    )
    success: Probability = Field(1.0, description="chance that one attempt succeeds")
    delay: Distribution = Field(0.0, description="time before the stage acts (per attempt when spreading)")
    attempts: int = Field(50, ge=1, le=100_000, description="attempts per source node before it gives up")
    effect: Effect | None = None  # type: ignore[valid-type]
    lasts: Duration | None = Field(None, description="how long a denial of service keeps up")
    rate_gb_per_hour: float = Field(2.0, ge=0, description="exfiltration speed per node")
    hosts: Literal["one", "all"] = Field("one", description="hosts hit per node on success")
    loud: bool | None = Field(
        None, description="users notice the effect at once (default for encrypt, deface, deny, wipe)"
    )
    patchable: bool | None = Field(
        None,
        description="a patched node resists it; default: true for the exploitation techniques "
        + ", ".join(EXPLOIT_TECHNIQUES)
        + " and their sub-techniques, else false (write false for a zero-day)",
    )

    @property
    def closed_by_patch(self) -> bool:
        """Whether a patched node resists this stage: as written, else from its technique."""
        if self.patchable is not None:
            return self.patchable
        return self.technique.split(".", 1)[0] in EXPLOIT_TECHNIQUES

    @model_validator(mode="after")
    def _one_trigger(self) -> Stage:
        if (self.at is None) == (self.after is None):
            raise ValueError(
                "a stage starts either at a time (at: T+…) or after another stage (after: …), "
                "not both or neither"
            )
        if self.effect == "deny" and self.lasts is None:
            raise ValueError("a denial of service (effect: deny) needs lasts: how long it keeps up")
        return self


class Campaign(Strict):
    id: Id
    name: Text | None = None
    stages: tuple[Stage, ...] = Field(min_length=1)


class Attacker(Strict):
    name: Text | None = None
    campaigns: tuple[Campaign, ...] = Field(min_length=1)


class DetectionRule(Strict):
    """Changes how well some nodes are watched in this scenario."""

    targets: NodeSelector
    technique: Technique | None = None
    coverage: Probability | None = None
    delay: Distribution | None = None


class Step(Strict):
    do: Literal[PLAYBOOK_STEPS]  # type: ignore[valid-type]
    takes: Distribution | Literal["from-backup"] = Field(description="how long it keeps one person busy")


class Playbook(Strict):
    name: Text | None = None
    auto: bool = Field(
        True, description="the simulated team works it by itself; false: only players' decisions act"
    )
    steps: tuple[Step, ...] = Field(min_length=1)


class Expectation(Strict):
    """An action the players should take after an inject, by a deadline."""

    action: Action  # type: ignore[valid-type]
    target: NodeSelector | None = None
    service: Id | None = None
    to: Id | None = Field(None, description="whom to report or escalate to")
    within: Duration
    by: Id | None = Field(None, description="the team expected to act")
    text: Text | None = None
    counts_automatic: bool | None = Field(
        None,
        description="the simulated team's own playbook doing the action counts for the players "
        "(default: the scenario's counts_automatic)",
    )
    capability: Id | None = Field(
        None,
        description="the capability it exercises: detection, containment, recovery, reporting, "
        "communication, coordination or one of your own (default: by its action or metric)",
    )


class ServiceDown(Strict):
    service: Id
    for_: Duration = Field(0.0, alias="for")


class HostsCompromised(Strict):
    at_least: int = Field(ge=1)
    site: Id | None = None


class NodeInState(Strict):
    targets: NodeSelector
    state: Literal[
        "compromised",
        "detected",
        "isolated",
        "encrypted",
        "defaced",
        "wiped",
        "exfiltrating",
        "overloaded",
        "cleaned",
        "restored",
        "patched",
    ]


class AfterInject(Strict):
    inject: Id
    wait: Duration = 0.0


class Condition(Strict):
    """A structured trigger on the simulated state; every key given must hold."""

    service_down: ServiceDown | None = None
    hosts_compromised: HostsCompromised | None = None
    node: NodeInState | None = None
    stage_succeeded: Id | None = None
    after_inject: AfterInject | None = None
    detected: bool | None = Field(None, description="true: once anything has been detected")

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not any(
            v is not None
            for v in (
                self.service_down,
                self.hosts_compromised,
                self.node,
                self.stage_succeeded,
                self.after_inject,
                self.detected,
            )
        ):
            raise ValueError(
                "a condition needs one of service_down, hosts_compromised, node, stage_succeeded, "
                "after_inject, detected"
            )
        return self


class DenialEffect(Strict):
    targets: NodeSelector
    lasts: Duration


class StaffChange(Strict):
    team: Id
    change: int = Field(ge=-1000, le=1000)


class InjectEffect(Strict):
    """What delivering an inject changes in the simulation (any of these)."""

    backups_lost: NodeSelector | None = None
    compromise: NodeSelector | None = None
    offline: NodeSelector | None = None
    start_stage: Id | None = None
    deny: DenialEffect | None = None
    staff: StaffChange | None = None
    detect: NodeSelector | None = None


class Inject(Strict):
    """One line of the MSEL."""

    id: Id
    at: Offset | None = None
    when: Condition | None = None
    contingency: bool = Field(False, description="held back for the facilitator to fire")
    from_: Text | None = Field(None, alias="from")
    to: Names = ()
    channel: Literal["phone", "email", "in-person", "chat", "news", "ticket", "letter", "radio", "system"] = (
        "email"
    )
    title: Text | None = None
    text: Text
    hidden: bool = Field(False, description="seen by the facilitator only")
    reveals: bool = Field(
        False, description="delivering it tells the defenders of the incident: it counts as detection"
    )
    effect: InjectEffect | None = None
    expects: tuple[Expectation, ...] = ()

    @model_validator(mode="after")
    def _trigger(self) -> Inject:
        given = sum(x for x in (self.at is not None, self.when is not None, self.contingency))
        if given != 1:
            raise ValueError(
                "an inject has exactly one of at: (a time), when: (a condition) or contingency: true"
            )
        return self


class Objective(Strict):
    metric: Literal[METRICS]  # type: ignore[valid-type]
    under: Duration | float | None = Field(None, description="met when the figure stays below this")
    at_least: float | None = None
    service: Id | None = None
    site: Id | None = None
    name: Text | None = None
    capability: Id | None = Field(
        None,
        description="the capability it exercises: detection, containment, recovery, reporting, "
        "communication, coordination or one of your own (default: by its action or metric)",
    )

    @model_validator(mode="after")
    def _bound(self) -> Objective:
        if (self.under is None) == (self.at_least is None):
            raise ValueError("an objective has one bound: under or at_least")
        return self


class Deadline(Strict):
    """A duty that starts at the first detection: report to the authority, escalate…"""

    action: Action  # type: ignore[valid-type]
    to: Id | None = None
    within: Duration
    by: Id | None = None
    text: Text | None = None
    capability: Id | None = Field(
        None,
        description="the capability it exercises: detection, containment, recovery, reporting, "
        "communication, coordination or one of your own (default: by its action or metric)",
    )


class ScenarioSpec(Strict):
    schema_: str | None = Field(None, alias="$schema")
    scenario: Id = Field(description="this scenario's id")
    version: int = Field(1, ge=1, le=1)
    title: Text
    description: Text
    unit: Id = Field(description="the site (body) this drill is for")
    audience: Names = Field(description="the teams that play")
    topology: str = Field(description="a bundled topology name, or a file beside this scenario")
    start: datetime = Field(description="the drill's calendar clock at T+0")
    duration: Duration
    seed: int = Field(0, ge=0, le=2**63 - 1)
    teams: dict[Id, Team] = Field(min_length=1)
    attacker: Attacker
    detection: tuple[DetectionRule, ...] = ()
    playbooks: dict[Id, Playbook] = Field(default_factory=dict)
    deadlines: tuple[Deadline, ...] = ()
    injects: tuple[Inject, ...] = ()
    objectives: tuple[Objective, ...] = ()
    counts_automatic: bool = Field(
        False,
        description="an expected action done by a simulated team's own playbook (not a decision) "
        "meets the expectation; false: the scorecard shows it but does not count it",
    )
    tags: Names = ()
