"""The city model: a validated topology turned into a networkx graph with typed attributes."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ..diagnostics import Diagnostic, DrillError, nearest, path_text
from ..i18n import t
from ..yamlio import Document, load_file
from .common import Selector
from .topology import TRANSIT_KINDS, LinkSpec, NodeSpec, ServiceSpec, SiteSpec, TopologySpec
from .validation import to_diagnostic, validate_model


@dataclass
class City:
    """A loaded topology: specs by id, in file order, and the graph built from them."""

    spec: TopologySpec
    file: str
    sites: dict[str, SiteSpec]
    nodes: dict[str, NodeSpec]
    links: list[LinkSpec]
    services: dict[str, ServiceSpec]
    graph: nx.Graph
    nodes_by_site: dict[str, list[str]] = field(default_factory=dict)
    service_nodes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    service_order: list[str] = field(default_factory=list)
    gateways: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.topology

    def is_transit(self, node: str) -> bool:
        return self.nodes[node].kind in TRANSIT_KINDS

    def select(self, selector: Selector) -> list[str]:
        """Node ids matching ``selector``, in topology order."""
        out = []
        for node in self.nodes.values():
            if matches(selector, node, self.sites[node.site].group):
                out.append(node.id)
        return out

    def names(self, what: str) -> list[str]:
        if what == "node":
            return list(self.nodes)
        if what == "site":
            return list(self.sites)
        if what == "kind":
            return sorted({n.kind for n in self.nodes.values()})
        if what == "zone":
            return sorted({n.zone for n in self.nodes.values()})
        if what == "tag":
            return sorted({tag for n in self.nodes.values() for tag in n.tags})
        if what == "group":
            return sorted({s.group for s in self.sites.values()})
        if what == "service":
            return list(self.services)
        return []


def matches(selector: Selector, node: NodeSpec, group: str) -> bool:
    if selector.node and node.id not in selector.node:
        return False
    if selector.site and node.site not in selector.site:
        return False
    if selector.kind and node.kind not in selector.kind:
        return False
    if selector.zone and node.zone not in selector.zone:
        return False
    if selector.tag and not any(tag in node.tags for tag in selector.tag):
        return False
    if selector.group and group not in selector.group:
        return False
    if selector.match and not any(fnmatch.fnmatchcase(node.id, pattern) for pattern in selector.match):
        return False
    return True


def check_selector(selector: Selector, city: City) -> list[tuple[str, str]]:
    """Problems with a selector as (field, message): unknown names, or nothing matched."""
    problems = []
    for what in ("node", "site", "kind", "zone", "tag", "group"):
        known = set(city.names(what))
        for name in getattr(selector, what):
            if name not in known:
                msg = t("validate.unknown_ref", what=t(f"validate.what_{what}"), name=name)
                close = nearest(name, known)
                if close:
                    msg += t("validate.did_you_mean", names=", ".join(close))
                problems.append((what, msg))
    if not problems and not city.select(selector):
        problems.append(("", t("validate.selector_empty", selector=selector.describe())))
    return problems


# ---------------------------------------------------------------- loading


def load_city(path: Path | str) -> City:
    """Load and check a topology file; raise DrillError listing every problem."""
    doc = load_file(path)
    city, problems = build_city(doc)
    if problems or city is None:
        raise DrillError("\n".join(d.format() for d in problems), problems)
    return city


def build_city(doc: Document) -> tuple[City | None, list[Diagnostic]]:
    problems = list(doc.problems)
    if not isinstance(doc.data, dict):
        problems.append(
            Diagnostic(doc.file, 1, 1, "", t("validate.want_document", what="topology"), "invalid")
        )
        return None, problems
    spec, errors = validate_model(doc, TopologySpec)
    problems.extend(errors)
    if spec is None:
        return None, problems
    nodes, links, gateways = _expand(doc, spec, problems)
    city = _assemble(doc, spec, nodes, links, gateways, problems)
    return (city if not problems else None), sorted(problems, key=lambda d: (d.line, d.col, d.path))


def _expand(
    doc: Document, spec: TopologySpec, problems: list[Diagnostic]
) -> tuple[list[tuple[NodeSpec, tuple[Any, ...]]], list[tuple[LinkSpec, tuple[Any, ...]]], dict[str, str]]:
    """Written nodes and links, plus those built from templates, each with where it came from."""
    nodes = [(node, ("nodes", i)) for i, node in enumerate(spec.nodes)]
    links = [(link, ("links", i)) for i, link in enumerate(spec.links)]
    gateways: dict[str, str] = {s.id: s.gateway for s in spec.sites if s.gateway}
    for si, site in enumerate(spec.sites):
        if site.template is None:
            continue
        where = ("sites", si, "template")
        template = spec.templates.get(site.template)
        if template is None:
            _problem(
                doc,
                problems,
                where,
                t("validate.unknown_ref", what=t("validate.what_template"), name=site.template)
                + _near(site.template, spec.templates),
            )
            continue
        values: dict[str, Any] = {**template.params, **site.params}
        unknown = sorted(set(site.params) - set(template.params))
        for name in unknown:
            _problem(
                doc,
                problems,
                ("sites", si, "params", name),
                t("validate.unknown_param", name=name, template=site.template) + _near(name, template.params),
            )
        values.update(site=site.id, name_en=site.name.en, name_vi=site.name.vi)
        for kind, items, model, out in (
            ("nodes", template.nodes, NodeSpec, nodes),
            ("links", template.links, LinkSpec, links),
        ):
            for ti, raw in enumerate(items):
                filled = _fill(raw, values)
                if kind == "nodes" and isinstance(filled, dict):
                    filled.setdefault("site", site.id)
                try:
                    item = model.model_validate(filled)
                except Exception as exc:  # pydantic's ValidationError, located at the template entry
                    for err in getattr(exc, "errors", lambda **_: [])(include_url=False):
                        d = to_diagnostic(doc, model, err, ("templates", site.template, kind, ti))
                        problems.append(
                            Diagnostic(
                                d.file,
                                d.line,
                                d.col,
                                d.path,
                                t("validate.in_template", site=site.id) + d.message,
                                d.code,
                            )
                        )
                    continue
                out.append((item, ("templates", site.template, kind, ti)))  # type: ignore[arg-type]
        if template.gateway and site.id not in gateways:
            gateways[site.id] = str(_fill(template.gateway, values))
    return nodes, links, gateways


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # keeps numbers as numbers
        try:
            return value.format(**values)
        except (KeyError, IndexError, ValueError):
            return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def _near(name: str, pool: Iterable[str]) -> str:
    close = nearest(name, pool)
    return t("validate.did_you_mean", names=", ".join(close)) if close else ""


def _problem(
    doc: Document, problems: list[Diagnostic], path: Sequence[Any], message: str, code: str = "reference"
) -> None:
    line, col = doc.where(tuple(path))
    problems.append(Diagnostic(doc.file, line, col, path_text(path), message, code))


def _assemble(
    doc: Document,
    spec: TopologySpec,
    nodes: list[tuple[NodeSpec, tuple[Any, ...]]],
    links: list[tuple[LinkSpec, tuple[Any, ...]]],
    gateways: dict[str, str],
    problems: list[Diagnostic],
) -> City:
    sites: dict[str, SiteSpec] = {}
    for i, site in enumerate(spec.sites):
        if site.id in sites:
            _problem(
                doc,
                problems,
                ("sites", i, "id"),
                t("validate.duplicate_id", what=t("validate.what_site"), name=site.id),
            )
        sites[site.id] = site
    zones = {z.id for z in spec.zones}
    service_ids = [s.id for s in spec.services]
    by_id: dict[str, NodeSpec] = {}
    graph = nx.Graph(name=spec.topology)
    nodes_by_site: dict[str, list[str]] = {s: [] for s in sites}
    for node, where in nodes:
        if node.id in by_id:
            _problem(
                doc,
                problems,
                (*where, "id"),
                t("validate.duplicate_id", what=t("validate.what_node"), name=node.id),
            )
            continue
        by_id[node.id] = node
        if node.site not in sites:
            _problem(
                doc,
                problems,
                (*where, "site"),
                t("validate.unknown_ref", what=t("validate.what_site"), name=node.site)
                + _near(node.site, sites),
            )
        else:
            nodes_by_site[node.site].append(node.id)
        if zones and node.zone not in zones:
            _problem(
                doc,
                problems,
                (*where, "zone"),
                t("validate.unknown_ref", what=t("validate.what_zone"), name=node.zone)
                + _near(node.zone, zones),
            )
        for k, svc in enumerate(node.services):
            if svc not in service_ids:
                _problem(
                    doc,
                    problems,
                    (*where, "services", k),
                    t("validate.unknown_ref", what=t("validate.what_service"), name=svc)
                    + _near(svc, service_ids),
                )
        graph.add_node(node.id, **_attrs(node))
    seen_links: set[tuple[str, str]] = set()
    for link, where in links:
        ok = True
        for end, key in ((link.source, "from"), (link.target, "to")):
            if end not in by_id:
                _problem(
                    doc,
                    problems,
                    (*where, key),
                    t("validate.unknown_ref", what=t("validate.what_node"), name=end) + _near(end, by_id),
                )
                ok = False
        pair = (min(link.source, link.target), max(link.source, link.target))
        if ok and link.source == link.target:
            _problem(doc, problems, where, t("validate.self_link", name=link.source))
            ok = False
        if ok and pair in seen_links:
            _problem(doc, problems, where, t("validate.duplicate_link", a=link.source, b=link.target))
            ok = False
        if ok:
            seen_links.add(pair)
            graph.add_edge(link.source, link.target, kind=link.kind, allows=tuple(link.allows), id=link.key)
    for site_id, gw in gateways.items():
        if gw not in by_id:
            i = next(i for i, s in enumerate(spec.sites) if s.id == site_id)
            _problem(
                doc,
                problems,
                ("sites", i, "gateway"),
                t("validate.unknown_ref", what=t("validate.what_node"), name=gw) + _near(gw, by_id),
            )
    services = {s.id: s for s in spec.services}
    service_nodes: dict[str, list[str]] = {s: [] for s in services}
    for node in by_id.values():
        for svc in node.services:
            if svc in service_nodes:
                service_nodes[svc].append(node.id)
    for i, svc in enumerate(spec.services):
        for k, name in enumerate(svc.requires.nodes):
            if name not in by_id:
                _problem(
                    doc,
                    problems,
                    ("services", i, "requires", "nodes", k),
                    t("validate.unknown_ref", what=t("validate.what_node"), name=name) + _near(name, by_id),
                )
            elif name not in service_nodes[svc.id]:
                service_nodes[svc.id].append(name)
        for k, name in enumerate(svc.requires.services):
            if name not in services:
                _problem(
                    doc,
                    problems,
                    ("services", i, "requires", "services", k),
                    t("validate.unknown_ref", what=t("validate.what_service"), name=name)
                    + _near(name, services),
                )
        for k, name in enumerate(svc.users):
            if name != "all" and name not in sites:
                _problem(
                    doc,
                    problems,
                    ("services", i, "users", k),
                    t("validate.unknown_ref", what=t("validate.what_site"), name=name) + _near(name, sites),
                )
        if not service_nodes[svc.id] and not svc.requires.services:
            _problem(doc, problems, ("services", i), t("validate.service_unhosted", name=svc.id))
    order = _service_order(doc, spec, problems)
    return City(
        spec=spec,
        file=doc.file,
        sites=sites,
        nodes=by_id,
        links=[link for link, _ in links],
        services=services,
        graph=graph,
        nodes_by_site=nodes_by_site,
        service_nodes={k: tuple(v) for k, v in service_nodes.items()},
        service_order=order,
        gateways={site: gw for site, gw in gateways.items() if gw in by_id},
    )


def _attrs(node: NodeSpec) -> dict[str, Any]:
    return {
        "kind": node.kind,
        "site": node.site,
        "zone": node.zone,
        "criticality": node.criticality,
        "hosts": node.hosts,
        "services": tuple(node.services),
        "tags": tuple(node.tags),
        "coverage": node.sensors.coverage,
        "backup_restore": node.backup.restore if node.backup else None,
        "exposed": node.exposed,
        "data_gb": node.data_gb,
        "name_en": node.name.en if node.name else node.id,
        "name_vi": node.name.vi if node.name else node.id,
    }


def _service_order(doc: Document, spec: TopologySpec, problems: list[Diagnostic]) -> list[str]:
    """Services with each after the ones it needs; a dependency cycle is an error."""
    deps = {s.id: [d for d in s.requires.services if d != s.id] for s in spec.services}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(sid: str, trail: list[str]) -> None:
        if state.get(sid) == 2 or sid not in deps:
            return
        if state.get(sid) == 1:
            i = next(i for i, s in enumerate(spec.services) if s.id == sid)
            cycle = " → ".join([*trail[trail.index(sid) :], sid])
            _problem(doc, problems, ("services", i, "requires"), t("validate.service_cycle", cycle=cycle))
            return
        state[sid] = 1
        for dep in deps[sid]:
            visit(dep, [*trail, sid])
        state[sid] = 2
        order.append(sid)

    for s in spec.services:
        visit(s.id, [])
    return order
