"""The city model for other graph tools: GraphML (Gephi, yEd, igraph, graph-tool, networkx) and
node-link JSON (networkx, D3). README.md ("Export formats") lists every attribute.

One type per attribute, whatever the node; durations in minutes. GraphML holds only scalars: a
list is its items joined by commas (ids never hold one), a nested value is JSON text. Node-link
JSON keeps lists and objects as they are. What the graph does not carry per node or link (the
sites, zones and services tables) is on the graph itself.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model.city import City
from .model.topology import NodeSpec
from .yamlio import dump_yaml, flow_yaml

EXPORT_VERSION = 1
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str  # GraphML's attr.type: boolean, int, double, string
    about: str  # the key's <desc>: what it is, in which unit or form
    form: str = "scalar"  # scalar | list (comma-joined in GraphML) | json (JSON text in GraphML)


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True)


# ------------------------------------------------------------------ what is exported

GRAPH_ATTRIBUTES = (
    Attribute("name", "string", "the topology's id"),
    Attribute("name_en", "string", "the topology's name in English"),
    Attribute("name_vi", "string", "the topology's name in Vietnamese"),
    Attribute("export_version", "int", "the version of this export's layout"),
    Attribute(
        "sites", "string", "the sites (bodies): id, name, kind, group, population, staff, gateway", "json"
    ),
    Attribute("zones", "string", "the network zones: id and name", "json"),
    Attribute(
        "services",
        "string",
        "the services: id, name, kind, requires, serves, level, users, from_internet, runs_on (nodes)",
        "json",
    ),
)

NODE_ATTRIBUTES = (
    Attribute("kind", "string", "node kind (router, workstations, app-server …)"),
    Attribute("site", "string", "the site (body) it belongs to"),
    Attribute("zone", "string", "network zone"),
    Attribute("criticality", "string", "low, medium, high or critical"),
    Attribute("hosts", "int", "how many like machines the node stands for"),
    Attribute("services", "string", "services hosted here: ids joined by commas", "list"),
    Attribute("tags", "string", "tags: joined by commas", "list"),
    Attribute("gateway", "boolean", "the node that connects its site to the WAN"),
    Attribute("exposed", "boolean", "reachable from the Internet"),
    Attribute("coverage", "double", "sensors: chance that a compromise is detected (0-1)"),
    Attribute(
        "sensor_delay", "string", "sensors: time from compromise to alert, a distribution in minutes", "json"
    ),
    Attribute("backup", "boolean", "has a usable backup"),
    Attribute("backup_restore", "double", "minutes to restore from the backup (only on nodes with one)"),
    Attribute("backup_offline", "boolean", "the backup is kept off the network (false without a backup)"),
    Attribute("rebuild", "double", "minutes to rebuild from scratch without a backup"),
    Attribute("data_gb", "double", "sensitive data held, in gigabytes"),
    Attribute("name_en", "string", "name in English"),
    Attribute("name_vi", "string", "name in Vietnamese"),
)

EDGE_ATTRIBUTES = (
    Attribute("kind", "string", "link kind: wan, lan, dmz, vpn, trust or internet"),
    Attribute("allows", "string", "the traffic it lets through: names joined by commas", "list"),
    Attribute("id", "string", "the link's id (from--to when not named)"),
)


def graph_values(city: City) -> dict[str, Any]:
    spec = city.spec
    services = [
        {**_dump(svc), "runs_on": list(city.service_nodes.get(sid, ()))} for sid, svc in city.services.items()
    ]
    return {
        "name": city.id,
        "name_en": spec.name.en,
        "name_vi": spec.name.vi,
        "export_version": EXPORT_VERSION,
        "sites": [_dump(site) for site in city.sites.values()],
        "zones": [_dump(zone) for zone in spec.zones],
        "services": services,
    }


def node_values(city: City, node: NodeSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": node.kind,
        "site": node.site,
        "zone": node.zone,
        "criticality": node.criticality,
        "hosts": node.hosts,
        "services": list(node.services),
        "tags": list(node.tags),
        "gateway": city.gateways.get(node.site) == node.id,
        "exposed": node.exposed,
        "coverage": node.sensors.coverage,
        "sensor_delay": _dump(node.sensors.delay),
        "backup": node.backup is not None,
        "backup_offline": bool(node.backup and node.backup.offline),
        "rebuild": node.rebuild,
        "data_gb": node.data_gb,
        "name_en": node.name.en if node.name else node.id,
        "name_vi": node.name.vi if node.name else node.id,
    }
    if node.backup is not None:
        out["backup_restore"] = node.backup.restore
    return out


def edge_values(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": data["kind"], "allows": list(data["allows"]), "id": data["id"]}


DOMAINS = {"graph": GRAPH_ATTRIBUTES, "node": NODE_ATTRIBUTES, "edge": EDGE_ATTRIBUTES}


# ------------------------------------------------------------------ node-link JSON


def node_link(city: City) -> dict[str, Any]:
    """Node-link JSON with the key current networkx reads by default: ``edges``."""
    return {
        "directed": False,
        "multigraph": False,
        "graph": graph_values(city),
        "nodes": [{"id": nid, **node_values(city, node)} for nid, node in city.nodes.items()],
        "edges": [{"source": a, "target": b, **edge_values(d)} for a, b, d in city.graph.edges(data=True)],
    }


# ------------------------------------------------------------------ GraphML


def _text(attribute: Attribute, value: Any) -> str:
    if attribute.form == "list":
        return ",".join(str(v) for v in value)
    if attribute.form == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if attribute.kind == "boolean":
        return "true" if value else "false"  # XML Schema's booleans, as GraphML says
    return str(value)


def graphml(city: City) -> bytes:
    """The city as a GraphML document (UTF-8)."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    keys: dict[tuple[str, str], str] = {}
    for domain, attributes in (
        ("graph", GRAPH_ATTRIBUTES),
        ("node", NODE_ATTRIBUTES),
        ("edge", EDGE_ATTRIBUTES),
    ):
        for attribute in attributes:
            key = keys[domain, attribute.name] = f"{domain[0]}_{attribute.name}"
            element = ET.SubElement(
                root,
                f"{{{GRAPHML_NS}}}key",
                {"id": key, "for": domain, "attr.name": attribute.name, "attr.type": attribute.kind},
            )
            ET.SubElement(element, f"{{{GRAPHML_NS}}}desc").text = attribute.about
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": city.id, "edgedefault": "undirected"})

    def add_data(parent: ET.Element, domain: str, attributes: tuple[Attribute, ...], values: dict) -> None:
        for attribute in attributes:
            if attribute.name in values:  # a value a node does not have is left out, as GraphML allows
                data = ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": keys[domain, attribute.name]})
                data.text = _text(attribute, values[attribute.name])

    add_data(graph, "graph", GRAPH_ATTRIBUTES, graph_values(city))
    for nid, node in city.nodes.items():
        add_data(
            ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": nid}),
            "node",
            NODE_ATTRIBUTES,
            node_values(city, node),
        )
    for a, b, data in city.graph.edges(data=True):
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"source": a, "target": b})
        add_data(edge, "edge", EDGE_ATTRIBUTES, edge_values(data))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def topology_document(city: City) -> dict[str, Any]:
    """The city as a drill topology that reads back in as the same city: every node and link
    written out (templates expanded, the changes of a topology it extends applied), durations in
    minutes. The form is a plain topology, with no ``extends``."""
    spec = city.spec
    dump: dict[str, Any] = {"topology": spec.topology, "version": spec.version}
    dump["name"] = spec.name.model_dump(mode="json")
    if spec.description is not None:
        dump["description"] = spec.description.model_dump(mode="json")
    dump["zones"] = [z.model_dump(mode="json", by_alias=True, exclude_none=True) for z in spec.zones]
    sites = []
    for site in city.sites.values():
        item = site.model_dump(mode="json", by_alias=True, exclude_none=True)
        item.pop("template", None)
        item.pop("params", None)
        if site.id in city.gateways:
            item["gateway"] = city.gateways[site.id]
        sites.append(item)
    dump["sites"] = sites
    dump["nodes"] = [n.model_dump(mode="json", by_alias=True, exclude_none=True) for n in city.nodes.values()]
    dump["links"] = [
        link.model_dump(mode="json", by_alias=True, exclude_none=True)
        for link in city.links
        if city.graph.has_edge(link.source, link.target)
    ]
    dump["services"] = [
        s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in city.services.values()
    ]
    return dump


def topology_yaml(city: City) -> bytes:
    """The loadable topology as YAML: one line per zone, site, node, link and service."""
    data = topology_document(city)
    head = {k: v for k, v in data.items() if k not in ("zones", "sites", "nodes", "links", "services")}
    lines = [
        "# yaml-language-server: $schema=topology.schema.json",
        f"# {city.id}, written out by drill topology export: every node and link, durations in minutes",
        "",
        dump_yaml(head).rstrip("\n"),
    ]
    for key in ("zones", "sites", "nodes", "links", "services"):
        lines.append(f"{key}:" if data[key] else f"{key}: []")
        lines.extend(f"  - {flow_yaml(item)}" for item in data[key])
    return ("\n".join(lines) + "\n").encode("utf-8")


EXPORTERS: dict[str, Callable[[City], bytes]] = {
    "yaml": topology_yaml,
    "topology-json": lambda city: (
        json.dumps(topology_document(city), ensure_ascii=False, indent=1) + "\n"
    ).encode("utf-8"),
    "graphml": graphml,
    "json": lambda city: (json.dumps(node_link(city), ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
}
