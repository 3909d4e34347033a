"""The scenario language: what a trainer writes to describe one drill."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .common import (
    Boolean,
    CalendarTime,
    Distribution,
    Duration,
    Id,
    Integer,
    Names,
    NodeSelector,
    Number,
    Offset,
    Probability,
    Strict,
    Text,
    given,
    is_true,
    names_of,
    schema_rules,
)
from .evidence import PROCEDURE_NAMES, PROCEDURES, SOURCE_NAMES
from .topology import LINK_KINDS, TRAFFIC

TECHNIQUE_PATTERN = r"^T\d{4}(\.\d{3})?$"
Technique = Annotated[str, Field(pattern=TECHNIQUE_PATTERN, description="a MITRE ATT&CK technique id")]
# ATT&CK's exploitation techniques (and their sub-techniques): a patched node resists them
EXPLOIT_TECHNIQUES = ("T1068", "T1190", "T1203", "T1210", "T1211", "T1212")

# techniques that arrive by hand, not over the network (removable media, hardware added on site):
# a landing with one of them needs no way in from the Internet
PHYSICAL_TECHNIQUES = ("T1091", "T1200")
ORIGINS = ("internet", "inside")

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
    "investigate",
)
Action = Literal[ACTIONS]  # type: ignore[valid-type]
PLAYBOOK_STEPS = (
    "triage",
    "isolate",
    "reimage",
    "restore",
    "patch",
    "reset-credentials",
    "report",
    "investigate",
)
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
    staff: Integer = Field(ge=0, le=1000, description="people who can work an alert at once")
    watches: Watches | None = Field(None, description="where its alerts come from; none: outside help")
    on_call: OnCall | None = Field(None, description="joins only when escalated to")
    playbook: Id | None = Field(None, description="the playbook it works (default: the first one)")
    skill: Probability = Field(
        0.7, description="the chance that its investigation finds evidence a procedure reads perfectly"
    )
    practised: names_of(PROCEDURE_NAMES) = Field(  # type: ignore[valid-type]
        (), description="investigation procedures it has practised: they find evidence more often"
    )
    approval: Boolean = Field(
        False, description="its decisions at a bridge site wait for the facilitator's approval (drill serve)"
    )


class After(Strict):
    stage: Id
    wait: Duration = 0.0


def _after(value: Any) -> Any:
    return {"stage": value} if isinstance(value, str) else value


class Stage(Strict):
    """One step of a campaign on the kill chain."""

    model_config = schema_rules(
        {"oneOf": [given("at"), given("after")]},
        {"if": {"required": ["effect"], "properties": {"effect": {"const": "deny"}}}, "then": given("lasts")},
    )

    id: Id
    technique: Technique
    name: Text | None = None
    at: Offset | None = Field(None, description="when it starts (T+…), for a first stage")
    after: Annotated[After | None, BeforeValidator(_after, json_schema_input_type=str | After | None)] = (
        Field(None, description="starts when another stage first succeeds (plus an optional wait)")
    )
    targets: NodeSelector | None = Field(None, description="which nodes it may hit")
    over: names_of(LINK_KINDS) = Field(  # type: ignore[valid-type]
        (), description="link kinds it spreads over (lan, wan, trust, vpn, dmz, internet)"
    )
    via: names_of(TRAFFIC) = Field(  # type: ignore[valid-type]
        (), description="traffic the link must allow (smb, rdp, web, mail …)"
    )
    exposed: Boolean | None = Field(
        None, description="the target must (true) or must not (false) face the Internet"
    )
    success: Probability = Field(1.0, description="chance that one attempt succeeds")
    delay: Distribution = Field(0.0, description="time before the stage acts (per attempt when spreading)")
    attempts: Integer = Field(50, ge=1, le=100_000, description="attempts per source node before it gives up")
    effect: Effect | None = None  # type: ignore[valid-type]
    lasts: Duration | None = Field(None, description="how long a denial of service keeps up")
    rate_gb_per_hour: Number = Field(2.0, ge=0, description="exfiltration speed per node")
    hosts: Literal["one", "all"] = Field("one", description="hosts hit per node on success")
    loud: Boolean | None = Field(
        None, description="users notice the effect at once (default for encrypt, deface, deny, wipe)"
    )
    noise: Number = Field(
        1.0,
        ge=0,
        le=100,
        description="how loud each machine it takes is to the sensors: with coverage c, a machine "
        "goes unseen with chance (1 - c) ** noise (0: never seen by sensors, 2: as easy to see as "
        "two machines)",
    )
    patchable: Boolean | None = Field(
        None,
        description="a patched node resists it; default: true for the exploitation techniques "
        + ", ".join(EXPLOIT_TECHNIQUES)
        + " and their sub-techniques, else false (write false for a zero-day)",
    )

    account: str | None = Field(
        None,
        max_length=80,
        description="the account it takes or uses (a credential or valid-account technique); "
        "default: the administrator account of the site it lands on",
    )
    leaves: names_of(SOURCE_NAMES) | None = Field(  # type: ignore[valid-type]
        None,
        description="the data sources where it leaves evidence (process, file, memory, registry, logon, "
        "account, network, proxy, mail, web); default: the evidence catalogue's for its technique",
    )
    from_: Literal[ORIGINS] | None = Field(  # type: ignore[valid-type]
        None,
        alias="from",
        description="where the attacker acts from: internet (a landing needs a way in from the "
        "Internet, an effect on a held node needs its channel out) or inside (neither); default: "
        "inside for a spread, for a landing fetched from held nodes (after + via) and for "
        + ", ".join(PHYSICAL_TECHNIQUES)
        + " (by hand), else internet",
    )

    @property
    def comes_from(self) -> str:
        """``from`` as written, else from the stage's shape and technique (see ``from_``)."""
        if self.from_ is not None:
            return self.from_
        if self.technique.split(".", 1)[0] in PHYSICAL_TECHNIQUES:
            return "inside"
        if self.after is not None and (self.over or (self.via and self.effect is None)):
            return "inside"
        return "internet"

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
    coverage: Probability | None = Field(
        None, description="the chance that the sensors see one compromised machine here"
    )
    delay: Distribution | None = Field(None, description="time from a machine seen to the alert")
    users_notice: Distribution | None = Field(
        None,
        description="time for users here to notice harm they can see (encrypted files, a defaced "
        "page, a dead service) and call; default {exponential: 15m}",
    )


