"""The topology format: the city's bodies, network nodes, links and the services they carry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from .common import (
    Boolean,
    Criticality,
    Distribution,
    Duration,
    Id,
    Integer,
    Names,
    Number,
    Probability,
    Strict,
    Text,
)

SITE_KINDS = (
    "core",
    "datacentre",
    "portal",
    "department",
    "agency",
    "urban-district",
    "rural-district",
    "town",
    "commune",
    "external",
)
SITE_GROUPS = ("core", "datacentre", "portal", "departments", "districts", "communes", "external")
NODE_KINDS = (
    "router",
    "switch",
    "firewall",
    "wan-core",
    "workstations",
    "laptops",
    "server",
    "app-server",
    "web-server",
    "database",
    "mail-server",
    "file-server",
    "domain-controller",
    "backup-server",
    "video-server",
    "signing-server",
    "load-balancer",
    "security-sensor",
    "internet",
)
# network gear the attacker passes through to reach the hosts behind it
TRANSIT_KINDS = frozenset({"router", "switch", "firewall", "wan-core", "load-balancer", "internet"})
LINK_KINDS = ("wan", "lan", "dmz", "vpn", "trust", "internet")
# the links that carry traffic: a flood, a download or a citizen comes along them (a trust link
# carries credentials, not traffic)
TRAFFIC_LINKS = ("internet", "dmz", "wan", "lan", "vpn")
TRAFFIC = ("mail", "web", "smb", "rdp", "ssh", "db", "dns", "ldap", "video", "update", "any")
SERVICE_KINDS = ("infrastructure", "system", "shared-app", "public-service")

NodeKind = Literal[NODE_KINDS]  # type: ignore[valid-type]
LinkKind = Literal[LINK_KINDS]  # type: ignore[valid-type]
Traffic = Literal[TRAFFIC]  # type: ignore[valid-type]


class Sensors(Strict):
    """How well a node is watched: the chance that a compromised machine is seen, and how soon."""

    coverage: Probability = Field(
        0.3,
        description="chance that the sensors see one compromised machine here (a group of like "
        "machines is seen sooner the more of it is taken)",
    )
    delay: Distribution = Field({"exponential": "2h"}, description="time from a machine seen to the alert")


class Backup(Strict):
    """A usable backup and how long a restore from it takes."""

    restore: Duration = Field(description="time to restore this node from its backup")
    offline: Boolean = Field(False, description="kept off the network, so malware cannot reach it")


def _none_backup(value: Any) -> Any:
    return None if value in ("none", "no", False) else value


class NodeSpec(Strict):
    id: Id
    name: Text | None = None
    kind: NodeKind  # type: ignore[valid-type]
    site: Id
    zone: Id
    criticality: Criticality = "medium"
    hosts: Integer = Field(1, ge=1, le=1_000_000, description="how many like machines this node stands for")
    services: tuple[Id, ...] = Field((), description="services hosted here")
    tags: tuple[Id, ...] = ()
    sensors: Sensors = Sensors()
    backup: Annotated[
        Backup | None, BeforeValidator(_none_backup, json_schema_input_type=Literal["none"] | Backup | None)
    ] = None
    rebuild: Duration = Field(
        "1d", description="time to rebuild from scratch when there is no backup (restore without one)"
    )
    exposed: Boolean = Field(False, description="reachable from the Internet")
    data_gb: Number = Field(0.0, ge=0, description="sensitive data held, in gigabytes")


class LinkSpec(Strict):
    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    kind: LinkKind  # type: ignore[valid-type]
    allows: tuple[Traffic, ...] = Field(("any",), description="the traffic this link lets through")  # type: ignore[valid-type]
    id: Id | None = None

    @property
    def key(self) -> str:
        return self.id or f"{self.source}--{self.target}"


class SiteSpec(Strict):
    id: Id
    name: Text
    kind: Literal[SITE_KINDS]  # type: ignore[valid-type]
    group: Literal[SITE_GROUPS]  # type: ignore[valid-type]
    template: Id | None = Field(None, description="build this site's nodes from a template")
    params: dict[Id, Integer | Number | str] = Field(default_factory=dict, description="template parameters")
    population: Integer = Field(0, ge=0, description="citizens living or served here")
    staff: Integer = Field(0, ge=0, description="civil servants working here")
    gateway: Id | None = Field(None, description="the node that connects this site to the WAN")
    parent: Id | None = Field(
        None,
        description="the body this one belongs to (a ward's or commune's district): its people also "
        "depend on that body's one-stop desk, and figures roll up to it",
    )


class TemplateSpec(Strict):
    """Nodes and links repeated for many sites; ``{site}``, ``{name_en}``, ``{name_vi}`` and the
    template's parameters are replaced in every text."""

    params: dict[Id, Integer | Number | str] = Field(default_factory=dict)
    gateway: str | None = None
    nodes: tuple[dict[str, Any], ...] = ()
    links: tuple[dict[str, Any], ...] = ()


class ServiceNeeds(Strict):
    nodes: Names = ()
    services: Names = ()


class ServiceServes(Strict):
    citizens: Integer = Field(0, ge=0, description="citizens and firms served in a working day")
    officials: Integer = Field(0, ge=0, description="civil servants who use it in a working day")


class ServiceSpec(Strict):
    id: Id
    name: Text
    kind: Literal[SERVICE_KINDS]  # type: ignore[valid-type]
    requires: ServiceNeeds = ServiceNeeds()
    serves: ServiceServes = ServiceServes()
    level: Integer | None = Field(None, ge=1, le=4, description="online public-service level (3 or 4)")
    users: Names = Field(("all",), description="sites whose people use it, or 'all'")
    from_internet: Boolean = Field(
        False,
        description="used from the Internet: down while no node it runs on can be reached from an "
        "internet node (needs one in the topology)",
    )


class ZoneSpec(Strict):
    id: Id
    name: Text


class RemoveSpec(Strict):
    """What a topology that extends another takes out of it, by id (a link's id: ``from--to``)."""

    sites: Names = ()
    nodes: Names = ()
    links: Names = ()
    services: Names = ()


class TopologySpec(Strict):
    """A topology file as written."""

    schema_: str | None = Field(None, alias="$schema")
    topology: Id = Field(description="this topology's name")
    extends: Id | None = Field(
        None,
        description="build on another topology: a bundled name (hanoi) or a file in this folder; "
        "entries here add to it or change it (by id), and remove takes things out",
    )
    remove: RemoveSpec | None = Field(None, description="what to take out of the topology extended")
    version: Integer = Field(1, ge=1, le=1)
    name: Text
    description: Text | None = None
    zones: tuple[ZoneSpec, ...] = ()
    sites: tuple[SiteSpec, ...]
    templates: dict[Id, TemplateSpec] = Field(default_factory=dict)
    nodes: tuple[NodeSpec, ...] = ()
    links: tuple[LinkSpec, ...] = ()
    services: tuple[ServiceSpec, ...] = ()
