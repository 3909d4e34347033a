"""The evidence catalogue: what each attack technique leaves behind, where it is kept and for how
long, and which investigation procedures look there.

Keyed by MITRE ATT&CK technique and by ATT&CK-style data source (the "Detection" data sources of
each technique page, grouped into the places an incident responder actually looks). A technique's
sub-techniques take its entry unless they have their own. A scenario may replace the entry of any
technique (``evidence:``) or of one stage (``leaves:``); scenarios/README.md documents both.

Everything here is bundled data: plain tuples and dicts, no engine state.
"""

from __future__ import annotations

from dataclasses import dataclass


# Where evidence is kept. ``host``: on the machine itself (the disk, the running memory): a reimage
# destroys it. ``central``: collected away from the machine (the SIEM, the proxy, the mail
# gateway, the directory): a reimage leaves it, but logs roll over after ``retention`` minutes.
# ``None``: kept as long as the drill lasts.
@dataclass(frozen=True, slots=True)
class DataSource:
    kept: str  # host, central
    retention: float | None  # minutes before the records roll over
    lost_on_reboot: bool = False  # memory: gone with the machine's running state


DATA_SOURCES: dict[str, DataSource] = {
    "process": DataSource("host", None),  # process creation (Windows 4688, Sysmon 1)
    "file": DataSource("host", None),  # files written: names and hashes
    "memory": DataSource("host", None, lost_on_reboot=True),  # injected code, credentials in memory
    "registry": DataSource("host", None),  # autoruns, services, scheduled tasks
    # Windows Security logs on a busy server roll over in hours (the default 20 MB), forwarded or not
    "logon": DataSource("central", 6 * 60.0),  # logons (4624, 4625, 4648, 4672)
    "account": DataSource("central", None),  # the directory: account changes, groups (4720, 4728, 4738)
    "network": DataSource("central", 12 * 60.0),  # firewall and flow records
    "proxy": DataSource("central", 24 * 60.0),  # web proxy and DNS
    "mail": DataSource("central", 30 * 24 * 60.0),  # the mail gateway's headers
    "web": DataSource("host", 24 * 60.0),  # a web or application server's own access log
}
SOURCE_NAMES = tuple(DATA_SOURCES)


@dataclass(frozen=True, slots=True)
class Procedure:
    """An investigation: how well it reads each data source (0 to 1), its person-time (``base``
    once, plus ``per_host`` for each machine examined), how many people can share it, and what
    it takes as a target (``node``: the machines named; ``body``: every machine of the bodies
    named; ``account``: where an account was used)."""

    fit: dict[str, float]
    base: float
    per_host: float
    crew: int
    scope: str


PROCEDURES: dict[str, Procedure] = {
    # disk triage of each machine: running processes, new files, autoruns
    "endpoint-analysis": Procedure(
        {"process": 0.8, "file": 0.8, "registry": 0.7, "memory": 0.2, "web": 0.4}, 45.0, 10.0, 2, "node"
    ),
    # the SIEM's searches over the collected logs: quick per machine, blind to what stays on disk
    "log-review": Procedure(
        {"logon": 0.8, "account": 0.5, "proxy": 0.6, "mail": 0.6, "web": 0.6, "network": 0.3},
        30.0,
        0.2,
        2,
        "node",
    ),
    # firewall, flow and proxy records: connections out, lateral movement, volumes
    "network-analysis": Procedure({"network": 0.8, "proxy": 0.7, "mail": 0.3}, 60.0, 0.1, 2, "node"),
    # a memory image of each machine, read by a specialist: slow, and sees what leaves no file
    "memory-forensics": Procedure({"memory": 0.9, "process": 0.6}, 60.0, 30.0, 1, "node"),
    # an account's logons and changes across the directory: where it was used
    "account-audit": Procedure({"account": 0.9, "logon": 0.7}, 45.0, 0.0, 2, "account"),
    # hypothesis-driven search across a whole body: every source, none well
    "threat-hunt": Procedure({name: 0.4 for name in DATA_SOURCES}, 90.0, 0.5, 3, "body"),
}
PROCEDURE_NAMES = tuple(PROCEDURES)


def expected_minutes(procedure: str, machines: int) -> float:
    """How long an investigation takes once it starts, with as many people as can share it (its
    crew, no more than one per machine): the engine's own plan for it."""
    p = PROCEDURES[procedure]
    examined = 0 if p.scope == "account" else machines
    people = min(p.crew, max(1, examined))
    return (p.base + p.per_host * examined) / people


# a procedure the team has practised (the scenario's `practised`) finds things more often
PRACTISED_BONUS = 0.15
DEFAULT_SKILL = 0.7
# a chance never reaches certainty: people miss things
MAX_CHANCE = 0.95

# Technique → the data sources where it leaves evidence. From the "Detection" sections of the
# ATT&CK technique pages (v14), reduced to the sources above.
TECHNIQUES: dict[str, tuple[str, ...]] = {
    "T1003": ("memory", "process", "file", "logon"),  # OS credential dumping (LSASS access, dump files)
    "T1021": ("logon", "network"),  # remote services
    "T1021.001": ("logon", "network", "registry"),  # RDP
    "T1021.002": ("logon", "network", "file"),  # SMB / admin shares: a service binary copied over
    "T1039": ("logon", "file", "network"),  # data from a network shared drive
    "T1041": ("network", "process"),  # exfiltration over the C2 channel
    "T1059": ("process", "memory"),  # command and scripting interpreter
    "T1072": ("process", "file", "logon"),  # software deployment tools
    "T1078": ("logon", "account"),  # valid accounts
    "T1091": ("file", "process"),  # removable media
    "T1105": ("file", "network", "proxy"),  # ingress tool transfer
    "T1110": ("logon", "account"),  # brute force: failed logons (4625)
    "T1190": ("web", "network", "file"),  # exploit of a public-facing application: a web shell
    "T1195": ("file", "process", "network"),  # supply chain compromise
    "T1213": ("logon", "web", "account"),  # data from information repositories
    "T1486": ("file", "process"),  # data encrypted for impact
    "T1485": ("file", "process"),  # data destruction
    "T1491": ("web", "file"),  # defacement
    "T1498": ("network",),  # network denial of service
    "T1499": ("network", "web"),  # endpoint denial of service
    "T1552": ("file", "process", "logon"),  # unsecured credentials (files holding passwords)
    "T1566": ("mail", "proxy", "file", "process"),  # phishing: the mail, the link, what ran
    "T1567": ("proxy", "network"),  # exfiltration over a web service
}
# a technique the catalogue does not know leaves what most intrusions leave
UNKNOWN_TECHNIQUE: tuple[str, ...] = ("process", "logon", "network")


def sources_of(technique: str, overrides: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The data sources where ``technique`` leaves evidence: the scenario's entry, else the
    catalogue's for the technique, else for its parent technique, else the common ones."""
    parent = technique.split(".", 1)[0]
    for table in (overrides or {}, TECHNIQUES):
        if technique in table:
            return table[technique]
        if parent in table:
            return table[parent]
    return UNKNOWN_TECHNIQUE


# techniques whose success leaves the attacker an account to use (its name on the stage, else the
# site's administrator account)
CREDENTIAL_TECHNIQUES = ("T1003", "T1110", "T1552", "T1555", "T1558", "T1078")