FROM_BACKUP = "from-backup"
# the hands-on work that `takes: from-backup` (the old way to write a restore) stands for: checks
# and reconnection, before the wait for the backup copy or the rebuild
RESTORE_CHECKS = 30.0
StepName = Literal[PLAYBOOK_STEPS]  # type: ignore[valid-type]


class Effort(Strict):
    """A step's hands-on work in person-time: once for the node, plus per machine worked on."""

    base: Distribution = Field(
        0.0, description="person-time once per node, whatever its machines (e.g. preparing the golden image)"
    )
    per_host: Distribution = Field(0.0, description="person-time for each machine worked on")

    @model_validator(mode="after")
    def _something(self) -> Effort:
        if not self.model_fields_set & {"base", "per_host"}:
            raise ValueError("effort needs base, per_host or both")
        return self


class Step(Strict):
    """One step of a playbook: hands-on work that keeps people busy (``takes`` or ``effort``,
    shared by up to ``crew`` people, never shorter than ``shortest``), then an optional ``lead``
    time that keeps the node out of service but holds no one."""

    do: StepName
    procedure: Literal[PROCEDURE_NAMES] | None = Field(  # type: ignore[valid-type]
        None,
        description="investigate: the procedure (default endpoint-analysis); its person-time is the "
        "procedure's unless takes or effort says otherwise",
    )
    takes: Distribution | Literal["from-backup"] | None = Field(
        None,
        description="hands-on time for the whole node, one person (as effort: {base: …}); "
        "from-backup: 30m of checks, then lead: from-backup",
    )
    effort: Effort | None = Field(None, description="hands-on person-time: base + per_host × machines")
    crew: Integer = Field(
        1, ge=1, le=1000, description="at most this many of the team's people on it at once"
    )
    shortest: Duration = Field(0.0, description="the hands-on work never takes less, whatever the crew")
    lead: Distribution | Literal["from-backup"] | None = Field(
        None,
        description="waiting after the hands-on work that holds no one (the node stays out of service); "
        "from-backup: the node's restore time from its backup, its rebuild time without a usable one, "
        "nothing when its data is intact",
    )

    @model_validator(mode="after")
    def _work(self) -> Step:
        if self.takes is not None and self.effort is not None:
            raise ValueError("a step gives its hands-on work as takes or as effort, not both")
        if self.takes == FROM_BACKUP and self.lead is not None:
            raise ValueError("takes: from-backup already waits for the backup; give lead or it, not both")
        if self.takes is None and self.effort is None and self.lead is None and self.do != "investigate":
            raise ValueError("a step needs takes, effort or lead: how long its work lasts")
        return self

    @property
    def work(self) -> tuple[Any, Any]:
        """The hands-on work's (base, per machine) person-time distributions."""
        if self.effort is not None:
            return self.effort.base, self.effort.per_host
        if self.do == "investigate" and self.takes is None:
            procedure = PROCEDURES[self.procedure or "endpoint-analysis"]
            return procedure.base, procedure.per_host
        if self.takes == FROM_BACKUP:
            return RESTORE_CHECKS, 0.0
        return (self.takes if self.takes is not None else 0.0), 0.0

    @property
    def wait(self) -> Any:
        """The lead time: a distribution, ``from-backup``, or None."""
        return FROM_BACKUP if self.takes == FROM_BACKUP else self.lead


