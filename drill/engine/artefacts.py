"""The artefacts a finding shows the players, made from the simulation's real state.

Deterministic: every value comes from a hash of what it stands for (an implant's hash from its
campaign and stage, the attacker's address from its campaign, a machine's address from its place
in the city), so the same implant has the same hash on every machine, in every team's findings,
at every moment and in every replay. Log lines are in the formats responders read (Windows event
ids, proxy, firewall and mail header lines); they are data, not prose, and are not translated.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from ..model.city import City
from .evidence import Trace

_FIRST_OCTETS = (45, 91, 103, 146, 185, 193)
_WORDS = ("cdn", "update", "secure", "login", "portal", "sync", "docs", "cloud", "office", "verify")
_TLDS = ("com", "net", "org", "info", "top")
# what a technique's tool or payload is called on disk, by ATT&CK technique (parent)
_FILE_NAMES = {
    "T1003": "lsass.dmp",
    "T1021": "PSEXESVC.exe",
    "T1039": "robocopy_list.txt",
    "T1041": "svcnet.exe",
    "T1059": "run.ps1",
    "T1072": "agent_update.exe",
    "T1078": "logon.bat",
    "T1091": "Tai_lieu_hop.lnk",
    "T1105": "svchost32.exe",
    "T1110": "hydra.conf",
    "T1190": "aspnet_client.aspx",
    "T1195": "update_v2.3.1.msi",
    "T1213": "export.zip",
    "T1486": "HUONG_DAN_KHOI_PHUC.txt",
    "T1485": "wipe.sys",
    "T1491": "index.html",
    "T1552": "passwords.xlsx",
    "T1566": "Cong_van_Bo_Tai_chinh.docm",
    "T1567": "rclone.exe",
}
# an IT administrator's everyday tools: what a false lead looks like
_BENIGN_FILE = "PsExec64.exe"


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()


def file_hash(campaign: str, stage: str, technique: str) -> str:
    """The SHA-256 of a stage's implant or tool: one per campaign and stage, the same everywhere."""
    return hashlib.sha256(f"implant/{campaign}/{stage}/{technique}".encode()).hexdigest()


def attacker_ip(campaign: str) -> str:
    d = _digest("c2-ip", campaign)
    return f"{_FIRST_OCTETS[d[0] % len(_FIRST_OCTETS)]}.{d[1]}.{d[2]}.{1 + d[3] % 254}"


def attacker_domain(campaign: str) -> str:
    d = _digest("c2-domain", campaign)
    return f"{_WORDS[d[0] % len(_WORDS)]}-{_WORDS[d[1] % len(_WORDS)]}{d[2] % 100}.{_TLDS[d[3] % len(_TLDS)]}"


def node_ip(city: City, node: str) -> str:
    """A machine's address: 10.<body>.<node>.<machine>, by the city's order of bodies and nodes."""
    site = city.nodes[node].site
    sites = list(city.sites)
    in_site = [n for n in city.nodes if city.nodes[n].site == site]
    return f"10.{1 + sites.index(site) % 250}.{1 + in_site.index(node) % 250}.{11 + len(node) % 200}"


def file_name(technique: str) -> str:
    return _FILE_NAMES.get(technique.split(".", 1)[0], "svcupd.exe")


def _stamp(start: datetime, minutes: float) -> str:
    return (start + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def _host(node: str) -> str:
    return node.upper()[:15]


def artefact(trace: Trace, city: City, start: datetime, campaign_key: str = "") -> dict[str, Any]:
    """The artefact a found trace shows: its data source, a log line or record, and the file,
    hash, addresses, domain and account it names (only those that apply)."""
    campaign = trace.campaign or campaign_key or "planted"
    when = _stamp(start, trace.at)
    host, ip = _host(trace.node), node_ip(city, trace.node)
    out: dict[str, Any] = {"source": trace.source, "node": trace.node, "time": when}
    if trace.benign:
        name = _BENIGN_FILE
        out |= {"file": name, "sha256": file_hash("it-admin", "tools", name)}
        out["line"] = f"{when} EventID=4688 Host={host} NewProcess=C:\\Tools\\{name} Account=it-helpdesk"
        return out
    account = trace.account or "SYSTEM"
    name = file_name(trace.technique)
    digest = file_hash(campaign, trace.stage, trace.technique)
    c2_ip, c2_domain = attacker_ip(campaign), attacker_domain(campaign)
    source = trace.source
    if source == "logon":
        event = "4625" if trace.technique.startswith("T1110") else "4624"
        kind = "10" if trace.technique.startswith("T1021.001") else "3"
        out["line"] = (
            f"{when} EventID={event} Host={host} LogonType={kind} Account={account} SourceIp={c2_ip}"
            if trace.technique.startswith(("T1566", "T1190"))
            else f"{when} EventID={event} Host={host} LogonType={kind} Account={account} SourceIp={ip}"
        )
        out["account"] = account
    elif source == "account":
        out["line"] = f"{when} EventID=4738 Host=SDC-AD Account={account} Changed=PasswordLastSet,LogonHours"
        out["account"] = account
    elif source == "process":
        out["line"] = f"{when} EventID=4688 Host={host} NewProcess=C:\\ProgramData\\{name} Account={account}"
        out |= {"file": name, "sha256": digest}
    elif source == "file":
        out["line"] = f"{when} {host} C:\\ProgramData\\{name} sha256={digest}"
        out |= {"file": name, "sha256": digest}
    elif source == "memory":
        out["line"] = f"{host} malfind: PAGE_EXECUTE_READWRITE in lsass.exe, beacon to {c2_ip}:443"
        out |= {"ip": c2_ip}
        if account != "SYSTEM":
            out["account"] = account
    elif source == "registry":
        out["line"] = (
            f"{when} {host} HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater = "
            f"C:\\ProgramData\\{name}"
        )
        out |= {"file": name, "sha256": digest}
    elif source == "network":
        out["line"] = f"{when} ALLOW TCP {ip}:49733 -> {c2_ip}:443 bytes_out={1 + _digest(trace.node)[0]}M"
        out |= {"ip": c2_ip}
    elif source == "proxy":
        out["line"] = f"{when} {ip} CONNECT https://{c2_domain}/api/v2/sync 200 ({name})"
        out |= {"domain": c2_domain, "ip": c2_ip}
    elif source == "mail":
        out["line"] = (
            f"Received: from mail.{c2_domain} ([{c2_ip}]) by mail.hanoi.gov.vn; {when} +0700 | "
            f"From: van-thu@{c2_domain} | Attachment: {name}"
        )
        out |= {"domain": c2_domain, "ip": c2_ip, "file": name, "sha256": digest}
    elif source == "web":
        out["line"] = f'{c2_ip} - - [{when}] "POST /{name} HTTP/1.1" 200 512'
        out |= {"ip": c2_ip, "file": name}
    return out