class Playbook(Strict):
    name: Text | None = None
    auto: Boolean = Field(
        True, description="the simulated team works it by itself; false: only players' decisions act"
    )
    steps: tuple[Step, ...] = Field(min_length=1)
    order: tuple[StepName, ...] = Field(
        (),
        description="the steps the team picks first, most urgent first; the others follow in the "
        "usual order (contain: triage, isolate, report; eradicate: reimage, reset-credentials, patch; "
        "recover: restore)",
    )

    @field_validator("order")
    @classmethod
    def _once(cls, order: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(order)) != len(order):
            raise ValueError("a step is named twice in order")
        return order


class Expectation(Strict):
    """An action the players should take after an inject, by a deadline."""

    action: Action  # type: ignore[valid-type]
    target: NodeSelector | None = None
    service: Id | None = None
    to: Id | None = Field(None, description="whom to report or escalate to")
    within: Duration
    by: Id | None = Field(None, description="the team expected to act")
    text: Text | None = None
    counts_automatic: Boolean | None = Field(
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
    at_least: Integer = Field(ge=1)
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


_CONDITION_KEYS = ("service_down", "hosts_compromised", "node", "stage_succeeded", "after_inject", "detected")


class Condition(Strict):
    """A structured trigger on the simulated state; every key given must hold."""

    model_config = schema_rules({"anyOf": [given(k) for k in _CONDITION_KEYS]})

    service_down: ServiceDown | None = None
    hosts_compromised: HostsCompromised | None = None
    node: NodeInState | None = None
    stage_succeeded: Id | None = None
    after_inject: AfterInject | None = None
    detected: Boolean | None = Field(None, description="true: once anything has been detected")

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
    change: Integer = Field(ge=-1000, le=1000)


class InjectEffect(Strict):
    """What delivering an inject changes in the simulation (any of these)."""

    backups_lost: NodeSelector | None = None
    compromise: NodeSelector | None = None
    offline: NodeSelector | None = None
    start_stage: Id | None = None
    deny: DenialEffect | None = None
    staff: StaffChange | None = None
    detect: NodeSelector | None = None
    suspect: NodeSelector | None = Field(
        None, description="nodes the message points to: the teams it goes to now suspect them (a lead)"
    )


class Inject(Strict):
    """One line of the MSEL."""

    model_config = schema_rules({"oneOf": [given("at"), given("when"), is_true("contingency")]})

    id: Id
    at: Offset | None = None
    when: Condition | None = None
    contingency: Boolean = Field(False, description="held back for the facilitator to fire")
    from_: Text | None = Field(None, alias="from")
    to: Names = ()
    channel: Literal["phone", "email", "in-person", "chat", "news", "ticket", "letter", "radio", "system"] = (
        "email"
    )
    title: Text | None = None
    text: Text
    hidden: Boolean = Field(False, description="seen by the facilitator only")
    reveals: Boolean = Field(
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
    model_config = schema_rules({"oneOf": [given("under"), given("at_least")]})

    metric: Literal[METRICS]  # type: ignore[valid-type]
    under: Duration | Number | None = Field(None, description="met when the figure stays below this")
    at_least: Number | None = None
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


class Planted(Strict):
    """Evidence a trainer puts on a node for the players' investigations to find: a real trace of
    the scenario's story, or a red herring (``benign``)."""

    node: Id
    source: Literal[SOURCE_NAMES]  # type: ignore[valid-type]
    at: Offset = Field(0.0, description="when it was left (T+…)")
    technique: Technique | None = Field(None, description="what it shows, when it shows an attack")
    benign: Boolean = Field(False, description="it looks bad but is harmless: a false lead")
    text: Text | None = Field(None, description="what the players read when it is found")

    @model_validator(mode="after")
    def _shows_something(self) -> Planted:
        if not self.benign and self.technique is None:
            raise ValueError(
                "a planted trace shows a technique (technique: T…) or is a false lead (benign: true)"
            )
        return self


class Identify(Strict):
    """An expectation on finding out: a stage's technique identified within a time of its first
    success (e.g. the initial access within 2h)."""

    stage: Id
    within: Duration
    by: Id | None = Field(None, description="the team expected to identify it (default: any)")
    name: Text | None = None


class ScenarioSpec(Strict):
    schema_: str | None = Field(None, alias="$schema")
    scenario: Id = Field(description="this scenario's id")
    version: Integer = Field(1, ge=1, le=1)
    title: Text
    description: Text
    unit: Id = Field(description="the site (body) this drill is for")
    audience: Names = Field(description="the teams that play")
    topology: str = Field(description="a bundled topology name, or a file beside this scenario")
    start: CalendarTime = Field(description="the drill's calendar clock at T+0")
    duration: Duration
    seed: Integer = Field(0, ge=0, le=2**63 - 1)
    teams: dict[Id, Team] = Field(min_length=1)
    attacker: Attacker
    detection: tuple[DetectionRule, ...] = ()
    playbooks: dict[Id, Playbook] = Field(default_factory=dict)
    deadlines: tuple[Deadline, ...] = ()
    injects: tuple[Inject, ...] = ()
    objectives: tuple[Objective, ...] = ()
    counts_automatic: Boolean = Field(
        False,
        description="an expected action done by a simulated team's own playbook (not a decision) "
        "meets the expectation; false: the scorecard shows it but does not count it",
    )
    evidence: dict[Technique, names_of(SOURCE_NAMES)] = Field(  # type: ignore[valid-type]
        default_factory=dict,
        description="per ATT&CK technique, the data sources where it leaves evidence (replaces the "
        "bundled catalogue's entry)",
    )
    false_positives: Probability = Field(
        0.03,
        description="the chance that an investigation of one clean node turns up something that "
        "looks like the attacker and is not",
    )
    planted: tuple[Planted, ...] = ()
    identify: tuple[Identify, ...] = ()
    tags: Names = ()
